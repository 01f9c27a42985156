"""The whole path as a user runs it: `kim generate` → `kim build` (offline) → published warehouse → dashboard.

The session's installation is made by exactly these commands, as real subprocesses with the persistent Dagster
instance and one load run for all partitions, offline where the machine allows it (`tests/conftest.py`); these tests
check what they printed and left behind and serve the dashboard from it (a second build on a copy:
`test_build_robustness.py`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from pipelines.build import PHASE_DBT, PHASE_LOADING, PHASE_PUBLISH, phases_of
from pipelines.config import REPO_ROOT

FIRST_KPIS = {"K01", "K02", "K03", "K06", "K07", "K08", "K12", "K14", "K24"}


@pytest.fixture(scope="module")
def cli_installation(session_cli, published_warehouse):
    """The session's installation, generated and built by the `kim` commands (tests/conftest.py)."""
    root = published_warehouse.data_dir.parent
    return {
        "root": root,
        "env": dict(os.environ),
        "generate": session_cli.generate,
        "build": session_cli.build,
    }


def test_cli_prints_short_german_summaries(cli_installation):
    assert "Lieferpakete von 54 Kommunen" in cli_installation["generate"]
    output = cli_installation["build"]
    assert "Warehouse veröffentlicht" in output
    assert "fehlgeschlagen: 0" in output
    assert len(output.splitlines()) < 30, "kim build should print a short summary, not tool logs"
    # the last line names the wall time of every phase (the benchmark reads it with `phases_of`)
    phases = phases_of(output)
    assert set(phases) == {PHASE_LOADING, PHASE_DBT, PHASE_PUBLISH}
    assert all(seconds > 0 for seconds in phases.values())


def test_published_warehouse_has_54_units_and_every_first_kpi(cli_installation):
    published = cli_installation["root"] / "warehouse" / "kim.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.kommunen").fetchone()[0] == 54
        delivered = con.execute(
            "select ags, quartal from marts.lieferstatus where paket_id is not null"
        ).fetchall()
        assert len(delivered) > 100
        rows = set(
            con.execute(
                "select kpi_id, gebiet, quartal from marts.kpi_werte where aufschluesselung = ''"
            ).fetchall()
        )
    for ags, quartal in delivered:
        for kpi in FIRST_KPIS:
            assert (kpi, ags, quartal) in rows
            assert (kpi, "NRW", quartal) in rows


def test_no_delivered_pseudonym_reaches_the_warehouse(cli_installation):
    landing = cli_installation["root"] / "data" / "landing"
    delivered = set()
    for csv_file in landing.rglob("faelle.csv"):
        text = csv_file.read_bytes().decode("utf-8-sig", errors="replace")
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
        for line in text.splitlines()[1:]:
            first = line.split(delimiter)[0].strip().strip('"')
            if first:
                delivered.add(first)
    assert len(delivered) > 100
    published = cli_installation["root"] / "warehouse" / "kim_ministerium.duckdb"  # raw tables are only there
    with duckdb.connect(str(published), read_only=True) as con:
        stored = {
            row[0]
            for row in con.execute(
                "select fall_id from raw.faelle union select person_id from raw.faelle "
                "union select fall_id from raw.ereignisse"
            ).fetchall()
        }
    assert stored and not (stored & delivered)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_dashboard_server_answers_health_check(cli_installation):
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO_ROOT / "dashboards" / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
        ],
        env=cli_installation["env"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    assert response.read().decode() == "ok"
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert "<title>" in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert Path(cli_installation["root"] / "warehouse" / "kim.duckdb").exists()


def test_every_kpi_has_rows_intervals_comparisons_and_trends(cli_installation):
    """The catalogue's promise: every KPI in the published warehouse, with its interval where the catalogue
    names a method, its comparison with every reference and its trend wherever a series has five values."""
    warehouse = cli_installation["root"] / "warehouse"
    with duckdb.connect(str(warehouse / "kim.duckdb"), read_only=True) as con:
        catalogue = dict(con.execute("select kpi_id, methode from marts.kpi_katalog").fetchall())
        published = {row[0] for row in con.execute("select distinct kpi_id from marts.kpi_werte").fetchall()}
        compared = dict(
            con.execute(
                "select kpi_id, count(distinct referenzebene) from marts.kpi_vergleiche group by 1"
            ).fetchall()
        )
        # counts an area sums up are compared with the unit's previous year only
        sums = {
            row[0]
            for row in con.execute(
                "select kpi_id from referenz.kpi_varianten where aufschluesselung_muster = '%' and not vergleichbar"
            ).fetchall()
        }
    with duckdb.connect(str(warehouse / "kim_ministerium.duckdb"), read_only=True) as con:
        with_interval = {
            row[0]
            for row in con.execute(
                "select distinct kpi_id from marts.kpi_werte where ki95_unten is not null"
            ).fetchall()
        }
        trended = {row[0] for row in con.execute("select distinct kpi_id from marts.kpi_trends").fetchall()}
        five_values = {
            row[0]
            for row in con.execute(
                "select distinct kpi_id from (select kpi_id, count(wert) over (partition by kpi_id, gebiet, "
                "aufschluesselung order by quartal rows between 4 preceding and current row) as n "
                "from marts.kpi_werte where gebietsebene != 'peergruppe') where n = 5"
            ).fetchall()
        }
    assert published == set(catalogue)
    assert {kpi for kpi, method in catalogue.items() if method != "keine"} <= with_interval
    assert sums == {"K02", "K11", "K16"}
    assert all(compared.get(kpi) == (1 if kpi in sums else 5) for kpi in catalogue), compared
    assert five_values and five_values <= trended
