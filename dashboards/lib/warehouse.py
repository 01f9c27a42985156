"""Read-only access to the published warehouse snapshot of the process's role (`$KIM_WAREHOUSE_DIR/kim.duckdb`,
or `kim_ministerium.duckdb` for `KIM_ROLLE=ministerium`, see `roles`).

The pipeline publishes a new snapshot by atomic rename. The dashboards therefore never hold a connection: each
query opens the file read-only, reads, and closes, so no reader ever blocks a publish. Results are cached per
SQL text, parameters and file identity (inode, modification time): a new snapshot has a new identity, so the
next page run reads it without any restart, while repeated runs on the same snapshot cost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboards.lib import roles
from pipelines.config import get_settings

MARTS_SCHEMA = "marts"
REQUIRED_TABLES = ("kommunen", "gebiete", "kpi_katalog", "kpi_werte", "lieferstatus", "umsetzungsstand")

# Small per-query footprint: Streamlit serves many sessions from one process, and a dashboard query reads a
# few thousand rows at most.
CONNECTION_CONFIG: dict[str, Any] = {
    "threads": 2,
    "memory_limit": "256MB",
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "enable_external_access": False,
}
# Timestamps (e.g. when a package arrived) are shown in German time, in which the delivery deadline is read.
SET_DISPLAY_TIME_ZONE = "set TimeZone = 'Europe/Berlin'"
_CACHE_TTL = timedelta(hours=1)
_CACHE_MAX_ENTRIES = 512


@dataclass(frozen=True)
class PublishedSnapshot:
    """One published version of the warehouse file, identified by inode and modification time."""

    path: Path
    inode: int
    mtime_ns: int

    @property
    def published_at(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9)


class WarehouseMissingError(RuntimeError):
    """No snapshot has been published yet at the configured location."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"Unter {path} wurde noch kein Warehouse veröffentlicht.")
        self.path = path


def published_path() -> Path:
    """Where the pipeline publishes the snapshot this process's role reads (from `KIM_WAREHOUSE_DIR` and
    `KIM_ROLLE`, read on every call)."""
    return roles.snapshot_path(get_settings(), roles.current_role().role)


def current_snapshot() -> PublishedSnapshot | None:
    """The snapshot currently published, or None if there is none yet."""
    path = published_path()
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return PublishedSnapshot(path=path, inode=status.st_ino, mtime_ns=status.st_mtime_ns)


def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run one parameterised, read-only query against the current snapshot.

    List parameters (for `list_contains(?, column)`) may be given as tuples or lists.
    Raises `WarehouseMissingError` when nothing has been published yet.
    """
    snapshot = current_snapshot()
    if snapshot is None:
        raise WarehouseMissingError(published_path())
    frozen_params = tuple(tuple(value) if isinstance(value, list) else value for value in params)
    return _query_snapshot(str(snapshot.path), snapshot.inode, snapshot.mtime_ns, sql, frozen_params)


def missing_tables(tables: Sequence[str] = REQUIRED_TABLES) -> list[str]:
    """Tables the dashboards (or one page: `tables`) need that the current snapshot lacks (e.g. from a build
    that stopped before the marts, or from a version before the marts existed)."""
    present = query(
        "select table_name from information_schema.tables where table_schema = ?",
        (MARTS_SCHEMA,),
    )["table_name"]
    return [f"{MARTS_SCHEMA}.{table}" for table in tables if table not in set(present)]


@st.cache_data(ttl=_CACHE_TTL, max_entries=_CACHE_MAX_ENTRIES, show_spinner=False)
def _query_snapshot(path: str, inode: int, mtime_ns: int, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    """The cached read: `inode` and `mtime_ns` are part of the cache key so a new snapshot is read afresh."""
    bound = [list(value) if isinstance(value, tuple) else value for value in params]
    with duckdb.connect(path, read_only=True, config=CONNECTION_CONFIG) as connection:
        connection.execute(SET_DISPLAY_TIME_ZONE)
        return connection.sql(sql, params=bound).to_arrow_table().to_pandas()
