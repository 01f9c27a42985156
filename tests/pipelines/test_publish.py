"""Publishing swaps in a complete snapshot atomically and never harms the last published one."""

import duckdb
import pytest

from pipelines.publish import REQUIRED_TABLES, PublishError, publish_warehouse


def _make_build_db(path, kpi_rows: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for table in REQUIRED_TABLES:
            if table != "marts.kpi_werte":
                con.execute(f"create table {table} (x integer)")
        con.execute("create table marts.kpi_werte as select range as x from range(?)", [kpi_rows])


def test_publish_creates_a_read_only_snapshot(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "pub" / "kim.duckdb"
    _make_build_db(build, 7)
    result = publish_warehouse(build, published)
    assert result.kpi_rows == 7 and result.path == published
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.kpi_werte").fetchone()[0] == 7
    assert not list(published.parent.glob(".*.tmp"))


def test_open_reader_keeps_its_snapshot_while_a_new_one_is_published(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "kim.duckdb"
    _make_build_db(build, 3)
    publish_warehouse(build, published)
    reader = duckdb.connect(str(published), read_only=True)
    with duckdb.connect(str(build)) as con:
        con.execute("insert into marts.kpi_werte select range from range(10)")
    publish_warehouse(build, published)  # must not be blocked by the open reader
    assert reader.execute("select count(*) from marts.kpi_werte").fetchone()[0] == 3
    reader.close()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.kpi_werte").fetchone()[0] == 13


def test_incomplete_build_is_not_published_and_old_snapshot_survives(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "kim.duckdb"
    _make_build_db(build, 5)
    publish_warehouse(build, published)
    before = published.read_bytes()
    with duckdb.connect(str(build)) as con:
        con.execute("drop table marts.kpi_werte")
    with pytest.raises(PublishError, match="marts.kpi_werte"):
        publish_warehouse(build, published)
    assert published.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_missing_build_database_gets_a_german_message(tmp_path):
    with pytest.raises(PublishError, match="existiert nicht"):
        publish_warehouse(tmp_path / "fehlt.duckdb", tmp_path / "kim.duckdb")


@pytest.mark.parametrize("table", REQUIRED_TABLES)
def test_every_required_mart_is_named_when_it_is_missing(tmp_path, table):
    build, published = tmp_path / "build.duckdb", tmp_path / "kim.duckdb"
    _make_build_db(build, 2)
    with duckdb.connect(str(build)) as con:
        con.execute(f"drop table {table}")
    with pytest.raises(PublishError, match=table.replace(".", r"\.")):
        publish_warehouse(build, published)
    assert not published.exists()
