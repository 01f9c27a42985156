"""`kim sql`: read-only queries on the published warehouse, alongside readers and a rebuild."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from pipelines.config import REPO_ROOT
from pipelines.publish import publish_warehouse
from pipelines.sql_shell import WarehouseMissingError, interactive, run_query


def _kim_sql(settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "KIM_DATA_DIR": str(settings.data_dir),
        "KIM_WAREHOUSE_DIR": str(settings.warehouse_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "sql", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )


def test_a_query_prints_its_result(published_warehouse, capsys):
    run_query(published_warehouse.published_db, "select count(*) as einheiten from marts.kommunen")
    output = capsys.readouterr().out
    assert "einheiten" in output and "54" in output


def test_the_warehouse_cannot_be_changed(published_warehouse, capsys):
    interactive(published_warehouse.published_db, ["create table marts.x (a int);\n"])
    assert "read-only" in capsys.readouterr().out


def test_the_shell_runs_statements_over_several_lines_and_dot_commands(published_warehouse, capsys):
    interactive(
        published_warehouse.published_db,
        [
            ".tabellen\n",
            "select kpi_id\n",
            "from marts.kpi_katalog\n",
            "where kpi_id = 'K01';\n",
            ".ende\n",
            "select 2;\n",
        ],
    )
    output = capsys.readouterr().out
    assert "kpi_werte" in output and "K01" in output
    assert "│ 2 " not in output  # nothing after .ende


def test_a_missing_warehouse_is_explained(tmp_path):
    with pytest.raises(WarehouseMissingError, match="Noch kein veröffentlichtes Warehouse"):
        run_query(tmp_path / "kim.duckdb", "select 1")


def test_kim_sql_works_while_a_dashboard_reads_and_a_rebuild_writes(published_warehouse, tmp_path):
    settings = published_warehouse
    # A copy of the installation, so publishing here leaves the session's warehouse alone.
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copyfile(settings.build_db, warehouse / "build.duckdb")
    shutil.copyfile(settings.published_db, warehouse / "kim.duckdb")
    shutil.copyfile(settings.ministry_db, warehouse / "kim_ministerium.duckdb")
    copy = type(settings)(settings.data_dir, warehouse, settings.dagster_home, settings.stichtag)

    dashboard = duckdb.connect(str(copy.published_db), read_only=True)  # a reader holding the snapshot
    builder = duckdb.connect(str(copy.build_db))  # the pipeline writing the build database
    try:
        builder.execute("create or replace table raw.umbau as select 1 as schritt")
        result = _kim_sql(copy, "select count(*) as anzahl from marts.kpi_werte")
        assert result.returncode == 0, result.stderr
        expected = dashboard.execute("select count(*) from marts.kpi_werte").fetchone()[0]
        assert f"{expected}" in result.stdout
    finally:
        builder.close()

    # The next publication replaces the file under the open reader; both keep working.
    publish_warehouse(copy.build_db, copy.published_db, copy.ministry_db)
    assert _kim_sql(copy, "--ministerium", "select count(*) from raw.umbau").returncode == 0
    assert (
        "raw.umbau" in _kim_sql(copy, "select count(*) from raw.umbau").stderr
    )  # not in the public snapshot
    assert dashboard.execute("select count(*) from marts.kommunen").fetchone() == (54,)
    dashboard.close()

    piped = _kim_sql(copy, stdin="select 40 + 2 as antwort;\n")
    assert piped.returncode == 0 and "42" in piped.stdout
