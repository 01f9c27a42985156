"""A quarter's partitions stored together (`batch.process_partitions`), and an error kept with its partition."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
from kim_package_factory import QUARTER, csv_files, sample_rows, with_manifest, write_folder

from pipelines.config import Settings
from pipelines.ingest import batch
from pipelines.ingest.load import LoadOutcome

UNITS = ("05111", "05112")


def test_a_partition_that_cannot_be_stored_fails_alone_and_the_rest_of_its_quarter_is_stored(
    tmp_path, monkeypatch
):
    """The quarter is stored in one transaction; when that fails (here: the staged output of one package is gone
    before the store, as if the cache were cleared), each partition is stored on its own, so only the partition
    that caused it fails, with its German message, and nothing of it is stored."""
    settings = Settings.under(tmp_path, date(2026, 1, 15))
    for ags in UNITS:
        write_folder(settings.landing_dir, with_manifest(csv_files(sample_rows()), ags=ags), ags=ags)
    write_report = batch.write_report

    def write_report_and_lose_the_staging_of_05112(package, reports_dir):
        files = write_report(package, reports_dir)
        if package.ags == "05112":
            shutil.rmtree(package.staging_dir)
        return files

    monkeypatch.setattr(batch, "write_report", write_report_and_lose_the_staging_of_05112)
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        results = {
            result.ags: result
            for result in batch.process_partitions(con, settings, [(ags, QUARTER) for ags in UNITS])
        }
        assert results["05112"].error.startswith("Der Zwischenstand von Paket ")
        assert results["05111"].error is None
        assert [load.outcome for load in results["05111"].loads] == [LoadOutcome.LOADED]
        assert con.execute("select distinct ags from raw.faelle").fetchall() == [("05111",)]
        assert con.execute("select ags, zugeordnet from raw.lieferungen").fetchall() == [("05111", True)]
