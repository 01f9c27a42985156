"""Partitions through the real Dagster load asset into a temporary DuckDB (one, and a range in one run); the
sensors on a real landing zone."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.calendar import Quarter
from pipelines.defs.ingestion.assets import pakete_verarbeiten
from pipelines.defs.partitions import partition_key, partition_range, range_tags
from pipelines.defs.resources import KimPaths
from pipelines.defs.sensors import (
    eingangsordner_sensor,
    partition_fingerprints,
    partitions_to_load,
    warehouse_aktualisierung_sensor,
)
from pipelines.generator import generate
from pipelines.ingest.archive import archive_package
from pipelines.ingest.load import finished_packages_in
from pipelines.ingest.packages import find_packages

QUARTER = Quarter(2025, 2)
HEX_PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")


@pytest.fixture(scope="module")
def landing_template(tmp_path_factory):
    """One generated quarter for all 54 units (copied per test, so tests may change it)."""
    root = tmp_path_factory.mktemp("landing_template")
    generate(
        root / "landing",
        scale=0.02,
        seed=11,
        first=QUARTER,
        last=QUARTER,
        stichtag=QUARTER.end.replace(year=2026),
    )
    return root / "landing"


@pytest.fixture
def installation(tmp_path, monkeypatch, landing_template):
    data_dir, warehouse_dir = tmp_path / "data", tmp_path / "warehouse"
    shutil.copytree(landing_template, data_dir / "landing")
    warehouse_dir.mkdir()
    monkeypatch.setenv("KIM_DATA_DIR", str(data_dir))
    monkeypatch.setenv("KIM_WAREHOUSE_DIR", str(warehouse_dir))
    monkeypatch.setenv("KIM_PSEUDONYM_SECRET", "test-secret-with-enough-length")
    return {
        "kim_paths": KimPaths(data_dir=str(data_dir), warehouse_dir=str(warehouse_dir)),
        "duckdb": DuckDBResource(database=str(warehouse_dir / "build.duckdb")),
    }


def _materialize(resources, instance, ags: str, **kwargs) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [pakete_verarbeiten],
        partition_key=partition_key(ags, str(QUARTER)),
        resources=resources,
        instance=instance,
        **kwargs,
    )


def _raw_snapshot(database) -> dict[str, list[tuple]]:
    with duckdb.connect(database, read_only=True) as con:
        return {
            table: con.execute(f"select * exclude (verarbeitet_am) from raw.{table} order by all").fetchall()
            if table == "lieferungen"
            else con.execute(f"select * from raw.{table} order by all").fetchall()
            for table in ("faelle", "ereignisse", "personal", "lieferungen", "lieferungen_dateien", "befunde")
        }


def test_one_partition_is_archived_parsed_and_loaded(installation):
    instance = dg.DagsterInstance.ephemeral()
    result = _materialize(installation, instance, "05111")
    assert result.success

    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert set(checks) == {
        "abgleich_geliefert_geladen_quarantaene",
        "paket_annehmbar",
        *(f"vertrag_{name}" for name in ("faelle", "ereignisse", "personal", "finanzen")),
        *(f"vertrag_{name}" for name in ("strukturthemen", "lenkungsgruppe", "aufenthalt")),
    }
    assert all(check.passed for check in checks.values())
    assert checks["vertrag_faelle"].metadata["zeilen_geprueft"].value > 0
    database = installation["duckdb"].database
    with duckdb.connect(database, read_only=True) as con:
        deliveries = con.execute(
            "select ags, berichtsquartal, status, geladen from raw.lieferungen"
        ).fetchall()
        assert deliveries == [("05111", str(QUARTER), "ANGENOMMEN", True)]
        loaded = dict(con.execute("select datei, zeilen_geladen from raw.lieferungen_dateien").fetchall())
        assert loaded["faelle.csv"] == con.execute("select count(*) from raw.faelle").fetchone()[0] > 0
        assert (
            loaded["ereignisse.csv"] == con.execute("select count(*) from raw.ereignisse").fetchone()[0] > 0
        )
        pseudonyms = con.execute(
            "select fall_id from raw.faelle union all select person_id from raw.faelle"
        ).fetchall()
    assert all(HEX_PSEUDONYM.match(value) for (value,) in pseudonyms)
    archived = list((installation["kim_paths"].settings.archive_dir).rglob("*.zip"))
    assert len(archived) == 1


def test_rerunning_a_partition_yields_identical_tables(installation):
    instance = dg.DagsterInstance.ephemeral()
    assert _materialize(installation, instance, "05911").success
    first = _raw_snapshot(installation["duckdb"].database)
    assert _materialize(installation, instance, "05911").success
    assert _raw_snapshot(installation["duckdb"].database) == first


def _wrongly_addressed_correction(package: Path) -> Path:
    """A later correction of a folder package, zipped beside it, whose manifest names another unit."""
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(ags="05112", erstellt_am="2026-01-15T10:00:00+01:00")
    target = package.with_name(f"{package.name}.zip")
    with zipfile.ZipFile(target, "w") as archive:
        for member in sorted(package.iterdir()):
            data = json.dumps(manifest).encode() if member.name == "manifest.json" else member.read_bytes()
            archive.writestr(member.name, data)
    return target


def test_a_rejected_correction_is_recorded_and_blocks_the_load(installation):
    instance = dg.DagsterInstance.ephemeral()
    landing = installation["kim_paths"].settings.landing_dir
    package = next(ref for ref in find_packages(landing).packages if ref.shape == "ORDNER_CSV")
    assert _materialize(installation, instance, package.ags).success
    data_tables = ("faelle", "ereignisse", "personal")
    before = {table: _raw_snapshot(installation["duckdb"].database)[table] for table in data_tables}

    _wrongly_addressed_correction(package.path)
    result = _materialize(installation, instance, package.ags, raise_on_error=False)

    # Both packages are acceptable-or-not on their own: the original still is, so the partition loads it.
    assert result.success
    with duckdb.connect(installation["duckdb"].database, read_only=True) as con:
        statuses = sorted(con.execute("select status, geladen from raw.lieferungen").fetchall())
    assert statuses == [("ABGELEHNT", False), ("ANGENOMMEN", True)]

    # Now the original leaves the landing zone (it stays archived); only the rejected correction remains.
    shutil.rmtree(package.path)
    result = _materialize(installation, instance, package.ags, raise_on_error=False)
    assert not result.success
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert not checks["paket_annehmbar"].passed and checks["paket_annehmbar"].blocking
    assert "passt nicht zum Ablageort" in checks["paket_annehmbar"].metadata["ablehnungsgruende"].value
    assert "abgleich_geliefert_geladen_quarantaene" not in checks  # raw_tabellen never ran
    with duckdb.connect(installation["duckdb"].database, read_only=True) as con:
        report = con.execute("select bericht from raw.lieferungen where status = 'ABGELEHNT'").fetchone()[0]
        statuses = sorted(con.execute("select status, geladen from raw.lieferungen").fetchall())
    assert statuses == [("ABGELEHNT", False), ("ANGENOMMEN", True)]
    assert "**abgelehnt**" in report and "passt nicht zum Ablageort" in report
    after = _raw_snapshot(installation["duckdb"].database)
    assert {table: after[table] for table in data_tables} == before


def test_partition_without_package_fails_with_german_message(installation):
    for path in (installation["kim_paths"].settings.landing_dir / "05111").iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    result = _materialize(installation, dg.DagsterInstance.ephemeral(), "05111", raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert "kein Paket vor" in failure.message


def test_landing_sensor_requests_every_new_partition_in_one_run_keyed_by_content(installation):
    instance = dg.DagsterInstance.ephemeral()
    landing = installation["kim_paths"].settings.landing_dir
    scan = find_packages(landing)
    expected = {(ref.ags, ref.berichtsquartal) for ref in scan.packages}
    assert set(partitions_to_load(scan, {}, set())[0]) == expected

    context = dg.build_sensor_context(instance=instance)
    requests = eingangsordner_sensor(context)
    assert len(requests) == 1
    request = requests[0]
    assert request.tags == range_tags(partition_range(sorted(expected)))
    assert re.fullmatch(r"\d+ Partitionen:[0-9a-f]{16}", request.run_key)
    assert request.run_key.startswith(f"{len(expected)} Partitionen:")

    again = eingangsordner_sensor(dg.build_sensor_context(instance=instance, cursor=context.cursor))
    assert isinstance(again, dg.SkipReason)


def test_a_range_of_partitions_loads_in_one_run_with_events_per_partition(installation):
    instance = dg.DagsterInstance.ephemeral()
    landing = installation["kim_paths"].settings.landing_dir
    partitions = sorted({(ref.ags, ref.berichtsquartal) for ref in find_packages(landing).packages})[:3]
    result = dg.materialize(
        [pakete_verarbeiten],
        tags=range_tags(partition_range(partitions)),
        resources=installation,
        instance=instance,
    )
    assert result.success
    keys = {str(partition_key(ags, quartal)) for ags, quartal in partitions}
    for asset in ("lieferprotokoll", "raw_tabellen"):
        materialized = {
            event.partition
            for event in result.get_asset_materialization_events()
            if event.asset_key.path == [asset]
        }
        assert materialized == keys
        status = instance.get_status_by_partition(
            dg.AssetKey(asset), sorted(keys), pakete_verarbeiten.partitions_def
        )
        assert set(status.values()) == {dg.AssetPartitionStatus.MATERIALIZED}
    checks = result.get_asset_check_evaluations()
    assert {check.partition for check in checks} == keys
    assert len(checks) == 9 * len(keys) and all(check.passed for check in checks)
    recorded = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("lieferprotokoll"), asset_partitions=[sorted(keys)[0]]),
        limit=1,
    ).records[0]
    assert recorded.asset_materialization.metadata["pakete"].value == 1


def test_landing_sensor_sees_a_correction_under_the_same_name(installation):
    instance = dg.DagsterInstance.ephemeral()
    landing = installation["kim_paths"].settings.landing_dir
    context = dg.build_sensor_context(instance=instance)
    first = {r.run_key for r in eingangsordner_sensor(context)}

    ref = next(r for r in find_packages(landing).packages if r.shape == "ORDNER_CSV")
    manifest_path = ref.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["erstellt_am"] = "2026-01-15T10:00:00+01:00"  # the unit re-delivers the quarter
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    requests = eingangsordner_sensor(dg.build_sensor_context(instance=instance, cursor=context.cursor))
    assert [r.partition_key for r in requests] == [f"{ref.ags}|{ref.berichtsquartal}"]
    assert requests[0].run_key not in first


def test_landing_sensor_skips_partitions_already_processed_by_a_build(installation):
    instance = dg.DagsterInstance.ephemeral()
    assert _materialize(installation, instance, "05111").success
    settings = installation["kim_paths"].settings
    scan = find_packages(settings.landing_dir)
    todo, _, _ = partitions_to_load(scan, {}, finished_packages_in(settings.build_db))
    assert ("05111", str(QUARTER)) not in todo
    assert len(todo) == len(partition_fingerprints(scan)) - 1


def test_landing_sensor_asks_again_for_a_partition_whose_run_died_before_loading(installation):
    instance = dg.DagsterInstance.ephemeral()
    assert _materialize(installation, instance, "05111").success
    settings = installation["kim_paths"].settings
    ref = next(r for r in find_packages(settings.landing_dir).packages if r.ags == "05111")
    # A correction arrives; a run archives it and dies before storing anything (one transaction per partition).
    manifest_path = ref.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["erstellt_am"] = "2026-01-15T10:00:00+01:00"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    correction = next(r for r in find_packages(settings.landing_dir).packages if r.ags == "05111")
    archive_package(correction, settings.archive_dir)
    seen = {
        f"{ags}|{quartal}": fingerprint
        for (ags, quartal), fingerprint in partition_fingerprints(find_packages(settings.landing_dir)).items()
        if ags != "05111"
    }
    requests = eingangsordner_sensor(dg.build_sensor_context(instance=instance, cursor=json.dumps(seen)))
    assert [r.partition_key for r in requests] == ["05111|" + str(QUARTER)]


def test_warehouse_sensor_waits_for_loads_and_fires_once_per_new_load(installation):
    instance = dg.DagsterInstance.ephemeral()
    idle = warehouse_aktualisierung_sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(idle, dg.SkipReason)

    assert _materialize(installation, instance, "05111").success
    context = dg.build_sensor_context(instance=instance)
    request = warehouse_aktualisierung_sensor(context)
    assert isinstance(request, dg.RunRequest) and request.run_key.startswith("warehouse:")

    settled = warehouse_aktualisierung_sensor(
        dg.build_sensor_context(instance=instance, cursor=context.cursor)
    )
    assert isinstance(settled, dg.SkipReason)
