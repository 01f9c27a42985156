"""Publish the build database as two read-only snapshots: `kim.duckdb` and `kim_ministerium.duckdb`.

One writer, many readers: DuckDB lets one process write a file or many read it, never both. So the pipeline
writes `build.duckdb` alone and publishes copies by atomic rename. Readers that still hold an old file keep
reading their (unlinked) inode; new readers open the new snapshot; a crash anywhere before a rename leaves the
last published snapshot untouched.

The two snapshots are the two layers of statistical confidentiality (KPIS.md):
- `kim_ministerium.duckdb` (the ministry): a checkpointed copy of the whole build database, unsuppressed marts
  (`marts.kpi_werte` with every value and its `geheimhaltung` status) beside the published layer
  (`oeffentlich.*`), and the raw, staging and intermediate schemas.
- `kim.duckdb` (KI leads, analysts): only schemas `marts` and `referenz`. Its `marts.kpi_werte` and the other
  statistical marts are the published layer (`oeffentlich.*` of the build, secret cells without values); the
  other marts carry no counts of persons and are copied as they are. No raw, staging or intermediate table,
  so no small number can be counted from rows.
Every mart must be classified below; a new mart that is not stays out of `kim.duckdb` and fails a test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Marts that hold counts of persons: `kim.duckdb` gets their published layer (schema `oeffentlich` of the build)
# under the same name in `marts`.
CONFIDENTIAL_MARTS = ("kpi_werte", "kpi_vergleiche", "kpi_trends", "kpi_trichter")
# Marts without counts of persons, copied into `kim.duckdb` unchanged. `befunde` keeps the raw values of
# quarantined rows: the delivering unit needs them to correct its export.
OPEN_MARTS = (
    "kommunen",
    "gebiete",
    "kpi_katalog",
    "lieferstatus",
    "lieferungen",
    "lieferungen_dateien",
    "befunde",
    "regeln",
    "umsetzungsstand",
    "peergruppen",
    "strukturmerkmale",
)
PUBLIC_SCHEMAS = ("marts", "referenz")

# Tables a snapshot must contain before it may replace the published one.
REQUIRED_TABLES = tuple(f"marts.{name}" for name in CONFIDENTIAL_MARTS + OPEN_MARTS)
REQUIRED_MINISTRY_TABLES = REQUIRED_TABLES + tuple(f"oeffentlich.{name}" for name in CONFIDENTIAL_MARTS)


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


def _verify_snapshot(path: Path, required: tuple[str, ...]) -> tuple[int, int]:
    """Open the candidate read-only and check it is complete; returns (table count, kpi_werte rows)."""
    with duckdb.connect(str(path), read_only=True) as con:
        present = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        missing = [table for table in required if table not in present]
        if missing:
            raise PublishError(
                "Das Warehouse wird nicht veröffentlicht, weil Tabellen fehlen: " + ", ".join(missing)
            )
        kpi_rows = con.execute("select count(*) from marts.kpi_werte").fetchone()[0]
    return len(present), kpi_rows


def _swap_in(
    target: Path, write_candidate: Callable[[Path], None], required: tuple[str, ...]
) -> PublishResult:
    """Write a candidate beside `target`, verify it, make it read-only and rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        write_candidate(candidate)
        _fsync(candidate)
        table_count, kpi_rows = _verify_snapshot(candidate, required)
        os.chmod(candidate, 0o444)
        os.replace(candidate, target)
    finally:
        candidate.unlink(missing_ok=True)
    _fsync(target.parent)
    return PublishResult(target, target.stat().st_size, table_count, kpi_rows)


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> None:
    """The table's and its columns' descriptions (dbt persist_docs) onto its copy `marts.<name>`."""
    (table_comment,) = con.execute(
        "select comment from duckdb_tables() where database_name = 'build' and schema_name = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    if table_comment:
        con.execute(f"COMMENT ON TABLE marts.{name} IS {_sql_literal(table_comment)}")
    columns = con.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = 'build' and schema_name = ? and table_name = ? and comment is not null",
        [schema, name],
    ).fetchall()
    for column, comment in columns:
        con.execute(f'COMMENT ON COLUMN marts.{name}."{column}" IS {_sql_literal(comment)}')


def _write_public_snapshot(build_db: Path, candidate: Path) -> None:
    """`kim.duckdb`: schemas marts (published layer + open marts) and referenz, nothing else."""
    with duckdb.connect(str(candidate), config={"autoinstall_known_extensions": False}) as con:
        con.execute("ATTACH ? AS build (READ_ONLY)", [str(build_db)])
        for schema in PUBLIC_SCHEMAS:
            con.execute(f"CREATE SCHEMA {schema}")
        copies = [("oeffentlich", name) for name in CONFIDENTIAL_MARTS] + [
            ("marts", name) for name in OPEN_MARTS
        ]
        for schema, name in copies:
            con.execute(f"CREATE TABLE marts.{name} AS FROM build.{schema}.{name}")
            _copy_comments(con, schema, name)
        seeds = con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'build' and table_schema = 'referenz' order by table_name"
        ).fetchall()
        for (name,) in seeds:
            con.execute(f'CREATE TABLE referenz."{name}" AS FROM build.referenz."{name}"')
        con.execute("DETACH build")
        con.execute("CHECKPOINT")


def publish_warehouse(build_db: Path, published_db: Path, ministry_db: Path) -> list[PublishResult]:
    """Checkpoint `build_db` and publish the ministry's full copy and the public snapshot from it."""
    if not build_db.exists():
        raise PublishError(
            f"Die Build-Datenbank {build_db} existiert nicht; bitte zuerst `kim build` ausführen."
        )
    # CHECKPOINT folds the write-ahead log into the file, so the copy is complete without the .wal.
    with duckdb.connect(str(build_db)) as con:
        con.execute("CHECKPOINT")
    return [
        _swap_in(
            ministry_db, lambda candidate: shutil.copyfile(build_db, candidate), REQUIRED_MINISTRY_TABLES
        ),
        _swap_in(
            published_db, lambda candidate: _write_public_snapshot(build_db, candidate), REQUIRED_TABLES
        ),
    ]
