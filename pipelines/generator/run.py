"""`generate()`: realistic demo packages for all 54 units into a landing zone, plus `ground_truth.json`."""

from __future__ import annotations

import math
import shutil
import time
from collections import Counter
from datetime import date
from pathlib import Path

from pipelines.calendar import Quarter, quarter_range
from pipelines.config import get_settings
from pipelines.contract.schema import CONTRACT_FILES
from pipelines.generator.defects import DEFECTS_FILENAME, write_defect_corpus
from pipelines.generator.delivery import DeliveryStatus, plan_deliveries
from pipelines.generator.errors import GeneratorError
from pipelines.generator.formats import assign_formats
from pipelines.generator.ground_truth import build_ground_truth, write_ground_truth
from pipelines.generator.profiles import draw_profile
from pipelines.generator.reference import load_units
from pipelines.generator.simulation import FIRST_SIMULATED_QUARTER
from pipelines.generator.summary import GenerationSummary
from pipelines.generator.unit_packages import generate_unit_packages

MARKER_FILENAME = ".kim_generator"
MARKER_TEXT = (
    "Von `kim generate` erzeugte Demodaten. Der nächste Lauf ersetzt den gesamten Inhalt dieses Ordners.\n"
)
GROUND_TRUTH_FILENAME = "ground_truth.json"
DEFAULT_FIRST_QUARTER = Quarter(2021, 1)


def prepare_landing(out_dir: Path) -> None:
    """Make `out_dir` an empty landing zone owned by the generator.

    A non-empty directory is only cleared if a previous generator run marked it; anything else might be real
    deliveries and is never touched.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise GeneratorError(f"Das Ziel {out_dir} ist eine Datei, kein Verzeichnis.")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not (out_dir / MARKER_FILENAME).is_file():
            raise GeneratorError(
                f"Das Verzeichnis {out_dir} ist nicht leer und wurde nicht von `kim generate` angelegt "
                f"(die Markierungsdatei {MARKER_FILENAME} fehlt). Es wird nicht überschrieben: "
                "Bitte geben Sie ein leeres oder neues Verzeichnis an oder leeren Sie es selbst."
            )
        for child in out_dir.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER_FILENAME).write_text(MARKER_TEXT, encoding="utf-8")


def _check_arguments(scale: float, seed: int, first: Quarter, last: Quarter, stichtag: date) -> None:
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise GeneratorError(f"Der Volumenfaktor muss eine positive Zahl sein, nicht {scale!r}.")
    if not isinstance(seed, int) or seed < 0:
        raise GeneratorError(f"Der Startwert muss eine nicht negative ganze Zahl sein, nicht {seed!r}.")
    if first < FIRST_SIMULATED_QUARTER:
        raise GeneratorError(
            f"Das erste Quartal {first} liegt vor dem Beginn der KIM-Förderung ({FIRST_SIMULATED_QUARTER})."
        )
    if last < first:
        raise GeneratorError(f"Das letzte Quartal {last} liegt vor dem ersten Quartal {first}.")
    if last.end >= stichtag:
        raise GeneratorError(
            f"Das Quartal {last} ist am Stichtag {stichtag:%d.%m.%Y} noch nicht abgeschlossen; "
            "es kann noch nicht geliefert worden sein."
        )


def generate(
    out_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 42,
    first: Quarter = DEFAULT_FIRST_QUARTER,
    last: Quarter | None = None,
    stichtag: date | None = None,
    defects: bool = False,
) -> GenerationSummary:
    """Write a package for every unit and quarter into the landing zone `out_dir`.

    `stichtag` is the reference date the landing zone reflects (default: the configured `KIM_STICHTAG`, i.e.
    today): packages that would arrive after it are not written yet. `last` defaults to the last quarter
    complete at that date. With `defects`, a flawed package of every defect kind is written next to the clean
    ones and described in `defects.json` (see `pipelines.generator.defects`); the clean packages stay exactly
    as without it. The same arguments always produce byte-identical files.
    """
    started = time.perf_counter()
    stichtag = stichtag or get_settings().stichtag
    last = last or Quarter.last_complete(stichtag)
    _check_arguments(scale, seed, first, last, stichtag)
    out_dir = Path(out_dir).resolve()
    prepare_landing(out_dir)

    units = load_units()
    quarters = quarter_range(first, last)
    formats = assign_formats(seed, units)
    profiles = {unit.ags: draw_profile(seed, unit) for unit in units}
    deliveries = plan_deliveries(
        seed, units, {ags: profile.delivery for ags, profile in profiles.items()}, quarters, stichtag
    )
    outcomes = {
        unit.ags: generate_unit_packages(
            out_dir,
            seed,
            profiles[unit.ags],
            formats[unit.ags],
            {quarter: deliveries[unit.ags, quarter] for quarter in quarters},
            first,
            last,
            scale,
        )
        for unit in units
    }

    truth = build_ground_truth(
        seed=seed,
        scale=scale,
        first=first,
        last=last,
        stichtag=stichtag,
        profiles=profiles,
        formats=formats,
        deliveries=deliveries,
        outcomes=outcomes,
    )
    ground_truth_file = out_dir.parent / GROUND_TRUTH_FILENAME
    write_ground_truth(ground_truth_file, truth)

    packages = [package for outcome in outcomes.values() for package in outcome.packages]
    corpus = None
    if defects:
        corpus = write_defect_corpus(
            out_dir, seed=seed, packages=packages, formats=formats, units=units, stichtag=stichtag
        )
    else:
        # A corpus description of an earlier run would describe packages that are gone now.
        (out_dir.parent / DEFECTS_FILENAME).unlink(missing_ok=True)
    rows: Counter[str] = Counter()
    for package in packages:
        rows.update(package.rows)
    statuses = Counter(delivery.status for delivery in deliveries.values())
    return GenerationSummary(
        out_dir=out_dir,
        ground_truth_file=ground_truth_file,
        first_quarter=str(first),
        last_quarter=str(last),
        units=len(units),
        packages=len(packages),
        cases=sum(outcome.cases_delivered for outcome in outcomes.values()),
        events=sum(outcome.events_delivered for outcome in outcomes.values()),
        rows_per_file={file.filename: rows[file.filename] for file in CONTRACT_FILES.values()},
        corrections=sum(delivery.corrected for delivery in deliveries.values()),
        late=sum(d.late for d in deliveries.values() if d.status is DeliveryStatus.DELIVERED),
        missing=statuses[DeliveryStatus.MISSING],
        outstanding=statuses[DeliveryStatus.OUTSTANDING],
        seconds=time.perf_counter() - started,
        defect_packages=corpus.packages if corpus else 0,
        defect_kinds=corpus.kinds if corpus else 0,
        defects_file=corpus.file if corpus else None,
    )
