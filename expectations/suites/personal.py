"""Suite of `personal.csv` (funded positions, all three Bausteine) — DATA_CONTRACT.md section 2, `personal.csv`.

| rule | expectation |
|---|---|
| every column present, of its type; required columns filled; codes (and `baustein` 1–3) in their lists | `common.schema_checks` |
| `stelle_id` unique per file (every row of a repeated position is quarantined) | unique `stelle_id` |
| 0 < `bewilligt_vzae` ≤ 1,0 | between, strict minimum |
| `besetzt_vzae` ≥ 0 | between |
| `besetzt_vzae` ≤ `bewilligt_vzae` | pair A ≥ B |
| `besetzt_seit` given iff `besetzt_vzae` > 0 | not null / null under a row condition |

VZÄ are compared as delivered (both parsed from their decimal text the same way), so `1,0` and a filled
share equal to the granted one are within the rules.
"""

from __future__ import annotations

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
    unique_per_package,
)
from pipelines.contract.findings import Rule
from pipelines.contract.schema import CONTRACT_FILES

FILE = CONTRACT_FILES["personal"]

HELPERS = (
    PACKAGE,
    Helper(
        "_duplikat_zeilen", "zeilen", "lines sharing this row's `stelle_id` (message of the uniqueness rule)"
    ),
)


def add_helper_columns(frame: pd.DataFrame, context: SuiteContext) -> pd.DataFrame:
    return frame.assign(
        _paket=package_column(frame, context), _duplikat_zeilen=duplicate_lines(frame, ["stelle_id"])
    )


def _uniqueness() -> list:
    return [
        unique_per_package(
            "stelle_id",
            meta=meta(
                Rule.DUPLICATE,
                "stelle_id",
                "Die Stellen-ID {wert} steht mehrfach in der Datei ({_duplikat_zeilen}). Welche Zeile gilt, ist "
                "nicht zu erkennen, daher werden alle zurückgehalten; bitte jede Stelle nur einmal liefern.",
            ),
        )
    ]


def _ranges() -> list:
    E = gxe()
    return [
        E.ExpectColumnValuesToBeBetween(
            column="bewilligt_vzae",
            min_value=0,
            strict_min=True,
            max_value=1,
            meta=meta(
                Rule.RANGE,
                "bewilligt_vzae",
                "Die bewilligten VZÄ {wert} liegen außerhalb des erlaubten Bereichs (größer als 0, höchstens "
                "1,0); eine Zeile beschreibt eine Stelle mit höchstens einer Vollzeitstelle – bitte den Wert "
                "prüfen und größere Bewilligungen auf mehrere Stellen aufteilen.",
            ),
        ),
        E.ExpectColumnValuesToBeBetween(
            column="besetzt_vzae",
            min_value=0,
            meta=meta(
                Rule.RANGE,
                "besetzt_vzae",
                "Die besetzten VZÄ {wert} sind negativ; bitte 0 für eine unbesetzte Stelle angeben.",
            ),
        ),
        not_before(
            later="bewilligt_vzae",
            earlier="besetzt_vzae",
            regel=Rule.FILLED_OVER_GRANTED,
            spalte="besetzt_vzae",
            meldung="Die besetzten VZÄ {wert} übersteigen die bewilligten VZÄ {bewilligt_vzae}; bitte beide "
            "Angaben zum Quartalsende prüfen.",
        ),
    ]


def _filled_since() -> list:
    return [
        required_if(
            "besetzt_seit",
            col("besetzt_vzae") > 0,
            "Die Stelle ist mit {besetzt_vzae} VZÄ besetzt, aber „besetzt_seit“ fehlt; bitte das Datum der "
            "Besetzung angeben.",
        ),
        empty_unless(
            "besetzt_seit",
            col("besetzt_vzae") == 0,
            "„besetzt_seit“ ist mit {wert} angegeben, aber die Stelle ist am Quartalsende nicht besetzt "
            "(0 VZÄ); bitte das Datum leer lassen oder die besetzten VZÄ angeben.",
        ),
    ]


def expectations() -> list:
    return schema_checks(FILE) + _uniqueness() + _ranges() + _filled_since()
