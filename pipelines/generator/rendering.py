"""Rendering typed tables into the bytes a unit delivers: a CSV file in its format, or an XLSX workbook.

Dates and months are formatted through lookup tables (one string per possible day), so formatting a column is
an array index instead of a Python call per value. Workbooks are written with typed cells (dates as Excel
dates, numbers as numbers), as real exports from office software are, and repacked with fixed timestamps so
that the same content always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from functools import cache

import numpy as np
from openpyxl import Workbook
from openpyxl.xml.functions import tostring

from pipelines.generator.formats import CsvFormat, DateStyle, DecimalStyle
from pipelines.generator.tables import EMPTY_INT, Table
from pipelines.generator.timeline import EPOCH, NEVER, day_number

FIRST_RENDERABLE_DAY = day_number(date(1990, 1, 1))
LAST_RENDERABLE_DAY = day_number(date(2060, 12, 31))
WORKBOOK_CORE_PROPERTIES = "docProps/core.xml"


@cache
def _day_texts(style: DateStyle) -> np.ndarray:
    days = np.arange(FIRST_RENDERABLE_DAY, LAST_RENDERABLE_DAY + 1)
    pattern = "%Y-%m-%d" if style is DateStyle.ISO else "%d.%m.%Y"
    return np.array([(EPOCH + timedelta(days=int(d))).strftime(pattern) for d in days], dtype=object)


@cache
def _day_dates() -> np.ndarray:
    days = np.arange(FIRST_RENDERABLE_DAY, LAST_RENDERABLE_DAY + 1)
    return np.array([EPOCH + timedelta(days=int(d)) for d in days], dtype=object)


def _lookup_days(days: np.ndarray, table: np.ndarray, empty: object) -> np.ndarray:
    days = np.asarray(days, dtype=np.int64)
    known = days < NEVER
    if np.any(known & ((days < FIRST_RENDERABLE_DAY) | (days > LAST_RENDERABLE_DAY))):
        raise ValueError("date outside the renderable range 1990–2060")
    result = table[np.where(known, days - FIRST_RENDERABLE_DAY, 0)]
    result[~known] = empty
    return result


def _month_texts(months: np.ndarray) -> np.ndarray:
    return np.array([f"{1970 + m // 12}-{m % 12 + 1:02d}" if m < NEVER else "" for m in months], dtype=object)


def format_decimal(value: float, style: DecimalStyle) -> str:
    text = f"{value:,.2f}" if style is DecimalStyle.GERMAN else f"{value:.2f}"
    if style is DecimalStyle.POINT:
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _csv_column(table: Table, name: str, fmt: CsvFormat) -> np.ndarray:
    kind = table.file.column(name).kind
    values = table.columns[name]
    if kind == "date":
        return _lookup_days(values, _day_texts(fmt.date_style), "")
    if kind == "month":
        return _month_texts(values)
    if kind == "int":
        return np.where(values == EMPTY_INT, "", values.astype(str)).astype(object)
    if kind == "decimal":
        return np.array([format_decimal(v, fmt.decimal_style) for v in values], dtype=object)
    return values


def render_csv(table: Table, fmt: CsvFormat) -> bytes:
    """The file as the unit's export writes it: header row, then one line per row, quoted where needed."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=fmt.delimiter, lineterminator=fmt.line_ending, quoting=csv.QUOTE_MINIMAL
    )
    writer.writerow([fmt.header(name) for name in table.file.column_names])
    if table.n_rows:
        writer.writerows(
            zip(*(_csv_column(table, name, fmt) for name in table.file.column_names), strict=True)
        )
    return buffer.getvalue().encode(fmt.encoding)


def _cell_column(table: Table, name: str) -> np.ndarray:
    kind = table.file.column(name).kind
    values = table.columns[name]
    if kind == "date":
        return _lookup_days(values, _day_dates(), None)
    if kind == "month":
        return np.where(values < NEVER, _month_texts(values), None)
    if kind == "int":
        return np.array([None if v == EMPTY_INT else int(v) for v in values], dtype=object)
    if kind == "decimal":
        return np.array([float(v) for v in values], dtype=object)
    return np.where(values == "", None, values)


def render_workbook(tables: list[Table], fmt: CsvFormat, created: datetime) -> bytes:
    """One sheet per file, named like the file without `.csv`, with the unit's header texts."""
    workbook = Workbook(write_only=True)
    fixed = created.astimezone(UTC).replace(tzinfo=None, microsecond=0)  # core properties are kept in UTC
    workbook.properties.creator = "KIM-Export"
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    for table in tables:
        sheet = workbook.create_sheet(table.file.name)
        sheet.append([fmt.header(name) for name in table.file.column_names])
        if table.n_rows:
            for row in zip(*(_cell_column(table, name) for name in table.file.column_names), strict=True):
                sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    workbook.properties.modified = fixed  # save() stamps the current time; the repacked file uses this one
    return repack_zip(
        buffer.getvalue(), created, {WORKBOOK_CORE_PROPERTIES: tostring(workbook.properties.to_tree())}
    )


def deterministic_zip(entries: list[tuple[str, bytes]], moment: datetime) -> bytes:
    """A zip whose bytes depend only on the entries and the given moment (fixed metadata, no wall clock)."""
    buffer = io.BytesIO()
    stamp = moment.replace(tzinfo=None).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def repack_zip(data: bytes, moment: datetime, replacements: dict[str, bytes]) -> bytes:
    """Rewrite a zip (an XLSX) entry by entry with fixed timestamps, replacing some entries' content."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [
            (info.filename, replacements.get(info.filename, source.read(info))) for info in source.infolist()
        ]
    return deterministic_zip(entries, moment)
