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

from dashboards.lib import formatting, geometry, kpi_display, roles
from pipelines.config import Settings

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PROFILE_PAGE = "app_pages/kommunenprofil.py"
METHODIK_PAGE = "app_pages/methodik.py"
PAGES = (
    "app_pages/landesuebersicht.py",
    PROFILE_PAGE,
    "app_pages/lieferungen.py",
    "app_pages/datenlieferung.py",
    METHODIK_PAGE,
)
RUN_TIMEOUT_SECONDS = 60
HIDDEN = "('anzahl_unter_5', 'fallzahl_unter_10', 'sekundaer')"


def read_marts(
    settings: Settings, sql: str, params: tuple[Any, ...] = (), *, ministry: bool = False
) -> pd.DataFrame:
    """Query the published snapshot (`kim.duckdb`), or with `ministry` the ministry's (`kim_ministerium.duckdb`)."""
    path = settings.ministry_db if ministry else settings.published_db
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql, list(params)).df()


@pytest.fixture
def ministry(monkeypatch) -> bool:
    """The dashboards run in the ministry role (`KIM_ROLLE=ministerium`); the value says which snapshot to read."""
    monkeypatch.setenv(roles.ROLE_ENV_VARIABLE, roles.MINISTERIUM.code)
    return True


def kpis_with_values(settings: Settings, *, ministry: bool = False) -> pd.DataFrame:
    return read_marts(
        settings,
        "select kpi_id, name, einheit, wertart, methode, faktor, geheimhaltung_anzahl from marts.kpi_katalog k "
        "where exists (select 1 from marts.kpi_werte w where w.kpi_id = k.kpi_id and w.wert is not null) "
        "order by kpi_id",
        ministry=ministry,
    )


def unit_quarters(settings: Settings, kpi_id: str, *, ministry: bool = False) -> list[str]:
    return read_marts(
        settings,
        "select distinct quartal from marts.kpi_werte where kpi_id = ? and gebietsebene = 'kommune' "
        "and aufschluesselung = '' and wert is not null order by quartal desc",
        (kpi_id,),
        ministry=ministry,
    )["quartal"].tolist()


def units_with_value(settings: Settings, kpi_id: str, quartal: str, *, ministry: bool = False) -> set[str]:
    return set(
        read_marts(
            settings,
            "select k.name from marts.kommunen k join marts.kpi_werte w on w.gebiet = k.ags "
            "where w.kpi_id = ? and w.quartal = ? and w.aufschluesselung = '' and w.wert is not null",
            (kpi_id, quartal),
            ministry=ministry,
        )["name"]
    )


def funnel_kpi(settings: Settings, *, ministry: bool = False) -> pd.Series:
    """The first KPI with funnel limits in the latest quarter that has any, with that quarter."""
    return read_marts(
        settings,
        "select t.kpi_id, k.name, max(t.quartal) as quartal from marts.kpi_trichter t "
        "join marts.kpi_katalog k using (kpi_id) where t.aufschluesselung = '' group by all order by t.kpi_id limit 1",
        ministry=ministry,
    ).iloc[0]


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

    # Unit leads get no league table (KPIS.md): the ranking of the units is the ministry's.
    assert "landesuebersicht_lieferstatus" in chart_keys(at)
    assert "landesuebersicht_vergleich" not in chart_keys(at)
    assert any("Rolle Ministerium vorbehalten" in caption.value for caption in at.caption)
    first_kpi = kpis["kpi_id"].iloc[0]
    assert at.query_params["kpi"] == first_kpi
    assert at.query_params["quartal"] == unit_quarters(published_warehouse, first_kpi)[0]

    status = read_marts(published_warehouse, "select ags, quartal, status from marts.lieferstatus")
    status_quarter = status["quartal"].max()
    (heatmap,) = chart(at, "landesuebersicht_lieferstatus")["data"]
    assert len(heatmap["y"]) == status["ags"].nunique()
    assert heatmap["x"][-1] == formatting.format_quarter_short(status_quarter)
    counts = status.loc[status["quartal"] == status_quarter, "status"].value_counts()
    shown = {metric.label: metric.value for metric in at.metric}
    for code, count in counts.items():
        assert shown[formatting.format_delivery_status(code)] == formatting.format_number(count)


def test_the_ministry_ranks_all_units_on_one_kpi(published_warehouse, ministry):
    first_kpi = kpis_with_values(published_warehouse, ministry=ministry)["kpi_id"].iloc[0]
    latest = unit_quarters(published_warehouse, first_kpi, ministry=ministry)[0]

    at = open_app().run()

    assert not at.exception
    assert "Rolle: **Ministerium**" in [markdown.value for markdown in at.sidebar.markdown]
    assert {"landesuebersicht_vergleich", "landesuebersicht_lieferstatus"} <= set(chart_keys(at))
    assert bar_categories(chart(at, "landesuebersicht_vergleich")) == units_with_value(
        published_warehouse, first_kpi, latest, ministry=ministry
    )


def test_kpi_and_quarter_selectors_change_the_comparison_and_the_link(published_warehouse, ministry):
    kpis = kpis_with_values(published_warehouse, ministry=ministry)
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
    quarters = unit_quarters(published_warehouse, other_kpi, ministry=ministry)
    assert at.selectbox(key="landesuebersicht_quartal").value == quarters[0]

    assert len(quarters) >= 2, "the test dataset must span at least two quarters"
    at.selectbox(key="landesuebersicht_quartal").set_value(quarters[-1]).run()

    assert not at.exception
    assert at.query_params["quartal"] == quarters[-1]
    assert bar_categories(chart(at, "landesuebersicht_vergleich")) == units_with_value(
        published_warehouse, other_kpi, quarters[-1], ministry=ministry
    )


def test_query_params_open_a_linked_view(published_warehouse, ministry):
    kpis = kpis_with_values(published_warehouse, ministry=ministry)
    kpi_id = kpis["kpi_id"].iloc[-1]
    oldest = unit_quarters(published_warehouse, kpi_id, ministry=ministry)[-1]
    at = open_app()
    at.query_params["kpi"] = kpi_id
    at.query_params["quartal"] = oldest
    at.run()

    assert not at.exception
    assert at.selectbox(key="landesuebersicht_kpi").value == kpi_id
    assert at.selectbox(key="landesuebersicht_quartal").value == oldest
    assert bar_categories(chart(at, "landesuebersicht_vergleich")) == units_with_value(
        published_warehouse, kpi_id, oldest, ministry=ministry
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
    assert "landesuebersicht_lieferstatus" in chart_keys(at)


def test_broken_geometry_file_is_reported_with_line_and_column(published_warehouse, tmp_path, monkeypatch):
    broken = tmp_path / "kaputt.geojson"
    broken.write_text('{"type": "FeatureCollection",\n "features": [}', encoding="utf-8")
    monkeypatch.setenv(geometry.GEOJSON_ENV_VARIABLE, str(broken))

    at = open_app().run()

    assert not at.exception
    (warning,) = at.warning
    assert "kaputt.geojson" in warning.value and "Zeile 2" in warning.value


def test_overview_funnel_names_no_unit_for_unit_leads_and_every_unit_for_the_ministry(
    published_warehouse, monkeypatch
):
    kpi = funnel_kpi(published_warehouse)
    names = set(read_marts(published_warehouse, "select name from marts.kommunen")["name"])

    at = open_app()
    at.query_params["kpi"] = kpi["kpi_id"]
    at.query_params["quartal"] = kpi["quartal"]
    at.run()

    assert not at.exception
    spec = json.dumps(chart(at, "landesuebersicht_trichter"), ensure_ascii=False)
    assert not [name for name in names if json.dumps(name, ensure_ascii=False) in spec]

    monkeypatch.setenv(roles.ROLE_ENV_VARIABLE, roles.MINISTERIUM.code)
    at = open_app()
    at.query_params["kpi"] = kpi["kpi_id"]
    at.query_params["quartal"] = kpi["quartal"]
    at.run()

    assert not at.exception
    figure = chart(at, "landesuebersicht_trichter")
    named = {row[0] for trace in figure["data"] for row in trace.get("customdata") or []}
    in_funnel = read_marts(
        published_warehouse,
        "select k.name from marts.kpi_trichter t join marts.kommunen k on k.ags = t.gebiet "
        "where t.kpi_id = ? and t.quartal = ? and t.aufschluesselung = ''",
        (kpi["kpi_id"], kpi["quartal"]),
        ministry=True,
    )["name"]
    assert named == set(in_funnel)


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


def test_profile_charts_every_kpi_against_the_chosen_reference_and_nrw(published_warehouse):
    unit = read_marts(
        published_warehouse,
        "select k.ags, k.name, g.name as typ_name from marts.kommunen k "
        "join marts.gebiete g on g.gebiet = k.vergleichstyp where k.ags = ?",
        (best_covered_unit(published_warehouse),),
    ).iloc[0]
    kpis = kpis_with_values(published_warehouse)

    # The table lists the KPIs with a total for the unit or NRW (K19, e.g., comes in two stages only).
    with_total = read_marts(
        published_warehouse,
        "select distinct kpi_id from marts.kpi_werte where aufschluesselung = '' and gebiet in (?, 'NRW') "
        f"and (wert is not null or geheimhaltung in {HIDDEN}) order by kpi_id",
        (unit["ags"],),
    )["kpi_id"]

    at = open_profile({"ags": unit["ags"]})

    assert not at.exception
    assert at.selectbox(key="kommunenprofil_bezug").value == "land"
    latest = latest_values(at)
    assert latest["Kennzahl"].tolist() == kpis.set_index("kpi_id").loc[with_total, "name"].tolist()
    assert {"Wert", "95-%-Intervall", "NRW", "Vergleich", "Trend (5 Quartale)"} <= set(latest.columns)
    for kpi_id in with_total:
        traces = {trace.get("name") for trace in chart(at, f"kommunenprofil_verlauf_{kpi_id}")["data"]}
        assert unit["name"] in traces, kpi_id
        assert ("NRW" in traces) != kpi_display.reference_is_sum(kpi_id), kpi_id

    at.selectbox(key="kommunenprofil_bezug").set_value("typ").run()

    assert not at.exception
    assert at.query_params["bezug"] == "typ"
    latest = latest_values(at)
    assert unit["typ_name"] in latest.columns and "NRW" not in latest.columns
    names = kpis.set_index("kpi_id")["name"]
    for kpi_id in with_total:
        traces = {trace.get("name") for trace in chart(at, f"kommunenprofil_verlauf_{kpi_id}")["data"]}
        reference = latest.loc[latest["Kennzahl"] == names[kpi_id], unit["typ_name"]].iloc[0]
        if kpi_display.reference_is_sum(kpi_id):  # totals over all units are listed, never drawn
            assert unit["name"] in traces and not {unit["typ_name"], "NRW"} & traces, kpi_id
            assert reference.startswith("Summe: ") or reference == formatting.MISSING
        else:
            assert {unit["name"], unit["typ_name"], "NRW"} <= traces, kpi_id
            assert not reference.startswith("Summe")


def latest_values(at: AppTest) -> pd.DataFrame:
    """The table of latest values of the profile."""
    (table,) = [table.value for table in at.table if "Kennzahl" in table.value.columns]
    return table


def shown_comparisons(
    settings: Settings,
    ags: str,
    latest: pd.DataFrame,
    referenzebene: str,
    kpis: pd.DataFrame,
    *,
    ministry=False,
) -> list[str]:
    """What the column „Vergleich“ must say for each KPI row of the table, read from kpi_vergleiche."""
    quarter_of = {
        formatting.format_quarter(q): q
        for q in read_marts(settings, "select distinct quartal from marts.kpi_werte")["quartal"]
    }
    expected = []
    for name, shown_quarter in zip(latest["Kennzahl"], latest["Quartal"], strict=True):
        kpi_id = kpis.loc[kpis["name"] == name, "kpi_id"].iloc[0]
        rows = read_marts(
            settings,
            "select bewertung_95, bewertung_998, signifikanz from marts.kpi_vergleiche where gebiet = ? "
            "and kpi_id = ? and quartal = ? and aufschluesselung = '' and referenzebene = ?",
            (ags, kpi_id, quarter_of[shown_quarter], referenzebene),
            ministry=ministry,
        )
        if rows.empty or (referenzebene != "vorjahr" and kpi_display.reference_is_sum(kpi_id)):
            expected.append(formatting.MISSING)
        else:
            expected.append(formatting.format_comparison(*rows.iloc[0].tolist()))
    return expected


def test_switching_the_reference_changes_the_significance_shown(published_warehouse):
    # A unit whose result against NRW and against another reference differs in some KPI's latest quarter
    # (the quarter the table shows, as the unit has a value there).
    candidate = read_marts(
        published_warehouse,
        "with letzte as (select gebiet, kpi_id, max(quartal) as quartal from marts.kpi_vergleiche "
        "where aufschluesselung = '' group by all) "
        "select a.gebiet, b.referenzebene from marts.kpi_vergleiche a join letzte using (gebiet, kpi_id, quartal) "
        "join marts.kpi_vergleiche b using (gebiet, kpi_id, quartal, aufschluesselung) "
        "where a.aufschluesselung = '' and a.referenzebene = 'land' and b.referenzebene in ('typ', 'peergruppe') "
        "and a.wert is not null and b.bewertung_95 is not null and a.bewertung_95 <> b.bewertung_95 "
        "and a.kpi_id not in ('K02', 'K11', 'K16') order by a.gebiet, b.referenzebene limit 1",
    )
    assert len(candidate), (
        "the test dataset must contain a unit that compares differently with two references"
    )
    ags, other = candidate.iloc[0]
    kpis = kpis_with_values(published_warehouse)

    at = open_profile({"ags": ags})

    assert not at.exception
    against_nrw = latest_values(at)
    assert against_nrw["Vergleich"].tolist() == shown_comparisons(
        published_warehouse, ags, against_nrw, "land", kpis
    )

    at.selectbox(key="kommunenprofil_bezug").set_value(other).run()

    assert not at.exception
    against_other = latest_values(at)
    assert against_other["Vergleich"].tolist() == shown_comparisons(
        published_warehouse, ags, against_other, other, kpis
    )
    assert against_other["Vergleich"].tolist() != against_nrw["Vergleich"].tolist()
    # The course of a KPI marks every quarter by its comparison with the chosen reference.
    kpi_id = kpis["kpi_id"].iloc[0]
    unit_name = read_marts(published_warehouse, "select name from marts.kommunen where ags = ?", (ags,))[
        "name"
    ].iloc[0]
    (unit_trace,) = [
        trace
        for trace in chart(at, f"kommunenprofil_verlauf_{kpi_id}")["data"]
        if trace.get("name") == unit_name
    ]
    assert "Vergleich mit" in unit_trace["hovertemplate"]


def test_suppressed_cells_are_marked_for_unit_leads_and_shown_to_the_ministry(
    published_warehouse, monkeypatch
):
    # A unit and KPI whose latest published cell is a count of 1 to 4.
    found = read_marts(
        published_warehouse,
        "with zellen as (select gebiet, kpi_id, quartal, geheimhaltung, row_number() over "
        "(partition by gebiet, kpi_id order by quartal desc) as nr from marts.kpi_werte "
        f"where gebietsebene = 'kommune' and aufschluesselung = '' and (wert is not null or geheimhaltung in {HIDDEN})) "
        "select gebiet, kpi_id, quartal from zellen where nr = 1 and geheimhaltung = 'anzahl_unter_5' "
        "order by kpi_id, gebiet limit 1",
    )
    assert len(found), "the test dataset must contain a unit whose latest value is a count below 5"
    ags, kpi_id, quartal = found.iloc[0]
    kpi = kpis_with_values(published_warehouse).set_index("kpi_id").loc[kpi_id]

    at = open_profile({"ags": ags})

    assert not at.exception
    row = latest_values(at).set_index("Kennzahl").loc[kpi["name"]]
    assert row["Quartal"] == formatting.format_quarter(quartal)
    assert row["Wert"] == formatting.format_suppressed("anzahl_unter_5", kpi["geheimhaltung_anzahl"])
    assert "<5" in row["Wert"] and row["95-%-Intervall"] == formatting.MISSING
    assert any(caption.value.startswith("Geheimhaltung: ") for caption in at.caption)

    monkeypatch.setenv(roles.ROLE_ENV_VARIABLE, roles.MINISTERIUM.code)
    at = open_profile({"ags": ags})

    assert not at.exception
    value = read_marts(
        published_warehouse,
        "select wert from marts.kpi_werte where gebiet = ? and kpi_id = ? and quartal = ? and aufschluesselung = ''",
        (ags, kpi_id, quartal),
        ministry=True,
    )["wert"].iloc[0]
    row = latest_values(at).set_index("Kennzahl").loc[kpi["name"]]
    assert row["Wert"] == formatting.format_value(value, kpi["einheit"])
    assert row["Geheimhaltung"].startswith("veröffentlicht als ") and "<5" in row["Geheimhaltung"]


def test_profile_lists_the_peer_group_with_its_structural_features(published_warehouse):
    ags = best_covered_unit(published_warehouse)
    peers = read_marts(
        published_warehouse,
        "select k.name from marts.peergruppen p join marts.kommunen k on k.ags = p.peer_ags where p.ags = ? order by p.rang",
        (ags,),
    )["name"].tolist()

    at = open_profile({"ags": ags})

    assert not at.exception
    assert any(expander.label.startswith("Vergleichsgruppe") for expander in at.expander)
    (table,) = [table.value for table in at.table if "Strukturabstand" in table.value.columns]
    assert table["Kommune"].tolist()[1:] == peers and len(peers) == 7
    assert table["Rang"].iloc[0] == "eigene Kommune"


def test_profile_funnel_highlights_the_unit_and_names_nobody_else(published_warehouse):
    kpi = funnel_kpi(published_warehouse)
    in_funnel = read_marts(
        published_warehouse,
        "select t.gebiet, k.name from marts.kpi_trichter t join marts.kommunen k on k.ags = t.gebiet "
        "where t.kpi_id = ? and t.quartal = ? and t.aufschluesselung = '' order by t.gebiet",
        (kpi["kpi_id"], kpi["quartal"]),
    )
    ags, name = in_funnel.iloc[0]

    at = open_profile({"ags": ags, "trichter": kpi["kpi_id"], "trichter_quartal": kpi["quartal"]})

    assert not at.exception
    assert at.selectbox(key="kommunenprofil_trichter_kpi").value == kpi["kpi_id"]
    figure = chart(at, "kommunenprofil_trichter")
    (highlighted,) = [trace for trace in figure["data"] if trace.get("name") == name]
    assert highlighted["text"] == [name]
    spec = json.dumps(figure, ensure_ascii=False)
    assert not [
        other
        for other in in_funnel["name"]
        if other != name and json.dumps(other, ensure_ascii=False) in spec
    ]
    assert any(caption.value.startswith(f"{name}: ") for caption in at.caption)


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
    # The peer group's members are named with their structure, not with any of their values.
    for table in [table for table in at.table if "Strukturabstand" not in table.value.columns]:
        assert not set(table.value.astype(str).to_numpy().ravel()) & set(units["name"]) - {chosen["name"]}


# --- Methodik -----------------------------------------------------------------------------------------------


def test_methodik_explains_every_kpi_of_the_catalogue_and_every_method(published_warehouse):
    catalogue = read_marts(published_warehouse, "select kpi_id, name from marts.kpi_katalog order by kpi_id")
    units = read_marts(published_warehouse, "select count(*) as n from marts.strukturmerkmale")["n"].iloc[0]

    at = open_app().run()
    at.switch_page(METHODIK_PAGE).run()

    assert not at.exception
    assert at.title[0].value == "Methodik"
    labels = [expander.label for expander in at.expander]
    assert labels == [
        f"{kpi_id} · {name}" for kpi_id, name in zip(catalogue["kpi_id"], catalogue["name"], strict=True)
    ]
    headers = {header.value for header in at.header}
    assert {
        "Kennzahlen",
        "Bezugsgebiete und Vergleichsgruppen",
        "Konfidenzintervalle",
        "Signifikanz und Polarität",
        "Trichterdiagramme",
        "Trendtests",
        "Statistische Geheimhaltung",
    } <= headers
    text = " ".join(markdown.value for markdown in at.markdown)
    for term in (
        "Wilson",
        "Byar",
        "Greenwood",
        "Ordnungsstatistik",
        "Spiegelhalter",
        "Cochran",
        "99,8 %",
        "<5",
    ):
        assert term in text, term
    assert f"alle {units} KIM-Kommunen" in text
    (features,) = [table.value for table in at.table if "Standardabweichung" in table.value.columns]
    assert len(features) == 4


# --- every page in both roles -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.KOMMUNE.code, roles.MINISTERIUM.code])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_every_role(published_warehouse, monkeypatch, page, role):
    monkeypatch.setenv(roles.ROLE_ENV_VARIABLE, role)

    at = open_app().run()
    at.switch_page(page).run()

    assert not at.exception, page
    assert f"Rolle: **{roles.ROLES[role].label}**" in [markdown.value for markdown in at.sidebar.markdown]
    assert not at.error


def test_an_unknown_role_is_reported_and_gets_the_published_layer(published_warehouse, monkeypatch):
    monkeypatch.setenv(roles.ROLE_ENV_VARIABLE, "minister")

    at = open_app().run()

    assert not at.exception
    assert any("„minister“" in warning.value and "KIM_ROLLE" in warning.value for warning in at.warning)
    assert "Rolle: **Kommune**" in [markdown.value for markdown in at.sidebar.markdown]
    assert "landesuebersicht_vergleich" not in chart_keys(at)


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
