"""The page „Lieferungen & Datenqualität“ run headless (`AppTest`) against warehouses the real pipeline built.

The session's generated dataset is clean, so the module also builds a copy of it with two real defective
packages added to the landing zone and loaded by the real pipeline (Dagster, validation, dbt, publish): a
correction with a row the contract rejects (quarantined) and a package without a mandatory file for a quarter
that had no delivery (rejected). Expectations are read from the published marts.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.lib import formatting
from pipelines.config import Settings, get_settings

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PAGE = "app_pages/lieferungen.py"
INGEST_TESTS = Path(__file__).resolve().parents[1] / "ingest"
RUN_TIMEOUT_SECONDS = 90

CORRECTED_QUARTER = "2025-Q3"
CORRECTION_CREATED = "2026-02-20T09:00:00+01:00"  # after every generated package of the quarter
# faelle.csv line of the case with an unknown Geschlecht: the header, the three sample cases (which the sample
# events refer to, so none of them may go), then the first added case.
QUARANTINED_LINE = 5


def read_marts(warehouse_dir: Path, sql: str, params: tuple[Any, ...] = ()) -> pd.DataFrame:
    with duckdb.connect(str(warehouse_dir / "kim.duckdb"), read_only=True) as connection:
        return connection.execute(sql, list(params)).df()


def open_page(query_params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_SECONDS).run()
    at.switch_page(PAGE)
    at.query_params = dict(query_params or {})
    return at.run()


def chart(at: AppTest, key: str) -> dict[str, Any]:
    matches = [element for element in at.get("plotly_chart") if element.proto.id.endswith(f"-{key}")]
    assert len(matches) == 1, f"expected one chart with key {key}"
    return json.loads(matches[0].proto.spec)


def chart_keys(at: AppTest) -> list[str]:
    return [element.proto.id.split("-", 2)[2] for element in at.get("plotly_chart")]


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def bar_categories(figure: dict[str, Any]) -> set[str]:
    return {name for trace in figure["data"] if trace["type"] == "bar" for name in trace["y"]}


def plotly_array(value: Any) -> np.ndarray:
    """A data array of a figure's JSON: Plotly writes numeric arrays as base64 (`dtype`, `bdata`, `shape`)."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(size) for size in str(value.get("shape", len(flat))).split(",")]
        return flat.reshape(shape)
    return np.asarray(value)


def matrix_cell(figure: dict[str, Any], name: str, quartal: str) -> str:
    """The delivery status drawn for a unit and quarter, read back through the colour bar's legend."""
    (heatmap,) = figure["data"]
    row = heatmap["y"].index(name)
    column = heatmap["x"].index(formatting.format_quarter_short(quartal))
    return heatmap["colorbar"]["ticktext"][int(plotly_array(heatmap["z"])[row, column])]


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    (table,) = [table.value for table in at.table if column in table.value.columns]
    return table


# --- the session's clean warehouse --------------------------------------------------------------------------


def test_the_matrix_shows_every_unit_and_follows_the_filters(published_warehouse):
    warehouse_dir = published_warehouse.warehouse_dir
    status = read_marts(
        warehouse_dir,
        "select s.ags, k.name, k.regierungsbezirk, k.vergleichstyp, s.quartal, s.status "
        "from marts.lieferstatus s join marts.kommunen k using (ags)",
    )
    latest = status["quartal"].max()

    at = open_page()

    assert not at.exception
    assert at.title[0].value == "Lieferungen & Datenqualität"
    (heatmap,) = chart(at, "lieferungen_matrix")["data"]
    assert sorted(heatmap["y"]) == sorted(status["name"].unique()) and len(heatmap["y"]) == 54
    assert "Frist: " in heatmap["text"][0][0] and "Pakete: " in heatmap["text"][0][0]
    counts = status.loc[status["quartal"] == latest, "status"].value_counts()
    shown = metrics(at)
    for code in formatting.DELIVERY_STATUS_ORDER:
        assert shown[formatting.format_delivery_status(code)] == formatting.format_number(counts.get(code, 0))

    at.selectbox(key="lieferungen_regierungsbezirk").set_value("Köln").run()

    assert not at.exception
    in_koeln = status.loc[status["regierungsbezirk"] == "Köln", "name"].unique()
    assert sorted(chart(at, "lieferungen_matrix")["data"][0]["y"]) == sorted(in_koeln)

    at.selectbox(key="lieferungen_typ").set_value("TYP_KREIS").run()

    koeln_kreise = status.loc[
        (status["regierungsbezirk"] == "Köln") & (status["vergleichstyp"] == "TYP_KREIS"), "name"
    ].unique()
    assert 0 < len(koeln_kreise) < len(in_koeln)
    assert sorted(chart(at, "lieferungen_matrix")["data"][0]["y"]) == sorted(koeln_kreise)
    assert at.subheader[0].value.startswith(f"{len(koeln_kreise)} Kommunen")


def test_a_corrected_quarter_offers_both_packages_and_explains_the_replaced_one(published_warehouse):
    warehouse_dir = published_warehouse.warehouse_dir
    corrected = read_marts(
        warehouse_dir,
        "select ags, quartal, paket_id from marts.lieferstatus where status = 'KORRIGIERT' order by ags limit 1",
    )
    assert len(corrected), "the generated dataset must contain a correction"
    ags, quartal, loaded = corrected.iloc[0]
    packages = read_marts(
        warehouse_dir,
        "select paket_id, zeilen_geliefert, anzahl_dateien from marts.lieferungen where ags = ? and quartal = ?",
        (ags, quartal),
    ).set_index("paket_id")

    at = open_page({"ags": ags, "lieferquartal": quartal})

    assert not at.exception
    assert at.selectbox(key="lieferungen_quartal").value == quartal
    chooser = at.selectbox(key="lieferungen_paket")
    assert len(chooser.options) == len(packages) >= 2
    assert chooser.value == loaded and at.query_params["paket"] == loaded
    assert chooser.format_func(loaded).endswith("· geladen")
    assert at.success and "werden ausgewertet" in at.success[0].value
    shown = metrics(at)
    assert shown["Zeilen geliefert"] == formatting.format_number(packages.loc[loaded, "zeilen_geliefert"])
    files = table_with(at, "Abgleich")
    assert len(files) == packages.loc[loaded, "anzahl_dateien"] and set(files["Abgleich"]) == {"stimmt"}

    replaced = next(paket_id for paket_id in packages.index if paket_id != loaded)
    at.selectbox(key="lieferungen_paket").set_value(replaced).run()

    assert not at.exception
    assert at.query_params["paket"] == replaced
    (warning,) = at.warning
    assert "durch eine spätere Korrektur" in warning.value and loaded[:12] in warning.value
    assert at.subheader[1].value == f"Paket {replaced[:12]}"


def test_the_delivery_kpis_of_the_unit_and_of_all_units(published_warehouse, monkeypatch):
    # The ranking of all units is the ministry's (KPIS.md: no league table for unit leads); K25 and K26 count
    # no persons, so both snapshots hold the same values.
    monkeypatch.setenv("KIM_ROLLE", "ministerium")
    warehouse_dir = published_warehouse.warehouse_dir
    ags = read_marts(warehouse_dir, "select min(ags) as ags from marts.kommunen")["ags"].iloc[0]
    k25 = read_marts(
        warehouse_dir,
        "select quartal, wert from marts.kpi_werte where kpi_id = 'K25' and gebiet = ? and aufschluesselung = '' "
        "and wert is not null order by quartal desc limit 1",
        (ags,),
    ).iloc[0]

    at = open_page({"ags": ags})

    assert not at.exception
    shown = metrics(at)
    assert shown["Lieferpünktlichkeit"] == formatting.format_percent(k25["wert"])
    assert {
        "lieferungen_verlauf_puenktlichkeit",
        "lieferungen_verlauf_quarantaene",
        "lieferungen_verlauf_ausfuellgrad",
    } <= set(chart_keys(at))
    trend = chart(at, "lieferungen_verlauf_puenktlichkeit")
    assert {trace["name"] for trace in trend["data"]} >= {"NRW"}
    definitions = [caption.value for caption in at.caption if caption.value.startswith("**K2")]
    assert len(definitions) == 2 and "45. Tag" in definitions[0]

    def units_with(kpi_id: str, aufschluesselung: str) -> tuple[str, set[str]]:
        rows = read_marts(
            warehouse_dir,
            "select w.quartal, k.name from marts.kpi_werte w join marts.kommunen k on k.ags = w.gebiet "
            "where w.kpi_id = ? and w.aufschluesselung = ? and w.wert is not null",
            (kpi_id, aufschluesselung),
        )
        latest = rows["quartal"].max()
        return latest, set(rows.loc[rows["quartal"] == latest, "name"])

    latest, expected = units_with("K25", "")
    comparison = chart(at, "lieferungen_vergleich")
    assert bar_categories(comparison) == expected and len(expected) == 54  # K25 exists without a delivery
    assert formatting.format_quarter(latest) in comparison["layout"]["xaxis"]["title"]["text"]

    at.radio(key="lieferungen_vergleich_kennzahl").set_value("ausfuellgrad").run()

    assert not at.exception
    _, expected = units_with("K26", "kennzahl:ausfuellgrad")
    comparison = chart(at, "lieferungen_vergleich")
    assert bar_categories(comparison) == expected
    assert comparison["layout"]["xaxis"]["title"]["text"].startswith("Ausfüllgrad optionaler Felder")


def test_unit_leads_get_no_ranking_of_the_units(published_warehouse, monkeypatch):
    monkeypatch.setenv("KIM_ROLLE", "kommune")

    at = open_page()

    assert not at.exception
    assert "lieferungen_vergleich" not in chart_keys(at)
    assert "lieferungen_matrix" in chart_keys(at)
    assert any("Rolle Ministerium vorbehalten" in caption.value for caption in at.caption)


def test_a_snapshot_without_the_delivery_marts_is_explained(published_warehouse, tmp_path, monkeypatch):
    shutil.copy(published_warehouse.published_db, tmp_path / "kim.duckdb")
    with duckdb.connect(str(tmp_path / "kim.duckdb")) as connection:
        connection.execute("drop table marts.befunde")
    monkeypatch.setenv("KIM_WAREHOUSE_DIR", str(tmp_path))

    at = open_page()

    assert not at.exception
    (warning,) = at.warning
    assert "marts.befunde" in warning.value and "kim build" in warning.value
    assert not at.get("plotly_chart")


def test_the_page_explains_how_to_get_data_when_nothing_is_published(tmp_path, monkeypatch):
    monkeypatch.setenv("KIM_WAREHOUSE_DIR", str(tmp_path))

    at = open_page()

    assert not at.exception
    assert "make demo" in at.info[0].value


# --- a copy with defective real packages --------------------------------------------------------------------


@dataclass(frozen=True)
class Defects:
    settings: Settings
    corrected: tuple[str, str]  # unit and quarter whose correction has a quarantined row
    rejected: tuple[str, str]  # unit and quarter whose only package was rejected


def _set_arrival(path: Path, moment: str) -> None:
    """The package's arrival time in the landing zone (its files' modification time)."""
    stamp = datetime.fromisoformat(moment).timestamp()
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(item, (stamp, stamp))


@pytest.fixture(scope="module")
def defects(published_warehouse, tmp_path_factory) -> Defects:
    """The session's installation copied, two defective packages delivered into it, loaded and published."""
    if str(INGEST_TESTS) not in sys.path:
        sys.path.append(str(INGEST_TESTS))
    import dagster as dg
    from kim_package_factory import csv_files, sample_rows, with_manifest, write_folder, write_zip

    from pipelines.build import build_all

    status = read_marts(
        published_warehouse.warehouse_dir, "select ags, quartal, status from marts.lieferstatus order by ags"
    )
    corrected = status[(status["quartal"] == CORRECTED_QUARTER) & (status["status"] == "ANGENOMMEN")].iloc[0]
    overdue = status[status["status"] == "UEBERFAELLIG"]
    assert len(overdue), "the generated dataset must have an overdue quarter"
    rejected = overdue.iloc[0]

    root = tmp_path_factory.mktemp("kim_defekte")
    shutil.copytree(published_warehouse.data_dir, root / "data")
    shutil.copytree(published_warehouse.warehouse_dir, root / "warehouse")
    patch = pytest.MonkeyPatch()
    patch.setenv("KIM_DATA_DIR", str(root / "data"))
    patch.setenv("KIM_WAREHOUSE_DIR", str(root / "warehouse"))
    patch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    settings = get_settings()
    landing = settings.landing_dir

    # A correction of an accepted quarter: 13 cases, one without events and with a Geschlecht outside the code
    # list (1 of 13 is below the 10 % that would reject the package). No Gemeinde, so any unit may deliver them.
    rows = sample_rows()
    rows["faelle"] += [dict(rows["faelle"][0], fall_id=f"KF-Z-{index:02d}") for index in range(10)]
    for case in rows["faelle"]:
        case["gemeinde_ags"] = ""
    rows["faelle"][QUARANTINED_LINE - 2]["geschlecht"] = "Q"
    ags, quartal = corrected["ags"], corrected["quartal"]
    files = with_manifest(csv_files(rows), ags=ags, quarter=quartal, created=CORRECTION_CREATED)
    folder_taken = (landing / ags / quartal).exists()
    written = (write_zip if folder_taken else write_folder)(landing, files, ags=ags, quarter=quartal)
    _set_arrival(written, "2026-02-20T10:00:00+01:00")

    # The only package of an overdue quarter, without the mandatory personal.csv: rejected.
    incomplete = {name: table for name, table in sample_rows().items() if name != "personal"}
    files = with_manifest(
        csv_files(incomplete), ags=rejected["ags"], quarter=rejected["quartal"], created=CORRECTION_CREATED
    )
    written = write_folder(landing, files, ags=rejected["ags"], quarter=rejected["quartal"])
    _set_arrival(written, "2026-02-21T10:00:00+01:00")

    summary = build_all(settings, instance=dg.DagsterInstance.ephemeral(), progress=lambda _: None)
    assert summary.ok, summary.format_german()
    yield Defects(settings, (ags, quartal), (rejected["ags"], rejected["quartal"]))
    patch.undo()


def test_a_correction_with_a_quarantined_row_shows_the_row_and_the_reconciliation(defects):
    ags, quartal = defects.corrected
    warehouse_dir = defects.settings.warehouse_dir
    package = read_marts(
        warehouse_dir,
        "select * from marts.lieferungen where ags = ? and quartal = ? and geladen",
        (ags, quartal),
    ).iloc[0]
    assert package["status"] == "ANGENOMMEN_MIT_HINWEISEN" and package["zeilen_quarantaene"] >= 1
    findings = read_marts(
        warehouse_dir, "select count(*) as n from marts.befunde where paket_id = ?", (package["paket_id"],)
    )["n"].iloc[0]
    name = read_marts(warehouse_dir, "select name from marts.kommunen where ags = ?", (ags,))["name"].iloc[0]

    at = open_page({"ags": ags, "lieferquartal": quartal})

    assert not at.exception
    assert at.selectbox(key="lieferungen_paket").value == package["paket_id"]
    shown = metrics(at)
    assert shown["Status"] == "Angenommen mit Hinweisen"
    assert shown["In Quarantäne"] == formatting.format_number(package["zeilen_quarantaene"])
    assert "Quarantäne fehlen in den Kennzahlen" in at.success[0].value
    files = table_with(at, "Abgleich").set_index("Datei")
    assert files.loc["faelle.csv", "Geliefert"] == "13"
    assert int(files.loc["faelle.csv", "In Quarantäne"]) >= 1 and set(files["Abgleich"]) == {"stimmt"}

    (table,) = at.dataframe
    listed = table.value
    assert len(listed) == findings
    row = listed[(listed["Zeile"] == str(QUARANTINED_LINE)) & (listed["Spalte"] == "geschlecht")].iloc[0]
    assert row["Ergebnis"] == "Zeile in Quarantäne" and row["Regel"] == "Code nicht in der Codeliste"
    assert "„Q“" in row["Meldung"]
    assert json.loads(row["Gelieferte Werte"])["geschlecht"] == "Q"
    labels = {button.proto.label for button in at.get("download_button")}
    assert labels == {"Befunde als CSV herunterladen", "Lieferbericht herunterladen (Markdown)"}
    assert matrix_cell(chart(at, "lieferungen_matrix"), name, quartal) == "Korrigiert"

    at.multiselect(key="lieferungen_ergebnis").set_value(["ZEILE_QUARANTAENE"]).run()

    assert not at.exception
    assert set(at.dataframe[0].value["Ergebnis"]) == {"Zeile in Quarantäne"}
    quarantine = chart(at, "lieferungen_verlauf_quarantaene")
    unit_trace = next(trace for trace in quarantine["data"] if trace.get("name") == name)
    share = dict(zip(unit_trace["x"], plotly_array(unit_trace["y"]), strict=True))[
        formatting.format_quarter_short(quartal)
    ]
    assert share == pytest.approx(100 * package["zeilen_quarantaene"] / package["zeilen_geliefert"])

    # Another unit's package: the outcome filter chosen above does not hide its findings.
    other_ags, other_quarter = defects.rejected
    at.selectbox(key="lieferungen_ags").set_value(other_ags).run()
    at.selectbox(key="lieferungen_quartal").set_value(other_quarter).run()

    assert not at.exception
    assert at.query_params["ags"] == other_ags and at.query_params["lieferquartal"] == other_quarter
    assert set(at.dataframe[0].value["Ergebnis"]) == {"Paket abgelehnt"}


def test_a_quarter_whose_only_package_was_rejected_shows_why(defects):
    ags, quartal = defects.rejected
    warehouse_dir = defects.settings.warehouse_dir
    status = read_marts(
        warehouse_dir,
        "select status, fristgerecht from marts.lieferstatus where ags = ? and quartal = ?",
        (ags, quartal),
    ).iloc[0]
    assert status["status"] == "ABGELEHNT" and not status["fristgerecht"]
    package = read_marts(
        warehouse_dir, "select * from marts.lieferungen where ags = ? and quartal = ?", (ags, quartal)
    ).iloc[0]
    name = read_marts(warehouse_dir, "select name from marts.kommunen where ags = ?", (ags,))["name"].iloc[0]

    at = open_page({"ags": ags, "lieferquartal": quartal})

    assert not at.exception
    assert "lieferungen_paket" not in [box.key for box in at.selectbox]  # one package: nothing to choose
    shown = metrics(at)
    assert shown["Status"] == "Abgelehnt" and shown["Übernommen"] == "0"
    assert shown["Mit dem Paket abgelehnt"] == formatting.format_number(package["zeilen_geliefert"])
    (error,) = at.error
    assert "nichts daraus wurde übernommen" in error.value
    assert "Die Pflichtdatei personal.csv fehlt" in error.value
    listed = at.dataframe[0].value
    assert "Pflichtdatei fehlt" in set(listed["Regel"]) and set(listed["Ergebnis"]) == {"Paket abgelehnt"}
    assert matrix_cell(chart(at, "lieferungen_matrix"), name, quartal) == "Abgelehnt"
    quarter_label = at.selectbox(key="lieferungen_quartal").format_func(quartal)
    assert quarter_label.endswith("Abgelehnt")
