"""Kommunenprofil: one unit against a reference of the user's choice, for the lead of its Kommunales
Integrationszentrum.

The unit's facts; the reference (NRW, Regierungsbezirk, unit type, peer group or the unit's own previous year)
and the members of its peer group; the latest value of every KPI with its interval, the comparison with the
reference and the 5-quarter trend; the course of every KPI over the quarters; a funnel plot of one share or
rate; its deliveries. Deliberately without a ranking of units: in the funnel plot other units are anonymous
points unless the ministry is looking.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboards.lib import figures, formatting, kpi_display, methodik_texte, queries, ui, views

PROFILE_TABLES = ("kpi_vergleiche", "kpi_trends", "kpi_trichter", "peergruppen", "strukturmerkmale")

ui.require_warehouse(PROFILE_TABLES)
role = ui.current_role()

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

# --- the reference ------------------------------------------------------------------------------------------
references = views.reference_choices(unit, queries.unit_references(unit.ags))
reference = references[
    ui.synced_selectbox(
        "Vergleich mit",
        list(views.REFERENCE_LEVELS),
        param="bezug",
        key="kommunenprofil_bezug",
        format_func=lambda level: references[level].option,
        help=methodik_texte.REFERENCE_HELP,
    )
]
with st.expander("Vergleichsgruppe: die 7 strukturell ähnlichsten Kommunen"):
    st.markdown(methodik_texte.PEER_GROUP_SHORT)
    st.table(views.peer_group_table(queries.peer_group(unit.ags)), hide_index=True)

unit_area = views.SeriesArea(unit.ags, "kommune", unit.name)
areas = views.chart_areas(unit_area, reference)
area_codes = list(dict.fromkeys([area.gebiet for area in areas] + [reference.gebiet or unit.ags]))
catalogue = queries.kpis_with_values()
totals = queries.area_totals(area_codes)
breakdowns = queries.area_breakdowns([area.gebiet for area in areas])
comparisons = queries.unit_comparisons(unit.ags, reference.ebene)
trends = queries.area_trends(unit.ags)

# --- latest values ------------------------------------------------------------------------------------------
st.header("Aktuelle Werte")
if catalogue.empty:
    st.info("Das Warehouse enthält noch keine Kennzahlenwerte.")
else:
    latest = views.latest_values_table(
        catalogue,
        totals,
        unit_area,
        reference,
        comparisons=comparisons,
        trends=trends,
        mark_adjusted=not role.sees_unsuppressed,
        show_published_as=role.sees_unsuppressed,
    )
    ui.render_styled_table(latest)
    st.caption(methodik_texte.comparison_caption(reference.column, reference.ebene == views.PREVIOUS_YEAR))
    st.caption(methodik_texte.TREND_LEGEND)
    if role.sees_unsuppressed:
        st.caption(methodik_texte.MINISTRY_VALUES_NOTE)
    else:
        ui.render_suppression_legend(adjusted=views.has_adjusted_reference(latest.table, reference))


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
    if views.comparable_with_reference(kpi.kpi_id, reference):
        series = views.with_comparisons(series, comparisons, kpi.kpi_id)
    kpi_breakdowns = views.series_for_chart(breakdowns, kpi.kpi_id, drawn_areas)
    if series.empty and len(kpi_breakdowns):  # e.g. the two stages of K19, without a total
        st.caption("Diese Kennzahl wird nur aufgeschlüsselt ausgewiesen, ohne Gesamtwert.")
        show_breakdown(kpi, kpi_breakdowns)
        return
    unit_rows = series[series["rolle"] == "kommune"]
    if unit_rows["wert"].isna().all():
        st.caption(f"Für {unit.name} liegt noch kein Gesamtwert vor.")
    hidden = views.hidden_quarters(unit_rows, getattr(kpi, "geheimhaltung_anzahl", "wert"))
    if hidden:
        st.caption(f"Aus Gründen der Geheimhaltung nicht gezeigt: {hidden}.")
    trend_column, breakdown_column = st.columns([3, 2]) if len(kpi_breakdowns) else (st.container(), None)
    with trend_column:
        st.plotly_chart(
            figures.build_kpi_trend_figure(
                series,
                einheit=kpi.einheit,
                axis_title=kpi.einheit,
                reference_band=kpi_display.reference_band(kpi.kpi_id),
                show_linear_pace=kpi_display.has_linear_pace(kpi.kpi_id),
                comparison_label=f"Vergleich mit {reference.column}",
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
    st.caption(methodik_texte.TREND_CHART_LEGEND)
    domain_of_kpi = catalogue["bereich"].fillna("Weitere Kennzahlen")
    domains = list(dict.fromkeys(domain_of_kpi))
    for tab, domain in zip(st.tabs(domains), domains, strict=True):
        with tab:
            for kpi in catalogue[domain_of_kpi == domain].itertuples(index=False):
                show_kpi(kpi)

# --- funnel plot --------------------------------------------------------------------------------------------
funnel_quarters = queries.funnel_quarters()
funnel_kpis = views.funnel_kpis(catalogue, funnel_quarters)
if funnel_kpis:
    st.header("Trichterdiagramm")
    st.caption(methodik_texte.FUNNEL_SHORT)
    kpi_names = dict(zip(catalogue["kpi_id"], catalogue["name"], strict=True))
    selector_kpi, selector_quarter = st.columns([2, 1])
    with selector_kpi:
        funnel_kpi_id = ui.synced_selectbox(
            "Kennzahl",
            funnel_kpis,
            param="trichter",
            key="kommunenprofil_trichter_kpi",
            format_func=kpi_names.__getitem__,
        )
    with selector_quarter:
        funnel_quarter = ui.synced_selectbox(
            "Quartal",
            funnel_quarters[funnel_kpi_id],
            param="trichter_quartal",
            key="kommunenprofil_trichter_quartal",
            format_func=formatting.format_quarter,
        )
    funnel_kpi = views.catalogue_entry(catalogue, funnel_kpi_id)
    funnel = queries.funnel(funnel_kpi_id, funnel_quarter)
    st.plotly_chart(
        figures.build_funnel_figure(
            funnel,
            einheit=funnel_kpi.einheit,
            wertart=funnel_kpi.wertart,
            faktor=funnel_kpi.faktor,
            axis_title=f"{funnel_kpi.name} ({funnel_kpi.einheit})",
            denominator_title=kpi_display.funnel_denominator_title(funnel_kpi.wertart, funnel_kpi.faktor),
            selected_ags=unit.ags,
            name_units=role.may_rank_units,
        ),
        key="kommunenprofil_trichter",
    )
    summary = views.funnel_unit_summary(funnel, unit.ags, funnel_kpi.einheit)
    st.caption(
        summary
        or f"{unit.name} hat im {formatting.format_quarter(funnel_quarter)} keinen Punkt im Trichter "
        "(kein Wert oder aus Gründen der Geheimhaltung nicht veröffentlicht)."
    )
    st.caption(methodik_texte.funnel_caption(funnel, name_units=role.may_rank_units))

# --- deliveries ---------------------------------------------------------------------------------------------
st.header("Lieferungen")
deliveries = views.unit_delivery_table(queries.unit_deliveries(unit.ags))
if deliveries.empty:
    st.info(f"Von {unit.name} ist noch keine Lieferung verzeichnet.")
else:
    st.table(deliveries, hide_index=True)

ui.render_source_footer()
