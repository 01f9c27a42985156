"""Benchmark: wall and CPU time of `expectations.validate_package` for a typical and a big package.

The frames are synthetic but shaped like the reader's output (staged dtypes, re-keyed pseudonyms, a realistic
mix of open and closed cases, events with transitions and handovers) and break no rule, so the figures are
those of the common case; `--fehler` breaks about 1 % of the case and event rows to show the cost of findings.
The first call includes importing Great Expectations (and making the thread's GX session) and is reported
separately; CPU is the process's CPU time per call (`time.process_time`), best of the repetitions.

    uv run python benchmarks/validate_package.py [--wiederholungen 3] [--fehler]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from pipelines.calendar import Quarter
from pipelines.config import apply_offline_environment
from pipelines.contract.codes import codes
from pipelines.contract.units import served_gemeinden

AGS = "05315"  # Köln
QUARTER = Quarter(2025, 3)
SIZES = {"typisch": (600, 1_500), "gross": (8_000, 25_000)}

_TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))
_DATE = pd.ArrowDtype(pa.date32())


def _hex(prefix: str, count: int) -> list[str]:
    return [hashlib.sha256(f"{prefix}{index}".encode()).hexdigest() for index in range(count)]


def _days(start: date, offsets: np.ndarray) -> pd.arrays.ArrowExtensionArray:
    return pd.array([start + timedelta(days=int(offset)) for offset in offsets], dtype=_DATE)


def _lines(count: int) -> pd.arrays.IntegerArray:
    return pd.array(np.arange(2, count + 2), dtype="Int32")


def package(cases: int, events: int, rng: np.random.Generator, broken: bool) -> dict[str, pd.DataFrame]:
    gemeinden = sorted(served_gemeinden(AGS))
    intake = rng.integers(0, (QUARTER.end - date(2020, 1, 1)).days - 30, cases)
    closed = rng.random(cases) < 0.3
    closing = np.minimum(intake + rng.integers(30, 900, cases), (QUARTER.end - date(2020, 1, 1)).days)
    fall_ids = _hex("F", cases)
    reasons = np.array(codes("abschlussgrund"))[rng.integers(0, 6, cases)]
    faelle = pd.DataFrame(
        {
            "zeile": _lines(cases),
            "fall_id": pd.array(fall_ids, dtype=_TEXT),
            "person_id": pd.array(_hex("P", cases), dtype=_TEXT),
            "traeger": pd.array(rng.choice(["KOMMUNE", "FREIER_TRAEGER"], cases), dtype=_TEXT),
            "gemeinde_ags": pd.array(rng.choice(gemeinden, cases), dtype=_TEXT),
            "erstkontakt_am": _days(date(2020, 1, 1), intake - rng.integers(0, 20, cases)),
            "aufnahme_am": _days(date(2020, 1, 1), intake),
            "abschluss_am": pd.array(
                [
                    date(2020, 1, 1) + timedelta(days=int(d)) if c else None
                    for d, c in zip(closing, closed, strict=True)
                ],
                dtype=_DATE,
            ),
            "abschlussgrund": pd.array(
                [r if c else None for r, c in zip(reasons, closed, strict=True)], dtype=_TEXT
            ),
            "geburtsjahr": pd.array(rng.integers(1950, 2005, cases), dtype="Int32"),
            "geschlecht": pd.array(rng.choice(["W", "M", "D", "X"], cases), dtype=_TEXT),
            "staatsangehoerigkeit": pd.array(
                rng.choice(["SYR", "UKR", "AFG", "TUR", "XXA"], cases), dtype=_TEXT
            ),
            "einreise_monat": pd.array([date(2019, 1, 1)] * cases, dtype=_DATE),
            "aufenthaltsstatus": pd.array(rng.choice(list(codes("aufenthaltsstatus")), cases), dtype=_TEXT),
            "rechtskreis": pd.array(rng.choice(list(codes("rechtskreis")), cases), dtype=_TEXT),
            "bedarfe": pd.array(
                rng.choice(["SPRACHE|ARBEIT", "WOHNEN", "KITA|SCHULE|FAMILIE"], cases), dtype=_TEXT
            ),
        }
    )
    case = rng.integers(0, cases, events)
    kind = rng.choice(["SPRACHKURS_BEGINN", "ARBEIT_SV", "RECHTSKREISWECHSEL", "UEBERGABE"], events)
    transition = kind == "RECHTSKREISWECHSEL"
    handover = kind == "UEBERGABE"
    day = np.maximum(intake[case], (QUARTER.start - date(2020, 1, 1)).days + rng.integers(0, 90, events))
    ereignisse = pd.DataFrame(
        {
            "zeile": _lines(events),
            "fall_id": pd.array([fall_ids[index] for index in case], dtype=_TEXT),
            "ereignis_am": _days(date(2020, 1, 1), np.minimum(day, (QUARTER.end - date(2020, 1, 1)).days)),
            "ereignis": pd.array(kind, dtype=_TEXT),
            "von_rechtskreis": pd.array(np.where(transition, "ASYLBLG", None), dtype=_TEXT),
            "nach_rechtskreis": pd.array(np.where(transition, "SGB2", None), dtype=_TEXT),
            "leistung_ende_am": pd.array([QUARTER.start if t else None for t in transition], dtype=_DATE),
            "leistung_beginn_am": pd.array([QUARTER.start if t else None for t in transition], dtype=_DATE),
            "stelle": pd.array(np.where(handover, "JOBCENTER", None), dtype=_TEXT),
        }
    )
    # Events are appended over the quarters: make them unique on the natural key like a real export.
    ereignisse = ereignisse.drop_duplicates(
        subset=["fall_id", "ereignis", "ereignis_am", "von_rechtskreis", "nach_rechtskreis", "stelle"]
    ).assign(zeile=lambda frame: _lines(len(frame)))
    if broken:
        for frame, column, value in (
            (faelle, "abschluss_am", date(2019, 6, 1)),
            (ereignisse, "ereignis_am", date(2025, 10, 5)),
        ):
            rows = rng.choice(len(frame), max(1, len(frame) // 100), replace=False)
            frame.loc[rows, column] = value
    positions = 40
    personal = pd.DataFrame(
        {
            "zeile": _lines(positions),
            "stelle_id": pd.array([f"S-{index}" for index in range(positions)], dtype=_TEXT),
            "baustein": pd.array(rng.integers(1, 4, positions), dtype="Int32"),
            "funktion": pd.array(["CASE_MANAGEMENT"] * positions, dtype=_TEXT),
            "traeger": pd.array(["KOMMUNE"] * positions, dtype=_TEXT),
            "bewilligt_vzae": pd.array([1.0] * positions, dtype="Float64"),
            "besetzt_vzae": pd.array([0.5] * positions, dtype="Float64"),
            "besetzt_seit": pd.array([date(2022, 1, 1)] * positions, dtype=_DATE),
        }
    )
    years = [(year, baustein) for year in range(2020, 2026) for baustein in (1, 2, 3)]
    finanzen = pd.DataFrame(
        {
            "zeile": _lines(len(years)),
            "haushaltsjahr": pd.array([year for year, _ in years], dtype="Int32"),
            "baustein": pd.array([baustein for _, baustein in years], dtype="Int32"),
            "bewilligt_eur": pd.array([500_000.0] * len(years), dtype="Float64"),
            "abgerufen_eur": pd.array([400_000.0] * len(years), dtype="Float64"),
            "verausgabt_eur": pd.array([420_000.0] * len(years), dtype="Float64"),
        }
    )
    themes = 60
    strukturthemen = pd.DataFrame(
        {
            "zeile": _lines(themes),
            "thema_id": pd.array([f"T-{index}" for index in range(themes)], dtype=_TEXT),
            "titel": pd.array(["Wartezeiten bei der Ausländerbehörde"] * themes, dtype=_TEXT),
            "handlungsfeld": pd.array(["AUFENTHALT"] * themes, dtype=_TEXT),
            "quelle": pd.array(["KIM_CASE_MANAGEMENT"] * themes, dtype=_TEXT),
            "faelle_rekonstruiert": pd.array([3] * themes, dtype="Int32"),
            "identifiziert_am": pd.array([date(2023, 1, 1)] * themes, dtype=_DATE),
            "lenkungsgruppe_am": pd.array([date(2023, 3, 1)] * themes, dtype=_DATE),
            "prioritaet": pd.array(["HOCH"] * themes, dtype=_TEXT),
            "projektgruppe_am": pd.array([None] * themes, dtype=_DATE),
            "zielvereinbarung_am": pd.array([None] * themes, dtype=_DATE),
            "umgesetzt_am": pd.array([None] * themes, dtype=_DATE),
            "status": pd.array(["PRIORISIERT"] * themes, dtype=_TEXT),
        }
    )
    lenkungsgruppe = pd.DataFrame(
        {
            "zeile": _lines(2),
            "sitzung_am": pd.array([date(2025, 7, 10), date(2025, 9, 18)], dtype=_DATE),
            "institutionen": pd.array(["KOMMUNE|JOBCENTER"] * 2, dtype=_TEXT),
            "beschluesse": pd.array([2, 4], dtype="Int32"),
        }
    )
    verfahren = list(codes("verfahren"))
    aufenthalt = pd.DataFrame(
        {
            "zeile": _lines(len(verfahren)),
            "verfahren": pd.array(verfahren, dtype=_TEXT),
            **{
                column: pd.array([10] * len(verfahren), dtype="Int32")
                for column in (
                    "antraege_eingang",
                    "entscheidungen_positiv",
                    "entscheidungen_negativ",
                    "anhaengig_quartalsende",
                    "bearbeitungsdauer_median_tage",
                )
            },
        }
    )
    return {
        "faelle": faelle,
        "ereignisse": ereignisse,
        "personal": personal,
        "finanzen": finanzen,
        "strukturthemen": strukturthemen,
        "lenkungsgruppe": lenkungsgruppe,
        "aufenthalt": aufenthalt,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wiederholungen", type=int, default=3)
    parser.add_argument("--fehler", action="store_true", help="break about 1 %% of case and event rows")
    arguments = parser.parse_args()
    apply_offline_environment()
    from expectations import ValidationParameters, validate_package

    parameters = ValidationParameters(ags=AGS, berichtsquartal=str(QUARTER), gemeinden=served_gemeinden(AGS))
    rng = np.random.default_rng(7)
    print(f"CPUs: {os.cpu_count()}, load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    started = time.perf_counter()
    validate_package(package(50, 100, rng, False), parameters)
    print(f"first call (imports Great Expectations): {time.perf_counter() - started:.2f} s")
    from expectations.validate import _Session

    started = time.perf_counter()
    for _ in range(10):
        _Session()
    elapsed = (time.perf_counter() - started) * 100
    print(f"one GX session (ephemeral context and pandas source, made once per thread): {elapsed:.0f} ms")
    for label, (cases, events) in SIZES.items():
        frames = package(cases, events, rng, arguments.fehler)
        times, cpu = [], []
        for _ in range(arguments.wiederholungen):
            started, started_cpu = time.perf_counter(), time.process_time()
            outcome = validate_package(frames, parameters)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        rows = {name: len(frame) for name, frame in frames.items()}
        print(
            f"{label}: faelle {rows['faelle']:,}, ereignisse {rows['ereignisse']:,} rows → "
            f"{len(outcome.findings):,} findings; wall best {min(times):.2f} s, median "
            f"{sorted(times)[len(times) // 2]:.2f} s; CPU best {min(cpu):.2f} s"
        )


if __name__ == "__main__":
    main()
