"""The row reconciliation test (`assert_rows_reconcile_per_file`) catches every way a delivered row can get lost.

A raw layer with one reconciling package and three broken ones is built, and the singular test must name
exactly the broken files; the marts show the same files as not reconciled.
"""

from __future__ import annotations

import duckdb

STICHTAG = "2025-09-01"
VARIABLES = {"berichtsbeginn": "2025-Q1"}


def _package(paket_id, ags, status, loaded):
    return {
        "paket_id": paket_id,
        "ags": ags,
        "berichtsquartal": "2025-Q1",
        "erstellt_am": "2025-04-20 09:00:00+02",
        "eingegangen_am": "2025-04-20 10:00:00+02",
        "verarbeitet_am": "2025-04-20 10:05:00+02",
        "paketform": "ORDNER_CSV",
        "archiv_pfad": f"archive/{paket_id}.zip",
        "status": status,
        "geladen": loaded,
    }


def _file(paket_id, datei, delivered, loaded, quarantined):
    return {
        "paket_id": paket_id,
        "datei": datei,
        "zeilen_geliefert": delivered,
        "zeilen_geladen": loaded,
        "zeilen_quarantaene": quarantined,
    }


def _quarantined(paket_id, ags, datei, zeile, ergebnis="ZEILE_QUARANTAENE"):
    return {
        "paket_id": paket_id,
        "ags": ags,
        "berichtsquartal": "2025-Q1",
        "datei": datei,
        "zeile": zeile,
        "regel": "CODELISTE",
        "meldung": f"{datei}, Zeile {zeile}: unbekannter Code.",
        "ergebnis": ergebnis,
    }


RAW_ROWS = {
    "lieferungen": [
        _package("gut", "05111", "ANGENOMMEN_MIT_HINWEISEN", True),
        _package("zeile-verloren", "05154", "ANGENOMMEN_MIT_HINWEISEN", True),
        _package("befund-fehlt", "05158", "ANGENOMMEN_MIT_HINWEISEN", True),
        _package("abgelehnt-geladen", "05162", "ABGELEHNT", False),
    ],
    "lieferungen_dateien": [
        # 10 = 9 + 1, and line 5 is the one quarantined line.
        _file("gut", "faelle.csv", 10, 9, 1),
        # 10 delivered, 8 loaded, 1 quarantined: one row lost.
        _file("zeile-verloren", "faelle.csv", 10, 8, 1),
        # 10 = 8 + 2, but the findings name only one quarantined line; personal.csv has a quarantine finding but
        # no reconciliation row at all.
        _file("befund-fehlt", "faelle.csv", 10, 8, 2),
        # A rejected package whose rows were counted as loaded.
        _file("abgelehnt-geladen", "faelle.csv", 10, 10, 0),
    ],
    "befunde": [
        _quarantined("gut", "05111", "faelle.csv", 5),
        _quarantined("zeile-verloren", "05154", "faelle.csv", 4),
        _quarantined("befund-fehlt", "05158", "faelle.csv", 3),
        _quarantined("befund-fehlt", "05158", "personal.csv", 2),
        _quarantined("abgelehnt-geladen", "05162", None, None, "PAKET_ABGELEHNT"),
    ],
}


def test_reconciliation_test_names_every_file_that_loses_a_row(tmp_path, dbt_project):
    database = dbt_project.create_build_database(tmp_path, RAW_ROWS)
    for command in (["seed"], ["run", "--select", "+lieferungen_dateien", "+befunde", "+lieferungen"]):
        run = dbt_project.run(command, tmp_path, STICHTAG, VARIABLES)
        assert run.returncode == 0, run.output[-4000:]

    failing = dbt_project.run(
        ["test", "--select", "assert_rows_reconcile_per_file", "--store-failures"],
        tmp_path,
        STICHTAG,
        VARIABLES,
    )

    assert failing.returncode != 0
    (result,) = failing.results
    assert result["status"] == "fail" and result["failures"] == 4, result
    with duckdb.connect(str(database), read_only=True) as con:
        failures = con.execute(
            "select paket_id, datei, ebene from dbt_test__audit.assert_rows_reconcile_per_file order by all"
        ).fetchall()
        assert failures == [
            ("abgelehnt-geladen", "faelle.csv", "Datei"),
            ("befund-fehlt", "faelle.csv", "Datei"),
            ("befund-fehlt", "personal.csv", "Datei"),
            ("zeile-verloren", "faelle.csv", "Datei"),
        ]
        shown = con.execute(
            "select paket_id, abgeglichen from marts.lieferungen_dateien where datei = 'faelle.csv' order by 1"
        ).fetchall()
        assert shown == [
            ("abgelehnt-geladen", False),
            ("befund-fehlt", False),
            ("gut", True),
            ("zeile-verloren", False),
        ]
