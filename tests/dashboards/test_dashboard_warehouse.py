"""Read-only, short-lived access to the published snapshot, and re-reading after a new publish."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.lib import formatting, warehouse


def publish(directory: Path, names: list[str]) -> Path:
    """Publish a minimal snapshot as the pipeline does: write a temporary file, then rename it atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / "kim.duckdb.tmp-test"
    temporary.unlink(missing_ok=True)
    with duckdb.connect(str(temporary)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.kommunen (ags varchar, name varchar)")
        connection.executemany(
            "insert into marts.kommunen values (?, ?)", [(f"{i:05d}", name) for i, name in enumerate(names)]
        )
    target = directory / "kim.duckdb"
    os.replace(temporary, target)
    return target


@pytest.fixture
def warehouse_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("KIM_WAREHOUSE_DIR", str(tmp_path))
    return tmp_path


def test_nothing_published_is_reported_not_created(warehouse_dir):
    assert warehouse.current_snapshot() is None
    with pytest.raises(warehouse.WarehouseMissingError, match="noch kein Warehouse veröffentlicht"):
        warehouse.query("select 1")
    assert not (warehouse_dir / "kim.duckdb").exists()


def test_values_are_bound_as_parameters(warehouse_dir):
    publish(warehouse_dir, ["Düsseldorf, Stadt", "Kleve'; drop table marts.kommunen; --"])

    found = warehouse.query(
        "select ags from marts.kommunen where name = ?", ("Kleve'; drop table marts.kommunen; --",)
    )
    listed = warehouse.query(
        "select name from marts.kommunen where list_contains(?::varchar[], ags)", (["00000"],)
    )

    assert found["ags"].tolist() == ["00001"]
    assert listed["name"].tolist() == ["Düsseldorf, Stadt"]


def test_timestamps_are_read_in_german_time(warehouse_dir):
    path = publish(warehouse_dir, ["Kleve"])
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "create table marts.lieferstatus as select timestamptz '2025-08-14 23:30:00+00' as t"
        )

    (received,) = warehouse.query("select t from marts.lieferstatus")["t"]

    assert formatting.format_date(received) == "15.08.2025"


def test_no_connection_stays_open_to_block_the_next_publish(warehouse_dir):
    path = publish(warehouse_dir, ["Kleve"])
    warehouse.query("select count(*) from marts.kommunen")

    with duckdb.connect(str(path)) as writer:  # a read-write open fails while any reader holds the file
        writer.execute("insert into marts.kommunen values ('05154', 'Kleve 2')")


def test_a_new_publish_is_read_without_restart(warehouse_dir):
    publish(warehouse_dir, ["Düsseldorf, Stadt"])
    first = warehouse.current_snapshot()
    assert warehouse.query("select count(*) as n from marts.kommunen")["n"].iloc[0] == 1

    publish(warehouse_dir, ["Düsseldorf, Stadt", "Duisburg, Stadt", "Essen, Stadt"])

    assert warehouse.current_snapshot() != first
    assert warehouse.query("select count(*) as n from marts.kommunen")["n"].iloc[0] == 3


def test_missing_marts_are_named(warehouse_dir):
    publish(warehouse_dir, ["Kleve"])
    assert warehouse.missing_tables() == [
        f"marts.{table}" for table in warehouse.REQUIRED_TABLES if table != "kommunen"
    ]


def test_an_incomplete_snapshot_stops_the_page_with_a_german_warning(warehouse_dir):
    publish(warehouse_dir, ["Kleve"])
    app = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"

    at = AppTest.from_file(app, default_timeout=60).run()

    assert not at.exception
    (warning,) = at.warning
    assert "marts.kpi_werte" in warning.value and "kim build" in warning.value
