"""Landesübersicht: the statewide picture.

NRW figures of the latest quarter, all 54 units on one KPI and quarter, and who has delivered which quarter.
The units are shown as a map and, for shares and rates, in a funnel plot around the NRW value; the ranking of
the units (a sorted bar chart) is for the ministry role only (KPIS.md: no league table for unit leads).
"""

from __future__ import annotations

import streamlit as st

from dashboards.lib import figures, formatting, geometry, kpi_display, methodik_texte, queries, ui, views

st.title("Landesübersicht")
st.caption("Kommunales Integrationsmanagement in den 54 KIM-Kommunen Nordrhein-Westfalens")
ui.require_warehouse(("kpi_trichter",))
role = ui.current_role()

catalogue = queries.kpis_with_values()
if catalogue.empty:
    st.info(
        "Das Warehouse enthält noch keine Kennzahlenwerte. "
        "Sobald Lieferungen verarbeitet sind, erscheinen sie hier."
    )
    st.stop()
kpi_names = dict(zip(catalogue["kpi_id"], catalogue["name"], strict=True))

# --- NRW at a glance ----------------------------------------------------------------------------------------
nrw_totals = queries.area_totals(["NRW"])
nrw_quarter = views.latest_quarter(nrw_totals)
if nrw_quarter is not None:
    st.header(f"NRW im {formatting.format_quarter(nrw_quarter)}")
    tiles = views.nrw_metric_tiles(
        catalogue, nrw_totals, nrw_quarter, mark_adjusted=not role.sees_unsuppressed
    )
    ui.render_metric_tiles(tiles)
    adjusted = any(tile.value.endswith(formatting.ADJUSTED_MARK) for tile in tiles)
    if adjusted or any(tile.value in formatting.SUPPRESSION_LEGEND for tile in tiles):
        ui.render_suppression_legend(adjusted=adjusted)

# --- all units on one KPI -----------------------------------------------------------------------------------
st.header("Kommunen im Vergleich")
selector_kpi, selector_quarter = st.columns([2, 1])
with selector_kpi:
    kpi_id = ui.synced_selectbox(
        "Kennzahl",
        catalogue["kpi_id"].tolist(),
        param="kpi",
        key="landesuebersicht_kpi",
        format_func=kpi_names.__getitem__,
    )
kpi = views.catalogue_entry(catalogue, kpi_id)
quarters = queries.unit_quarters(kpi_id)
if not quarters:
    st.info(f"Für „{kpi.name}“ liegen noch keine Werte einzelner Kommunen vor.")
    st.stop()
with selector_quarter:
    quartal = ui.synced_selectbox(
        "Quartal",
        quarters,
        param="quartal",
        key="landesuebersicht_quartal",
        format_func=formatting.format_quarter,
    )
st.caption(views.kpi_help(kpi))

comparison = queries.unit_comparison(kpi_id, quartal)
if role.may_rank_units:
    nrw_value = nrw_totals.loc[(nrw_totals["kpi_id"] == kpi_id) & (nrw_totals["quartal"] == quartal), "wert"]
    # A count's NRW value is the statewide total, no level a single unit could be set against.
    show_nrw_line = len(nrw_value) > 0 and not kpi_display.reference_is_sum(kpi_id)
    st.subheader("Rangfolge der Kommunen", help="Nur in der Rolle Ministerium.")
    st.plotly_chart(
        figures.build_unit_comparison_figure(
            comparison,
            einheit=kpi.einheit,
            axis_title=f"{kpi.name} ({kpi.einheit})",
            reference_value=nrw_value.iloc[0] if show_nrw_line else None,
            reference_band=kpi_display.reference_band(kpi_id),
        ),
        key="landesuebersicht_vergleich",
    )
else:
    st.caption(
        "Eine Rangfolge der Kommunen ist der Rolle Ministerium vorbehalten. Karte und Trichterdiagramm zeigen, "
        "wo die Kommunen liegen; das Kommunenprofil zeigt jede Kommune gegenüber ihren Bezugswerten."
    )
missing_units = views.units_without_value(comparison)
if missing_units:
    st.caption(
        f"Ohne Wert im {formatting.format_quarter(quartal)} ({len(missing_units)}): "
        f"{', '.join(missing_units)}. "
        "Gründe: keine angenommene Lieferung oder zu kleine Fallzahl."
    )

funnel = queries.funnel(kpi_id, quartal) if kpi_display.has_funnel(kpi.wertart, kpi.methode) else None
if funnel is not None and not funnel.empty:
    st.subheader("Trichterdiagramm", help=methodik_texte.FUNNEL_SHORT)
    st.plotly_chart(
        figures.build_funnel_figure(
            funnel,
            einheit=kpi.einheit,
            wertart=kpi.wertart,
            faktor=kpi.faktor,
            axis_title=f"{kpi.name} ({kpi.einheit})",
            denominator_title=kpi_display.funnel_denominator_title(kpi.wertart, kpi.faktor),
            name_units=role.may_rank_units,
        ),
        key="landesuebersicht_trichter",
    )
    st.caption(methodik_texte.funnel_caption(funnel, name_units=role.may_rank_units))

st.subheader(
    "Karte", help="Dunklere Flächen sind günstiger, wo die Kennzahl eine Richtung hat; grau: kein Wert."
)
source = geometry.geometry_source()
if source is None:
    st.caption(
        "Keine Kartengeometrie gefunden: die Karte entfällt. Mit der Umgebungsvariable `KIM_GEOJSON` "
        "lässt sich eine GeoJSON-Datei der 54 Kommunen angeben."
    )
elif not source.path.is_file():
    st.warning(f"Die Kartendatei `{source.path}` (aus `KIM_GEOJSON`) existiert nicht; die Karte entfällt.")
else:
    try:
        unit_geometry = geometry.load_unit_geometry(source.path)
    except geometry.GeometryError as error:
        st.warning(f"{error} Die Karte entfällt.")
    else:
        st.plotly_chart(
            figures.build_choropleth_figure(
                comparison,
                unit_geometry,
                einheit=kpi.einheit,
                polaritaet=kpi.polaritaet,
                axis_title=kpi.name,
            ),
            key="landesuebersicht_karte",
            config={"scrollZoom": False},
        )
        without_geometry = comparison.loc[
            ~comparison["ags"].isin(geometry.feature_ids(unit_geometry)), "name"
        ]
        notes = ["Grau: kein Wert im gewählten Quartal."]
        if len(without_geometry):
            notes.append(f"Ohne Fläche in der Kartendatei: {', '.join(without_geometry)}.")
        st.caption(" ".join(notes))
        st.caption(geometry.ATTRIBUTION)

# --- delivery status ----------------------------------------------------------------------------------------
st.header("Lieferstatus")
status = queries.delivery_status()
if status.empty:
    st.info("Es liegen noch keine Lieferungen vor.")
else:
    status_quarter = str(status["quartal"].max())
    st.subheader(f"Stand {formatting.format_quarter(status_quarter)}")
    counts = views.delivery_status_counts(status, status_quarter)
    for column, row in zip(st.columns(len(counts)), counts.itertuples(index=False), strict=True):
        column.metric(row.Status, formatting.format_number(row.Anzahl), border=True)
    st.subheader("Alle Kommunen und Quartale")
    st.plotly_chart(figures.build_delivery_status_figure(status), key="landesuebersicht_lieferstatus")

ui.render_source_footer()
