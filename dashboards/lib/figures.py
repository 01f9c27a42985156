"""Plotly figures of the dashboards: pure functions from a small DataFrame to a `go.Figure`.

Builders neither query nor render; pages hand them what `queries` returned and show the result with
`st.plotly_chart`. Numbers in hovers are preformatted by `formatting` so a chart says exactly what the table
next to it says; axes use German separators through `layout.separators`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboards.lib import formatting
from dashboards.lib.kpi_display import linear_pace

UNIT_TYPE_COLOURS = {"TYP_KREISFREI": "#1f5f8b", "TYP_KREIS": "#d08c2c"}
_FALLBACK_COLOURS = ("#6a4c93", "#2a9d8f", "#8d6e63", "#546e7a")
NO_VALUE_COLOUR = "#c8c8c8"

# How each series of a trend chart is drawn: the unit stands out, references recede. `bezug` is the reference
# the user chose (Regierungsbezirk, unit type or peer group), `land` is NRW.
SERIES_ROLES = ("kommune", "bezug", "land")
SERIES_STYLES: dict[str, dict[str, Any]] = {
    "kommune": {"color": "#1f5f8b", "width": 3, "dash": "solid"},
    "bezug": {"color": "#d08c2c", "width": 2, "dash": "dash"},
    "land": {"color": "#546e7a", "width": 2, "dash": "dot"},
}
# Markers of the unit's quarters by their comparison with the chosen reference: shape and colour together.
COMPARISON_MARKERS: dict[str | None, str] = {
    formatting.FAVOURABLE: "diamond",
    formatting.UNFAVOURABLE: "x",
    formatting.NEUTRAL: "circle",
    None: "circle",
}
BAND_FILL = "rgba(31, 95, 139, 0.15)"
REFERENCE_BAND_FILL = "#66bb6a"
PACE_COLOUR = "#8e8e8e"

NRW_MAP_ZOOM = 6.6
_HOVER_FONT = {"family": "sans-serif", "size": 13}


def _apply_german_layout(figure: go.Figure, *, height: int) -> go.Figure:
    figure.update_layout(
        separators=formatting.PLOTLY_SEPARATORS,
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        hoverlabel={"font": _HOVER_FONT},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0},
    )
    return figure


def _value_axis(einheit: str | None) -> dict[str, Any]:
    """Axis settings for a KPI's values: full German numbers (`20.000`, not `20k`), percentages with `%`."""
    axis: dict[str, Any] = {"exponentformat": "none", "separatethousands": True}
    if formatting.is_percentage(einheit):
        axis["ticksuffix"] = " %"
    return axis


def _hover_columns(frame: pd.DataFrame, einheit: str | None) -> np.ndarray:
    """Per row: the formatted value and the formatted 95 % interval (`customdata[0]`, `customdata[1]`)."""
    values = [formatting.format_value(value, einheit) for value in frame["wert"]]
    if {"ki95_unten", "ki95_oben"} <= set(frame.columns):
        intervals = [
            formatting.format_interval(lower, upper, einheit)
            for lower, upper in zip(frame["ki95_unten"], frame["ki95_oben"], strict=True)
        ]
    else:
        intervals = [formatting.MISSING] * len(frame)
    return np.column_stack([values, intervals]) if len(frame) else np.empty((0, 2), dtype=object)


def _type_colour(vergleichstyp: str, position: int) -> str:
    return UNIT_TYPE_COLOURS.get(vergleichstyp, _FALLBACK_COLOURS[position % len(_FALLBACK_COLOURS)])


def build_unit_comparison_figure(
    comparison: pd.DataFrame,
    *,
    einheit: str | None,
    axis_title: str,
    reference_value: float | None = None,
    reference_label: str = "NRW",
    reference_band: tuple[float, float] | None = None,
) -> go.Figure:
    """All units with a value, sorted (largest on top), coloured by unit type, with 95 % error bars, the
    reference value as a dashed line and, where the KPI has one, its recommended corridor shaded.

    `comparison` needs `name, vergleichstyp, vergleichstyp_name, wert`; `ki95_unten, ki95_oben` are optional.
    Rows without `wert` are left out (the page names them).
    """
    with_value = comparison.dropna(subset=["wert"]).sort_values(["wert", "name"], ascending=[True, False])
    figure = go.Figure()
    for position, (type_code, group) in enumerate(with_value.groupby("vergleichstyp", sort=True)):
        trace: dict[str, Any] = {}
        if {"ki95_unten", "ki95_oben"} <= set(group.columns) and group["ki95_unten"].notna().any():
            trace["error_x"] = {
                "type": "data",
                "symmetric": False,
                "array": (group["ki95_oben"] - group["wert"]).to_numpy(),
                "arrayminus": (group["wert"] - group["ki95_unten"]).to_numpy(),
                "color": "#37474f",
                "thickness": 1.2,
                "width": 3,
            }
        figure.add_bar(
            orientation="h",
            x=group["wert"],
            y=group["name"],
            name=str(group["vergleichstyp_name"].iloc[0]),
            marker_color=_type_colour(str(type_code), position),
            customdata=_hover_columns(group, einheit),
            hovertemplate=(
                "<b>%{y}</b><br>Wert: %{customdata[0]}<br>95-%-Intervall: %{customdata[1]}<extra></extra>"
            ),
            **trace,
        )
    figure.update_yaxes(
        type="category", categoryorder="array", categoryarray=with_value["name"].tolist(), title=None
    )
    figure.update_xaxes(title=axis_title, rangemode="tozero", **_value_axis(einheit))
    if reference_value is not None and not formatting.is_missing(reference_value):
        figure.add_vline(
            x=float(reference_value),
            line_dash="dash",
            line_color="#263238",
            line_width=1.5,
            annotation_text=f"{reference_label}: {formatting.format_value(reference_value, einheit)}",
            annotation_position="bottom right",  # the shortest bars leave this corner free
        )
    if reference_band is not None:
        _shade_reference_band(figure, reference_band, axis="x")
    return _apply_german_layout(figure, height=max(320, 18 * len(with_value) + 140))


def _shade_reference_band(figure: go.Figure, band: tuple[float, float], *, axis: str) -> None:
    lower, upper = band
    label = f"Referenzkorridor {formatting.format_number(lower)}–{formatting.format_number(upper)}"
    shape = {
        "fillcolor": REFERENCE_BAND_FILL,
        "opacity": 0.15,
        "line_width": 0,
        "layer": "below",
        "annotation_text": label,
    }
    if axis == "x":
        figure.add_vrect(x0=lower, x1=upper, annotation_position="bottom left", **shape)
    else:
        figure.add_hrect(y0=lower, y1=upper, annotation_position="bottom left", **shape)


def _geojson_centre(geojson: dict[str, Any]) -> dict[str, float]:
    """Centre of the bounding box of all coordinates of a FeatureCollection."""
    points = np.concatenate(
        [
            np.asarray(ring, dtype=float).reshape(-1, 2)
            for feature in geojson["features"]
            for ring in _rings(feature)
        ]
    )
    west, south = points.min(axis=0)
    east, north = points.max(axis=0)
    return {"lon": float((west + east) / 2), "lat": float((south + north) / 2)}


def _rings(feature: dict[str, Any]) -> list[Sequence[Any]]:
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def _features_of(geojson: dict[str, Any], ids: pd.Series, feature_id_property: str) -> dict[str, Any]:
    """The sub-collection of the given areas: each map trace carries only the outlines it colours."""
    wanted = set(ids)
    return {
        "type": "FeatureCollection",
        "features": [
            feature
            for feature in geojson["features"]
            if feature["properties"].get(feature_id_property) in wanted
        ],
    }


def build_choropleth_figure(
    comparison: pd.DataFrame,
    geojson: dict[str, Any],
    *,
    einheit: str | None,
    polaritaet: str | None,
    axis_title: str,
    feature_id_property: str = "AGS",
) -> go.Figure:
    """Map of the units coloured by their value (darker = more favourable for KPIs with a direction); units
    without a value are grey. No tiles are loaded: the map style is a plain white background.

    `comparison` needs `ags, name, wert`.
    """
    featureidkey = f"properties.{feature_id_property}"
    centre = _geojson_centre(geojson)
    with_value = comparison.dropna(subset=["wert"]).copy()
    without_value = comparison[comparison["wert"].isna()]
    with_value["wert_text"] = [formatting.format_value(value, einheit) for value in with_value["wert"]]
    figure = px.choropleth_map(
        with_value,
        geojson=_features_of(geojson, with_value["ags"], feature_id_property),
        featureidkey=featureidkey,
        locations="ags",
        color="wert",
        hover_name="name",
        custom_data=["wert_text"],
        color_continuous_scale=formatting.polarity_colour_scale(polaritaet),
        map_style="white-bg",
        center=centre,
        zoom=NRW_MAP_ZOOM,
        opacity=0.9,
    )
    figure.update_traces(
        hovertemplate="<b>%{hovertext}</b><br>%{customdata[0]}<extra></extra>",
        marker_line_color="white",
        marker_line_width=0.8,
    )
    if len(without_value):
        figure.add_trace(
            go.Choroplethmap(
                geojson=_features_of(geojson, without_value["ags"], feature_id_property),
                featureidkey=featureidkey,
                locations=without_value["ags"],
                z=np.zeros(len(without_value)),
                colorscale=[[0, NO_VALUE_COLOUR], [1, NO_VALUE_COLOUR]],
                showscale=False,
                marker_line_color="white",
                marker_line_width=0.8,
                customdata=without_value[["name"]].to_numpy(),
                hovertemplate="<b>%{customdata[0]}</b><br>kein Wert<extra></extra>",
                name="ohne Wert",
            )
        )
    figure.update_layout(
        map={"style": "white-bg", "center": centre, "zoom": NRW_MAP_ZOOM},
        coloraxis_colorbar={"title": {"text": axis_title}, **_value_axis(einheit)},
    )
    return _apply_german_layout(figure, height=560)


def build_delivery_status_figure(status: pd.DataFrame) -> go.Figure:
    """Units × reporting quarters, each cell coloured by its delivery status, with a discrete German legend.

    `status` needs `ags, name, quartal, status`; `eingegangen_am, frist` are shown on hover when present, and
    so are `fristgerecht` and `anzahl_pakete`. Units appear in the order of their first row.
    """
    known = list(formatting.DELIVERY_STATUS_ORDER)
    statuses = known + sorted(set(status["status"]) - set(known))
    code_of = {value: index for index, value in enumerate(statuses)}
    units = status.drop_duplicates("ags")[["ags", "name"]]
    quarters = sorted(status["quartal"].unique())

    cells = status.assign(
        code=status["status"].map(code_of).astype(float),
        hover=[_delivery_hover(row) for row in status.itertuples(index=False)],
    )
    codes = cells.pivot(index="ags", columns="quartal", values="code").reindex(
        index=units["ags"], columns=quarters
    )
    hover = (
        cells.pivot(index="ags", columns="quartal", values="hover")
        .reindex(index=units["ags"], columns=quarters)
        .fillna("keine Angabe")
    )

    count = len(statuses)
    colourscale = []
    for index, value in enumerate(statuses):
        colour = formatting.DELIVERY_STATUS_COLOURS.get(
            value, _FALLBACK_COLOURS[index % len(_FALLBACK_COLOURS)]
        )
        colourscale += [[index / count, colour], [(index + 1) / count, colour]]

    figure = go.Figure(
        go.Heatmap(
            z=codes.to_numpy(),
            x=[formatting.format_quarter_short(quarter) for quarter in quarters],
            y=units["name"].tolist(),
            text=hover.to_numpy(),
            hovertemplate="<b>%{y}</b><br>%{x}<br>%{text}<extra></extra>",
            zmin=-0.5,
            zmax=count - 0.5,
            colorscale=colourscale,
            xgap=2,
            ygap=2,
            colorbar={
                "title": {"text": "Lieferstatus"},
                "tickvals": list(range(count)),
                "ticktext": [formatting.format_delivery_status(value) for value in statuses],
                "len": min(1.0, 0.12 * count),
                "y": 1,
                "yanchor": "top",
            },
        )
    )
    figure.update_yaxes(autorange="reversed", type="category", title=None)
    figure.update_xaxes(type="category", side="top", title=None)
    return _apply_german_layout(figure, height=max(300, 17 * len(units) + 120))


def _delivery_hover(row: Any) -> str:
    """Hover text of one cell of the delivery status matrix."""
    text = (
        f"{formatting.format_delivery_status(row.status)}"
        f"<br>Eingang: {formatting.format_date(getattr(row, 'eingegangen_am', None))}"
        f"<br>Frist: {formatting.format_date(getattr(row, 'frist', None))}"
    )
    if hasattr(row, "fristgerecht"):
        # Missing while the deadline runs and nothing valid has arrived.
        on_time = (
            "offen" if formatting.is_missing(row.fristgerecht) else formatting.format_yes_no(row.fristgerecht)
        )
        text += f"<br>Fristgerecht: {on_time}"
    if hasattr(row, "anzahl_pakete"):
        text += f"<br>Pakete: {formatting.format_number(row.anzahl_pakete)}"
    return text


def build_kpi_trend_figure(
    series: pd.DataFrame,
    *,
    einheit: str | None,
    axis_title: str,
    reference_band: tuple[float, float] | None = None,
    show_linear_pace: bool = False,
    comparison_label: str = "Vergleich",
) -> go.Figure:
    """A KPI over quarters for a unit against its references.

    `series` has one row per series and quarter with `quartal, rolle, bezeichnung, wert` and optionally
    `ki95_unten, ki95_oben`; `rolle` is `kommune`, `bezug` or `land`. The unit's 95 % interval is a shaded
    band. Where the unit's rows carry `bewertung_95` (and `bewertung_998`, `signifikanz`) from
    `kpi_vergleiche`, each of its markers shows the comparison with the chosen reference by shape and colour
    (larger at 99.8 %), and the hover names it after `comparison_label`. `reference_band` shades a
    recommended corridor; `show_linear_pace` adds the even spending pace (quarter ÷ 4) of the budget year.
    """
    quarters = sorted(series["quartal"].unique())
    labels = {quarter: formatting.format_quarter_short(quarter) for quarter in quarters}
    figure = go.Figure()

    unit_rows = series[series["rolle"] == "kommune"]
    if {"ki95_unten", "ki95_oben"} <= set(series.columns):
        _add_interval_band(figure, unit_rows.dropna(subset=["ki95_unten", "ki95_oben"]), quarters, labels)

    if show_linear_pace:
        figure.add_scatter(
            x=[labels[quarter] for quarter in quarters],
            y=[linear_pace(quarter) for quarter in quarters],
            mode="lines",
            line={"color": PACE_COLOUR, "dash": "longdash", "width": 1.5},
            name="Linearer Plan (Quartal ÷ 4)",
            hovertemplate="%{x}: %{y:.0f} % (linearer Plan)<extra></extra>",
        )

    for role in reversed(SERIES_ROLES):  # the unit last, so it is drawn on top
        rows = series[series["rolle"] == role].sort_values("quartal")
        if rows.empty:
            continue
        style = SERIES_STYLES[role]
        marker: dict[str, Any] = {"size": 7 if role == "kommune" else 5}
        hover = _hover_columns(rows, einheit)
        template = "<b>%{fullData.name}</b><br>%{x}: %{customdata[0]}"
        if role == "kommune":
            template += "<br>95-%-Intervall: %{customdata[1]}"
            if "bewertung_95" in rows.columns:
                marker, comparisons = _comparison_markers(rows, style["color"])
                hover = np.column_stack([hover, comparisons]) if len(rows) else hover
                template += f"<br>{comparison_label}: %{{customdata[2]}}"
        figure.add_scatter(
            x=rows["quartal"].map(labels),
            y=rows["wert"],
            mode="lines+markers",
            name=str(rows["bezeichnung"].iloc[0]),
            line={"color": style["color"], "width": style["width"], "dash": style["dash"]},
            marker=marker,
            customdata=hover,
            hovertemplate=template + "<extra></extra>",
            legendrank=SERIES_ROLES.index(role),
        )

    if reference_band is not None:
        _shade_reference_band(figure, reference_band, axis="y")

    figure.update_xaxes(
        type="category", categoryorder="array", categoryarray=list(labels.values()), title=None
    )
    figure.update_yaxes(title=axis_title, rangemode="tozero", **_value_axis(einheit))
    figure.update_layout(showlegend=True)  # also for a single series, so its name is always shown
    return _apply_german_layout(figure, height=340)


def _comparison_markers(rows: pd.DataFrame, line_colour: str) -> tuple[dict[str, Any], list[str]]:
    """Marker settings of the unit's points by their comparison result, and the result in words per point."""
    strong = [formatting.is_strong_difference(value) for value in _column(rows, "bewertung_998")]
    tones = [formatting.comparison_tone(value) for value in rows["bewertung_95"]]
    texts = [
        formatting.format_comparison(b95, b998, sig)
        for b95, b998, sig in zip(
            rows["bewertung_95"], _column(rows, "bewertung_998"), _column(rows, "signifikanz"), strict=True
        )
    ]
    marker = {
        "size": [13 if is_strong else 9 for is_strong in strong],
        "symbol": [COMPARISON_MARKERS[tone] for tone in tones],
        "color": [line_colour if tone is None else formatting.TONE_COLOURS[tone] for tone in tones],
        "line": {"color": "white", "width": 1},
    }
    return marker, texts


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of the frame, or a column of missing values when it has none."""
    return frame[name] if name in frame.columns else pd.Series([None] * len(frame), index=frame.index)


def _add_interval_band(
    figure: go.Figure, intervals: pd.DataFrame, quarters: list[str], labels: dict[str, str]
) -> None:
    """The 95 % interval as shaded areas, one per run of consecutive quarters, so a quarter without an
    interval interrupts the band instead of being bridged; an isolated quarter shows as a short thick bar."""
    if intervals.empty:
        return
    position = {quarter: index for index, quarter in enumerate(quarters)}
    rows = intervals.assign(_position=intervals["quartal"].map(position).astype(int)).sort_values("_position")
    run_id = (rows["_position"].diff() != 1).cumsum()
    for number, (_, run) in enumerate(rows.groupby(run_id, sort=True)):
        x = run["quartal"].map(labels).tolist()
        common = {
            "name": "95-%-Konfidenzintervall",
            "legendgroup": "ki95",
            "showlegend": number == 0,
            "hoverinfo": "skip",
        }
        if len(run) == 1:
            figure.add_scatter(
                x=x * 2,
                y=[run["ki95_unten"].iloc[0], run["ki95_oben"].iloc[0]],
                mode="lines",
                line={"color": BAND_FILL, "width": 10},
                **common,
            )
        else:
            figure.add_scatter(
                x=x + x[::-1],
                y=run["ki95_oben"].tolist() + run["ki95_unten"].tolist()[::-1],
                mode="lines",
                line={"width": 0},
                fill="toself",
                fillcolor=BAND_FILL,
                **common,
            )


def build_breakdown_figure(breakdown: pd.DataFrame, *, einheit: str | None, axis_title: str) -> go.Figure:
    """A KPI's breakdown (by Baustein, transition, …) in one quarter: the unit's bars next to its references,
    each labelled with its value (so a value of 0 is visible, too).

    `breakdown` has `aufschluesselung, rolle, bezeichnung, wert` and optionally `ki95_unten, ki95_oben`.
    """
    categories = sorted(breakdown["aufschluesselung"].unique())
    category_labels = [formatting.format_breakdown(value) for value in categories]
    roles = [role for role in reversed(SERIES_ROLES) if (breakdown["rolle"] == role).any()]
    figure = go.Figure()
    for role in roles:
        rows = breakdown[breakdown["rolle"] == role]
        rows = rows.set_index("aufschluesselung").reindex(categories).reset_index()
        hover = _hover_columns(rows, einheit)
        figure.add_bar(
            orientation="h",
            y=category_labels,
            x=rows["wert"],
            name=str(rows["bezeichnung"].dropna().iloc[0]),
            marker_color=SERIES_STYLES[role]["color"],
            text=[value if value != formatting.MISSING else "" for value in hover[:, 0]],  # also shows a 0
            textposition="outside",
            cliponaxis=False,
            customdata=hover,
            hovertemplate="<b>%{y}</b><br>%{fullData.name}: %{customdata[0]}<extra></extra>",
            legendrank=SERIES_ROLES.index(role),
        )
    figure.update_layout(barmode="group")
    figure.update_yaxes(
        type="category", categoryorder="array", categoryarray=list(reversed(category_labels)), title=None
    )
    figure.update_xaxes(title=axis_title, rangemode="tozero", **_value_axis(einheit))
    return _apply_german_layout(figure, height=max(220, len(categories) * (22 * len(roles) + 16) + 110))


# --- funnel plots -------------------------------------------------------------------------------------------

# Two-sided standard normal quantiles of the two significance levels (dbt macro z_value).
Z_95 = 1.959963984540054
Z_998 = 3.090232306167813
FUNNEL_POINTS = 200
FUNNEL_UNIT_COLOUR = "#8fa3b0"
FUNNEL_SELECTED_COLOUR = "#1f5f8b"
FUNNEL_LIMIT_COLOURS = {"95": "#d08c2c", "998": "#b34700"}


def funnel_limits(
    nrw_wert: float, tau2: float, nenner: Sequence[float] | np.ndarray, *, wertart: str, faktor: float
) -> pd.DataFrame:
    """Funnel-plot control limits around the NRW value θ0 for the given denominators n, exactly as dbt's
    `kpi_trichter` macro computes them for each unit (Spiegelhalter 2005, additive overdispersion):

    - standard error under θ0: shares (in percent) √(θ0 (100 − θ0) / n), rates √(θ0 · faktor / n);
    - limits θ0 ± z · √(se² + τ²) with z = 1.96 (95 %) and 3.09 (99.8 %).

    Returns `nenner, standardfehler, grenze95_unten, grenze95_oben, grenze998_unten, grenze998_oben`, unclipped
    (a share's limit may pass 0 or 100 % for small n; the figure clips what it draws).
    """
    n = np.asarray(nenner, dtype=float)
    theta = float(nrw_wert)
    # Binomial variance of a percentage, or Poisson variance of a rate scaled by its factor.
    variance_numerator = theta * (100.0 - theta) if wertart == "anteil" else theta * float(faktor)
    standard_error = np.sqrt(variance_numerator / n)
    spread = np.sqrt(standard_error**2 + float(tau2))
    return pd.DataFrame(
        {
            "nenner": n,
            "standardfehler": standard_error,
            "grenze95_unten": theta - Z_95 * spread,
            "grenze95_oben": theta + Z_95 * spread,
            "grenze998_unten": theta - Z_998 * spread,
            "grenze998_oben": theta + Z_998 * spread,
        }
    )


def build_funnel_figure(
    funnel: pd.DataFrame,
    *,
    einheit: str | None,
    wertart: str,
    faktor: float,
    axis_title: str,
    denominator_title: str,
    selected_ags: str | None = None,
    name_units: bool = False,
) -> go.Figure:
    """A funnel plot of one KPI and quarter: every unit as a point over its denominator, the NRW value as a
    line and the 95 % and 99.8 % control limits as curves (from `funnel_limits`, with the overdispersion τ²
    of the quarter). The selected unit is highlighted and labelled. Other units carry their name (in the
    hover) only with `name_units` (the ministry); otherwise they are anonymous points without hover, so the
    chart is no league table.

    `funnel` needs `ags, name, wert, nenner, nrw_wert, tau2` and optionally `lage_95, lage_998`.
    """
    figure = go.Figure()
    points = funnel.dropna(subset=["wert", "nenner"])
    if points.empty:
        return _apply_german_layout(figure, height=420)
    nrw_wert = float(points["nrw_wert"].iloc[0])
    tau2 = float(points["tau2"].fillna(0).iloc[0])
    smallest, largest = float(points["nenner"].min()), float(points["nenner"].max())
    grid = np.geomspace(max(smallest * 0.8, 1e-9), largest * 1.15, FUNNEL_POINTS)
    limits = funnel_limits(nrw_wert, tau2, grid, wertart=wertart, faktor=faktor)
    upper_clip = 100.0 if wertart == "anteil" else np.inf

    for level, label, dash in (("998", "99,8-%-Grenzen", "dash"), ("95", "95-%-Grenzen", "dot")):
        for side in ("unten", "oben"):
            figure.add_scatter(
                x=limits["nenner"],
                y=limits[f"grenze{level}_{side}"].clip(lower=0.0, upper=upper_clip),
                mode="lines",
                line={"color": FUNNEL_LIMIT_COLOURS[level], "dash": dash, "width": 1.5},
                name=label,
                legendgroup=level,
                showlegend=side == "oben",
                hoverinfo="skip",
            )
    figure.add_scatter(
        x=[grid[0], grid[-1]],
        y=[nrw_wert, nrw_wert],
        mode="lines",
        line={"color": "#263238", "width": 1.5},
        name=f"NRW: {formatting.format_value(nrw_wert, einheit)}",
        hoverinfo="skip",
    )

    others = points[points["ags"] != selected_ags]
    other_trace: dict[str, Any] = {"hoverinfo": "skip"}
    if name_units:
        other_trace = {
            "customdata": _funnel_hover(others, einheit),
            "hovertemplate": (
                "<b>%{customdata[0]}</b><br>Wert: %{customdata[1]}<br>Nenner: %{customdata[2]}"
                "<br>%{customdata[3]}<extra></extra>"
            ),
        }
    figure.add_scatter(
        x=others["nenner"],
        y=others["wert"],
        mode="markers",
        marker={"color": FUNNEL_UNIT_COLOUR, "size": 8, "line": {"color": "white", "width": 0.5}},
        name="Kommunen" if name_units else "andere Kommunen",
        **other_trace,
    )
    selected = points[points["ags"] == selected_ags]
    if not selected.empty:
        figure.add_scatter(
            x=selected["nenner"],
            y=selected["wert"],
            mode="markers+text",
            marker={
                "color": FUNNEL_SELECTED_COLOUR,
                "size": 14,
                "symbol": "diamond",
                "line": {"color": "white", "width": 1.5},
            },
            text=selected["name"],
            textposition="top center",
            name=str(selected["name"].iloc[0]),
            customdata=_funnel_hover(selected, einheit),
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>Wert: %{customdata[1]}<br>Nenner: %{customdata[2]}"
                "<br>%{customdata[3]}<extra></extra>"
            ),
        )
    figure.update_xaxes(title=denominator_title, exponentformat="none", separatethousands=True)
    figure.update_yaxes(title=axis_title, rangemode="tozero", **_value_axis(einheit))
    return _apply_german_layout(figure, height=460)


def _funnel_hover(rows: pd.DataFrame, einheit: str | None) -> np.ndarray:
    """Per point: name, formatted value, formatted denominator and its position against the limits."""
    if rows.empty:
        return np.empty((0, 4), dtype=object)
    positions = [
        formatting.format_funnel_position(lage_95, lage_998)
        for lage_95, lage_998 in zip(_column(rows, "lage_95"), _column(rows, "lage_998"), strict=True)
    ]
    return np.column_stack(
        [
            rows["name"].astype(str),
            [formatting.format_value(value, einheit) for value in rows["wert"]],
            [formatting.format_number(value) for value in rows["nenner"]],
            positions,
        ]
    )
