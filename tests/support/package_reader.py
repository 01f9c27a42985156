"""An independent reader of generated landing zones, for the generator and KPI cross-check tests.

It reads packages the way a municipality's files would be checked by hand: the encoding, delimiter and
date/decimal styles each unit declares in `ground_truth.json`, the csv module and openpyxl, and the contract's
header rule. It deliberately shares no code with the generator, so a generator bug cannot hide in it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl

from pipelines.calendar import Quarter
from pipelines.contract.schema import CONTRACT_FILES

MANIFEST = "manifest.json"
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.replace("\ufeff", "").strip().lower().translate(_UMLAUTS)).strip(
        "_"
    )


@dataclass
class Package:
    path: Path
    relative: str
    ags: str
    quarter: Quarter
    shape: str
    manifest: dict
    raw_files: dict[str, bytes]  # every file except the manifest, as delivered
    headers: dict[str, list[str]] = field(default_factory=dict)  # contract file → header texts as delivered
    tables: dict[str, list[dict[str, object]]] = field(default_factory=dict)  # contract file → typed rows

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.manifest["erstellt_am"])


class FormatViolation(AssertionError):
    """A value that does not follow the unit's declared format."""


def _parse_date(text: str, style: str) -> date:
    pattern = r"\d{4}-\d{2}-\d{2}" if style == "ISO" else r"\d{2}\.\d{2}\.\d{4}"
    if not re.fullmatch(pattern, text):
        raise FormatViolation(f"date {text!r} is not in style {style}")
    if style == "ISO":
        return date.fromisoformat(text)
    day, month, year = text.split(".")
    return date(int(year), int(month), int(day))


def _parse_decimal(text: str, style: str) -> float:
    patterns = {"PUNKT": r"-?\d+(\.\d+)?", "KOMMA": r"-?\d+(,\d+)?", "DEUTSCH": r"-?\d{1,3}(\.\d{3})*(,\d+)?"}
    if not re.fullmatch(patterns[style], text):
        raise FormatViolation(f"decimal {text!r} is not in style {style}")
    if style == "PUNKT":
        return float(text)
    return float(text.replace(".", "").replace(",", "."))


def _typed(kind: str, text: str, formats: dict) -> object:
    if text == "":
        return None
    if kind == "date":
        return _parse_date(text, formats["datumsformat"])
    if kind == "month":
        if not re.fullmatch(r"\d{4}-\d{2}", text):
            raise FormatViolation(f"month {text!r} is not YYYY-MM")
        return (int(text[:4]), int(text[5:]))
    if kind == "int":
        if not re.fullmatch(r"\d+", text):
            raise FormatViolation(f"int {text!r}")
        return int(text)
    if kind == "decimal":
        return _parse_decimal(text, formats["dezimalformat"])
    return text


def _typed_cell(kind: str, value: object) -> object:
    if value is None or value == "":
        return None
    if kind == "date":
        if not isinstance(value, datetime):
            raise FormatViolation(f"date cell {value!r} is not an Excel date")
        return value.date()
    if kind == "month":
        return (int(value[:4]), int(value[5:]))
    if kind == "int":
        if not isinstance(value, int):
            raise FormatViolation(f"int cell {value!r}")
        return value
    if kind == "decimal":
        return float(value)
    return str(value)


def _read_csv(data: bytes, formats: dict) -> list[list[str]]:
    encoding = formats["zeichenkodierung"]
    if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
        raise FormatViolation("declared UTF-8 with BOM, but the file has no BOM")
    if encoding == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
        raise FormatViolation("declared UTF-8 without BOM, but the file has one")
    text = data.decode(encoding)
    line_ending = "\r\n" if formats["zeilenende"] == "CRLF" else "\n"
    if line_ending == "\n" and "\r" in text or line_ending == "\r\n" and text.replace("\r\n", "").count("\n"):
        raise FormatViolation("line endings differ from the declared ones")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=formats["trennzeichen"]))


def _tables_from_rows(package: Package, name: str, rows: list[list[object]], parse) -> None:
    contract = CONTRACT_FILES[name]
    header = [str(h) for h in rows[0]]
    package.headers[name] = header
    columns = [normalise(h) for h in header]
    kinds = {column.name: column.kind for column in contract.columns}
    typed_rows = []
    for row in rows[1:]:
        row = list(row) + [None] * (len(columns) - len(row))
        typed_rows.append(
            {
                column: parse(kinds.get(column, "text"), value)
                for column, value in zip(columns, row, strict=True)
            }
        )
    package.tables[name] = typed_rows


def read_package(path: Path, landing: Path, formats: dict) -> Package:
    relative = path.relative_to(landing).as_posix()
    ags = path.parent.name
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            raw = {info.filename: archive.read(info) for info in archive.infolist()}
        shape = "ZIP_CSV"
        quarter = Quarter.parse(path.stem)
    else:
        raw = {child.name: child.read_bytes() for child in sorted(path.iterdir())}
        shape = "ORDNER_XLSX" if any(name.endswith(".xlsx") for name in raw) else "ORDNER_CSV"
        quarter = Quarter.parse(path.name)
    manifest = json.loads(raw.pop(MANIFEST).decode("utf-8"))
    package = Package(path, relative, ags, quarter, shape, manifest, raw)
    if shape == "ORDNER_XLSX":
        (workbook_name,) = raw
        workbook = openpyxl.load_workbook(io.BytesIO(raw[workbook_name]), read_only=True)
        for sheet in workbook.worksheets:
            _tables_from_rows(package, sheet.title, list(sheet.iter_rows(values_only=True)), _typed_cell)
    else:
        for name, data in raw.items():
            _tables_from_rows(
                package,
                name.removesuffix(".csv"),
                _read_csv(data, formats),
                lambda kind, text: _typed(kind, text, formats),
            )
    return package


def package_paths(landing: Path) -> list[Path]:
    """Every package in a landing zone: `<ags>/<quarter>/` folders and `<ags>/<quarter>.zip` files."""
    return sorted(path for unit in landing.iterdir() if unit.is_dir() for path in unit.iterdir())


def read_landing(landing: Path, truth: dict) -> list[Package]:
    units = truth["kommunen"]
    return [
        read_package(path, landing, units[path.parent.name]["formate"]) for path in package_paths(landing)
    ]
