"""Building blocks shared by the suites: meta, the checks every file gets, helper-column utilities.

Each suite module (`faelle.py`, …) declares its contract file, its helper columns and its expectations; what
every file needs in the same way is built here from `pipelines.contract.schema`:
- presence and type of every column (`PFLICHTFELD`, `TYP_SPALTE`): a double-check of the reader's output;
- not-null for every required column (`PFLICHTFELD`);
- code lists (`CODELISTE`) and lengths of plain text columns (`LAENGE`), again double-checking the reader.

GX is imported lazily inside the builders (see `expectations._gx`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from expectations._gx import gxe, row_column
from expectations.messages import lines_phrase
from pipelines.calendar import Quarter
from pipelines.contract.codes import codes
from pipelines.contract.findings import Outcome, Rule
from pipelines.contract.schema import Column, ContractFile

# The pandas dtype of each contract kind in the frames the reader stages (`staging.read_valid_rows`), as
# `ExpectColumnTypeToBe` names it.
PANDAS_TYPES: dict[str, str] = {
    "text": "str",
    "code": "str",
    "codes": "str",
    "date": "date32[day][pyarrow]",
    "month": "date32[day][pyarrow]",
    "int": "Int32",
    "decimal": "Float64",
}
KIND_NAMES: dict[str, str] = {
    "text": "Text",
    "code": "Code",
    "codes": "Code-Liste",
    "date": "Datum",
    "month": "Monat",
    "int": "Ganzzahl",
    "decimal": "Dezimalzahl",
}
_STRING = pd.StringDtype("pyarrow", na_value=float("nan"))
_DATE = pd.ArrowDtype(pa.date32())
DTYPES: dict[str, Any] = {
    "text": _STRING,
    "code": _STRING,
    "codes": _STRING,
    "date": _DATE,
    "month": _DATE,
    "int": pd.Int32Dtype(),
    "decimal": pd.Float64Dtype(),
}
# Code lists too long to spell out in a message.
_LONG_LIST_TEXTS = {
    "staatsangehoerigkeit": "ein ISO-3166-1-alpha-3-Code, XXA (staatenlos) oder XXX (ungeklärt)",
}
_REPORT_TO_OPERATIONS = (
    "Das ist ein Fehler der Verarbeitung, nicht Ihrer Lieferung; die Zeile wird zurückgehalten. Bitte "
    "melden Sie den Befund dem Betrieb des KIM-Monitors."
)


@dataclass(frozen=True)
class Helper:
    """A column a suite derives before validation: name (starts with `_`), how messages show it, why."""

    name: str
    kind: str  # one of `expectations.messages.FORMATTED_KINDS`
    description: str


@dataclass(frozen=True)
class SuiteContext:
    """What helper columns may depend on besides the file itself (the same for every file of a package)."""

    quarter: Quarter
    # The package's position in the batch validated together (`expectations.validate.validate_packages`).
    paket: int = 0
    # Cases an event may refer to: this package's faelle rows that passed their suite …
    faelle: pd.DataFrame | None = None
    # … the faelle lines this package's suite quarantined (events of those cases cannot be loaded) …
    faelle_quarantined: frozenset[int] = frozenset()
    # … and the cases of earlier packages of the unit (`fall_id`, `aufnahme_am`).
    known_cases: pd.DataFrame | None = None


# Many packages of a quarter are validated as one frame; rules that hold per package (uniqueness, the unit's
# Gemeinden) key on the row's package. Every suite declares and derives it first.
PACKAGE = Helper(
    "_paket", "int", "position of the row's package in the validated batch: per-package rules key on it"
)


def package_column(frame: pd.DataFrame, context: SuiteContext) -> pd.Series:
    """`_paket` for every row of `frame`: the package's position in the batch."""
    return pd.Series(pd.array([context.paket] * len(frame), dtype="Int32"), index=frame.index)


def unique_per_package(column: str, meta: dict[str, str]):
    """`column` unique within each package (empty values ignored, as `ExpectColumnValuesToBeUnique` does)."""
    return gxe().ExpectCompoundColumnsToBeUnique(
        column_list=[PACKAGE.name, column], ignore_row_if="any_value_is_missing", meta=meta
    )


def meta(
    regel: Rule, spalte: str, meldung: str, ergebnis: Outcome = Outcome.ROW_QUARANTINED
) -> dict[str, str]:
    """The meta every expectation carries: the rule id, what a violation causes, the column and the message."""
    return {"regel": str(regel), "ergebnis": str(ergebnis), "spalte": spalte, "meldung": meldung}


def suite_name(file: ContractFile) -> str:
    return f"kim_{file.name}"


# --- checks every file gets --------------------------------------------------------------------------------


def presence_and_types(file: ContractFile) -> list:
    """Every contract column exists and has its contract dtype (both are reader defects if they fail)."""
    E = gxe()
    expectations = []
    for column in file.columns:
        expectations.append(
            E.ExpectColumnToExist(
                column=column.name,
                meta=meta(
                    Rule.REQUIRED,
                    column.name,
                    "Die Spalte fehlt in den eingelesenen Daten. " + _REPORT_TO_OPERATIONS,
                ),
            )
        )
        expectations.append(
            E.ExpectColumnTypeToBe(
                column=column.name,
                type_=PANDAS_TYPES[column.kind],
                meta=meta(
                    Rule.COLUMN_TYPE,
                    column.name,
                    "Die Spalte wurde als {beobachteter_typ} statt als "
                    f"{KIND_NAMES[column.kind]} ({PANDAS_TYPES[column.kind]}) eingelesen. "
                    + _REPORT_TO_OPERATIONS,
                ),
            )
        )
    return expectations


def required_values(file: ContractFile) -> list:
    """Required columns are never empty."""
    E = gxe()
    return [
        E.ExpectColumnValuesToNotBeNull(
            column=column.name,
            meta=meta(
                Rule.REQUIRED,
                column.name,
                "Das Pflichtfeld ist leer; bitte einen Wert liefern.",
            ),
        )
        for column in file.columns
        if column.required
    ]


def allowed_codes_text(code_list: str) -> str:
    """The allowed codes of a list as a message shows them."""
    if code_list in _LONG_LIST_TEXTS:
        return _LONG_LIST_TEXTS[code_list]
    return ", ".join(codes(code_list))


def codes_pattern(code_list: str) -> str:
    """Regex of a `|`-separated list of at least one code of `code_list` (no empty element, no spaces)."""
    alternatives = "|".join(re.escape(code) for code in codes(code_list))
    return rf"^(?:{alternatives})(?:\|(?:{alternatives}))*$"


def code_lists(file: ContractFile) -> list:
    """`code` columns hold a code of their list; `codes` columns one or more, `|`-separated; `int` codes too."""
    E = gxe()
    expectations = []
    for column in file.columns:
        if column.code_list is None:
            continue
        allowed = allowed_codes_text(column.code_list)
        if column.kind == "codes":
            expectations.append(
                E.ExpectColumnValuesToMatchRegex(
                    column=column.name,
                    regex=codes_pattern(column.code_list),
                    meta=meta(
                        Rule.CODE_LIST,
                        column.name,
                        "Die Angabe {wert} ist keine mit „|“ getrennte Liste von Codes der Codeliste "
                        f"„{column.code_list}“ (erlaubt: {allowed}); bitte mindestens einen gültigen Code "
                        "angeben und mehrere mit „|“ trennen.",
                    ),
                )
            )
        else:
            value_set = _code_values(column)
            expectations.append(
                E.ExpectColumnValuesToBeInSet(
                    column=column.name,
                    value_set=value_set,
                    meta=meta(
                        Rule.CODE_LIST,
                        column.name,
                        f"Der Wert {{wert}} steht nicht in der Codeliste „{column.code_list}“ "
                        f"(erlaubt: {allowed}); bitte einen gültigen Code verwenden.",
                    ),
                )
            )
    return expectations


def _code_values(column: Column) -> list:
    values = list(codes(column.code_list))  # type: ignore[arg-type]
    return [int(value) for value in values] if column.kind == "int" else values


def text_lengths(file: ContractFile) -> list:
    """Plain text columns stay within their maximum length.

    Pseudonyms are left out: the reader checks their delivered length, and what reaches the suites is the
    re-keyed form (always 64 hex digits).
    """
    E = gxe()
    return [
        E.ExpectColumnValueLengthsToBeBetween(
            column=column.name,
            max_value=column.max_length,
            meta=meta(
                Rule.LENGTH,
                column.name,
                f"Der Wert {{wert}} ist länger als {column.max_length} Zeichen; bitte kürzen.",
            ),
        )
        for column in file.columns
        if column.kind == "text" and column.max_length is not None and not column.pseudonym
    ]


def schema_checks(file: ContractFile) -> list:
    """The checks of presence, type, required values, code lists and lengths of one file."""
    return presence_and_types(file) + required_values(file) + code_lists(file) + text_lengths(file)


# --- patterns of row rules ---------------------------------------------------------------------------------


def not_before(later: str, earlier: str, regel: Rule, meldung: str, spalte: str | None = None, **kwargs: Any):
    """`later ≥ earlier` where both are given (an empty optional date is checked by other rules)."""
    return gxe().ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=later,
        column_B=earlier,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        meta=meta(regel, spalte or later, meldung),
        **kwargs,
    )


def required_if(column: str, condition, meldung: str, regel: Rule = Rule.CONDITIONAL_REQUIRED):
    """`column` is given in every row that meets `condition` (a GX row condition)."""
    return gxe().ExpectColumnValuesToNotBeNull(
        column=column, row_condition=condition, meta=meta(regel, column, meldung)
    )


def empty_unless(
    column: str,
    condition,
    meldung: str,
    regel: Rule = Rule.CONDITIONAL_REQUIRED,
    ergebnis: Outcome = Outcome.ROW_QUARANTINED,
):
    """`column` is empty in every row that meets `condition` (the negation of when it belongs there)."""
    return gxe().ExpectColumnValuesToBeNull(
        column=column, row_condition=condition, meta=meta(regel, column, meldung, ergebnis)
    )


def col(name: str):
    """A column in a GX row condition."""
    return row_column(name)


# --- helper-column utilities -------------------------------------------------------------------------------


def typed(frame: pd.DataFrame, file: ContractFile, name: str) -> pd.Series:
    """A contract column as the helper computations may use it.

    If the column is missing or not of its contract dtype, the presence/type expectations report it; the
    helpers then see an all-empty column of the right dtype instead of failing or computing nonsense.
    """
    kind = file.column(name).kind
    if name in frame.columns and str(frame[name].dtype) == str(DTYPES[kind]):
        return frame[name]
    return pd.Series(pd.array([None] * len(frame), dtype=DTYPES[kind]), index=frame.index, name=name)


def duplicate_lines(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    """For each row whose key occurs more than once: all lines with that key (`Zeilen 3 und 17`); else empty.

    Message material for the uniqueness expectations, which themselves are evaluated by GX.
    """
    result = pd.Series(pd.array([None] * len(frame), dtype=_STRING), index=frame.index)
    present = [name for name in key if name in frame.columns]
    if len(present) < len(key) or not len(frame):
        return result
    duplicated = frame.duplicated(subset=key, keep=False)
    if not duplicated.any():
        return result
    groups = frame.loc[duplicated, [*key, "zeile"]]
    texts = groups.groupby(key, dropna=False, sort=False)["zeile"].transform(
        lambda lines: lines_phrase(lines.tolist())
    )
    result.loc[texts.index] = texts.astype(str)
    return result


def year_of(dates: pd.Series) -> pd.Series:
    """The year of each date (empty stays empty), as Int32 like the contract's `int` columns."""
    return dates.dt.year.astype("Int32")
