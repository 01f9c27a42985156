"""Suite of `finanzen.csv` (funds per Haushaltsjahr and Baustein) — DATA_CONTRACT.md section 2, `finanzen.csv`.

| rule | expectation |
|---|---|
| every column present, of its type; required columns filled; `baustein` 1–3 | `common.schema_checks` |
| (`haushaltsjahr`, `baustein`) unique per file (every row of a repeated key is quarantined) | compound unique |
| 2020 ≤ `haushaltsjahr` ≤ year of the quarter | between, max `$berichtsjahr` |
| `bewilligt_eur`, `abgerufen_eur`, `verausgabt_eur` ≥ 0 | between |
| `abgerufen_eur` ≤ `bewilligt_eur` | pair A ≥ B |
| `verausgabt_eur` ≤ `abgerufen_eur` × 1,05 | pair A ≥ B with helper `_verausgabt_grenze` |

Amounts are euros with cents. `abgerufen_eur × 1,05` is not exact in binary floating point (45.000 × 1,05 is
47.250,000000000007), so the comparison limit `_verausgabt_grenze` allows half a cent: an amount exactly on
the limit always passes, an amount a cent above it never does. Messages show the limit itself
(`_verausgabt_hoechstens`).
"""

from __future__ import annotations

import pandas as pd

from expectations._gx import gxe
from expectations.suites.common import (
    PACKAGE,
    Helper,
    SuiteContext,
    duplicate_lines,
    meta,
    not_before,
    package_column,
    schema_checks,
    typed,
)
from pipelines.contract.findings import Rule
from pipelines.contract.schema import CONTRACT_FILES

FILE = CONTRACT_FILES["finanzen"]
FIRST_BUDGET_YEAR = 2020
SPENDING_FACTOR = 1.05
HALF_CENT = 0.005

HELPERS = (
    PACKAGE,
    Helper("_verausgabt_hoechstens", "euro", "`abgerufen_eur` × 1,05: the most that may have been spent"),
    Helper("_verausgabt_grenze", "euro", "`_verausgabt_hoechstens` + half a cent: the value compared with"),
    Helper("_duplikat_zeilen", "zeilen", "lines sharing this row's (haushaltsjahr, baustein) (message only)"),
)


def add_helper_columns(frame: pd.DataFrame, context: SuiteContext) -> pd.DataFrame:
    limit = typed(frame, FILE, "abgerufen_eur") * SPENDING_FACTOR
    return frame.assign(
        _paket=package_column(frame, context),
        _verausgabt_hoechstens=limit,
        _verausgabt_grenze=limit + HALF_CENT,
        _duplikat_zeilen=duplicate_lines(frame, list(FILE.natural_key)),
    )


def _uniqueness() -> list:
    return [
        gxe().ExpectCompoundColumnsToBeUnique(
            column_list=[PACKAGE.name, *FILE.natural_key],
            meta=meta(
                Rule.DUPLICATE,
                "haushaltsjahr",
                "Haushaltsjahr {haushaltsjahr} und Baustein {baustein} stehen mehrfach in der Datei "
                "({_duplikat_zeilen}). Welche Zeile gilt, ist nicht zu erkennen, daher werden alle "
                "zurückgehalten; bitte je Haushaltsjahr und Baustein eine Zeile mit den kumulierten Beträgen "
                "liefern.",
            ),
        )
    ]


def _ranges() -> list:
    E = gxe()
    expectations = [
        E.ExpectColumnValuesToBeBetween(
            column="haushaltsjahr",
            min_value=FIRST_BUDGET_YEAR,
            max_value={"$PARAMETER": "berichtsjahr"},
            meta=meta(
                Rule.RANGE,
                "haushaltsjahr",
                f"Das Haushaltsjahr {{wert}} liegt nicht zwischen {FIRST_BUDGET_YEAR} und dem Jahr des "
                "Berichtsquartals ({berichtsjahr}); bitte das Haushaltsjahr prüfen.",
            ),
        )
    ]
    for column, label in (
        ("bewilligt_eur", "Der bewilligte Betrag"),
        ("abgerufen_eur", "Der abgerufene Betrag"),
        ("verausgabt_eur", "Der verausgabte Betrag"),
    ):
        expectations.append(
            E.ExpectColumnValuesToBeBetween(
                column=column,
                min_value=0,
                meta=meta(Rule.RANGE, column, f"{label} {{wert}} ist negativ; bitte den Betrag prüfen."),
            )
        )
    return expectations


def _consistency() -> list:
    return [
        not_before(
            later="bewilligt_eur",
            earlier="abgerufen_eur",
            regel=Rule.AMOUNTS_INCONSISTENT,
            spalte="abgerufen_eur",
            meldung="Der abgerufene Betrag {wert} übersteigt den bewilligten Betrag {bewilligt_eur}; bitte "
            "beide Beträge prüfen.",
        ),
        not_before(
            later="_verausgabt_grenze",
            earlier="verausgabt_eur",
            regel=Rule.AMOUNTS_INCONSISTENT,
            spalte="verausgabt_eur",
            meldung="Der verausgabte Betrag {wert} übersteigt den abgerufenen Betrag {abgerufen_eur} um mehr "
            "als 5 % (höchstens {_verausgabt_hoechstens}); bitte beide Beträge prüfen.",
        ),
    ]


def expectations() -> list:
    return schema_checks(FILE) + _uniqueness() + _ranges() + _consistency()
