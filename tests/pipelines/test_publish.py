"""Publishing swaps in complete snapshots atomically, keeps the confidential layers apart and never harms the
last published ones."""

import json

import duckdb
import pytest

from pipelines.config import DBT_PROJECT_DIR
from pipelines.publish import (
    CONFIDENTIAL_MARTS,
    OPEN_MARTS,
    REQUIRED_MINISTRY_TABLES,
    REQUIRED_TABLES,
    PublishError,
    publish_warehouse,
)


def _make_build_db(path, kpi_rows: int) -> None:
    """A build database with every mart, the published layer (one row fewer, as if one were secret) and raw."""
    with duckdb.connect(str(path)) as con:
        for schema in ("marts", "oeffentlich", "referenz", "raw"):
            con.execute(f"create schema {schema}")
        for table in REQUIRED_MINISTRY_TABLES:
            if not table.endswith(".kpi_werte"):
                con.execute(f"create table {table} (x integer)")
        con.execute("create table marts.kpi_werte as select range as x from range(?)", [kpi_rows])
        con.execute("create table oeffentlich.kpi_werte as select range as x from range(?)", [kpi_rows - 1])
        con.execute("create table referenz.kommunen as select 1 as x")
        con.execute("create table raw.faelle as select 'P-1' as person_id")


def _paths(tmp_path):
    return (
        tmp_path / "build.duckdb",
        tmp_path / "pub" / "kim.duckdb",
        tmp_path / "pub" / "kim_ministerium.duckdb",
    )


def _tables(path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }


def test_publish_creates_a_public_and_a_ministry_snapshot(tmp_path):
    build, published, ministry = _paths(tmp_path)
    _make_build_db(build, 7)
    ministry_result, public_result = publish_warehouse(build, published, ministry)
    assert (ministry_result.path, ministry_result.kpi_rows) == (ministry, 7)
    assert (public_result.path, public_result.kpi_rows) == (published, 6)  # the published layer
    public_tables = _tables(published)
    assert {table.split(".")[0] for table in public_tables} == {"marts", "referenz"}
    assert "referenz.kommunen" in public_tables and set(REQUIRED_TABLES) <= public_tables
    assert {"raw.faelle", "oeffentlich.kpi_werte", "marts.kpi_werte"} <= _tables(ministry)
    assert not list(published.parent.glob(".*.tmp"))


def test_open_reader_keeps_its_snapshot_while_a_new_one_is_published(tmp_path):
    build, published, ministry = _paths(tmp_path)
    _make_build_db(build, 3)
    publish_warehouse(build, published, ministry)
    reader = duckdb.connect(str(published), read_only=True)
    with duckdb.connect(str(build)) as con:
        con.execute("insert into oeffentlich.kpi_werte select range from range(10)")
    publish_warehouse(build, published, ministry)  # must not be blocked by the open reader
    assert reader.execute("select count(*) from marts.kpi_werte").fetchone()[0] == 2
    reader.close()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.kpi_werte").fetchone()[0] == 12


def test_incomplete_build_is_not_published_and_old_snapshots_survive(tmp_path):
    build, published, ministry = _paths(tmp_path)
    _make_build_db(build, 5)
    publish_warehouse(build, published, ministry)
    before = published.read_bytes(), ministry.read_bytes()
    with duckdb.connect(str(build)) as con:
        con.execute("drop table oeffentlich.kpi_werte")
    with pytest.raises(PublishError, match=r"oeffentlich\.kpi_werte"):
        publish_warehouse(build, published, ministry)
    assert (published.read_bytes(), ministry.read_bytes()) == before
    assert not list(published.parent.glob(".*.tmp"))


def test_missing_build_database_gets_a_german_message(tmp_path):
    with pytest.raises(PublishError, match="existiert nicht"):
        publish_warehouse(
            tmp_path / "fehlt.duckdb", tmp_path / "kim.duckdb", tmp_path / "kim_ministerium.duckdb"
        )


@pytest.mark.parametrize("table", REQUIRED_MINISTRY_TABLES)
def test_every_required_mart_is_named_when_it_is_missing(tmp_path, table):
    build, published, ministry = _paths(tmp_path)
    _make_build_db(build, 2)
    with duckdb.connect(str(build)) as con:
        con.execute(f"drop table {table}")
    with pytest.raises(PublishError, match=table.replace(".", r"\.")):
        publish_warehouse(build, published, ministry)
    assert not published.exists()


def test_every_mart_of_the_dbt_project_is_classified_for_publication():
    """A new mart must be declared open or confidential; confidential ones need their published layer."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    tables: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["schema"] in ("marts", "oeffentlich"):
            tables.setdefault(node["schema"], set()).add(node["alias"])
    assert tables["marts"] == set(CONFIDENTIAL_MARTS) | set(OPEN_MARTS)
    assert tables["oeffentlich"] == set(CONFIDENTIAL_MARTS)
