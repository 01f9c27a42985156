"""Typed frames as the reader stages them (`staging.read_valid_rows` dtypes), built from readable rows.

Rows are dicts in canonical notation — ISO dates `2025-04-02`, months `2023-05`, numbers as numbers, codes as
text, `None` for an empty cell — and become a frame with `zeile` (line 2 onwards, as after a header) and every
contract column in its staged dtype. `clean_rows()` is a small package for 2025-Q3 of Düsseldorf that breaks no
rule; tests change one value and assert the one finding that causes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from expectations import ValidationOutcome, ValidationParameters, validate_package
from expectations.suites.common import DTYPES
from pipelines.contract.schema import CONTRACT_FILES

AGS = "05111"
QUARTER = "2025-Q3"
GEMEINDE = "05111000"


def pseudonym(text: str) -> str:
    """A stand-in for a re-keyed pseudonym (64 hex digits)."""
    return hashlib.sha256(text.encode()).hexdigest()


def _value(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if kind == "month" and isinstance(value, str):
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    if kind == "int":
        return int(value)  # type: ignore[call-overload]
    if kind == "decimal":
        return float(value)  # type: ignore[arg-type]
    return value


def typed_frame(name: str, rows: list[dict[str, object]], lines: list[int] | None = None) -> pd.DataFrame:
    """The rows of contract file `name` as a staged frame; `lines` default to 2, 3, …"""
    file = CONTRACT_FILES[name]
    lines = lines if lines is not None else list(range(2, 2 + len(rows)))
    data: dict[str, object] = {"zeile": pd.array(lines, dtype="Int32")}
    for column in file.columns:
        values = [_value(row.get(column.name), column.kind) for row in rows]
        data[column.name] = pd.array(values, dtype=DTYPES[column.kind])
    return pd.DataFrame(data)


# fmt: off
_CLEAN: dict[str, list[dict[str, object]]] = {
    "faelle": [
        {"fall_id": pseudonym("F1"), "person_id": pseudonym("P1"), "traeger": "KOMMUNE", "gemeinde_ags": GEMEINDE,
         "erstkontakt_am": "2024-02-03", "aufnahme_am": "2024-02-10", "abschluss_am": None, "abschlussgrund": None,
         "geburtsjahr": 1988, "geschlecht": "W", "staatsangehoerigkeit": "SYR", "einreise_monat": "2023-05",
         "aufenthaltsstatus": "AE_HUMANITAER", "rechtskreis": "SGB2", "bedarfe": "SPRACHE|ARBEIT"},
        {"fall_id": pseudonym("F2"), "person_id": pseudonym("P2"), "traeger": "FREIER_TRAEGER", "gemeinde_ags": None,
         "erstkontakt_am": "2024-06-01", "aufnahme_am": "2024-06-15", "abschluss_am": "2025-08-31",
         "abschlussgrund": "ZIEL_ERREICHT", "geburtsjahr": 1999, "geschlecht": "M", "staatsangehoerigkeit": "UKR",
         "einreise_monat": None, "aufenthaltsstatus": "AE_SONSTIGE", "rechtskreis": "SGB2", "bedarfe": "ARBEIT"},
        {"fall_id": pseudonym("F3"), "person_id": pseudonym("P1"), "traeger": "KOMMUNE", "gemeinde_ags": GEMEINDE,
         "erstkontakt_am": "2025-01-07", "aufnahme_am": "2025-01-20", "abschluss_am": None, "abschlussgrund": None,
         "geburtsjahr": 2001, "geschlecht": "D", "staatsangehoerigkeit": "AFG", "einreise_monat": "2022-11",
         "aufenthaltsstatus": "GESTATTUNG", "rechtskreis": "ASYLBLG", "bedarfe": "SPRACHE|WOHNEN|GESUNDHEIT"},
    ],
    "ereignisse": [
        {"fall_id": pseudonym("F1"), "ereignis_am": "2025-07-14", "ereignis": "SPRACHKURS_BEGINN"},
        {"fall_id": pseudonym("F2"), "ereignis_am": "2025-08-01", "ereignis": "RECHTSKREISWECHSEL",
         "von_rechtskreis": "SGB2", "nach_rechtskreis": "SGB3", "leistung_ende_am": "2025-07-31",
         "leistung_beginn_am": "2025-08-01"},
        {"fall_id": pseudonym("F3"), "ereignis_am": "2025-09-02", "ereignis": "UEBERGABE", "stelle": "JOBCENTER"},
    ],
    "personal": [
        {"stelle_id": "S-1", "baustein": 1, "funktion": "KOORDINATION", "traeger": "KOMMUNE",
         "bewilligt_vzae": 1.0, "besetzt_vzae": 0.75, "besetzt_seit": "2021-04-01"},
        {"stelle_id": "S-2", "baustein": 2, "funktion": "CASE_MANAGEMENT", "traeger": "FREIER_TRAEGER",
         "bewilligt_vzae": 0.5, "besetzt_vzae": 0.0, "besetzt_seit": None},
    ],
    "finanzen": [
        {"haushaltsjahr": 2025, "baustein": 1, "bewilligt_eur": 1234567.89, "abgerufen_eur": 250000.5,
         "verausgabt_eur": 240123.45},
        {"haushaltsjahr": 2025, "baustein": 2, "bewilligt_eur": 98000, "abgerufen_eur": 45000,
         "verausgabt_eur": 44999.99},
    ],
    "strukturthemen": [
        {"thema_id": "T-1", "titel": "Wartezeiten bei der Ausländerbehörde", "handlungsfeld": "AUFENTHALT",
         "quelle": "KIM_CASE_MANAGEMENT", "faelle_rekonstruiert": 4, "identifiziert_am": "2024-03-12",
         "lenkungsgruppe_am": "2024-05-02", "prioritaet": "HOCH", "status": "PRIORISIERT"},
        {"thema_id": "T-2", "titel": "Übergänge Schule – Ausbildung", "handlungsfeld": "AUSBILDUNG",
         "quelle": "ANDERE_BERATUNG", "faelle_rekonstruiert": 2, "identifiziert_am": "2025-02-01",
         "status": "IDENTIFIZIERT"},
        {"thema_id": "T-3", "titel": "Kitaplätze für Neuzugewanderte", "handlungsfeld": "KITA",
         "quelle": "KIM_CASE_MANAGEMENT", "faelle_rekonstruiert": 7, "identifiziert_am": "2023-01-10",
         "lenkungsgruppe_am": "2023-03-01", "prioritaet": "MITTEL", "projektgruppe_am": "2023-04-01",
         "zielvereinbarung_am": "2023-09-01", "umgesetzt_am": "2024-06-30", "status": "UMGESETZT"},
    ],
    "lenkungsgruppe": [
        {"sitzung_am": "2025-09-18", "institutionen": "KOMMUNE|JOBCENTER|AUSLAENDERBEHOERDE", "beschluesse": 3},
    ],
    "aufenthalt": [
        {"verfahren": "P25B", "antraege_eingang": 12, "entscheidungen_positiv": 7, "entscheidungen_negativ": 1,
         "anhaengig_quartalsende": 30, "bearbeitungsdauer_median_tage": 94},
        {"verfahren": "EINBUERGERUNG", "antraege_eingang": 1250, "entscheidungen_positiv": 1010,
         "entscheidungen_negativ": 12, "anhaengig_quartalsende": 2400, "bearbeitungsdauer_median_tage": None},
    ],
}
# fmt: on


def clean_rows(name: str) -> list[dict[str, object]]:
    """Fresh copies of the clean rows of one file."""
    return [dict(row) for row in _CLEAN[name]]


def clean_frames() -> dict[str, pd.DataFrame]:
    return {name: typed_frame(name, clean_rows(name)) for name in _CLEAN}


def parameters(known_cases: pd.DataFrame | None = None, quarter: str = QUARTER) -> ValidationParameters:
    kwargs = {} if known_cases is None else {"known_cases": known_cases}
    return ValidationParameters(ags=AGS, berichtsquartal=quarter, gemeinden=frozenset({GEMEINDE}), **kwargs)


def known_cases(*cases: tuple[str, str]) -> pd.DataFrame:
    """A `known_cases` frame from (fall_id, ISO aufnahme_am) pairs."""
    return pd.DataFrame(
        {
            "fall_id": pd.array([fall_id for fall_id, _ in cases], dtype=DTYPES["text"]),
            "aufnahme_am": pd.array([date.fromisoformat(day) for _, day in cases], dtype=DTYPES["date"]),
        }
    )


# --- rule cases ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """A finding a case's rows must produce (each row of the case gets it)."""

    spalte: str
    regel: str
    ergebnis: str = "ZEILE_QUARANTAENE"
    teile: tuple[str, ...] = ()  # parts the German message must contain


@dataclass(frozen=True)
class Case:
    """Rows that break one rule (or sit exactly on a boundary and break none), built from a base row.

    Each entry of `rows` is a set of changes to the base row; one entry unless the rule needs several rows
    (duplicates). Without `expected` the rows must come through without any finding.
    """

    name: str
    rows: tuple[dict[str, object], ...]
    expected: tuple[Expected, ...] = ()


def case(name: str, changes: dict[str, object], *expected: Expected) -> Case:
    return Case(name, (changes,), tuple(expected))


def validate_cases(
    name: str,
    base: dict[str, object],
    cases: list[Case],
    key: Callable[[str, int], dict[str, object]],
    validation: ValidationParameters,
    clean: list[dict[str, object]] | None = None,
    context: dict[str, pd.DataFrame] | None = None,
) -> tuple[ValidationOutcome, dict[str, list[int]]]:
    """Validate the clean rows and every case's rows as one file; the outcome and each case's lines.

    `key(case_name, index)` gives the changes that keep a case row's key unique; a case that sets the key
    itself (a duplicate) overrides it. `context` adds other files (e.g. faelle for events).
    """
    rows = [dict(row) for row in (clean if clean is not None else clean_rows(name))]
    lines: dict[str, list[int]] = {}
    for item in cases:
        lines[item.name] = []
        for index, changes in enumerate(item.rows):
            lines[item.name].append(2 + len(rows))
            rows.append({**base, **key(item.name, index), **changes})
    frames = {**(context or {}), name: typed_frame(name, rows)}
    return validate_package(frames, validation), lines


def findings_at(outcome: ValidationOutcome, datei: str, lines: list[int]) -> pd.DataFrame:
    findings = outcome.findings
    return findings[(findings["datei"] == datei) & findings["zeile"].isin(lines)]


def assert_case(outcome: ValidationOutcome, datei: str, item: Case, lines: list[int]) -> None:
    """Exactly the expected findings on each of the case's lines, with messages naming file, line, column."""
    found = findings_at(outcome, datei, lines)
    for line in lines:
        at_line = found[found["zeile"] == line]
        actual = sorted(zip(at_line["spalte"], at_line["regel"], at_line["ergebnis"], strict=True))
        wanted = sorted((e.spalte, e.regel, e.ergebnis) for e in item.expected)
        assert actual == wanted, f"{item.name}, Zeile {line}: {at_line['meldung'].tolist()}"
        for expected in item.expected:
            message = at_line.loc[
                (at_line["spalte"] == expected.spalte) & (at_line["regel"] == expected.regel), "meldung"
            ].iloc[0]
            assert message.startswith(f"{datei}, Zeile {line}, Spalte „{expected.spalte}“: "), message
            for part in expected.teile:
                assert part in message, f"{part!r} not in {message!r}"


def required_cases(name: str, extra: dict[str, tuple[Expected, ...]] | None = None) -> list[Case]:
    """One case per required column: the cell empty → PFLICHTFELD (plus the findings listed in `extra`)."""
    extra = extra or {}
    return [
        case(
            f"pflichtfeld_{column.name}",
            {column.name: None},
            Expected(column.name, "PFLICHTFELD", teile=("Pflichtfeld ist leer",)),
            *extra.get(column.name, ()),
        )
        for column in CONTRACT_FILES[name].columns
        if column.required
    ]


def code_cases(
    name: str, bad: dict[str, object] | None = None, along: dict[str, dict[str, object]] | None = None
) -> list[Case]:
    """One case per code column: a value outside its list → CODELISTE, the value quoted in the message.

    `bad` overrides the invalid value (default `UNBEKANNT`); `along` adds changes a column needs to be
    allowed at all (a closing reason needs a closing date).
    """
    bad, along = bad or {}, along or {}
    cases = []
    for column in CONTRACT_FILES[name].columns:
        if column.code_list is None:
            continue
        value = bad.get(column.name, "UNBEKANNT")
        shown = f"„{value}“" if isinstance(value, str) else str(value)
        cases.append(
            case(
                f"codeliste_{column.name}",
                {**along.get(column.name, {}), column.name: value},
                Expected(column.name, "CODELISTE", teile=(shown, f"„{column.code_list}“")),
            )
        )
    return cases


def validate_each(
    name: str, base: dict[str, object], cases: list[Case], validation: ValidationParameters
) -> dict[str, tuple[ValidationOutcome, list[int]]]:
    """Validate every case's rows as a file of their own (for files whose key leaves no room to combine)."""
    results = {}
    for item in cases:
        rows = [{**base, **changes} for changes in item.rows]
        results[item.name] = (
            validate_package({name: typed_frame(name, rows)}, validation),
            list(range(2, 2 + len(rows))),
        )
    return results
