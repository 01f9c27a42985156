"""Suite of `strukturthemen.csv` (structural themes, the KIM steering cycle) — DATA_CONTRACT.md section 2.

A theme runs through the cycle identified → decided and prioritised by the Lenkungsgruppe → handed to a
Projektgruppe → target agreement approved → implemented; each step has its date. The contract's rules:

| rule | expectation |
|---|---|
| every column present, of its type; required columns filled; codes in their lists; `titel` ≤ 200 | `common.schema_checks` |
| `thema_id` unique per file (every row of a repeated theme is quarantined) | unique `thema_id` |
| `faelle_rekonstruiert` ≥ 1 | between |
| `identifiziert_am` ≤ `lenkungsgruppe_am` ≤ `projektgruppe_am` ≤ `zielvereinbarung_am` ≤ `umgesetzt_am` | pair A ≥ B |
| a step's date requires the previous step's date (no gaps in the chain) | not null under a row condition |
| `prioritaet` given iff `lenkungsgruppe_am` | not null / null under a row condition |
| `status` consistent with the dates | pair equal with helper `_stufe`, except `VERWORFEN` |

Status and dates. `_stufe` is the stage the dates show, i.e. the latest step with a date:
`UMGESETZT` (`umgesetzt_am`), `VEREINBART` (`zielvereinbarung_am`, not yet implemented), `IN_PROJEKTGRUPPE`
(`projektgruppe_am`, no target agreement yet), `PRIORISIERT` (`lenkungsgruppe_am`, not yet with a Projektgruppe),
`IDENTIFIZIERT` (no Lenkungsgruppe date). Every status but `VERWORFEN` must equal `_stufe`.

`VERWORFEN` (discarded) is allowed at any stage: a theme may be dropped right after it was identified, by the
Lenkungsgruppe, in the Projektgruppe or even after implementation (a measure given up). Its dates are the steps
it reached before it was dropped and still obey the order and no-gap rules.

`titel` must not contain personal data; no expectation can check that, so it stays with the units.
"""

from __future__ import annotations

import pandas as pd

from expectations._gx import gxe
from expectations.messages import format_value
from expectations.suites.common import (
    DTYPES,
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
)
from pipelines.contract.findings import Rule
from pipelines.contract.schema import CONTRACT_FILES

FILE = CONTRACT_FILES["strukturthemen"]

# The steps after identification, in order: date column, the status it leads to, how a message describes it.
STEPS = (
    (
        "lenkungsgruppe_am",
        "PRIORISIERT",
        "von der Lenkungsgruppe am {} priorisiert, noch nicht an eine Projektgruppe gegeben",
    ),
    (
        "projektgruppe_am",
        "IN_PROJEKTGRUPPE",
        "am {} an eine Projektgruppe gegeben, noch ohne Zielvereinbarung",
    ),
    ("zielvereinbarung_am", "VEREINBART", "Zielvereinbarung am {} beschlossen, noch nicht umgesetzt"),
    ("umgesetzt_am", "UMGESETZT", "am {} umgesetzt"),
)
IDENTIFIED = "IDENTIFIZIERT"
IDENTIFIED_TEXT = "noch nicht in der Lenkungsgruppe beraten"
STAGES = (IDENTIFIED, *(status for _, status, _ in STEPS))
_LABELS = {
    "identifiziert_am": "Identifizierung",
    "lenkungsgruppe_am": "Lenkungsgruppe",
    "projektgruppe_am": "Projektgruppe",
    "zielvereinbarung_am": "Zielvereinbarung",
    "umgesetzt_am": "Umsetzung",
}

HELPERS = (
    PACKAGE,
    Helper("_stufe", "code", "the status the theme's dates show (its latest step with a date)"),
    Helper("_stufe_beleg", "plain", "the dates behind `_stufe`, in words (message only)"),
    Helper(
        "_duplikat_zeilen", "zeilen", "lines sharing this row's `thema_id` (message of the uniqueness rule)"
    ),
)


def add_helper_columns(frame: pd.DataFrame, context: SuiteContext) -> pd.DataFrame:
    stage = [IDENTIFIED] * len(frame)
    evidence = [IDENTIFIED_TEXT] * len(frame)
    for column, status, text in STEPS:
        for row, day in enumerate(typed(frame, FILE, column).tolist()):
            if day is not None and day is not pd.NA:
                stage[row] = status
                evidence[row] = text.format(format_value(day, "date"))
    return frame.assign(
        _paket=package_column(frame, context),
        _stufe=pd.array(stage, dtype=DTYPES["code"]),
        _stufe_beleg=pd.array(evidence, dtype=DTYPES["text"]),
        _duplikat_zeilen=duplicate_lines(frame, ["thema_id"]),
    )


def _uniqueness_and_range() -> list:
    E = gxe()
    return [
        unique_per_package(
            "thema_id",
            meta=meta(
                Rule.DUPLICATE,
                "thema_id",
                "Die Themen-ID {wert} steht mehrfach in der Datei ({_duplikat_zeilen}). Welche Zeile gilt, ist "
                "nicht zu erkennen, daher werden alle zurückgehalten; bitte jedes Thema nur einmal mit "
                "seinem aktuellen Stand liefern.",
            ),
        ),
        E.ExpectColumnValuesToBeBetween(
            column="faelle_rekonstruiert",
            min_value=1,
            meta=meta(
                Rule.RANGE,
                "faelle_rekonstruiert",
                "Ein Strukturthema beruht auf mindestens einem rekonstruierten Fall, angegeben sind {wert}; "
                "bitte die Zahl der rekonstruierten Fälle angeben.",
            ),
        ),
    ]


def _chain() -> list:
    """Each step's date is not before the previous step's, and needs the previous step's date."""
    expectations = []
    chain = ["identifiziert_am", *(column for column, _, _ in STEPS)]
    for earlier, later in zip(chain, chain[1:], strict=False):
        expectations.append(
            not_before(
                later=later,
                earlier=earlier,
                regel=Rule.DATE_ORDER,
                meldung=f"Das Datum der {_LABELS[later]} {{wert}} liegt vor dem Datum der {_LABELS[earlier]} "
                f"{{{earlier}}}; die Schritte folgen aufeinander – bitte beide Daten prüfen.",
            )
        )
        if earlier != "identifiziert_am":  # identifiziert_am is required anyway
            expectations.append(
                required_if(
                    earlier,
                    col(later).is_not_null(),
                    f"Das Thema hat ein Datum der {_LABELS[later]} ({{{later}}}), aber keines der "
                    f"{_LABELS[earlier]}; die Schritte folgen aufeinander – bitte das fehlende Datum ergänzen.",
                )
            )
    return expectations


def _priority() -> list:
    return [
        required_if(
            "prioritaet",
            col("lenkungsgruppe_am").is_not_null(),
            "Die Lenkungsgruppe hat das Thema am {lenkungsgruppe_am} beraten, aber die Priorität fehlt; bitte "
            "HOCH, MITTEL oder NIEDRIG angeben.",
        ),
        empty_unless(
            "prioritaet",
            col("lenkungsgruppe_am").is_null(),
            "Die Priorität {wert} ist angegeben, aber kein Datum der Lenkungsgruppe; die Priorität setzt die "
            "Lenkungsgruppe – bitte „lenkungsgruppe_am“ ergänzen oder die Priorität leer lassen.",
        ),
    ]


def _status() -> list:
    return [
        gxe().ExpectColumnPairValuesToBeEqual(
            column_A="status",
            column_B="_stufe",
            ignore_row_if="either_value_is_missing",
            # VERWORFEN fits every stage; unknown codes are reported by the code-list check.
            row_condition=col("status").is_in(list(STAGES)),
            meta=meta(
                Rule.THEME_STATUS,
                "status",
                "Der Status {wert} passt nicht zu den Daten des Themas ({_stufe_beleg}); danach wäre der "
                "Status {_stufe} oder, falls das Thema nicht weiterverfolgt wird, „VERWORFEN“. Bitte Status "
                "oder Daten berichtigen.",
            ),
        )
    ]


def expectations() -> list:
    return schema_checks(FILE) + _uniqueness_and_range() + _chain() + _priority() + _status()
