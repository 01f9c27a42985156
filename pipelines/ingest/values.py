"""Typed values from delivered text, with a German finding for every cell that breaks the contract.

Each contract column has a `kind` (`pipelines.contract.schema`); this module reads a whole column of text at
once with Arrow compute functions, so a file of a million rows costs a few vectorised passes. Python only
touches the cells that fail, to word their messages.

Accepted notations (contract, physical format):
- date: `JJJJ-MM-TT` or `TT.MM.JJJJ` (day and month may have one digit);
- month: `JJJJ-MM` or `MM.JJJJ`, stored as the first of the month; a full date on the 1st is accepted too,
  because spreadsheets store months as such dates;
- int: digits with an optional sign, German thousands separators allowed (`1.234`);
- decimal: `1234.5`, `1234,5`, `1.234,5`. Whether a column writes the decimal comma is decided per column:
  once any value has a comma (or several thousands points such as `1.234.567`), points are thousands
  separators in the whole column, so `12.500` there means twelve thousand five hundred;
- code: trimmed and upper-cased, then checked against the code list; codes: `|`-separated, at least one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contract.codes import codes as code_list_codes
from pipelines.contract.findings import Rule, quote
from pipelines.contract.schema import Column, ContractFile

_INT32_MAX = 2**31 - 1
_MAX_CODES_LISTED = 12

_DATE = (
    r"^(?:(?P<y1>\d{4})-(?P<m1>\d{2})-(?P<d1>\d{2})"
    r"|(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>\d{4}))$"
)
_MONTH = (
    r"^(?:(?P<y1>\d{4})-(?P<m1>\d{2})(?:-01)?"
    r"|(?:0?1\.)?(?P<m2>\d{1,2})\.(?P<y2>\d{4}))$"
)
_INTEGER = r"^[+-]?(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+)$"
_DECIMAL_POINT = r"^[+-]?\d+(?:\.\d+)?$"
_DECIMAL_COMMA = r"^[+-]?(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+)(?:,\d+)?$"
# Values only the comma notation can mean: a decimal comma, or several thousands points (`1.234.567`).
_COMMA_EVIDENCE = r"^[+-]?(?:(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+),\d+|[1-9]\d{0,2}(?:\.\d{3}){2,})$"

_REQUIRED_DETAIL = "Der Wert fehlt; die Spalte ist eine Pflichtangabe."
# Shared by every clean table; findings frames are never modified in place.
_NO_FINDINGS = pd.DataFrame(
    {"row": [], "zeile": [], "spalte": [], "regel": [], "meldung": []}, dtype="str"
).astype({"row": "int64", "zeile": "int64"})


@dataclass
class ConvertedColumn:
    """A column's typed values (missing or invalid → NA) and its failing cells."""

    values: pd.Series
    failed_rows: np.ndarray  # positions of failing cells
    rules: list[str]  # rule id per failing cell
    details: list[str]  # German explanation per failing cell (without file, line, column)


@dataclass
class ConvertedTable:
    """A file's typed columns (contract order) and one finding per failing cell."""

    data: pd.DataFrame
    findings: pd.DataFrame  # row (position in `data`), zeile, spalte, regel, meldung

    @property
    def invalid_rows(self) -> np.ndarray:
        return np.unique(self.findings["row"].to_numpy(dtype=np.int64))

    def rows(self, start: int, count: int) -> ConvertedTable:
        """The part of a table converted for many deliveries that belongs to rows `start` … `start + count − 1`,
        positions counted from 0 again: what converting those rows alone gives."""
        row = self.findings["row"]
        own = self.findings[(row >= start) & (row < start + count)]
        # take, not a slice: a slice of an Arrow-backed column keeps (and pickles, on its way from the parse
        # worker) the buffer of every package's rows.
        return ConvertedTable(
            data=self.data.take(np.arange(start, start + count)).reset_index(drop=True),
            findings=own.assign(row=own["row"] - start).reset_index(drop=True),
        )


def converts_cell_by_cell(file: ContractFile) -> bool:
    """Whether every cell of `file` converts on its own, so the rows of many packages may be converted together.

    Not so for a file with a decimal column: whether its points are thousands separators is decided from the
    whole column of one delivery (see `_decimal`).
    """
    return not any(column.kind == "decimal" for column in file.columns)


def convert_table(
    values: pd.DataFrame, lines: np.ndarray, file: ContractFile, source: str | np.ndarray
) -> ConvertedTable:
    """Every contract column of `values` (absent columns count as empty) converted and checked.

    `source` names where the rows came from in messages (`faelle.csv`): one name, or one per row when the
    rows of many packages are converted together.
    """
    data = {}
    frames = []
    for position, column in enumerate(file.columns):
        text = values[column.name] if column.name in values else pd.Series([""] * len(values), dtype="str")
        converted = convert_column(text, column)
        data[column.name] = converted.values
        if len(converted.failed_rows):
            frames.append(_findings(converted, column, position, lines, source))
    if frames:
        findings = pd.concat(frames, ignore_index=True).sort_values(["row", "_order"], kind="stable")
        findings = findings.drop(columns="_order").reset_index(drop=True)
    else:
        findings = _NO_FINDINGS
    return ConvertedTable(data=pd.DataFrame(data, index=values.index), findings=findings)


def _findings(
    converted: ConvertedColumn, column: Column, position: int, lines: np.ndarray, source: str | np.ndarray
) -> pd.DataFrame:
    failed_lines = lines[converted.failed_rows]
    sources = (
        [source] * len(failed_lines) if isinstance(source, str) else source[converted.failed_rows].tolist()
    )
    messages = [
        f"{row_source}, Zeile {line}, Spalte „{column.name}“: {detail}"
        for row_source, line, detail in zip(sources, failed_lines.tolist(), converted.details, strict=True)
    ]
    return pd.DataFrame(
        {
            "row": converted.failed_rows.astype(np.int64),
            "zeile": failed_lines.astype(np.int64),
            "spalte": pd.Series([column.name] * len(messages), dtype="str"),
            "regel": pd.Series(converted.rules, dtype="str"),
            "meldung": pd.Series(messages, dtype="str"),
            "_order": np.full(len(messages), position, dtype=np.int64),
        }
    )


def convert_column(text: pd.Series, column: Column) -> ConvertedColumn:
    """One column of text converted per its kind; empty cells are missing (a finding if required)."""
    trimmed = pc.utf8_trim_whitespace(_arrow_strings(text))
    empty = pc.equal(pc.utf8_length(trimmed), 0).to_numpy(zero_copy_only=False)
    typed, failures = _CONVERTERS[column.kind](trimmed, empty, column)
    if column.required and empty.any():
        failures.append(_Failure(empty, Rule.REQUIRED, [_REQUIRED_DETAIL] * int(empty.sum())))
    failures = [failure for failure in failures if failure.mask.any()]
    if not failures:
        return ConvertedColumn(_to_pandas(typed, column, text.index), np.empty(0, dtype=np.int64), [], [])
    rules = np.empty(len(trimmed), dtype=object)
    details = np.empty(len(trimmed), dtype=object)
    failed = np.zeros(len(trimmed), dtype=bool)
    for failure in failures:
        rules[failure.mask] = str(failure.rule)
        details[failure.mask] = failure.details
        failed |= failure.mask
    typed = _null_where(typed, failed)
    return ConvertedColumn(
        values=_to_pandas(typed, column, text.index),
        failed_rows=np.flatnonzero(failed),
        rules=rules[failed].tolist(),
        details=details[failed].tolist(),
    )


@dataclass
class _Failure:
    """Cells failing one rule (disjoint from the other failures of the column)."""

    mask: np.ndarray
    rule: Rule
    details: list[str]


def _arrow_strings(text: pd.Series) -> pa.Array:
    array = pa.array(text.fillna(""), type=pa.string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _to_pandas(typed: pa.Array, column: Column, index: pd.Index) -> pd.Series:
    if column.kind in ("date", "month"):
        return pd.Series(pd.arrays.ArrowExtensionArray(typed), index=index)
    if column.kind == "int":
        return pd.Series(pd.array(typed.to_pandas(types_mapper=pd.ArrowDtype), dtype="Int32"), index=index)
    if column.kind == "decimal":
        return pd.Series(pd.array(typed.to_pandas(types_mapper=pd.ArrowDtype), dtype="Float64"), index=index)
    return pd.Series(pd.array(typed, dtype="str"), index=index)


def _invalid(empty: np.ndarray, matched: pa.Array) -> np.ndarray:
    """Non-empty cells that did not match (numpy bool)."""
    return ~empty & ~pc.fill_null(matched, False).to_numpy(zero_copy_only=False)


def _quoted_values(trimmed: pa.Array, bad: np.ndarray) -> list[str]:
    return [quote(value) for value in trimmed.filter(pa.array(bad)).to_pylist()]


def _null_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)


# --- text and codes --------------------------------------------------------------------------------------


def _text(trimmed: pa.Array, empty: np.ndarray, column: Column):
    typed = _null_where(trimmed.cast(pa.string()), empty)
    if column.max_length is None:
        return typed, []
    lengths = pc.utf8_length(trimmed).to_numpy(zero_copy_only=False)
    too_long = lengths > column.max_length
    # The value itself is not quoted: it may be a pseudonym or free text.
    details = [
        f"Der Wert ist {length} Zeichen lang, erlaubt sind höchstens {column.max_length}."
        for length in lengths[too_long].tolist()
    ]
    return typed, [_Failure(too_long, Rule.LENGTH, details)]


def _not_a_code(quoted_values: list[str], code_list: str) -> str:
    """`„X“ ist kein Code der Codeliste „l“ (erlaubt: …).` for one or several quoted values."""
    allowed = code_list_codes(code_list)
    listed = f" (erlaubt: {', '.join(allowed)})" if len(allowed) <= _MAX_CODES_LISTED else ""
    verb = "ist kein Code" if len(quoted_values) == 1 else "sind keine Codes"
    return f"{', '.join(quoted_values)} {verb} der Codeliste „{code_list}“{listed}."


def _code(trimmed: pa.Array, empty: np.ndarray, column: Column):
    upper = pc.utf8_upper(trimmed).cast(pa.string())
    known = pc.is_in(upper, value_set=pa.array(code_list_codes(column.code_list)))
    bad = _invalid(empty, known)
    details = [_not_a_code([value], column.code_list) for value in _quoted_values(trimmed, bad)]
    return _null_where(upper, empty), [_Failure(bad, Rule.CODE_LIST, details)]


def _codes(trimmed: pa.Array, empty: np.ndarray, column: Column):
    lists = pc.split_pattern(pc.utf8_upper(trimmed), "|")
    items = pc.utf8_trim_whitespace(lists.flatten()).cast(pa.string())
    parents = pc.list_parent_indices(lists).to_numpy()
    item_bad = ~pc.is_in(items, value_set=pa.array(code_list_codes(column.code_list))).to_numpy(
        zero_copy_only=False
    )
    bad = ~empty & (np.bincount(parents[item_bad], minlength=len(trimmed)) > 0)
    canonical = pc.binary_join(pa.ListArray.from_arrays(lists.offsets, items), "|")
    details = []
    if bad.any():
        bad_items = items.filter(pa.array(item_bad)).to_pylist()
        by_row: dict[int, list[str]] = {}
        for row, item in zip(parents[item_bad].tolist(), bad_items, strict=True):
            by_row.setdefault(row, []).append(item)
        for row, value in zip(np.flatnonzero(bad).tolist(), _quoted_values(trimmed, bad), strict=True):
            wrong = by_row[row]
            if "" in wrong:
                details.append(f"{value} enthält einen leeren Eintrag (Codes werden mit | getrennt).")
            else:
                details.append(f"{value}: " + _not_a_code([quote(item) for item in wrong], column.code_list))
    return _null_where(canonical, empty), [_Failure(bad, Rule.CODE_LIST, details)]


# --- dates -----------------------------------------------------------------------------------------------


def _days_from_parts(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970-01-01 and whether (year, month, day) is a real calendar date."""
    month_ok = (month >= 1) & (month <= 12)
    month_index = (year - 1970) * 12 + np.clip(month, 1, 12) - 1
    first = month_index.astype("datetime64[M]").astype("datetime64[D]")
    next_first = (month_index + 1).astype("datetime64[M]").astype("datetime64[D]")
    days_in_month = (next_first - first).astype(np.int64)
    valid = month_ok & (day >= 1) & (day <= days_in_month)
    return first.astype(np.int64) + day - 1, valid


def _parts(extracted: pa.StructArray, *names: str) -> np.ndarray:
    """An integer part from alternative regex groups (the group that did not take part is empty)."""
    texts = pc.binary_join_element_wise(
        *[pc.fill_null(pc.struct_field(extracted, name), "") for name in names], ""
    )
    texts = pc.if_else(pc.equal(texts, ""), "0", texts)
    return pc.cast(texts, pa.int64()).to_numpy()


def _date(trimmed: pa.Array, empty: np.ndarray, column: Column):
    extracted = pc.extract_regex(trimmed, _DATE)
    matched = pc.is_valid(extracted)
    days, valid = _days_from_parts(
        _parts(extracted, "y1", "y2"), _parts(extracted, "m1", "m2"), _parts(extracted, "d1", "d2")
    )
    bad = _invalid(empty, matched) | (~empty & ~valid)
    typed = pa.array(days.astype(np.int32), type=pa.int32()).cast(pa.date32())
    details = [
        f"{value} ist kein gültiges Datum (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)."
        for value in _quoted_values(trimmed, bad)
    ]
    return _null_where(typed, empty), [_Failure(bad, Rule.DATE, details)]


def _month(trimmed: pa.Array, empty: np.ndarray, column: Column):
    extracted = pc.extract_regex(trimmed, _MONTH)
    matched = pc.is_valid(extracted)
    month = _parts(extracted, "m1", "m2")
    days, valid = _days_from_parts(_parts(extracted, "y1", "y2"), month, np.ones_like(month))
    bad = _invalid(empty, matched) | (~empty & ~valid)
    typed = pa.array(days.astype(np.int32), type=pa.int32()).cast(pa.date32())
    details = [
        f"{value} ist kein gültiger Monat (erwartet JJJJ-MM oder MM.JJJJ)."
        for value in _quoted_values(trimmed, bad)
    ]
    return _null_where(typed, empty), [_Failure(bad, Rule.MONTH, details)]


# --- numbers ---------------------------------------------------------------------------------------------


def _integer(trimmed: pa.Array, empty: np.ndarray, column: Column):
    matched = pc.match_substring_regex(trimmed, _INTEGER)
    digits = pc.replace_substring(pc.replace_substring(pc.if_else(matched, trimmed, "0"), ".", ""), "+", "")
    # More than ten digits cannot be a 32-bit integer; they are cut before the cast so it cannot overflow.
    too_long = pc.greater(pc.utf8_length(pc.utf8_ltrim(digits, "-0")), 10).to_numpy(zero_copy_only=False)
    numbers = pc.cast(pc.if_else(pa.array(too_long), "0", digits), pa.int64()).to_numpy()
    not_integer = _invalid(empty, matched)
    too_big = ~empty & ~not_integer & (too_long | (np.abs(numbers) > _INT32_MAX))
    typed = _null_where(pa.array(np.where(not_integer | too_big, 0, numbers).astype(np.int32)), empty)
    failures = [
        _Failure(
            not_integer,
            Rule.INTEGER,
            [f"{value} ist keine ganze Zahl." for value in _quoted_values(trimmed, not_integer)],
        ),
        _Failure(
            too_big,
            Rule.INTEGER,
            [f"{value} ist als ganze Zahl zu groß." for value in _quoted_values(trimmed, too_big)],
        ),
    ]
    if column.code_list is not None:
        known = pc.is_in(pc.cast(typed, pa.string()), value_set=pa.array(code_list_codes(column.code_list)))
        unknown = (
            ~empty & ~not_integer & ~too_big & ~pc.fill_null(known, False).to_numpy(zero_copy_only=False)
        )
        details = [_not_a_code([value], column.code_list) for value in _quoted_values(trimmed, unknown)]
        failures.append(_Failure(unknown, Rule.CODE_LIST, details))
    return typed, failures


def _decimal(trimmed: pa.Array, empty: np.ndarray, column: Column):
    comma_notation = pc.any(pc.match_substring_regex(trimmed, _COMMA_EVIDENCE)).as_py()
    if comma_notation:
        matched = pc.match_substring_regex(trimmed, _DECIMAL_COMMA)
        plain = pc.replace_substring(pc.replace_substring(trimmed, ".", ""), ",", ".")
        expected = (
            "erwartet wie in den übrigen Werten der Spalte Dezimalkomma und Punkt als "
            "Tausendertrennzeichen, z. B. 1234,5 oder 1.234,5"
        )
    else:
        matched = pc.match_substring_regex(trimmed, _DECIMAL_POINT)
        plain = trimmed
        expected = "erwartet z. B. 1234,5, 1.234,5 oder 1234.5"
    bad = _invalid(empty, matched)
    plain = pc.replace_substring(plain, "+", "")
    numbers = pc.cast(pc.if_else(pa.array(bad | empty), "0", plain), pa.float64())
    details = [
        f"{value} ist keine gültige Dezimalzahl ({expected})." for value in _quoted_values(trimmed, bad)
    ]
    return _null_where(numbers, empty), [_Failure(bad, Rule.DECIMAL, details)]


_CONVERTERS = {
    "text": _text,
    "code": _code,
    "codes": _codes,
    "date": _date,
    "month": _month,
    "int": _integer,
    "decimal": _decimal,
}
