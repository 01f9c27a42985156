"""The dashboard pages run headless (`AppTest`) against a warehouse the real pipeline published.

Expectations are read from the published marts themselves, so the tests hold for any generated dataset.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.lib import formatting, geometry, kpi_display
from pipelines.config import Settings

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PROFILE_PAGE = "app_pages/kommunenprofil.py"
RUN_TIMEOUT_SECONDS = 60


def read_marts(settings: Settings, sql: str, params: tuple[Any, ...] = ()) -> pd.DataFrame:
    with duckdb.connect(str(settings.published_db), read_only=True) as connection:
        return connection.execute(sql, list(params)).df()


def kpis_with_values(settings: Settings) -> pd.DataFrame:
    return read_marts(
        settings,
        "select kpi_id, name from marts.kpi_katalog k where exists "
        "(select 1 from marts.kpi_werte w where w.kpi_id = k.kpi_id and w.wert is not null) order by kpi_id",
    )


def unit_quarters(settings: Settings, kpi_id: str) -> list[str]:
    return read_marts(
        settings,
        "select distinct quartal from marts.kpi_werte where kpi_id = ? and gebietsebene = 'kommune' "
        "and aufschluesselung = '' and wert is not null order by quartal desc",
        (kpi_id,),
    )["quartal"].tolist()


def units_with_value(settings: Settings, kpi_id: str, quartal: str) -> set[str]:
    return set(
        read_marts(
            settings,
            "select k.name from marts.kommunen k join marts.kpi_werte w on w.gebiet = k.ags "
            "where w.kpi_id = ? and w.quartal = ? and w.aufschluesselung = '' and w.wert is not null",
            (kpi_id, quartal),
        )["name"]
    )


def best_covered_unit(settings: Settings) -> str:
    """The unit with the most published values (the first by AGS among equals)."""
    return read_marts(
        settings,
        "select gebiet from marts.kpi_werte where gebietsebene = 'kommune' "
        "group by gebiet order by count(wert) desc, gebiet limit 1",
    )["gebiet"].iloc[0]


def open_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_SECONDS)


def chart(at: AppTest, key: str) -> dict[str, Any]:
    """The Plotly figure (as JSON) of the chart with the given key."""
    matches = [element for element in at.get("plotly_chart") if element.proto.id.endswith(f"-{key}")]
    assert len(matches) == 1, f"expected one chart with key {key}"
    return json.loads(matches[0].proto.spec)


def chart_keys(at: AppTest) -> list[str]:
    return [element.proto.id.split("-", 2)[2] for element in at.get("plotly_chart")]


def bar_categories(figure: dict[str, Any]) -> set[str]:
    return {name for trace in figure["data"] if trace["type"] == "bar" for name in trace["y"]}


def grid_geojson(ags_codes: list[str]) -> dict[str, Any]:
    """One small triangle per unit on a grid: enough geometry for a map trace to place every unit."""
    features = []
    for index, ags in enumerate(ags_codes):
        x, y = 6 + index % 8, 50 + index // 8
        ring = [[x, y], [x, y + 1], [x + 1, y + 1], [x, y]]
        features.append(
            {
                "type": "Feature",
                "properties": {"AGS": ags},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- Landesübersicht ----------------------------------------------------------------------------------------


def test_landesuebersicht_shows_nrw_tiles_all_units_and_delivery_status(published_warehouse):
    at = open_app().run()

    assert not at.exception
    assert at.title[0].value == "Landesübersicht"
    kpis = kpis_with_values(published_warehouse)
    tiles = [metric for metric in at.metric if metric.label.split(" · ")[0] in set(kpis["name"])]
    assert sorted(tile.label.split(" · ")[0] for tile in tiles) == sorted(kpis["name"])
    assert any(tile.value != formatting.MISSING for tile in tiles)

    assert {"landesuebersicht_vergleich", "landesuebersicht_lieferstatus"} <= set(chart_keys(at))
    first_kpi = kpis["kpi_id"].iloc[0]
    latest = unit_quarters(published_warehouse, first_kpi)[0]
    assert at.query_params["kpi"] == first_kpi
    assert at.query_params["quartal"] == latest
    assert bar_categories(chart(at, "landesuebersicht_vergleich")) == units_with_value(
        published_warehouse, first_kpi, latest
    )

    status = read_marts(published_warehouse, "select ags, quartal, status from marts.lieferstatus")
    status_quarter = status["quartal"].max()
    (heatmap,) = chart(at, "landesuebersicht_lieferstatus")["data"]
    assert len(heatmap["y"]) == status["ags"].nunique()
    assert heatmap["x"][-1] == formatting.format_quarter_short(status_quarter)
    counts = status.loc[status["quartal"] == status_quarter, "status"].value_counts()
    shown = {metric.label: metric.value for metric in at.metric}
    for code, count in counts.items():
        assert shown[formatting.format_delivery_status(code)] == formatting.format_number(count)


def test_kpi_and_quarter_selectors_change_the_comparison_and_the_link(published_warehouse):
    kpis = kpis_with_values(published_warehouse)
    assert len(kpis) >= 2, "the test dataset must have values for at least two KPIs"
    other_kpi, other_name = kpis["kpi_id"].iloc[1], kpis["name"].iloc[1]
    at = open_app().run()
    before = chart(at, "landesuebersicht_vergleich")

    at.selectbox(key="landesuebersicht_kpi").set_value(other_kpi).run()

    assert not at.exception
    assert at.query_params["kpi"] == other_kpi
    after = chart(at, "landesuebersicht_vergleich")
    assert after["layout"]["xaxis"]["title"]["text"].startswith(other_name)
    assert after != before
    quarters = unit_quarters(published_warehouse, other_kpi)
    assert at.selectbox(key="landesuebersicht_quartal").value == quarters[0]

    assert len(quarters) >= 2, "the test dataset must span at least two quarters"
    at.selectbox(key="landesuebersicht_quartal").set_value(quarters[-1]).run()

    assert not at.exception
    assert at.query_params["quartal"] == quarters[-1]
    assert bar_categories(chart(at, "landesuebersicht_vergleich")) == units_with_value(
        published_warehouse, other_kpi, quarters[-1]
    )


def test_query_params_open_a_linked_view(published_warehouse):
    kpis = kpis_with_values(published_warehouse)
    kpi_id = kpis["kpi_id"].iloc[-1]
    oldest = unit_quarters(published_warehouse, kpi_id)[-1]
    at = open_app()
    at.query_params["kpi"] = kpi_id
    at.query_params["quartal"] = oldest
    at.run()

    assert not at.exception
    assert at.selectbox(key="landesuebersicht_kpi").value == kpi_id
    assert at.selectbox(key="landesuebersicht_quartal").value == oldest
    assert bar_categories(chart(at, "landesuebersicht_vergleich")) == units_with_value(
        published_warehouse, kpi_id, oldest
    )


def test_unknown_query_params_fall_back_to_the_defaults(published_warehouse):
    at = open_app()
    at.query_params["kpi"] = "K99"
    at.query_params["quartal"] = "1999-Q1"
    at.run()

    assert not at.exception
    first_kpi = kpis_with_values(published_warehouse)["kpi_id"].iloc[0]
    assert at.query_params["kpi"] == first_kpi
    assert at.query_params["quartal"] == unit_quarters(published_warehouse, first_kpi)[0]


def test_map_colours_every_unit_from_the_configured_geometry(published_warehouse, tmp_path, monkeypatch):
    units = read_marts(published_warehouse, "select ags from marts.kommunen order by ags")["ags"].tolist()
    geojson_file = tmp_path / "einheiten.geojson"
    geojson_file.write_text(json.dumps(grid_geojson(units)), encoding="utf-8")
    monkeypatch.setenv(geometry.GEOJSON_ENV_VARIABLE, str(geojson_file))

    at = open_app().run()

    assert not at.exception
    figure = chart(at, "landesuebersicht_karte")
    assert {trace["type"] for trace in figure["data"]} == {"choroplethmap"}
    assert figure["layout"]["map"]["style"] == "white-bg"
    mapped = [ags for trace in figure["data"] for ags in trace["locations"]]
    assert sorted(mapped) == units
    assert geometry.ATTRIBUTION in [caption.value for caption in at.caption]


def test_shared_geometry_has_an_area_for_every_unit(published_warehouse):
    if not geometry.DEFAULT_GEOJSON.is_file():
        pytest.skip(f"reference data not present: {geometry.DEFAULT_GEOJSON}")
    units = set(read_marts(published_warehouse, "select ags from marts.kommunen")["ags"])
    assert geometry.feature_ids(geometry.load_unit_geometry(geometry.DEFAULT_GEOJSON)) == units


def test_map_is_skipped_with_a_note_when_the_geometry_is_missing(published_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv(geometry.GEOJSON_ENV_VARIABLE, str(tmp_path / "fehlt.geojson"))

    at = open_app().run()

    assert not at.exception
    assert "landesuebersicht_karte" not in chart_keys(at)
    assert any(
        "fehlt.geojson" in warning.value and "Karte entfällt" in warning.value for warning in at.warning
    )
    assert "landesuebersicht_vergleich" in chart_keys(at)


def test_broken_geometry_file_is_reported_with_line_and_column(published_warehouse, tmp_path, monkeypatch):
    broken = tmp_path / "kaputt.geojson"
    broken.write_text('{"type": "FeatureCollection",\n "features": [}', encoding="utf-8")
    monkeypatch.setenv(geometry.GEOJSON_ENV_VARIABLE, str(broken))

    at = open_app().run()

    assert not at.exception
    (warning,) = at.warning
    assert "kaputt.geojson" in warning.value and "Zeile 2" in warning.value


# --- Kommunenprofil -----------------------------------------------------------------------------------------


def open_profile(query_params: dict[str, str] | None = None) -> AppTest:
    at = open_app().run()
    at.switch_page(PROFILE_PAGE)
    at.query_params = dict(query_params or {})
    return at.run()


def test_profile_opens_the_unit_named_in_the_link(published_warehouse):
    units = read_marts(
        published_warehouse,
        "select ags, name, typ_bezeichnung, regierungsbezirk, einwohner from marts.kommunen",
    ).sort_values("ags")
    unit = units.iloc[-1]

    at = open_profile({"ags": unit["ags"]})

    assert not at.exception
    assert at.title[0].value == unit["name"]
    assert at.selectbox(key="kommunenprofil_ags").value == unit["ags"]
    assert at.query_params["ags"] == unit["ags"]
    header = at.caption[0].value
    assert unit["typ_bezeichnung"] in header and unit["regierungsbezirk"] in header
    facts = {metric.label: metric.value for metric in at.metric}
    assert facts["Einwohnerinnen und Einwohner"] == formatting.format_number(unit["einwohner"])


def test_profile_defaults_to_the_first_unit_and_follows_the_selector(published_warehouse):
    units = read_marts(published_warehouse, "select ags, name from marts.kommunen order by ags")

    at = open_profile({"ags": "99999"})

    assert not at.exception
    assert at.title[0].value == units["name"].iloc[0]
    at.selectbox(key="kommunenprofil_ags").set_value(units["ags"].iloc[1]).run()
    assert at.title[0].value == units["name"].iloc[1]
    assert at.query_params["ags"] == units["ags"].iloc[1]


def test_profile_charts_every_kpi_against_nrw_and_the_unit_type(published_warehouse):
    unit = read_marts(
        published_warehouse,
        "select k.ags, k.name, g.name as typ_name from marts.kommunen k "
        "join marts.gebiete g on g.gebiet = k.vergleichstyp where k.ags = ?",
        (best_covered_unit(published_warehouse),),
    ).iloc[0]
    kpis = kpis_with_values(published_warehouse)

    at = open_profile({"ags": unit["ags"]})

    assert not at.exception
    latest = at.table[0].value
    assert latest["Kennzahl"].tolist() == kpis["name"].tolist()
    assert {"Wert", "95-%-Intervall", "NRW", unit["typ_name"]} <= set(latest.columns)
    for kpi_id, name in zip(kpis["kpi_id"], kpis["name"], strict=True):
        traces = {trace.get("name") for trace in chart(at, f"kommunenprofil_verlauf_{kpi_id}")["data"]}
        references = latest.loc[latest["Kennzahl"] == name, ["NRW", unit["typ_name"]]].iloc[0]
        if kpi_display.reference_is_sum(kpi_id):  # totals over all units are listed, never drawn
            assert unit["name"] in traces and not {unit["typ_name"], "NRW"} & traces, kpi_id
            assert all(value.startswith("Summe: ") or value == formatting.MISSING for value in references)
        else:
            assert {unit["name"], unit["typ_name"], "NRW"} <= traces, kpi_id
            assert not any(value.startswith("Summe") for value in references)


def test_profile_shows_breakdowns_of_the_latest_quarter(published_warehouse):
    ags = best_covered_unit(published_warehouse)
    broken_down = read_marts(
        published_warehouse,
        "select distinct kpi_id, split_part(aufschluesselung, ':', 1) as dimension from marts.kpi_werte "
        "where gebiet = ? and aufschluesselung <> '' and wert is not null",
        (ags,),
    )
    assert not broken_down.empty, "the test dataset must contain breakdowns"

    at = open_profile({"ags": ags})

    assert not at.exception
    keys = set(chart_keys(at))
    for row in broken_down.itertuples():
        if row.dimension == "meilenstein":
            milestone_tables = [table.value for table in at.table if "Meilenstein" in table.value.columns]
            assert milestone_tables and len(milestone_tables[0]) > 0
        else:
            assert f"kommunenprofil_aufschluesselung_{row.kpi_id}" in keys, row.kpi_id


def test_profile_shows_no_other_unit(published_warehouse):
    units = read_marts(published_warehouse, "select ags, name from marts.kommunen order by ags")
    chosen = units.iloc[0]

    at = open_profile({"ags": chosen["ags"]})

    others = [json.dumps(name) for name in units["name"] if name != chosen["name"]]
    for element in at.get("plotly_chart"):
        assert not [name for name in others if name in element.proto.spec], element.proto.id
    for table in at.table:
        assert not set(table.value.astype(str).to_numpy().ravel()) & set(units["name"]) - {chosen["name"]}


# --- no warehouse yet ---------------------------------------------------------------------------------------


def test_every_page_explains_how_to_get_data_when_nothing_is_published(tmp_path, monkeypatch):
    monkeypatch.setenv("KIM_WAREHOUSE_DIR", str(tmp_path))

    at = open_app().run()

    assert not at.exception
    (hint,) = at.info
    assert "noch keine Daten" in hint.value and "make demo" in hint.value and "kim build" in hint.value
    assert not at.get("plotly_chart")

    at.switch_page(PROFILE_PAGE).run()

    assert not at.exception
    assert "make demo" in at.info[0].value
