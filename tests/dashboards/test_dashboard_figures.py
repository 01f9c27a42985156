"""Figure builders: traces, order, axes and reference marks from small DataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboards.lib import figures, formatting

SQUARE = [[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]


@pytest.fixture
def comparison() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ags": ["05111", "05112", "05154", "05158"],
            "name": ["Düsseldorf, Stadt", "Duisburg, Stadt", "Kleve", "Mettmann"],
            "vergleichstyp": ["TYP_KREISFREI", "TYP_KREISFREI", "TYP_KREIS", "TYP_KREIS"],
            "vergleichstyp_name": ["Kreisfreie Städte", "Kreisfreie Städte", "Kreise", "Kreise"],
            "wert": [62.5, np.nan, 48.0, 71.25],
            "ki95_unten": [55.0, np.nan, 40.0, 65.0],
            "ki95_oben": [69.0, np.nan, 56.0, 77.0],
        }
    )


def _geojson(ids: list[str]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"AGS": ags},
                "geometry": {"type": "Polygon", "coordinates": [[[x + i, y + 50] for x, y in SQUARE]]},
            }
            for i, ags in enumerate(ids)
        ],
    }


def test_unit_comparison_sorts_largest_on_top_and_colours_by_unit_type(comparison):
    figure = figures.build_unit_comparison_figure(
        comparison, einheit="%", axis_title="Zielerreichung (%)", reference_value=55.5
    )

    assert [trace.name for trace in figure.data] == ["Kreise", "Kreisfreie Städte"]
    assert {trace.marker.color for trace in figure.data} == {
        figures.UNIT_TYPE_COLOURS["TYP_KREIS"],
        figures.UNIT_TYPE_COLOURS["TYP_KREISFREI"],
    }
    # Plotly draws the first category at the bottom: ascending order puts the largest value on top.
    assert list(figure.layout.yaxis.categoryarray) == ["Kleve", "Düsseldorf, Stadt", "Mettmann"]
    assert "Duisburg, Stadt" not in {name for trace in figure.data for name in trace.y}
    assert figure.layout.xaxis.ticksuffix == " %"
    assert figure.layout.separators == ",."


def test_unit_comparison_draws_intervals_as_asymmetric_error_bars(comparison):
    figure = figures.build_unit_comparison_figure(comparison, einheit="%", axis_title="x")
    kreise = next(trace for trace in figure.data if trace.name == "Kreise")
    assert list(kreise.y) == ["Kleve", "Mettmann"]
    assert list(kreise.error_x.array) == [8.0, 5.75]
    assert list(kreise.error_x.arrayminus) == [8.0, 6.25]
    assert [row[1] for row in kreise.customdata] == ["40,0–56,0 %", "65,0–77,0 %"]


def test_unit_comparison_marks_the_reference_value(comparison):
    figure = figures.build_unit_comparison_figure(
        comparison, einheit="%", axis_title="x", reference_value=55.5
    )
    (line,) = figure.layout.shapes
    assert line.x0 == line.x1 == 55.5
    assert figure.layout.annotations[0].text == "NRW: 55,5 %"

    without = figures.build_unit_comparison_figure(
        comparison, einheit="%", axis_title="x", reference_value=None
    )
    assert not without.layout.shapes


def test_choropleth_colours_units_with_value_and_greys_the_rest(comparison):
    geojson = _geojson(["05111", "05112", "05154", "05158"])
    figure = figures.build_choropleth_figure(
        comparison, geojson, einheit="%", polaritaet="hoch_gut", axis_title="Zielerreichung"
    )

    coloured, grey = figure.data
    assert coloured.type == grey.type == "choroplethmap"
    assert list(coloured.locations) == ["05111", "05154", "05158"]
    assert [feature["properties"]["AGS"] for feature in coloured.geojson["features"]] == [
        "05111",
        "05154",
        "05158",
    ]
    assert list(grey.locations) == ["05112"]
    assert grey.showscale is False
    assert figure.layout.map.style == "white-bg"
    assert figure.layout.map.center.lon == pytest.approx(2.0)
    assert figure.layout.map.center.lat == pytest.approx(50.5)
    assert figure.layout.coloraxis.colorbar.ticksuffix == " %"


def test_choropleth_reverses_the_scale_when_lower_is_better(comparison):
    geojson = _geojson(list(comparison["ags"]))
    higher = figures.build_choropleth_figure(
        comparison, geojson, einheit="%", polaritaet="hoch_gut", axis_title=""
    )
    lower = figures.build_choropleth_figure(
        comparison, geojson, einheit="%", polaritaet="niedrig_gut", axis_title=""
    )

    def colours(figure):
        return [colour for _, colour in figure.layout.coloraxis.colorscale]

    assert colours(higher) == list(reversed(colours(lower)))
    assert colours(higher) != colours(lower)


def test_delivery_status_matrix_has_a_cell_per_unit_and_quarter_and_a_german_legend():
    status = pd.DataFrame(
        {
            "ags": ["05111", "05111", "05154", "05154"],
            "name": ["Düsseldorf, Stadt", "Düsseldorf, Stadt", "Kleve", "Kleve"],
            "quartal": ["2025-Q2", "2025-Q3", "2025-Q2", "2025-Q3"],
            "status": ["ANGENOMMEN", "UEBERFAELLIG", "KORRIGIERT", "ANGENOMMEN"],
            "eingegangen_am": [pd.Timestamp("2025-08-01"), pd.NaT, pd.Timestamp("2025-08-20"), pd.NaT],
            "frist": [pd.Timestamp("2025-08-14"), pd.Timestamp("2025-11-14")] * 2,
        }
    )
    (heatmap,) = figures.build_delivery_status_figure(status).data
    order = list(formatting.DELIVERY_STATUS_ORDER)

    assert list(heatmap.x) == ["Q2/2025", "Q3/2025"]
    assert list(heatmap.y) == ["Düsseldorf, Stadt", "Kleve"]
    assert heatmap.z.tolist() == [
        [order.index("ANGENOMMEN"), order.index("UEBERFAELLIG")],
        [order.index("KORRIGIERT"), order.index("ANGENOMMEN")],
    ]
    assert list(heatmap.colorbar.ticktext) == [formatting.format_delivery_status(value) for value in order]
    assert heatmap.text[0][0] == "Angenommen<br>Eingang: 01.08.2025<br>Frist: 14.08.2025"
    # Each status owns one colour band of the discrete scale.
    band_colours = [colour for _, colour in heatmap.colorscale[::2]]
    assert band_colours == [formatting.DELIVERY_STATUS_COLOURS[value] for value in order]


def test_delivery_status_matrix_keeps_unknown_statuses_visible():
    status = pd.DataFrame(
        {"ags": ["05111"], "name": ["Düsseldorf, Stadt"], "quartal": ["2025-Q3"], "status": ["IN_PRUEFUNG"]}
    )
    (heatmap,) = figures.build_delivery_status_figure(status).data
    assert heatmap.colorbar.ticktext[-1] == "In Pruefung"
    assert heatmap.z.tolist() == [[len(formatting.DELIVERY_STATUS_ORDER)]]


SERIES_COLUMNS = ["quartal", "rolle", "bezeichnung", "wert", "ki95_unten", "ki95_oben"]
SERIES_ROWS = [
    ("2025-Q1", "kommune", "Kleve", 31.0, 28.0, 34.0),
    ("2025-Q2", "kommune", "Kleve", 35.0, 30.0, 40.0),
    ("2025-Q3", "kommune", "Kleve", 36.0, np.nan, np.nan),
    ("2025-Q4", "kommune", "Kleve", 38.0, 33.0, 43.0),
    *[(quarter, "bezug", "Kreise", 40.0 + i, np.nan, np.nan) for i, quarter in enumerate(
        ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"])],
    *[(quarter, "land", "NRW", 42.0 + i, np.nan, np.nan) for i, quarter in enumerate(
        ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"])],
]  # fmt: skip


def _series() -> pd.DataFrame:
    return pd.DataFrame(SERIES_ROWS, columns=SERIES_COLUMNS)


def test_trend_draws_unit_over_its_references():
    figure = figures.build_kpi_trend_figure(_series(), einheit="%", axis_title="%")
    lines = [trace for trace in figure.data if trace.name != "95-%-Konfidenzintervall"]

    assert [trace.name for trace in lines] == ["NRW", "Kreise", "Kleve"]
    unit = lines[-1]
    assert list(unit.x) == ["Q1/2025", "Q2/2025", "Q3/2025", "Q4/2025"]
    assert list(unit.y) == [31.0, 35.0, 36.0, 38.0]
    assert unit.line.width > lines[0].line.width
    assert [row[0] for row in unit.customdata] == ["31,0 %", "35,0 %", "36,0 %", "38,0 %"]
    assert list(figure.layout.xaxis.categoryarray) == ["Q1/2025", "Q2/2025", "Q3/2025", "Q4/2025"]
    assert figure.layout.yaxis.ticksuffix == " %"
    assert figure.layout.yaxis.exponentformat == "none"
    assert not figure.layout.shapes


def test_trend_band_is_interrupted_where_the_interval_is_missing():
    figure = figures.build_kpi_trend_figure(_series(), einheit="%", axis_title="%")
    run, isolated = [trace for trace in figure.data if trace.name == "95-%-Konfidenzintervall"]

    assert run.fill == "toself"
    assert list(run.x) == ["Q1/2025", "Q2/2025", "Q2/2025", "Q1/2025"]
    assert list(run.y) == [34.0, 40.0, 30.0, 28.0]
    assert list(isolated.x) == ["Q4/2025", "Q4/2025"]
    assert list(isolated.y) == [33.0, 43.0]
    assert (run.showlegend, isolated.showlegend) == (True, False)


def test_trend_shades_the_reference_corridor():
    figure = figures.build_kpi_trend_figure(
        _series(), einheit="Fälle je VZÄ", axis_title="Fälle je VZÄ", reference_band=(30.0, 50.0)
    )
    (band,) = figure.layout.shapes
    assert (band.y0, band.y1) == (30.0, 50.0)
    assert figure.layout.annotations[0].text == "Referenzkorridor 30–50"


def test_unit_comparison_shades_the_reference_corridor(comparison):
    figure = figures.build_unit_comparison_figure(
        comparison, einheit="Fälle je VZÄ", axis_title="x", reference_band=(30.0, 50.0)
    )
    (band,) = figure.layout.shapes
    assert (band.x0, band.x1) == (30.0, 50.0)


def test_trend_adds_the_linear_spending_pace():
    figure = figures.build_kpi_trend_figure(_series(), einheit="%", axis_title="%", show_linear_pace=True)
    pace = next(trace for trace in figure.data if trace.name == "Linearer Plan (Quartal ÷ 4)")
    assert list(pace.y) == [25.0, 50.0, 75.0, 100.0]


def test_trend_without_intervals_has_no_band():
    series = _series().drop(columns=["ki95_unten", "ki95_oben"])
    figure = figures.build_kpi_trend_figure(series, einheit="Anzahl", axis_title="Anzahl")
    assert [trace.name for trace in figure.data] == ["NRW", "Kreise", "Kleve"]
    assert figure.layout.yaxis.ticksuffix is None
    without_any_interval = _series().assign(ki95_unten=np.nan, ki95_oben=np.nan)
    assert len(figures.build_kpi_trend_figure(without_any_interval, einheit="%", axis_title="%").data) == 3
    assert figure.layout.yaxis.separatethousands


def test_trend_of_the_unit_alone_still_names_it_in_the_legend():
    unit_only = _series().query("rolle == 'kommune'")
    figure = figures.build_kpi_trend_figure(unit_only, einheit="Fälle", axis_title="Fälle")
    assert figure.layout.showlegend is True
    assert "Kleve" in [trace.name for trace in figure.data]


def test_breakdown_groups_unit_and_reference_bars_per_category():
    breakdown = pd.DataFrame(
        {
            "aufschluesselung": ["baustein:1", "baustein:2", "baustein:1", "baustein:2", "baustein:3"],
            "rolle": ["kommune", "kommune", "land", "land", "land"],
            "bezeichnung": ["Kleve", "Kleve", "NRW", "NRW", "NRW"],
            "wert": [80.0, 95.5, 70.0, 88.0, 60.0],
        }
    )
    figure = figures.build_breakdown_figure(breakdown, einheit="%", axis_title="%")

    assert figure.layout.barmode == "group"
    assert [trace.name for trace in figure.data] == ["NRW", "Kleve"]
    unit = figure.data[-1]
    labels = ["Baustein 1: Strategische Koordinierung", "Baustein 2: Case Management",
              "Baustein 3: Ausländer- und Einbürgerungsbehörden"]  # fmt: skip
    assert list(unit.y) == labels
    assert unit.x[:2].tolist() == [80.0, 95.5]
    assert list(unit.text) == ["80,0 %", "95,5 %", ""]
    assert np.isnan(unit.x[2])
    assert list(figure.layout.yaxis.categoryarray) == list(reversed(labels))


def test_trend_marks_each_quarter_of_the_unit_by_its_comparison_with_the_reference():
    series = _series()
    unit = series["rolle"] == "kommune"
    series.loc[unit, "bewertung_95"] = ["besser", "ähnlich", "schlechter", None]
    series.loc[unit, "bewertung_998"] = ["besser", "ähnlich", "ähnlich", None]
    series.loc[unit, "signifikanz"] = ["99,8 %", "nicht signifikant", "95 %", None]

    figure = figures.build_kpi_trend_figure(
        series, einheit="%", axis_title="%", comparison_label="Vergleich mit NRW"
    )
    kleve = next(trace for trace in figure.data if trace.name == "Kleve")

    assert list(kleve.marker.symbol) == ["diamond", "circle", "x", "circle"]
    assert list(kleve.marker.color) == [
        formatting.TONE_COLOURS["günstig"],
        formatting.TONE_COLOURS["neutral"],
        formatting.TONE_COLOURS["ungünstig"],
        figures.SERIES_STYLES["kommune"]["color"],
    ]
    assert kleve.marker.size[0] > kleve.marker.size[2]  # a difference at 99.8 % stands out
    assert [row[2] for row in kleve.customdata] == [
        "✓✓ besser (99,8 %)",
        "≈ ähnlich",
        "✗ schlechter (95 %)",
        "–",
    ]
    assert [row[1] for row in kleve.customdata][:2] == ["28,0–34,0 %", "30,0–40,0 %"]
    assert "Vergleich mit NRW: %{customdata[2]}" in kleve.hovertemplate
    references = [trace for trace in figure.data if trace.name in ("NRW", "Kreise")]
    assert all(not isinstance(trace.marker.symbol, tuple) for trace in references)


# --- funnel plots -------------------------------------------------------------------------------------------


def test_funnel_limits_follow_the_standard_error_of_a_share_and_widen_by_tau2():
    limits = figures.funnel_limits(50.0, 0.0, [25, 100], wertart="anteil", faktor=100)

    # se = √(50 · 50 / n): 10 percentage points for 25 cases, 5 for 100.
    assert limits["standardfehler"].tolist() == pytest.approx([10.0, 5.0])
    assert limits["grenze95_oben"].tolist() == pytest.approx([50 + 1.959964 * 10, 50 + 1.959964 * 5])
    assert limits["grenze998_unten"].tolist() == pytest.approx([50 - 3.090232 * 10, 50 - 3.090232 * 5])

    widened = figures.funnel_limits(50.0, 75.0, [25, 100], wertart="anteil", faktor=100)
    # √(se² + τ²): √(100 + 75) and √(25 + 75) = 10.
    assert widened["grenze95_oben"].tolist() == pytest.approx([50 + 1.959964 * 175**0.5, 50 + 1.959964 * 10])


def test_funnel_limits_of_a_rate_use_its_factor():
    # 3 new cases per 100,000 in a unit of 300,000: se = √(3 · 100000 / 300000) = 1.
    limits = figures.funnel_limits(3.0, 0.0, [300_000], wertart="rate", faktor=100_000)
    assert limits["standardfehler"].tolist() == pytest.approx([1.0])
    assert limits["grenze95_unten"].tolist() == pytest.approx([3 - 1.959964])


@pytest.fixture
def funnel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ags": ["05111", "05112", "05154", "05158"],
            "name": ["Düsseldorf, Stadt", "Duisburg, Stadt", "Kleve", "Mettmann"],
            "wert": [60.0, 20.0, 52.0, 48.0],
            "nenner": [10.0, 40.0, 25.0, 100.0],
            "nrw_wert": [50.0] * 4,
            "tau2": [0.0] * 4,
            "lage_95": ["innerhalb", "unterhalb", "innerhalb", "innerhalb"],
            "lage_998": ["innerhalb", "unterhalb", "innerhalb", "innerhalb"],
        }
    )


def test_funnel_draws_limits_nrw_line_and_highlights_the_selected_unit(funnel):
    figure = figures.build_funnel_figure(
        funnel,
        einheit="%",
        wertart="anteil",
        faktor=100,
        axis_title="Zielerreichung (%)",
        denominator_title="Fallzahl (Nenner)",
        selected_ags="05154",
    )
    names = [trace.name for trace in figure.data]
    assert names.count("95-%-Grenzen") == names.count("99,8-%-Grenzen") == 2
    assert "NRW: 50,0 %" in names
    limit = next(trace for trace in figure.data if trace.name == "99,8-%-Grenzen")
    assert limit.x[0] < 10 and limit.x[-1] > 100  # the curves span every unit
    assert min(limit.y) >= 0.0  # a share's limit is clipped at 0 %
    # Between the units, the drawn curve is the pure function's limit.
    expected = figures.funnel_limits(50.0, 0.0, [limit.x[50]], wertart="anteil", faktor=100)
    assert limit.y[50] == pytest.approx(max(0.0, expected["grenze998_unten"].iloc[0]))

    selected = next(trace for trace in figure.data if trace.name == "Kleve")
    assert list(selected.x) == [25.0] and list(selected.y) == [52.0] and list(selected.text) == ["Kleve"]
    assert selected.customdata[0][3] == "innerhalb der 95-%-Grenzen"
    others = next(trace for trace in figure.data if trace.name == "andere Kommunen")
    assert sorted(others.x) == [10.0, 40.0, 100.0]
    assert figure.layout.xaxis.title.text == "Fallzahl (Nenner)"
    assert figure.layout.yaxis.ticksuffix == " %"


def test_funnel_names_other_units_only_when_asked(funnel):
    anonymous = figures.build_funnel_figure(
        funnel,
        einheit="%",
        wertart="anteil",
        faktor=100,
        axis_title="",
        denominator_title="",
        selected_ags="05154",
    )
    spec = anonymous.to_json()
    assert "Kleve" in spec
    assert not [name for name in ("Düsseldorf, Stadt", "Duisburg, Stadt", "Mettmann") if name in spec]
    others = next(trace for trace in anonymous.data if trace.name == "andere Kommunen")
    assert others.hoverinfo == "skip"

    named = figures.build_funnel_figure(
        funnel,
        einheit="%",
        wertart="anteil",
        faktor=100,
        axis_title="",
        denominator_title="",
        name_units=True,
    )
    units = next(trace for trace in named.data if trace.name == "Kommunen")
    assert [row[0] for row in units.customdata] == funnel["name"].tolist()
    assert units.customdata[1][3] == "unterhalb der 99,8-%-Grenzen"


def test_funnel_without_points_is_an_empty_figure():
    empty = pd.DataFrame(columns=["ags", "name", "wert", "nenner", "nrw_wert", "tau2"])
    figure = figures.build_funnel_figure(
        empty, einheit="%", wertart="anteil", faktor=100, axis_title="", denominator_title=""
    )
    assert not figure.data
