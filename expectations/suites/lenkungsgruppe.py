"""Suite of `lenkungsgruppe.csv` (steering-group meetings) — DATA_CONTRACT.md section 2, `lenkungsgruppe.csv`.

| rule | expectation |
|---|---|
| every column present, of its type; required columns filled; `institutionen` ≥ 1 code of its list | `common.schema_checks` |
| `sitzung_am` within the quarter | between `$quartalsbeginn` and `$quartalsende` |
| one row per meeting: `sitzung_am` unique per file (every row of a repeated date is quarantined) | unique |
| `beschluesse` ≥ 0 | between |
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
    package_column,
    schema_checks,
    unique_per_package,
)
from pipelines.contract.findings import Rule
from pipelines.contract.schema import CONTRACT_FILES

FILE = CONTRACT_FILES["lenkungsgruppe"]

HELPERS = (
    PACKAGE,
    Helper(
        "_duplikat_zeilen", "zeilen", "lines with this row's `sitzung_am` (message of the uniqueness rule)"
    ),
)


def add_helper_columns(frame: pd.DataFrame, context: SuiteContext) -> pd.DataFrame:
    return frame.assign(
        _paket=package_column(frame, context), _duplikat_zeilen=duplicate_lines(frame, ["sitzung_am"])
    )


def expectations() -> list:
    E = gxe()
    return schema_checks(FILE) + [
        E.ExpectColumnValuesToBeBetween(
            column="sitzung_am",
            min_value={"$PARAMETER": "quartalsbeginn"},
            max_value={"$PARAMETER": "quartalsende"},
            meta=meta(
                Rule.PERIOD,
                "sitzung_am",
                "Die Sitzung am {wert} liegt nicht im Berichtsquartal {quartal} ({quartalsbeginn} bis "
                "{quartalsende}); bitte nur Sitzungen des Quartals liefern, frühere im Paket ihres Quartals.",
            ),
        ),
        unique_per_package(
            "sitzung_am",
            meta=meta(
                Rule.DUPLICATE,
                "sitzung_am",
                "Für den {wert} stehen mehrere Sitzungen in der Datei ({_duplikat_zeilen}). Welche Zeile gilt, "
                "ist nicht zu erkennen, daher werden alle zurückgehalten; bitte je Sitzung eine Zeile liefern.",
            ),
        ),
        E.ExpectColumnValuesToBeBetween(
            column="beschluesse",
            min_value=0,
            meta=meta(
                Rule.RANGE,
                "beschluesse",
                "Die Zahl der Beschlüsse {wert} ist negativ; bitte 0 oder mehr angeben.",
            ),
        ),
    ]
