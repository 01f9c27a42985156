"""Suite of `faelle.csv` (cases, Baustein 2) — DATA_CONTRACT.md section 2, `faelle.csv`.

| rule | expectation |
|---|---|
| every column present, of its type; required columns filled; codes in their lists; `bedarfe` ≥ 1 code | `common.schema_checks` |
| `fall_id` unique per file (every row of a repeated case is quarantined) | unique `fall_id` |
| `gemeinde_ags` a Gemeinde the unit serves | helper `_paket_gemeinde` in set `$gemeinden` (pairs of the batch) |
| `aufnahme_am` ≥ 2019-01-01 | between |
| `aufnahme_am`, `abschluss_am` ≤ quarter end | between, max `$quartalsende` |
| `erstkontakt_am` ≤ `aufnahme_am` ≤ `abschluss_am`; `einreise_monat` ≤ `aufnahme_am` | pair A ≥ B |
| `abschlussgrund` given iff `abschluss_am` | not null / null under a row condition |
| 1930 ≤ `geburtsjahr` ≤ year of `aufnahme_am` | between; pair with helper `_aufnahme_jahr` |

`einreise_monat` is stored as the first day of its month, so an arrival in the month of intake is in order.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from expectations._gx import gxe
from expectations.suites.common import (
    PACKAGE,
    Helper,
    SuiteContext,
    col,
    duplicate_lines,
    empty_unless,
    meta,
    not_before,
    package_column,
    required_if,
    schema_checks,
    typed,
    unique_per_package,
    year_of,
)
from pipelines.contract.findings import Rule
from pipelines.contract.schema import CONTRACT_FILES

FILE = CONTRACT_FILES["faelle"]
EARLIEST_INTAKE = date(2019, 1, 1)
EARLIEST_BIRTH_YEAR = 1930

HELPERS = (
    PACKAGE,
    Helper("_aufnahme_jahr", "int", "year of `aufnahme_am`: upper bound of `geburtsjahr`"),
    Helper(
        "_duplikat_zeilen", "zeilen", "lines sharing this row's `fall_id` (message of the uniqueness rule)"
    ),
    Helper("_paket_gemeinde", "plain", "`<_paket>:<gemeinde_ags>`: the Gemeinde keyed by the package's unit"),
)


def add_helper_columns(frame: pd.DataFrame, context: SuiteContext) -> pd.DataFrame:
    return frame.assign(
        _paket=package_column(frame, context),
        _aufnahme_jahr=year_of(typed(frame, FILE, "aufnahme_am")),
        _duplikat_zeilen=duplicate_lines(frame, ["fall_id"]),
        _paket_gemeinde=package_gemeinde(frame, context),
    )


def package_gemeinde(frame: pd.DataFrame, context: SuiteContext) -> pd.Series:
    """`<paket>:<gemeinde_ags>`, empty where the Gemeinde is: the unit's Gemeinden differ per package."""
    gemeinde = typed(frame, FILE, "gemeinde_ags")
    return (f"{context.paket}:" + gemeinde).astype(gemeinde.dtype)


def _uniqueness() -> list:
    return [
        unique_per_package(
            "fall_id",
            meta=meta(
                Rule.DUPLICATE,
                "fall_id",
                "Dieselbe Fall-ID steht mehrfach in der Datei ({_duplikat_zeilen}). Welche Zeile gilt, ist nicht "
                "zu erkennen, daher werden alle zurückgehalten; bitte jeden Fall nur einmal liefern.",
            ),
        )
    ]


def _gemeinde() -> list:
    return [
        gxe().ExpectColumnValuesToBeInSet(
            column="_paket_gemeinde",
            value_set={"$PARAMETER": "gemeinden"},
            meta=meta(
                Rule.FOREIGN_GEMEINDE,
                "gemeinde_ags",
                "Die Gemeinde {wert} gehört nicht zum Zuständigkeitsgebiet der Kommune; bitte den "
                "8-stelligen Gemeindeschlüssel des Wohnorts prüfen (bei Kreisen eine kreisangehörige "
                "Gemeinde des Kreises) oder das Feld leer lassen.",
            ),
        )
    ]


def _ranges_and_periods() -> list:
    E = gxe()
    return [
        E.ExpectColumnValuesToBeBetween(
            column="aufnahme_am",
            min_value=EARLIEST_INTAKE,
            meta=meta(
                Rule.RANGE,
                "aufnahme_am",
                "Das Aufnahmedatum {wert} liegt vor dem Beginn des KIM-Fallmanagements (01.01.2019); bitte "
                "das Datum prüfen.",
            ),
        ),
        E.ExpectColumnValuesToBeBetween(
            column="aufnahme_am",
            max_value={"$PARAMETER": "quartalsende"},
            meta=meta(
                Rule.PERIOD,
                "aufnahme_am",
                "Das Aufnahmedatum {wert} liegt nach dem Ende des Berichtsquartals {quartal} "
                "({quartalsende}); bitte das Datum prüfen oder den Fall im nächsten Quartal liefern.",
            ),
        ),
        E.ExpectColumnValuesToBeBetween(
            column="abschluss_am",
            max_value={"$PARAMETER": "quartalsende"},
            meta=meta(
                Rule.PERIOD,
                "abschluss_am",
                "Das Abschlussdatum {wert} liegt nach dem Ende des Berichtsquartals {quartal} "
                "({quartalsende}); ein Fall, der erst danach endet, ist am Quartalsende noch offen – bitte "
                "Abschlussdatum und -grund leer lassen.",
            ),
        ),
        E.ExpectColumnValuesToBeBetween(
            column="geburtsjahr",
            min_value=EARLIEST_BIRTH_YEAR,
            meta=meta(
                Rule.RANGE,
                "geburtsjahr",
                f"Das Geburtsjahr {{wert}} liegt vor {EARLIEST_BIRTH_YEAR}; bitte das Geburtsjahr prüfen.",
            ),
        ),
        not_before(
            later="_aufnahme_jahr",
            earlier="geburtsjahr",
            regel=Rule.RANGE,
            spalte="geburtsjahr",
            meldung="Das Geburtsjahr {wert} liegt nach dem Jahr der Aufnahme ({aufnahme_am}); bitte das "
            "Geburtsjahr prüfen.",
        ),
    ]


def _date_order() -> list:
    return [
        not_before(
            later="aufnahme_am",
            earlier="erstkontakt_am",
            regel=Rule.DATE_ORDER,
            spalte="erstkontakt_am",
            meldung="Der Erstkontakt {wert} liegt nach dem Aufnahmedatum {aufnahme_am}; bitte beide Daten "
            "prüfen.",
        ),
        not_before(
            later="abschluss_am",
            earlier="aufnahme_am",
            regel=Rule.DATE_ORDER,
            meldung="Das Abschlussdatum {wert} liegt vor dem Aufnahmedatum {aufnahme_am}; bitte beide Daten "
            "prüfen.",
        ),
        not_before(
            later="aufnahme_am",
            earlier="einreise_monat",
            regel=Rule.DATE_ORDER,
            spalte="einreise_monat",
            meldung="Der Einreisemonat {wert} liegt nach dem Aufnahmedatum {aufnahme_am}; bitte den "
            "Einreisemonat prüfen.",
        ),
    ]


def _closing_reason() -> list:
    return [
        required_if(
            "abschlussgrund",
            col("abschluss_am").is_not_null(),
            "Der Fall ist am {abschluss_am} abgeschlossen, aber der Abschlussgrund fehlt; bitte den Grund "
            "angeben.",
        ),
        empty_unless(
            "abschlussgrund",
            col("abschluss_am").is_null(),
            "Der Abschlussgrund {wert} ist angegeben, aber kein Abschlussdatum; bitte das Abschlussdatum "
            "ergänzen oder, solange der Fall offen ist, den Grund leer lassen.",
        ),
    ]


def expectations() -> list:
    return (
        schema_checks(FILE)
        + _uniqueness()
        + _gemeinde()
        + _ranges_and_periods()
        + _date_order()
        + _closing_reason()
    )
