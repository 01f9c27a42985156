"""`kim build` as an operator meets it: rebuilt from scratch on the same input, killed mid-run, run again.

On a copy of the session's installation; the commands run as real subprocesses against the persistent Dagster
instance, so a kill leaves exactly what a crash would leave (runs marked started, a DuckDB write-ahead log,
half-written temporary files).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from kim_cli import run_kim

from pipelines.config import REPO_ROOT

pytestmark = pytest.mark.slow


def _tables(database: Path) -> dict[str, list[tuple]]:
    """Every table of the database with its rows, in a stable order."""
    with duckdb.connect(str(database), read_only=True) as con:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by all"
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(f'select * from "{schema}"."{table}" order by all').fetchall()
            for schema, table in names
        }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kill_when(env: dict[str, str], args: list[str], marker: str, delay: float) -> str:
    """Start `kim <args>`, kill its whole process tree `delay` s after `marker` appears in its output."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pipelines.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO_ROOT,
        start_new_session=True,
    )
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            if marker in line:
                time.sleep(delay)
                break
        assert process.poll() is None, "the build ended before it could be interrupted:\n" + "".join(seen)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    return "".join(seen)


@pytest.fixture(scope="module")
def installation(published_warehouse, tmp_path_factory):
    """A copy of the session's installation (data and warehouse) with a Dagster home of its own."""
    root = tmp_path_factory.mktemp("robust")
    for folder in (published_warehouse.data_dir, published_warehouse.warehouse_dir):
        shutil.copytree(folder, root / folder.name, symlinks=True)
    env = {
        **os.environ,
        "KIM_DATA_DIR": str(root / published_warehouse.data_dir.name),
        "KIM_WAREHOUSE_DIR": str(root / published_warehouse.warehouse_dir.name),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    return {
        "root": root,
        "env": env,
        "published": root / published_warehouse.warehouse_dir.name / "kim.duckdb",
        "ministry": root / published_warehouse.warehouse_dir.name / "kim_ministerium.duckdb",
    }


def test_an_interrupted_rebuild_leaves_the_published_warehouse_and_the_next_build_gives_identical_tables(
    installation,
):
    published, ministry = installation["published"], installation["ministry"]
    reference = _tables(ministry)  # the ministry's snapshot holds every table, raw ones included
    assert reference["raw.faelle"] and reference["marts.kpi_werte"] and reference["oeffentlich.kpi_werte"]
    public_reference = _tables(published)
    fingerprints = _sha256(published), _sha256(ministry)

    # A rebuild from scratch (`--neu`) killed while it loads partitions again; then a build killed while dbt
    # rebuilds the marts, after it has finished the partitions the first one left half done.
    _kill_when(installation["env"], ["build", "--neu"], "Lade Lieferungen", delay=8.0)
    assert (_sha256(published), _sha256(ministry)) == fingerprints
    _kill_when(installation["env"], ["build"], "dbt baut Kennzahlen", delay=3.0)
    assert (_sha256(published), _sha256(ministry)) == fingerprints

    # The next build skips what is loaded and completes the rest: the same input loaded again gives
    # identical tables.
    recovered = run_kim("build", env=installation["env"], timeout=600)
    assert "Warehouse veröffentlicht" in recovered and "fehlgeschlagen: 0" in recovered
    assert "übersprungen: " in recovered
    assert _tables(ministry) == reference
    assert _tables(published) == public_reference
