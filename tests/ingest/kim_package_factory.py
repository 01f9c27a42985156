"""Small contract-conforming packages in every physical variant, written the way municipal exports write them.

`sample_rows()` is the logical content (canonical notation: ISO dates, `.` decimals); a `CsvStyle` renders it
in one physical variant (encoding, delimiter, line endings, quoting, German dates and numbers, header
spelling); the `write_*` functions put a package into a landing zone as a folder, a zip or a folder with a
workbook, with a manifest whose checksums match. `DataDirs` is a test's KIM data directory with shortcuts to
archive and parse its packages.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import openpyxl

from pipelines.contract.schema import CONTRACT_FILES
from pipelines.ingest.archive import archive_package
from pipelines.ingest.packages import PackageRef, packages_for_partition
from pipelines.ingest.parse import ParsedPackage, parse_package

AGS = "05111"
QUARTER = "2025-Q3"
CREATED = "2025-10-20T09:12:00+02:00"
SECRET = b"0123456789abcdef0123456789abcdef"

# Pseudonyms as the municipality's system delivers them: tests assert none of them is ever written.
DELIVERED_PSEUDONYMS = ("KF-2024-0001", "KF-2024-0002", "KF-2025-0003", "KP-77-A", "KP-78-B")


# Contract column order; `sample_rows()` turns each tuple into a fresh dict.
# fmt: off
_SAMPLE: dict[str, list[tuple[str, ...]]] = {
    "faelle": [
        ("KF-2024-0001", "KP-77-A", "KOMMUNE", "05111000", "2024-02-03", "2024-02-10", "", "", "1988", "W",
         "SYR", "2023-05", "AE_HUMANITAER", "SGB2", "SPRACHE|ARBEIT"),
        ("KF-2024-0002", "KP-78-B", "FREIER_TRAEGER", "", "2024-06-01", "2024-06-15", "2025-08-31",
         "ZIEL_ERREICHT", "1999", "M", "UKR", "", "AE_SONSTIGE", "SGB2", "ARBEIT"),
        ("KF-2025-0003", "KP-77-A", "KOMMUNE", "05111000", "2025-01-07", "2025-01-20", "", "", "2001", "D",
         "AFG", "2022-11", "GESTATTUNG", "ASYLBLG", "SPRACHE|WOHNEN|GESUNDHEIT"),
    ],
    "ereignisse": [
        ("KF-2024-0001", "2025-07-14", "SPRACHKURS_BEGINN", "", "", "", "", ""),
        ("KF-2024-0002", "2025-08-01", "RECHTSKREISWECHSEL", "SGB2", "SGB3", "2025-07-31", "2025-08-01", ""),
        ("KF-2025-0003", "2025-09-02", "UEBERGABE", "", "", "", "", "JOBCENTER"),
    ],
    "personal": [
        ("S-1", "1", "KOORDINATION", "KOMMUNE", "1", "0.75", "2021-04-01"),
        ("S-2", "2", "CASE_MANAGEMENT", "FREIER_TRAEGER", "0.5", "0", ""),
    ],
    "finanzen": [
        ("2025", "1", "1234567.89", "250000.5", "240123.45"),
        ("2025", "2", "98000", "45000", "44999.99"),
    ],
    "strukturthemen": [
        ("T-1", "Wartezeiten bei der Ausländerbehörde; Terminvergabe, „online“", "AUFENTHALT",
         "KIM_CASE_MANAGEMENT", "4", "2024-03-12", "2024-05-02", "HOCH", "", "", "", "PRIORISIERT"),
        ("T-2", 'Übergänge Schule – Ausbildung ("Lücke" nach Klasse 10)', "AUSBILDUNG", "ANDERE_BERATUNG",
         "2", "2025-02-01", "", "", "", "", "", "IDENTIFIZIERT"),
    ],
    "lenkungsgruppe": [
        ("2025-09-18", "KOMMUNE|JOBCENTER|AUSLAENDERBEHOERDE", "3"),
    ],
    "aufenthalt": [
        ("P25B", "12", "7", "1", "30", "94"),
        ("EINBUERGERUNG", "1250", "1010", "12", "2400", ""),
    ],
}
# fmt: on


def sample_rows() -> dict[str, list[dict[str, str]]]:
    """A few valid rows of every contract file, touching umlauts, delimiters, quotes and big numbers."""
    return {
        name: [dict(zip(CONTRACT_FILES[name].column_names, row, strict=True)) for row in rows]
        for name, rows in _SAMPLE.items()
    }


@dataclass
class CsvStyle:
    """One physical CSV variant."""

    encoding: str = "utf-8"  # utf-8, utf-8-sig, cp1252
    delimiter: str = ";"
    line_ending: str = "\n"
    quote_all: bool = False
    german_dates: bool = False  # 03.02.2024
    german_numbers: bool = False  # 1.234.567,89
    header: Callable[[str], str] = field(default=lambda name: name)


PLAIN = CsvStyle()


def german_date(text: str) -> str:
    year, month, day = text.split("-")
    return f"{day}.{month}.{year}"


def german_number(text: str) -> str:
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return grouped + ("," + fraction if fraction else "")


def render_value(value: str, kind: str, style: CsvStyle) -> str:
    if value and kind == "date" and style.german_dates:
        return german_date(value)
    if value and kind == "month" and style.german_dates:
        year, month = value.split("-")
        return f"{month}.{year}"
    if value and kind == "decimal" and style.german_numbers:
        return german_number(value)
    return value


def render_csv(name: str, rows: list[dict[str, str]], style: CsvStyle = PLAIN) -> bytes:
    """A contract file in the given style (columns in contract order)."""
    file = CONTRACT_FILES[name]
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=style.delimiter,
        lineterminator=style.line_ending,
        quoting=csv.QUOTE_ALL if style.quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow([style.header(column) for column in file.column_names])
    for row in rows:
        writer.writerow([render_value(row.get(c.name, ""), c.kind, style) for c in file.columns])
    return buffer.getvalue().encode(style.encoding)


def csv_files(rows: dict[str, list[dict[str, str]]], style: CsvStyle = PLAIN) -> dict[str, bytes]:
    return {f"{name}.csv": render_csv(name, table, style) for name, table in rows.items()}


def manifest_bytes(
    files: dict[str, bytes], ags: str = AGS, quarter: str = QUARTER, created: str = CREATED, **overrides
) -> bytes:
    """A manifest listing `files` with their sha256; `overrides` replace (or, with None, remove) fields."""
    document = {
        "ags": ags,
        "berichtsquartal": quarter,
        "datensatz_version": "1.0",
        "erstellt_am": created,
        "quellsystem": "Fachverfahren XY 4.2",
        "kontakt": "ki@example.org",
        "dateien": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    for key, value in overrides.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def with_manifest(files: dict[str, bytes], **manifest_fields) -> dict[str, bytes]:
    return {"manifest.json": manifest_bytes(files, **manifest_fields), **files}


def write_folder(landing: Path, files: dict[str, bytes], ags: str = AGS, quarter: str = QUARTER) -> Path:
    folder = landing / ags / quarter
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def write_zip(landing: Path, files: dict[str, bytes], ags: str = AGS, quarter: str = QUARTER) -> Path:
    path = landing / ags / f"{quarter}.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def workbook_bytes(rows: dict[str, list[dict[str, str]]], native_cells: bool = True) -> bytes:
    """One sheet per contract file; with `native_cells`, dates are date cells and numbers numeric cells."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, table in rows.items():
        sheet = book.create_sheet(name)
        file = CONTRACT_FILES[name]
        sheet.append(list(file.column_names))
        for row in table:
            sheet.append([_cell(row.get(c.name, ""), c.kind, native_cells) for c in file.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: str, kind: str, native: bool) -> object:
    if not value:
        return None
    if native and kind == "date":
        return date.fromisoformat(value)
    if native and kind == "month":
        return date.fromisoformat(value + "-01")
    if native and kind == "int":
        return int(value)
    if native and kind == "decimal":
        return float(value)
    return value


def workbook_files(rows: dict[str, list[dict[str, str]]], native_cells: bool = True) -> dict[str, bytes]:
    return {"kim_2025_q3.xlsx": workbook_bytes(rows, native_cells)}


@dataclass
class DataDirs:
    """A test's landing zone, archive, staging cache and build database."""

    landing: Path
    archive: Path
    staging: Path
    database: Path

    @classmethod
    def under(cls, root: Path) -> DataDirs:
        return cls(root / "landing", root / "archive", root / "staging", root / "build.duckdb")

    def only_package(self, ags: str = AGS, quarter: str = QUARTER) -> PackageRef:
        refs = packages_for_partition(self.landing, ags, quarter)
        assert len(refs) == 1, refs
        return refs[0]

    def parse(self, ref: PackageRef) -> ParsedPackage:
        return parse_package(archive_package(ref, self.archive), ref, SECRET, self.staging)

    def parse_only_package(self, ags: str = AGS, quarter: str = QUARTER) -> ParsedPackage:
        return self.parse(self.only_package(ags, quarter))

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.database))
