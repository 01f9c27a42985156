"""A tolerant, independent reader of landing-zone packages for the defect-corpus tests.

Unlike `package_reader` it must read broken packages too: each CSV line is parsed on its own (an unterminated
quote then spoils one line, not the rest of the file), undecodable bytes become replacement characters, and
values that are not of their column's type stay text. Cells are compared in a canonical notation (ISO dates,
two-decimal numbers), so a CSV file and a workbook sheet with the same content compare equal. It shares no
code with the generator.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl

from pipelines.contract.schema import CONTRACT_FILES

MANIFEST = "manifest.json"
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.replace("\ufeff", "").strip().lower().translate(_UMLAUTS)).strip(
        "_"
    )


def members(path: Path) -> dict[str, bytes]:
    """Every file of a package (zip or folder) by its path inside the package."""
    if path.is_file():
        with zipfile.ZipFile(path) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}
    return {
        child.relative_to(path).as_posix(): child.read_bytes()
        for child in sorted(path.rglob("*"))
        if child.is_file()
    }


@dataclass
class Sheet:
    """One contract file: normalised column names and canonical rows keyed by line (or sheet row)."""

    columns: list[str]
    rows: dict[int, dict[str, str]]


def _canonical(value: object, kind: str, formats: dict) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return (
            f"{float(value):.2f}"
            if kind == "decimal"
            else (str(int(value)) if float(value).is_integer() else repr(value))
        )
    text = str(value).strip()
    try:
        if kind == "date" and text:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return date.fromisoformat(text).isoformat()
            if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", text):
                return datetime.strptime(text, "%d.%m.%Y").date().isoformat()
        if kind == "decimal" and text:
            plain = text if formats["dezimalformat"] == "PUNKT" else text.replace(".", "").replace(",", ".")
            return f"{float(plain):.2f}"
        if kind == "int" and re.fullmatch(r"-?\d+", text):
            return str(int(text))
    except ValueError:
        pass
    return text


def _kinds(file_name: str, columns: list[str]) -> list[str]:
    contract = CONTRACT_FILES[file_name]
    known = {column.name: column.kind for column in contract.columns}
    return [known.get(column, "text") for column in columns]


def csv_sheet(data: bytes, file_name: str, encoding: str, delimiter: str, formats: dict) -> Sheet:
    text = data.decode(encoding, errors="replace")
    lines = text.replace("\r\n", "\n").split("\n")
    header = next(csv.reader([lines[0]], delimiter=delimiter))
    columns = [normalise(value) for value in header]
    kinds = _kinds(file_name, columns)
    rows = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = next(csv.reader([line], delimiter=delimiter))
        fields += [""] * (len(columns) - len(fields))
        cells = fields[: len(columns)]
        row = {
            column: _canonical(value, kind, formats)
            for column, value, kind in zip(columns, cells, kinds, strict=True)
        }
        if len(fields) > len(columns):
            row["_ueberzaehlig"] = delimiter.join(fields[len(columns) :])
        rows[number] = row
    return Sheet(columns, rows)


def workbook_sheets(data: bytes, formats: dict) -> dict[str, Sheet]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets = {}
    for worksheet in book.worksheets:
        values = list(worksheet.iter_rows(values_only=True))
        if worksheet.title not in CONTRACT_FILES:
            sheets[worksheet.title] = Sheet([str(value) for value in values[0] if value is not None], {})
            continue
        columns = [normalise(str(value)) for value in values[0]]
        kinds = _kinds(worksheet.title, columns)
        rows = {}
        for number, row in enumerate(values[1:], start=2):
            cells = (list(row) + [None] * len(columns))[: len(columns)]
            rows[number] = {
                column: _canonical(value, kind, formats)
                for column, value, kind in zip(columns, cells, kinds, strict=True)
            }
        sheets[worksheet.title] = Sheet(columns, rows)
    book.close()
    return sheets


def contract_sheets(
    files: dict[str, bytes], formats: dict, encodings: dict[str, str] | None = None
) -> dict[str, Sheet]:
    """The contract files of a package (top level only) as sheets, by contract name (`faelle`)."""
    encodings = encodings or {}
    workbooks = [name for name in files if name.endswith(".xlsx") and "/" not in name]
    if workbooks:
        return {
            name: sheet
            for name, sheet in workbook_sheets(files[workbooks[0]], formats).items()
            if name in CONTRACT_FILES
        }
    sheets = {}
    for name, data in files.items():
        stem = name.removesuffix(".csv")
        if "/" in name or not name.endswith(".csv") or stem not in CONTRACT_FILES or not data:
            continue
        encoding = encodings.get(name, formats["zeichenkodierung"])
        sheets[stem] = csv_sheet(data, stem, encoding, formats["trennzeichen"], formats)
    return sheets
