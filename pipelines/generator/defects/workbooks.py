"""XLSX workbooks of the defect corpus: a clean workbook read as text, edited text written back as cells.

Reading turns each cell into the text the unit's CSV export writes for it (dates and decimals in the unit's
notation), so workbook and CSV packages are edited alike. Writing types each cell by its contract column, as
office software does (dates as Excel dates, numbers as numbers); a value that is not of the column's type —
which is what a defect may put there — stays a text cell. Workbooks are repacked with fixed timestamps, as the
generator's own are, so the same corpus always has the same bytes.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.xml.functions import tostring

from pipelines.contract.schema import CONTRACT_FILES
from pipelines.generator.defects.text_tables import TextTable, UnitNotation
from pipelines.generator.formats import CsvFormat
from pipelines.generator.rendering import WORKBOOK_CORE_PROPERTIES, repack_zip

FIRST_DATA_ROW = 2  # sheet row of the first data row: the header is row 1


def read_workbook_tables(data: bytes, fmt: CsvFormat) -> dict[str, TextTable]:
    """The contract sheets of a generated workbook as text tables, in sheet order."""
    notation = UnitNotation.of(fmt)
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    tables = {}
    try:
        for sheet in book.worksheets:
            file = CONTRACT_FILES[sheet.title]
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            header = [str(value) for value in rows[0]]
            table = TextTable(file=file, header=header, rows=[])
            kinds = [table.contract_column(index).kind for index in range(len(header))]
            for row in rows[1:]:
                cells = list(row) + [None] * (len(header) - len(row))
                table.rows.append(
                    [_cell_text(cell, kind, notation) for cell, kind in zip(cells, kinds, strict=True)]
                )
            tables[file.name] = table
    finally:
        book.close()
    return tables


def _cell_text(value: object, kind: str, notation: UnitNotation) -> str:
    if value is None:
        return ""
    if kind == "date" and isinstance(value, datetime | date):
        return notation.date_text(value.date() if isinstance(value, datetime) else value)
    if kind == "decimal" and isinstance(value, int | float):
        return notation.decimal_text(float(value))
    return str(value)


def write_workbook(
    tables: list[TextTable],
    fmt: CsvFormat,
    created: datetime,
    extra_sheets: dict[str, list[list[str]]] | None = None,
) -> bytes:
    """One sheet per table, named like the file without `.csv`, then any extra (non-contract) sheets."""
    notation = UnitNotation.of(fmt)
    workbook = Workbook(write_only=True)
    fixed = created.astimezone(UTC).replace(tzinfo=None, microsecond=0)  # core properties are kept in UTC
    workbook.properties.creator = "KIM-Export"
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    for table in tables:
        sheet = workbook.create_sheet(table.file.name)
        sheet.append(table.header)
        kinds = [
            column.kind if (column := table.contract_column(index)) else "text"
            for index in range(len(table.header))
        ]
        for row in table.rows:
            sheet.append([_cell_value(text, kind, notation) for text, kind in zip(row, kinds, strict=True)])
    for title, rows in (extra_sheets or {}).items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    workbook.properties.modified = fixed  # save() stamps the current time; the repacked file uses this one
    return repack_zip(
        buffer.getvalue(), created, {WORKBOOK_CORE_PROPERTIES: tostring(workbook.properties.to_tree())}
    )


def _cell_value(text: str, kind: str, notation: UnitNotation) -> object:
    if text == "":
        return None
    try:
        if kind == "date":
            return notation.date(text)
        if kind == "int":
            return int(text)
        if kind == "decimal":
            return notation.decimal(text)
    except ValueError:
        return text  # not of the column's type: written as the text the defect put there
    return text
