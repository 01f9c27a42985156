"""Loading into a real DuckDB build database: idempotence, corrections in any order, rejections, re-keying."""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest
from kim_package_factory import (
    DELIVERED_PSEUDONYMS,
    DataDirs,
    csv_files,
    sample_rows,
    with_manifest,
    write_folder,
    write_zip,
)

from pipelines.contract.findings import Status
from pipelines.contract.schema import CONTRACT_FILES
from pipelines.ingest.load import (
    LoadOutcome,
    StagingMissingError,
    load_package,
    load_partition,
    record_package,
    store_partition,
    store_partitions,
)
from pipelines.ingest.packages import packages_for_partition
from pipelines.ingest.parse import quarantine_rows
from pipelines.ingest.raw_tables import create_raw_schema
from pipelines.ingest.staging import ParsedPackage

ORIGINAL = "2025-10-20T09:12:00+02:00"
CORRECTION = "2025-11-02T08:00:00+01:00"
BOOKKEEPING = ("lieferungen", "lieferungen_dateien", "befunde")


def snapshot(con) -> dict[str, list[tuple]]:
    return {
        table: con.execute(f"SELECT * FROM raw.{table} ORDER BY ALL").fetchall()
        for table in (*CONTRACT_FILES, *BOOKKEEPING)
    }


def original_rows():
    rows = sample_rows()
    rows["faelle"][2]["geschlecht"] = "Q"  # one quarantined row
    rows["faelle"] += [dict(rows["faelle"][0], fall_id=f"KF-Z-{index:02d}") for index in range(10)]
    return rows


def corrected_rows():
    rows = original_rows()
    rows["faelle"][2]["geschlecht"] = "W"
    rows["faelle"].append(dict(rows["faelle"][0], fall_id="KF-2025-0099", aufnahme_am="2025-09-01"))
    del rows["lenkungsgruppe"]
    return rows


def deliver_original_and_correction(dirs: DataDirs) -> tuple[ParsedPackage, ParsedPackage]:
    write_folder(dirs.landing, with_manifest(csv_files(original_rows()), created=ORIGINAL))
    write_zip(dirs.landing, with_manifest(csv_files(corrected_rows()), created=CORRECTION))
    refs = sorted(packages_for_partition(dirs.landing, "05111", "2025-Q3"), key=lambda ref: ref.shape)
    original, correction = (dirs.parse(ref) for ref in refs)
    assert original.erstellt_am < correction.erstellt_am
    return original, correction


def test_a_package_is_loaded_with_its_bookkeeping(dirs):
    write_folder(dirs.landing, with_manifest(csv_files(original_rows())))
    parsed = dirs.parse_only_package()
    with dirs.connect() as con:
        result = load_package(con, parsed)
        assert result.outcome is LoadOutcome.LOADED
        assert result.rows_by_table["faelle"] == 12
        assert result.summary_german() == (
            f"Paket {parsed.paket_id[:12]} (05111, 2025-Q3): geladen – Zeilen: faelle 12, ereignisse 3, "
            "personal 2, finanzen 2, strukturthemen 2, lenkungsgruppe 1, aufenthalt 2."
        )
        delivery = con.execute(
            "SELECT ags, berichtsquartal, paketform, quellsystem, datensatz_version, status, geladen, "
            "erstellt_am = ?::TIMESTAMPTZ FROM raw.lieferungen",
            [ORIGINAL],
        ).fetchall()
        assert delivery == [
            (
                "05111",
                "2025-Q3",
                "ORDNER_CSV",
                "Fachverfahren XY 4.2",
                "1.0",
                "ANGENOMMEN_MIT_HINWEISEN",
                True,
                True,
            )
        ]
        files = con.execute(
            "SELECT datei, zeichenkodierung, trennzeichen, zeilen_geliefert, zeilen_geladen, "
            "zeilen_quarantaene FROM raw.lieferungen_dateien WHERE datei = 'faelle.csv'"
        ).fetchall()
        assert files == [("faelle.csv", "utf-8", ";", 13, 12, 1)]
        assert con.execute(
            "SELECT zeile, regel, ergebnis, rohwerte->>'geschlecht' FROM raw.befunde"
        ).fetchall() == [(4, "CODELISTE", "ZEILE_QUARANTAENE", "Q")]
        assert con.execute("SELECT min(zeile), max(zeile), count(*) FROM raw.faelle").fetchone() == (
            2,
            14,
            12,
        )
        _assert_reconciled(con)


def _assert_reconciled(con) -> None:
    """Per file of every accepted package: delivered = loaded + quarantined, and the tables agree."""
    for paket_id, datei, delivered, loaded, quarantined, is_loaded in con.execute(
        "SELECT paket_id, datei, zeilen_geliefert, zeilen_geladen, zeilen_quarantaene, geladen FROM "
        "raw.lieferungen_dateien JOIN raw.lieferungen USING (paket_id) WHERE status <> 'ABGELEHNT'"
    ).fetchall():
        assert delivered == loaded + quarantined
        lines = con.execute(
            "SELECT count(DISTINCT zeile) FROM raw.befunde WHERE paket_id = ? AND datei = ? AND ergebnis = "
            "'ZEILE_QUARANTAENE'",
            [paket_id, datei],
        ).fetchone()[0]
        assert lines == quarantined
        if is_loaded:
            table = datei.removesuffix(".csv")
            present = con.execute(
                f"SELECT count(*) FROM raw.{table} WHERE paket_id = ?", [paket_id]
            ).fetchone()[0]
            assert present == loaded


def test_loading_the_same_package_twice_changes_nothing(dirs):
    write_folder(dirs.landing, with_manifest(csv_files(original_rows())))
    parsed = dirs.parse_only_package()
    with dirs.connect() as con:
        load_package(con, parsed)
        first = snapshot(con)
        again = load_package(con, dirs.parse_only_package())
        assert again.outcome is LoadOutcome.LOADED and again.replaced_paket_id is None
        assert snapshot(con) == first


@pytest.mark.parametrize("order", ["original_first", "correction_first"])
def test_a_correction_wins_whatever_the_processing_order(dirs, order):
    original, correction = deliver_original_and_correction(dirs)
    with dirs.connect() as con:
        if order == "original_first":
            assert load_package(con, original).outcome is LoadOutcome.LOADED
            result = load_package(con, correction)
            assert result.outcome is LoadOutcome.LOADED
            assert result.replaced_paket_id == original.paket_id
        else:
            assert load_package(con, correction).outcome is LoadOutcome.LOADED
            result = load_package(con, original)
            assert result.outcome is LoadOutcome.SUPERSEDED
            assert result.summary_german() == (
                f"Paket {original.paket_id[:12]} (05111, 2025-Q3): durch eine spätere Korrektur ersetzt; "
                f"die Partition bleibt bei Paket {correction.paket_id[:12]}."
            )
        assert con.execute(
            "SELECT paket_id, geladen FROM raw.lieferungen ORDER BY erstellt_am"
        ).fetchall() == [
            (original.paket_id, False),
            (correction.paket_id, True),
        ]
        assert con.execute("SELECT DISTINCT paket_id FROM raw.faelle").fetchall() == [(correction.paket_id,)]
        assert con.execute("SELECT count(*) FROM raw.faelle").fetchone()[0] == 14
        # The correction delivered no lenkungsgruppe.csv: the original's rows must not survive it.
        assert con.execute("SELECT count(*) FROM raw.lenkungsgruppe").fetchone()[0] == 0
        _assert_reconciled(con)


def test_both_orders_give_identical_contract_tables(tmp_path):
    delivered = DataDirs.under(tmp_path / "delivered")
    deliver_original_and_correction(delivered)
    tables = []
    for order in ("original_first", "correction_first"):
        dirs = DataDirs.under(tmp_path / order)
        shutil.copytree(delivered.landing, dirs.landing)
        refs = sorted(packages_for_partition(dirs.landing, "05111", "2025-Q3"), key=lambda ref: ref.shape)
        original, correction = (dirs.parse(ref) for ref in refs)
        with dirs.connect() as con:
            for package in (original, correction) if order == "original_first" else (correction, original):
                load_package(con, package)
            state = snapshot(con)
        tables.append({name: rows for name, rows in state.items() if name in CONTRACT_FILES})
    assert tables[0] == tables[1]
    assert tables[0]["faelle"]


def test_equal_creation_times_are_decided_by_package_id(dirs):
    write_folder(dirs.landing, with_manifest(csv_files(original_rows()), created=ORIGINAL))
    write_zip(dirs.landing, with_manifest(csv_files(corrected_rows()), created=ORIGINAL))
    packages = [dirs.parse(ref) for ref in packages_for_partition(dirs.landing, "05111", "2025-Q3")]
    expected = max(package.paket_id for package in packages)
    for order in (packages, packages[::-1]):
        dirs.database.unlink(missing_ok=True)
        with dirs.connect() as con:
            for package in order:
                load_package(con, package)
            assert con.execute("SELECT DISTINCT paket_id FROM raw.faelle").fetchall() == [(expected,)]


def test_a_rejected_package_changes_nothing_but_its_own_bookkeeping(dirs):
    write_folder(dirs.landing, with_manifest(csv_files(original_rows()), created=ORIGINAL))
    files = csv_files(corrected_rows())
    del files["personal.csv"]
    write_zip(dirs.landing, with_manifest(files, created=CORRECTION))
    refs = sorted(packages_for_partition(dirs.landing, "05111", "2025-Q3"), key=lambda ref: ref.shape)
    accepted, rejected = (dirs.parse(ref) for ref in refs)
    with dirs.connect() as con:
        load_package(con, accepted)
        before = snapshot(con)
        result = load_package(con, rejected)
        assert result.outcome is LoadOutcome.REJECTED
        assert result.partition_paket_id == accepted.paket_id
        after = snapshot(con)
        assert {name: rows for name, rows in after.items() if name in CONTRACT_FILES} == {
            name: rows for name, rows in before.items() if name in CONTRACT_FILES
        }
        assert con.execute(
            "SELECT paket_id, status, geladen FROM raw.lieferungen ORDER BY status"
        ).fetchall() == [
            (rejected.paket_id, "ABGELEHNT", False),
            (accepted.paket_id, "ANGENOMMEN_MIT_HINWEISEN", True),
        ]
        assert con.execute(
            "SELECT regel, ergebnis FROM raw.befunde WHERE paket_id = ?", [rejected.paket_id]
        ).fetchall() == [("PFLICHTDATEI_FEHLT", "PAKET_ABGELEHNT")]


def test_when_the_loaded_correction_turns_out_rejected_the_original_returns(dirs):
    original, correction = deliver_original_and_correction(dirs)
    with dirs.connect() as con:
        load_package(con, original)
        original_rows_loaded = con.execute("SELECT * FROM raw.faelle ORDER BY ALL").fetchall()
        load_package(con, correction)
        everything = pd.DataFrame(
            {"datei": "faelle.csv", "zeile": range(2, 6), "spalte": "fall_id", "regel": "X", "meldung": "x"}
        )
        rejected = quarantine_rows(correction, everything)
        result = load_package(con, rejected)
        assert result.outcome is LoadOutcome.REJECTED
        assert con.execute("SELECT * FROM raw.faelle ORDER BY ALL").fetchall() == original_rows_loaded
        assert con.execute("SELECT paket_id FROM raw.lieferungen WHERE geladen").fetchall() == [
            (original.paket_id,)
        ]


def test_no_delivered_pseudonym_reaches_the_database(dirs):
    original, correction = deliver_original_and_correction(dirs)
    with dirs.connect() as con:
        load_package(con, original)
        load_package(con, correction)
        texts = []
        for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'raw' AND "
            "data_type IN ('VARCHAR', 'JSON')"
        ).fetchall():
            texts += [
                row[0] for row in con.execute(f'SELECT "{column}"::VARCHAR FROM raw.{table}').fetchall()
            ]
    assert texts
    for pseudonym in DELIVERED_PSEUDONYMS:
        assert not any(pseudonym in (text or "") for text in texts), pseudonym


def test_loading_without_the_staged_output_fails_clearly(dirs):
    write_folder(dirs.landing, with_manifest(csv_files(original_rows())))
    parsed = dirs.parse_only_package()
    shutil.rmtree(parsed.staging_dir)
    with (
        dirs.connect() as con,
        pytest.raises(StagingMissingError, match="muss aus dem Archiv neu eingelesen"),
    ):
        load_package(con, parsed)


def test_recording_alone_never_moves_a_partition(dirs):
    original, correction = deliver_original_and_correction(dirs)
    with dirs.connect() as con:
        load_package(con, original)
        loaded = con.execute("SELECT * FROM raw.faelle ORDER BY ALL").fetchall()
        record_package(con, correction, "# Bericht")
        # The correction is known, but until its partition is assigned the original's rows stay.
        assert con.execute("SELECT * FROM raw.faelle ORDER BY ALL").fetchall() == loaded
        assert con.execute(
            "SELECT paket_id, geladen, zugeordnet, bericht FROM raw.lieferungen ORDER BY erstellt_am"
        ).fetchall() == [
            (original.paket_id, True, True, None),
            (correction.paket_id, False, False, "# Bericht"),
        ]
        # Re-recording the loaded original keeps it loaded.
        record_package(con, original, "# neu")
        assert con.execute("SELECT paket_id FROM raw.lieferungen WHERE geladen").fetchall() == [
            (original.paket_id,)
        ]

        results = load_partition(con, [original, correction])
        assert [result.outcome for result in results] == [LoadOutcome.SUPERSEDED, LoadOutcome.LOADED]
        assert results[1].replaced_paket_id == original.paket_id
        assert con.execute("SELECT bool_and(zugeordnet) FROM raw.lieferungen").fetchone() == (True,)
        assert con.execute("SELECT count(*) FROM raw.faelle").fetchone()[0] == correction.files[0].rows_loaded


def test_a_loaded_package_rejected_on_re_recording_gives_up_its_partition(dirs):
    original, correction = deliver_original_and_correction(dirs)
    with dirs.connect() as con:
        load_package(con, original)
        original_rows_loaded = con.execute("SELECT * FROM raw.faelle ORDER BY ALL").fetchall()
        load_package(con, correction)
        everything = pd.DataFrame(
            {"datei": "faelle.csv", "zeile": range(2, 6), "spalte": "fall_id", "regel": "X", "meldung": "x"}
        )
        record_package(con, quarantine_rows(correction, everything))
        assert con.execute("SELECT * FROM raw.faelle ORDER BY ALL").fetchall() == original_rows_loaded
        assert con.execute("SELECT paket_id FROM raw.lieferungen WHERE geladen").fetchall() == [
            (original.paket_id,)
        ]


def test_load_partition_takes_one_partition(dirs):
    original, _ = deliver_original_and_correction(dirs)
    other = ParsedPackage(**{**original.__dict__, "berichtsquartal": "2025-Q2"})
    with dirs.connect() as con, pytest.raises(ValueError, match="one partition"):
        load_partition(con, [original, other])


def _stored(con) -> dict[str, list[tuple]]:
    """The raw tables without the processing time (the one column that differs between two stores)."""
    tables = snapshot(con)
    columns = [row[0] for row in con.execute("DESCRIBE raw.lieferungen").fetchall()]
    moment = columns.index("verarbeitet_am")
    tables["lieferungen"] = sorted(row[:moment] + row[moment + 1 :] for row in tables["lieferungen"])
    return tables


def test_storing_partitions_together_equals_storing_them_one_by_one(dirs):
    """The set-based store of a quarter's batch gives exactly the rows and results of one store per partition:
    a partition recorded before (stored one by one inside the batch), one with a delivery and its
    correction, a rejected one, and one accepted one."""
    deliver_original_and_correction(dirs)
    rejected_files = csv_files(original_rows())
    del rejected_files["personal.csv"]
    write_folder(dirs.landing, with_manifest(rejected_files, quarter="2025-Q2"), quarter="2025-Q2")
    write_folder(
        dirs.landing, with_manifest(csv_files(original_rows()), quarter="2025-Q1"), quarter="2025-Q1"
    )
    correction = with_manifest(csv_files(corrected_rows()), created=CORRECTION, quarter="2025-Q1")
    write_zip(dirs.landing, correction, quarter="2025-Q1")
    refs = {
        quarter: sorted(packages_for_partition(dirs.landing, "05111", quarter), key=lambda ref: ref.shape)
        for quarter in ("2025-Q1", "2025-Q2", "2025-Q3")
    }
    parsed = {quarter: [dirs.parse(ref) for ref in quarter_refs] for quarter, quarter_refs in refs.items()}
    assert [package.status for package in parsed["2025-Q2"]] == [Status.REJECTED]
    assert any(package.findings_count for package in parsed["2025-Q3"])
    earlier, *later = parsed["2025-Q1"]
    batch = [
        (later, {package.paket_id: f"Bericht {package.paket_id}" for package in later}),
        (parsed["2025-Q2"], {}),
        (parsed["2025-Q3"], {parsed["2025-Q3"][0].paket_id: "Bericht"}),
    ]
    one_by_one = dataclasses.replace(dirs, database=dirs.database.with_name("einzeln.duckdb"))
    stored = {}
    for target, store in ((dirs, "together"), (one_by_one, "one by one")):
        with target.connect() as con:
            create_raw_schema(con)
            store_partition(con, [earlier], {})
            if store == "together":
                results = store_partitions(con, batch)
            else:
                results = [store_partition(con, packages, reports) for packages, reports in batch]
            stored[store] = (results, _stored(con))
    assert stored["together"] == stored["one by one"]
    results, tables = stored["together"]
    assert results[1] == []  # the rejected partition keeps no rows: only its bookkeeping
    assert [result.outcome for result in results[2]] == [LoadOutcome.SUPERSEDED, LoadOutcome.LOADED]
    assert tables["befunde"] and tables["faelle"]
