"""Writing one delivery package into the landing zone, in any of the three shapes of the contract.

The manifest lists the sha256 of every other file; the files' modification time is set to the simulated
arrival, because the pipeline reads the landing mtime as the moment the package was received.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines.calendar import Quarter
from pipelines.contract.schema import CONTRACT_VERSION, MANIFEST_FILENAME
from pipelines.generator.formats import CsvFormat, Shape
from pipelines.generator.rendering import deterministic_zip, render_csv, render_workbook
from pipelines.generator.tables import Table


@dataclass(frozen=True)
class PackageSender:
    """Who sends a package and how it is stamped."""

    ags: str
    source_system: str
    contact: str


@dataclass(frozen=True)
class WrittenPackage:
    path: str  # relative to the landing zone, with forward slashes
    ags: str
    quarter: Quarter
    shape: Shape
    created: datetime
    arrival: datetime
    is_correction: bool
    is_superseded: bool
    rows: dict[str, int]  # data rows per contract file name


def manifest_bytes(
    sender: PackageSender, quarter: Quarter, created: datetime, files: dict[str, bytes]
) -> bytes:
    manifest = {
        "ags": sender.ags,
        "berichtsquartal": str(quarter),
        "datensatz_version": CONTRACT_VERSION,
        "erstellt_am": created.isoformat(timespec="seconds"),
        "quellsystem": sender.source_system,
        "kontakt": sender.contact,
        "dateien": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def workbook_name(ags: str, quarter: Quarter) -> str:
    return f"kim_export_{ags}_{quarter}.xlsx"


def _stamp(path: Path, moment: datetime) -> None:
    timestamp = moment.timestamp()
    os.utime(path, (timestamp, timestamp))


def write_package(
    landing: Path,
    sender: PackageSender,
    quarter: Quarter,
    tables: list[Table],
    shape: Shape,
    csv_format: CsvFormat,
    created: datetime,
    arrival: datetime,
) -> Path:
    """Write the package and return its path (folder or zip); its files carry the arrival as mtime."""
    if shape is Shape.FOLDER_XLSX:
        files = {workbook_name(sender.ags, quarter): render_workbook(tables, csv_format, created)}
    else:
        files = {table.file.filename: render_csv(table, csv_format) for table in tables}
    manifest = manifest_bytes(sender, quarter, created, files)
    unit_dir = landing / sender.ags
    unit_dir.mkdir(parents=True, exist_ok=True)

    if shape is Shape.ZIP_CSV:
        path = unit_dir / f"{quarter}.zip"
        path.write_bytes(deterministic_zip([(MANIFEST_FILENAME, manifest), *files.items()], created))
        _stamp(path, arrival)
        return path

    path = unit_dir / str(quarter)
    path.mkdir()
    for name, data in [(MANIFEST_FILENAME, manifest), *files.items()]:
        (path / name).write_bytes(data)
        _stamp(path / name, arrival)
    _stamp(path, arrival)
    return path
