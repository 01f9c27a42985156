"""Writing a defect package next to its partition's clean package: files, manifest, shape and arrival time.

The manifest is built like the generator's own (same fields, same JSON layout) with the checksums of the files
as written, unless the defect is in the manifest itself. A package's files carry its simulated arrival as
modification time, because the pipeline reads it as the moment the package was received.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines.contract.schema import CONTRACT_FILES, MANIFEST_FILENAME
from pipelines.generator.defects.model import CleanPackage, Draft
from pipelines.generator.defects.text_tables import render_csv_table
from pipelines.generator.defects.workbooks import FIRST_DATA_ROW, write_workbook
from pipelines.generator.formats import Shape
from pipelines.generator.packaging import workbook_name
from pipelines.generator.rendering import deterministic_zip


@dataclass(frozen=True)
class RenderedPackage:
    """A defect package's members in order (manifest first) and where each contract file's rows are."""

    members: list[tuple[str, bytes]]
    lines: dict[str, list[int]]  # contract name → line (CSV) or sheet row (XLSX) of every row
    workbook: str | None  # the workbook's name in an XLSX package


@dataclass(frozen=True)
class WrittenDefect:
    path: str  # relative to the landing zone, forward slashes
    paket_id: str
    rendered: RenderedPackage


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def paket_id_of(shape: Shape, members: list[tuple[str, bytes]], zip_bytes: bytes | None = None) -> str:
    """The package's content id (docs/architecture.md): a zip's sha256, or the folder's file listing's."""
    if shape is Shape.ZIP_CSV:
        return _sha256(zip_bytes)
    listing = "".join(f"{name}\t{_sha256(data)}\n" for name, data in sorted(members))
    return _sha256(listing.encode())


def manifest_document(fields: dict, created: datetime, listed: dict[str, bytes]) -> bytes:
    """The manifest as the generator writes it, with the given fields and the checksums of `listed`."""
    document = {
        **fields,
        "erstellt_am": created.isoformat(timespec="seconds"),
        "dateien": {name: _sha256(data) for name, data in sorted(listed.items())},
    }
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def render_package(clean: CleanPackage, draft: Draft, created: datetime) -> RenderedPackage:
    """The defect package's files in the shape of the draft."""
    fmt = clean.unit_format.csv
    if draft.copy_of_clean:
        lines = {name: render_csv_table(table, fmt)[1] for name, table in draft.tables.items()}
        members = sorted(clean.members.items(), key=lambda item: item[0] != MANIFEST_FILENAME)
        return RenderedPackage(members=members, lines=lines, workbook=None)

    files: dict[str, bytes] = {}  # as delivered
    listed: dict[str, bytes] = {}  # what the manifest's checksums are computed over
    lines: dict[str, list[int]] = {}
    workbook = None
    if draft.shape is Shape.FOLDER_XLSX:
        tables = list(draft.tables.values())
        workbook = workbook_name(clean.unit.ags, clean.quarter)
        files[workbook] = write_workbook(tables, fmt, created, draft.extra_sheets)
        listed[workbook] = files[workbook]
        lines = {table.file.name: [FIRST_DATA_ROW + i for i in range(table.n_rows)] for table in tables}
    else:
        for name, table in draft.tables.items():
            data, lines[name] = render_csv_table(table, fmt, draft.encodings.get(name))
            data = draft.replaced_files.get(name, data)
            member = draft.member_name(name)
            if name in draft.stale_checksums:
                listed[member] = render_csv_table(clean.tables[name], fmt)[0]
            else:
                listed[member] = data
            if name not in draft.listed_but_absent:
                files[member] = data

    members: list[tuple[str, bytes]] = []
    if not draft.without_manifest:
        fields = {
            key: value for key, value in draft.manifest.items() if key not in ("erstellt_am", "dateien")
        }
        manifest = manifest_document(fields, created, listed)
        if draft.manifest_edit is not None:
            manifest = draft.manifest_edit(manifest)
        members.append((MANIFEST_FILENAME, manifest))
    order = {CONTRACT_FILES[name].filename: index for index, name in enumerate(CONTRACT_FILES)}
    members += sorted(files.items(), key=lambda item: order.get(Path(item[0]).name, len(order)))
    members += sorted(draft.extra_members.items())
    return RenderedPackage(members=members, lines=lines, workbook=workbook)


def package_path(clean: CleanPackage, shape: Shape) -> Path:
    unit_dir = clean.landing / clean.unit.ags
    return unit_dir / (f"{clean.quarter}.zip" if shape is Shape.ZIP_CSV else str(clean.quarter))


def zip_bytes(rendered: RenderedPackage, created: datetime) -> bytes:
    return deterministic_zip(rendered.members, created)


def write_defect_package(
    clean: CleanPackage, draft: Draft, created: datetime, arrival: datetime
) -> WrittenDefect:
    """Write the package into the partition's free place (the clean package's other shape)."""
    rendered = render_package(clean, draft, created)
    path = package_path(clean, draft.shape)
    if path.exists():
        raise FileExistsError(f"{path} exists: a partition gets one defect package at most")
    if draft.shape is Shape.ZIP_CSV:
        data = zip_bytes(rendered, created)
        path.write_bytes(data)
        _stamp(path, arrival)
        paket_id = paket_id_of(draft.shape, rendered.members, data)
    else:
        path.mkdir()
        for name, data in rendered.members:
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(data)
            _stamp(path / name, arrival)
        _stamp(path, arrival)
        paket_id = paket_id_of(draft.shape, rendered.members)
    return WrittenDefect(
        path=path.relative_to(clean.landing).as_posix(), paket_id=paket_id, rendered=rendered
    )


def _stamp(path: Path, moment: datetime) -> None:
    os.utime(path, (moment.timestamp(), moment.timestamp()))
