"""German message templates of the suites, filled with the values of one row.

Every expectation's `meta["meldung"]` is a `str.format` template. Its fields name columns of the validated
frame (contract columns and the suite's documented helper columns, by name) or package facts
(`{quartal}`, `{quartalsbeginn}`, `{quartalsende}`, `{berichtsjahr}`); `{wert}` is the value of the column the
finding names. Values are written the way the unit's own export shows them: dates `TT.MM.JJJJ`, months
`MM.JJJJ`, decimals with a decimal comma, euro amounts with two decimals, codes and texts in German quotes,
an empty cell as `leer`. The validator puts `<datei>, Zeile <n>, Spalte „<spalte>“: ` in front.

Pseudonyms (`fall_id`, `person_id`) never appear in a template: the warehouse holds only their re-keyed form,
which the unit would not recognise, so messages point to the line instead.
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from pipelines.calendar import Quarter
from pipelines.contract.findings import format_count, quote

# How a value of each kind is written; `zeilen` is a helper kind: a prepared list of line numbers.
FORMATTED_KINDS = ("text", "code", "codes", "date", "month", "int", "decimal", "euro", "zeilen", "plain")

_FORMATTER = string.Formatter()


def template_fields(template: str) -> tuple[str, ...]:
    """The field names a template uses, in order of first use."""
    names: list[str] = []
    for _, field, _, _ in _FORMATTER.parse(template):
        if field is not None and field not in names:
            names.append(field)
    return tuple(names)


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def german_date(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def german_decimal(value: float, decimals: int | None = None) -> str:
    """`1234.5` → `1.234,5`; with `decimals`, exactly that many places."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".") if decimals is None else f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_value(value: object, kind: str) -> str:
    """One cell as the message shows it (a value not of its kind — a reader defect — is shown as text)."""
    if is_missing(value):
        return "leer"
    try:
        if kind == "date":
            return german_date(value)  # type: ignore[arg-type]
        if kind == "month":
            return value.strftime("%m.%Y")  # type: ignore[union-attr]
        if kind == "int":
            return str(int(value))  # type: ignore[call-overload]
        if kind == "decimal":
            return german_decimal(float(value))  # type: ignore[arg-type]
        if kind == "euro":
            return german_decimal(float(value), 2) + " €"  # type: ignore[arg-type]
    except (AttributeError, TypeError, ValueError):
        return quote(str(value))
    if kind in ("text", "code", "codes"):
        return quote(str(value))
    return str(value)


def german_list(items: Iterable[str]) -> str:
    """`["3", "17", "20"]` → `3, 17 und 20`."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " und " + items[-1]


def line_list(lines: Iterable[int]) -> str:
    """Line numbers as a German list (`3, 17 und 20`)."""
    return german_list(format_count(int(line)) for line in sorted(lines))


def lines_phrase(lines: Iterable[int]) -> str:
    """`[17]` → `Zeile 17`; `[3, 17]` → `Zeilen 3 und 17`."""
    lines = list(lines)
    return ("Zeile " if len(lines) == 1 else "Zeilen ") + line_list(lines)


def package_fields(quarter: Quarter) -> dict[str, str]:
    """The package facts every template may use."""
    return {
        "quartal": str(quarter),
        "quartalsbeginn": german_date(quarter.start),
        "quartalsende": german_date(quarter.end),
        "berichtsjahr": str(quarter.year),
    }


def render(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(values)
