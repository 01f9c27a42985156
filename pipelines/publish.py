"""Publish the build database as the read-only snapshot `kim.duckdb`.

One writer, many readers: DuckDB lets one process write a file or many read it, never both. So the pipeline
writes `build.duckdb` alone and publishes a checkpointed copy by atomic rename. Readers that still hold the old
file keep reading their (unlinked) inode; new readers open the new snapshot; a crash anywhere before the rename
leaves the last published snapshot untouched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Tables a snapshot must contain before it may replace the published one.
REQUIRED_TABLES = (
    "marts.kommunen",
    "marts.kpi_katalog",
    "marts.kpi_werte",
    "marts.lieferstatus",
    "marts.lieferungen",
    "marts.lieferungen_dateien",
    "marts.befunde",
    "marts.regeln",
)


class PublishError(RuntimeError):
    """The build database cannot be published; the last published snapshot stays as it was."""


@dataclass(frozen=True)
class PublishResult:
    path: Path
    size_bytes: int
    table_count: int
    kpi_rows: int

    def summary_german(self) -> str:
        return (
            f"Veröffentlicht: {self.path} ({self.size_bytes / 1e6:.1f} MB, {self.table_count} Tabellen, "
            f"{self.kpi_rows:,} KPI-Werte)".replace(",", ".")
        )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _verify_snapshot(path: Path) -> tuple[int, int]:
    """Open the candidate read-only and check it is complete; returns (table count, kpi_werte rows)."""
    with duckdb.connect(str(path), read_only=True) as con:
        present = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        missing = [table for table in REQUIRED_TABLES if table not in present]
        if missing:
            raise PublishError(
                "Das Warehouse wird nicht veröffentlicht, weil Tabellen fehlen: " + ", ".join(missing)
            )
        kpi_rows = con.execute("select count(*) from marts.kpi_werte").fetchone()[0]
    return len(present), kpi_rows


def publish_warehouse(build_db: Path, published_db: Path) -> PublishResult:
    """Checkpoint `build_db`, copy it beside `published_db`, verify the copy and rename it into place."""
    if not build_db.exists():
        raise PublishError(
            f"Die Build-Datenbank {build_db} existiert nicht; bitte zuerst `kim build` ausführen."
        )
    # CHECKPOINT folds the write-ahead log into the file, so the copy is complete without the .wal.
    with duckdb.connect(str(build_db)) as con:
        con.execute("CHECKPOINT")
    published_db.parent.mkdir(parents=True, exist_ok=True)
    candidate = published_db.with_name(f".{published_db.name}.{uuid.uuid4().hex}.tmp")
    try:
        shutil.copyfile(build_db, candidate)
        _fsync(candidate)
        table_count, kpi_rows = _verify_snapshot(candidate)
        os.chmod(candidate, 0o444)
        os.replace(candidate, published_db)
    finally:
        candidate.unlink(missing_ok=True)
    _fsync(published_db.parent)
    return PublishResult(published_db, published_db.stat().st_size, table_count, kpi_rows)
