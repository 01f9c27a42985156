"""`kim generate --defects`: a defect package of every kind next to the clean landing zone, and `defects.json`.

Each defect is a mutation of one partition's only clean package, written as that partition's other package:
rejected ones as later corrections (which must never replace accepted data), quarantines, notices and valid
edge cases as earlier versions the clean package then corrects. So the data the pipeline publishes from the
corpus is exactly the data of the clean landing zone, while every finding shows up in its bookkeeping.

Partitions are drawn from the seed, preferring units that host no defect yet, so the kinds spread over the
units and with them over the physical formats. `defects.json` (next to `ground_truth.json`, never read by the
pipeline) says for every defect what the pipeline must report: outcome, status, rules, file, lines and rows
delivered, loaded and quarantined per file.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

from pipelines.contract.findings import Outcome, Status
from pipelines.generator.defects.catalogue import DEFECT_KINDS
from pipelines.generator.defects.model import (
    CleanPackage,
    DefectContext,
    DefectKind,
    Draft,
    Marks,
    NotApplicable,
    Resolution,
    resolve,
)
from pipelines.generator.defects.package_kinds import WORKBOOK_PLACEHOLDER
from pipelines.generator.defects.placement import defect_moments, defect_shape, single_packages
from pipelines.generator.defects.writing import WrittenDefect, write_defect_package
from pipelines.generator.errors import GeneratorError
from pipelines.generator.formats import Shape, UnitFormat
from pipelines.generator.packaging import WrittenPackage
from pipelines.generator.randomness import Stream, statewide_rng
from pipelines.generator.reference import Unit
from pipelines.generator.timeline import quarter_index

DEFECTS_FILENAME = "defects.json"
DEFECTS_VERSION = 1
# Rows delivered (None: the file cannot be read), loaded and quarantined, keyed like defects.json.
FileCounts = dict[str, int | None]


@dataclass(frozen=True)
class DefectCorpus:
    file: Path
    packages: int
    kinds: int


@dataclass
class _Placed:
    kind: DefectKind
    clean: CleanPackage
    draft: Draft
    marks: Marks
    resolution: Resolution
    created: datetime
    arrival: datetime


class _Partitions:
    """The landing zone's packages, which partitions still can host a defect, and each unit's case ids."""

    def __init__(self, landing: Path, packages: list[WrittenPackage], formats: dict[str, UnitFormat], units):
        by_ags = {unit.ags: unit for unit in units}
        self.all = [
            CleanPackage(landing, package, by_ags[package.ags], formats[package.ags]) for package in packages
        ]
        singles = {package.path for package in single_packages(packages)}
        self.candidates = [clean for clean in self.all if clean.written.path in singles]
        self.used: set[tuple[str, str]] = set()
        self.defects_per_unit: Counter[str] = Counter()
        self._case_ids: dict[str, set[str]] = {}

    def in_order(self, rank: dict[str, int]) -> list[CleanPackage]:
        free = [c for c in self.candidates if (c.unit.ags, str(c.quarter)) not in self.used]
        return sorted(free, key=lambda c: (self.defects_per_unit[c.unit.ags], rank[c.written.path]))

    def take(self, clean: CleanPackage) -> None:
        self.used.add((clean.unit.ags, str(clean.quarter)))
        self.defects_per_unit[clean.unit.ags] += 1

    def case_ids(self, ags: str) -> set[str]:
        if ags not in self._case_ids:
            self._case_ids[ags] = {
                fall_id
                for clean in self.all
                if clean.unit.ags == ags and "faelle" in clean.tables
                for fall_id in clean.tables["faelle"].column("fall_id")
            }
        return self._case_ids[ags]


def _new_draft(clean: CleanPackage, shape: Shape) -> Draft:
    return Draft(
        shape=shape,
        tables={name: table.copy() for name, table in clean.tables.items()},
        manifest=dict(clean.manifest),
    )


def _try(
    kind: DefectKind,
    kind_index: int,
    clean: CleanPackage,
    partitions: _Partitions,
    seed: int,
    units: tuple[Unit, ...],
    stichtag: date,
) -> _Placed | None:
    shape = defect_shape(kind.need, clean.written.shape)
    if shape is None:
        return None
    rng = np.random.default_rng(
        [seed, int(Stream.DEFECTS), kind_index, clean.unit.index, quarter_index(clean.quarter)]
    )
    draft = _new_draft(clean, shape)
    context = DefectContext(clean, rng, units, lambda: partitions.case_ids(clean.unit.ags))
    try:
        marks = kind.make(draft, context)
        name = kind.contract_file
        resolution = resolve(kind, marks, draft.tables[name].n_rows if name in draft.tables else None)
    except NotApplicable:
        return None
    moments = defect_moments(resolution.placement, clean.written, rng, stichtag)
    if moments is None:
        return None
    return _Placed(kind, clean, draft, marks, resolution, *moments)


def _files_as_the_pipeline_sees_them(placed: _Placed) -> dict[str, FileCounts]:
    """Rows delivered, loaded and quarantined per contract file the pipeline will read from the package."""
    draft, marks, resolution = placed.draft, placed.marks, placed.resolution
    files = {}
    for name, table in draft.tables.items():
        if name in draft.listed_but_absent or "/" in draft.member_name(name):
            continue
        delivered = None if name in marks.uncountable else table.n_rows
        quarantined = 0
        if resolution.status is Status.REJECTED:
            loaded = 0
        elif resolution.outcome is Outcome.ROW_QUARANTINED and name == placed.kind.contract_file:
            quarantined = len(set(marks.rows))
            loaded = table.n_rows - quarantined
        else:
            loaded = table.n_rows
        files[table.file.filename] = {"geliefert": delivered, "geladen": loaded, "quarantaene": quarantined}
    return files


def _changes(placed: _Placed, written: WrittenDefect) -> dict:
    """What differs from the clean package, for tests that check nothing else does."""
    draft, clean = placed.draft, placed.clean
    lines = written.rendered.lines
    delivered_top_level = {
        name
        for name in draft.tables
        if name not in draft.listed_but_absent and "/" not in draft.member_name(name)
    }
    manifest_fields = {
        key: value
        for key, value in draft.manifest.items()
        if key not in ("erstellt_am", "dateien") and clean.manifest.get(key) != value
    }
    return {
        "zeilen": {
            table.file.filename: sorted(lines[name][row] for row in table.changed)
            for name, table in draft.tables.items()
            if table.changed
        },
        "zeilen_entfernt": {
            table.file.filename: table.removed_rows for table in draft.tables.values() if table.removed_rows
        },
        "spalten_hinzugefuegt": {
            table.file.filename: table.added_columns for table in draft.tables.values() if table.added_columns
        },
        "spalten_entfernt": {
            table.file.filename: table.removed_columns
            for table in draft.tables.values()
            if table.removed_columns
        },
        "dateien_fehlen": sorted(
            clean.tables[name].file.filename for name in clean.tables if name not in delivered_top_level
        ),
        "zusaetzliche_eintraege": sorted(
            [*draft.extra_members, *(draft.member_name(name) for name in draft.member_names)]
        ),
        "zusaetzliche_blaetter": sorted(draft.extra_sheets),
        "kodierung": {f"{name}.csv": encoding for name, encoding in draft.encodings.items()},
        "leer": sorted(f"{name}.csv" for name, data in draft.replaced_files.items() if not data),
        "manifest": {
            "fehlt": draft.without_manifest,
            "abgeschnitten": draft.manifest_edit is not None,
            "angaben": manifest_fields,
            "pruefsumme_veraltet": sorted(f"{name}.csv" for name in draft.stale_checksums),
            "gelistet_ohne_datei": sorted(f"{name}.csv" for name in draft.listed_but_absent),
        },
    }


def _entry(placed: _Placed, written: WrittenDefect) -> dict:
    kind, clean, marks, resolution = placed.kind, placed.clean, placed.marks, placed.resolution
    lines = written.rendered.lines
    name = kind.contract_file
    file = kind.file.replace(WORKBOOK_PLACEHOLDER, written.rendered.workbook or "") if kind.file else None
    csv_format = clean.unit_format.csv
    return {
        "id": kind.id,
        "beschreibung": kind.description,
        "ags": clean.unit.ags,
        "quartal": str(clean.quarter),
        "pfad": written.path,
        "paket_id": written.paket_id,
        "paketform": placed.draft.shape.value,
        "zeichenkodierung": "xlsx" if placed.draft.shape is Shape.FOLDER_XLSX else csv_format.encoding,
        "trennzeichen": None if placed.draft.shape is Shape.FOLDER_XLSX else csv_format.delimiter,
        "platzierung": resolution.placement.value,
        "erstellt_am": placed.created.isoformat(timespec="seconds"),
        "eingegangen_am": placed.arrival.isoformat(timespec="seconds"),
        "sauberes_paket": {
            "pfad": clean.written.path,
            "paketform": clean.written.shape.value,
            "erstellt_am": clean.written.created.isoformat(timespec="seconds"),
        },
        "ergebnis": resolution.outcome.value if resolution.outcome else None,
        "status": resolution.status.value,
        "regeln": [rule.value for rule in resolution.rules],
        "datei": file,
        "spalte": kind.column,
        "zeilen": sorted({lines[name][row] for row in marks.rows}) if name else [],
        "meldung_zeile": lines[name][marks.message_row] if marks.message_row is not None else None,
        "dateien": _files_as_the_pipeline_sees_them(placed),
        "aenderungen": _changes(placed, written),
    }


def write_defect_corpus(
    landing: Path,
    *,
    seed: int,
    packages: list[WrittenPackage],
    formats: dict[str, UnitFormat],
    units: tuple[Unit, ...],
    stichtag: date,
) -> DefectCorpus:
    """Write one defect package per kind into the generated landing zone and describe them in defects.json."""
    partitions = _Partitions(landing, packages, formats, units)
    order = statewide_rng(seed, Stream.DEFECTS).permutation(len(partitions.candidates))
    rank = {partitions.candidates[index].written.path: position for position, index in enumerate(order)}
    placed = []
    for kind_index, kind in enumerate(DEFECT_KINDS):
        result = next(
            (
                found
                for clean in partitions.in_order(rank)
                if (found := _try(kind, kind_index, clean, partitions, seed, units, stichtag)) is not None
            ),
            None,
        )
        if result is None:
            raise GeneratorError(
                f"Für den Fehlerfall {kind.id} gibt es keine geeignete Lieferung (Kommune × Quartal mit genau "
                "einem Paket und passenden Zeilen). Bitte mehr Quartale oder einen größeren Volumenfaktor wählen."
            )
        partitions.take(result.clean)
        placed.append(result)

    entries = []
    for item in placed:
        written = write_defect_package(item.clean, item.draft, item.created, item.arrival)
        entries.append(_entry(item, written))
    document = {
        "version": DEFECTS_VERSION,
        "parameter": {"seed": seed, "stichtag": stichtag.isoformat()},
        "fehlerarten": len({entry["id"] for entry in entries}),
        "pakete": len(entries),
        "defekte": entries,
    }
    path = landing.parent / DEFECTS_FILENAME
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return DefectCorpus(file=path, packages=len(entries), kinds=document["fehlerarten"])
