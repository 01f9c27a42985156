"""Suite of `aufenthalt.csv` (Baustein 3 procedures, quarterly aggregates) — DATA_CONTRACT.md section 2.

| rule | expectation |
|---|---|
| every column present, of its type; required columns filled; `verfahren` in its code list | `common.schema_checks` |
| one row per procedure type: `verfahren` unique per file (every row of a repeated type is quarantined) | unique |
| every count ≥ 0; `bearbeitungsdauer_median_tage` ≥ 0 where given | between |
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

FILE = CONTRACT_FILES["aufenthalt"]
COUNTS = {
    "antraege_eingang": "Die Zahl der eingegangenen Anträge",
    "entscheidungen_positiv": "Die Zahl der positiven Entscheidungen",
    "entscheidungen_negativ": "Die Zahl der negativen Entscheidungen",
    "anhaengig_quartalsende": "Die Zahl der am Quartalsende anhängigen Verfahren",
    "bearbeitungsdauer_median_tage": "Die mittlere Bearbeitungsdauer (Median, Tage)",
}

HELPERS = (
    PACKAGE,
    Helper(
        "_duplikat_zeilen", "zeilen", "lines with this row's `verfahren` (message of the uniqueness rule)"
    ),
)


def add_helper_columns(frame: pd.DataFrame, context: SuiteContext) -> pd.DataFrame:
    return frame.assign(
        _paket=package_column(frame, context), _duplikat_zeilen=duplicate_lines(frame, ["verfahren"])
    )


def expectations() -> list:
    E = gxe()
    unique = unique_per_package(
        "verfahren",
        meta=meta(
            Rule.DUPLICATE,
            "verfahren",
            "Das Verfahren {wert} steht mehrfach in der Datei ({_duplikat_zeilen}). Welche Zeile gilt, ist nicht "
            "zu erkennen, daher werden alle zurückgehalten; bitte je Verfahrensart eine Zeile mit den "
            "Quartalssummen liefern.",
        ),
    )
    counts = [
        E.ExpectColumnValuesToBeBetween(
            column=column,
            min_value=0,
            meta=meta(Rule.RANGE, column, f"{label} {{wert}} ist negativ; bitte 0 oder mehr angeben."),
        )
        for column, label in COUNTS.items()
    ]
    return schema_checks(FILE) + [unique] + counts
