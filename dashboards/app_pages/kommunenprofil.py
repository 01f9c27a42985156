"""Kommunenprofil: one unit against its references, for the lead of its Kommunales Integrationszentrum.

The unit's facts, its latest values next to NRW and its unit type, the course of every KPI over the quarters,
the breakdowns of the latest quarter and its deliveries. Deliberately without a ranking of units.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboards.lib import figures, formatting, kpi_display, queries, ui, views

ui.require_warehouse()

units = queries.units()
if units.empty:
    st.info("Das Warehouse enthält noch keine Kommunen. Bitte `kim build` ausführen.")
    st.stop()
unit_names = dict(zip(units["ags"], units["name"], strict=True))
ags = ui.synced_selectbox(
    "Kommune",
    units["ags"].tolist(),
    param="ags",
    key="kommunenprofil_ags",
    format_func=lambda value: f"{unit_names[value]} ({value})",
)
unit = next(units[units["ags"] == ags].itertuples(index=False))

# --- facts --------------------------------------------------------------------------------------------------
st.title(unit.name)
st.caption(f"{unit.typ_bezeichnung} · Regierungsbezirk {unit.regierungsbezirk} · AGS {unit.ags}")
facts = st.columns(5)
facts[0].metric("Einwohnerinnen und Einwohner", formatting.format_number(unit.einwohner))
facts[1].metric(
    "Zuständigkeitsbereich",
    formatting.format_number(unit.einwohner_zustaendig),
    help=(
        "Bevölkerung, für die das Kommunale Integrationszentrum zuständig ist "
        "(Grundlage der Raten je 100.000)."
    ),
)
facts[2].metric("Fläche", f"{formatting.format_number(unit.flaeche_km2, 1)} km²")
facts[3].metric("Einwohner je km²", formatting.format_number(unit.einwohnerdichte))
facts[4].metric("Gemeinden", formatting.format_number(unit.anzahl_gemeinden))

unit_area = views.SeriesArea(unit.ags, "kommune", unit.name)
references = [
    views.SeriesArea(unit.vergleichstyp, "vergleichstyp", unit.vergleichstyp_name),
    views.SeriesArea("NRW", "land", "NRW"),
]
areas = [unit_area, *references]
area_codes = [area.gebiet for area in areas]
catalogue = queries.kpis_with_values()
totals = queries.area_totals(area_codes)
breakdowns = queries.area_breakdowns(area_codes)

# --- latest values ------------------------------------------------------------------------------------------
st.header("Aktuelle Werte")
if catalogue.empty:
    st.info("Das Warehouse enthält noch keine Kennzahlenwerte.")
else:
    st.table(views.latest_values_table(catalogue, totals, unit_area, references), hide_index=True)
    st.caption(
        f"Vergleichswerte: {unit.vergleichstyp_name} und NRW, jeweils im selben Quartal wie der Wert der "
        "Kommune; bei Anzahlen ist der Vergleichswert die Summe über alle Kommunen. – bedeutet: kein Wert "
        "oder aus Datenschutzgründen nicht ausgewiesen."
    )


def show_kpi(kpi: Any) -> None:
    """The course of one KPI over the quarters, and its breakdown in the latest quarter if it has one."""
    st.subheader(kpi.name, help=views.kpi_help(kpi))
    drawn_areas = areas
    if kpi_display.reference_is_sum(kpi.kpi_id):
        drawn_areas = [unit_area]
        st.caption(
            "Die Vergleichswerte dieser Anzahl sind Summen über alle Kommunen und werden nicht eingezeichnet."
        )
    series = views.series_for_chart(totals, kpi.kpi_id, drawn_areas)
    if series.loc[series["rolle"] == "kommune", "wert"].isna().all():
        st.caption(f"Für {unit.name} liegt noch kein Wert vor.")
    kpi_breakdowns = views.series_for_chart(breakdowns, kpi.kpi_id, drawn_areas)
    trend_column, breakdown_column = st.columns([3, 2]) if len(kpi_breakdowns) else (st.container(), None)
    with trend_column:
        st.plotly_chart(
            figures.build_kpi_trend_figure(
                series,
                einheit=kpi.einheit,
                axis_title=kpi.einheit,
                reference_band=kpi_display.reference_band(kpi.kpi_id),
                show_linear_pace=kpi_display.has_linear_pace(kpi.kpi_id),
            ),
            key=f"kommunenprofil_verlauf_{kpi.kpi_id}",
        )
    if breakdown_column is None:
        return
    with breakdown_column:
        show_breakdown(kpi, kpi_breakdowns)


def show_breakdown(kpi: Any, kpi_breakdowns: pd.DataFrame) -> None:
    """Milestones as a dated list; every other breakdown as bars of the unit next to its references, for the
    categories the unit itself reports in its latest quarter with a breakdown."""
    quartal = views.latest_quarter(kpi_breakdowns[kpi_breakdowns["rolle"] == "kommune"])
    if quartal is None:
        st.caption(f"Für {unit.name} liegt noch keine Aufschlüsselung vor.")
        return
    dimensions = {kpi_display.breakdown_dimension(value) for value in kpi_breakdowns["aufschluesselung"]}
    if dimensions == {kpi_display.MILESTONE_DIMENSION}:
        st.markdown("**Meilensteine der Umsetzung**")
        st.table(views.milestone_table(queries.milestones(unit.ags)), hide_index=True)
        return
    st.markdown(f"**Aufschlüsselung im {formatting.format_quarter(quartal)}**")
    st.plotly_chart(
        figures.build_breakdown_figure(
            views.unit_breakdown(kpi_breakdowns, quartal), einheit=kpi.einheit, axis_title=kpi.einheit
        ),
        key=f"kommunenprofil_aufschluesselung_{kpi.kpi_id}",
    )


# --- every KPI over time, grouped by area of work -----------------------------------------------------------
if not catalogue.empty:
    st.header("Entwicklung je Kennzahl")
    domain_of_kpi = catalogue["bereich"].fillna("Weitere Kennzahlen")
    domains = list(dict.fromkeys(domain_of_kpi))
    for tab, domain in zip(st.tabs(domains), domains, strict=True):
        with tab:
            for kpi in catalogue[domain_of_kpi == domain].itertuples(index=False):
                show_kpi(kpi)

# --- deliveries ---------------------------------------------------------------------------------------------
st.header("Lieferungen")
deliveries = views.unit_delivery_table(queries.unit_deliveries(unit.ags))
if deliveries.empty:
    st.info(f"Von {unit.name} ist noch keine Lieferung verzeichnet.")
else:
    st.table(deliveries, hide_index=True)

ui.render_source_footer()
