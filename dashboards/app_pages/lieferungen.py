"""Lieferungen & Datenqualität: who delivered what and when, whether it was accepted, and why not.

The delivery status of all units over the reporting quarters; for one unit, quarter and package its status,
the row reconciliation per file, every finding and the German report to download; the delivery KPIs K25
(punctuality) and K26 (data quality) for the unit over time and, for the ministry role, for all units in the
latest quarter (a ranking, which unit leads do not get).
"""

from __future__ import annotations

import streamlit as st

from dashboards.lib import (
    delivery_queries,
    delivery_report,
    delivery_views,
    figures,
    formatting,
    queries,
    ui,
    views,
)
from pipelines.ingest.report import findings_csv

st.title("Lieferungen & Datenqualität")
st.caption(
    "Welche Kommune hat welches Quartal wann geliefert, wurde die Lieferung angenommen, und was hat die "
    "Datenannahme beanstandet?"
)
snapshot = ui.require_warehouse(delivery_queries.PAGE_TABLES)

# --- delivery status of all units ---------------------------------------------------------------------------
st.header("Lieferstatus aller Kommunen")
matrix = delivery_queries.delivery_matrix()
if matrix.empty:
    st.info("Es liegen noch keine Berichtsquartale vor.")
else:
    districts = delivery_views.district_options(matrix)
    types = delivery_views.type_options(matrix)
    district_column, type_column = st.columns(2)
    district = district_column.selectbox(
        "Regierungsbezirk",
        list(districts),
        format_func=districts.__getitem__,
        key="lieferungen_regierungsbezirk",
    )
    unit_type = type_column.selectbox(
        "Art der Kommune", list(types), format_func=types.__getitem__, key="lieferungen_typ"
    )
    shown = delivery_views.filter_units(matrix, district, unit_type)
    if shown.empty:
        st.info("Keine Kommune entspricht der Auswahl.")
    else:
        latest = str(shown["quartal"].max())
        st.subheader(f"{shown['ags'].nunique()} Kommunen · Stand {formatting.format_quarter(latest)}")
        counts = views.delivery_status_counts(shown, latest)
        for column, row in zip(st.columns(len(counts)), counts.itertuples(index=False), strict=True):
            column.metric(row.Status, formatting.format_number(row.Anzahl), border=True)
        st.plotly_chart(figures.build_delivery_status_figure(shown), key="lieferungen_matrix")
        st.caption(
            "Frist: 45 Tage nach Quartalsende; maßgeblich ist der Eingangstag in deutscher Zeit. „Korrigiert“: "
            "eine spätere Lieferung hat eine angenommene ersetzt. „Abgelehnt“: bisher nur abgelehnte Pakete. "
            "Eingang: das erste Paket des Quartals, auch ein abgelehntes."
        )

# --- one package: status, reconciliation, findings, report --------------------------------------------------
st.header("Befunde je Paket")
units = queries.units()
unit_names = dict(zip(units["ags"], units["name"], strict=True))
unit_column, quarter_column = st.columns(2)
with unit_column:
    ags = ui.synced_selectbox(
        "Kommune",
        units["ags"].tolist(),
        param="ags",
        key="lieferungen_ags",
        format_func=lambda value: f"{unit_names[value]} ({value})",
    )
unit = next(units[units["ags"] == ags].itertuples(index=False))
quarters = delivery_queries.unit_quarters(ags)
if quarters.empty:
    st.info(f"Für {unit.name} gibt es noch kein Berichtsquartal und kein Paket.")
    st.stop()
quarter_labels = {row.quartal: delivery_views.quarter_label(row) for row in quarters.itertuples(index=False)}
with quarter_column:
    quartal = ui.synced_selectbox(
        "Quartal",
        list(quarter_labels),
        param="lieferquartal",
        key="lieferungen_quartal",
        format_func=quarter_labels.__getitem__,
        default=delivery_views.default_quarter(quarters),
    )

packages = delivery_queries.packages(ags, quartal)
if packages.empty:
    status_row = next(quarters[quarters["quartal"] == quartal].itertuples(index=False))
    st.info(
        f"Von {unit.name} ist für das {formatting.format_quarter(quartal)} noch kein Paket eingegangen "
        f"(Status: {formatting.format_delivery_status(status_row.status)}, Frist "
        f"{formatting.format_date(status_row.frist)})."
    )
else:
    package_labels = {
        row.paket_id: delivery_views.package_label(row) for row in packages.itertuples(index=False)
    }
    if len(packages) > 1:
        paket_id = ui.synced_selectbox(
            f"Paket ({len(packages)} für dieses Quartal)",
            list(package_labels),
            param="paket",
            key="lieferungen_paket",
            format_func=package_labels.__getitem__,
            default=delivery_views.default_package(packages),
        )
    else:
        paket_id = str(packages["paket_id"].iloc[0])
        st.query_params.pop("paket", None)  # a link names a package only where there is a choice
    package = next(packages[packages["paket_id"] == paket_id].itertuples(index=False))
    files = delivery_queries.package_files(paket_id)
    findings = delivery_queries.package_findings(paket_id)

    st.subheader(f"Paket {delivery_views.short_id(paket_id)}")
    facts = st.columns(4)
    facts[0].metric("Status", formatting.format_delivery_status(package.status), border=True)
    facts[1].metric("Eingegangen", formatting.format_date(package.eingegangen_am), border=True)
    facts[2].metric("Frist", formatting.format_date(package.frist), border=True)
    facts[3].metric(
        "Fristgerecht",
        formatting.format_yes_no(package.fristgerecht),
        help="Ob dieses Paket bis zum Fristende einging. Für die Lieferpünktlichkeit des Quartals zählt das "
        "erste nicht abgelehnte Paket; eine spätere Korrektur ändert daran nichts.",
        border=True,
    )
    counts = st.columns(4)
    counts[0].metric("Zeilen geliefert", formatting.format_number(package.zeilen_geliefert), border=True)
    counts[1].metric("Übernommen", formatting.format_number(package.zeilen_geladen), border=True)
    counts[2].metric("In Quarantäne", formatting.format_number(package.zeilen_quarantaene), border=True)
    counts[3].metric(
        "Mit dem Paket abgelehnt", formatting.format_number(package.zeilen_abgelehnt), border=True
    )
    st.caption(
        f"Erstellt laut Manifest: {formatting.format_moment(package.erstellt_am)} · Eingegangen: "
        f"{formatting.format_moment(package.eingegangen_am)} · "
        f"{formatting.format_package_shape(package.paketform)} · Quellsystem: "
        f"{package.quellsystem if isinstance(package.quellsystem, str) else 'nicht angegeben'} · "
        f"Kennung {package.paket_id}"
    )
    outcome = delivery_views.package_outcome_text(package)
    if package.status == "ABGELEHNT":
        st.error(f"{outcome}\n\n**Erster Ablehnungsgrund:** {package.erste_ablehnung_meldung}")
    elif not bool(package.geladen):
        st.warning(outcome)
    else:
        st.success(outcome)

    st.markdown("**Zeilenabgleich je Datei**")
    if files.empty:
        st.caption("Aus diesem Paket ließ sich keine Datei lesen.")
    else:
        st.table(delivery_views.files_table(files), hide_index=True)

    by_outcome = delivery_views.outcome_counts(findings)
    st.markdown(
        f"**Befunde: {formatting.format_number(len(findings))}** – "
        + ", ".join(
            f"{formatting.format_outcome(code)}: {formatting.format_number(count)}"
            for code, count in by_outcome.items()
        )
    )
    if findings.empty:
        st.caption("Die Datenannahme hat an diesem Paket nichts beanstandet.")
    else:
        present = [code for code, count in by_outcome.items() if count]
        if not set(st.session_state.get("lieferungen_ergebnis", present)) <= set(present):
            del st.session_state["lieferungen_ergebnis"]  # chosen for another package
        chosen = st.multiselect(
            "Ergebnis",
            present,
            default=present,
            format_func=formatting.format_outcome,
            key="lieferungen_ergebnis",
        )
        st.dataframe(
            delivery_views.findings_table(findings, chosen), hide_index=True, key="lieferungen_befunde"
        )

    rules = delivery_queries.rules()
    basename = delivery_report.report_basename(package)
    download_csv, download_summary = st.columns(2)
    download_csv.download_button(
        "Befunde als CSV herunterladen",
        data=findings_csv(findings),
        file_name=f"{basename}_befunde.csv",
        mime="text/csv",
        key="lieferungen_download_csv",
    )
    download_summary.download_button(
        "Lieferbericht herunterladen (Markdown)",
        data=delivery_report.summary_markdown(
            package,
            files,
            findings,
            rules,
            published_at=formatting.format_timestamp(snapshot.published_at),
        ).encode("utf-8"),
        file_name=f"{basename}.md",
        mime="text/markdown",
        key="lieferungen_download_bericht",
    )
    with st.expander("Was die Regeln bedeuten"):
        used = rules[rules["regel"].isin(set(findings["regel"]))] if len(findings) else rules
        st.table(
            used.rename(columns={"titel": "Regel", "erklaerung": "Erklärung", "klasse": "Ebene"})[
                ["Regel", "Erklärung", "Ebene"]
            ],
            hide_index=True,
        )

# --- K25 and K26 --------------------------------------------------------------------------------------------
st.header("Lieferpünktlichkeit und Datenqualität")
catalogue = delivery_queries.quality_catalogue()
areas = [
    views.SeriesArea(unit.ags, "kommune", unit.name),
    views.SeriesArea(unit.vergleichstyp, "bezug", unit.vergleichstyp_name),
    views.SeriesArea("NRW", "land", "NRW"),
]
values = delivery_queries.quality_values([area.gebiet for area in areas])
if catalogue.empty or values.empty:
    st.info("Für die Lieferkennzahlen liegen noch keine Werte vor.")
    st.stop()
for kpi in catalogue.itertuples(index=False):
    st.caption(f"**{kpi.kpi_id} {kpi.name}:** {kpi.definition}")

st.subheader(f"{unit.name} im Verlauf")
for column, measure in zip(
    st.columns(len(delivery_views.QUALITY_MEASURES)), delivery_views.QUALITY_MEASURES, strict=True
):
    with column:
        quarter_of_value, value = delivery_views.latest_measure_value(values, measure, unit.ags)
        st.metric(
            measure.name,
            formatting.format_percent(value),
            help=f"{formatting.format_polarity(measure.polaritaet)}; zuletzt "
            f"{formatting.format_quarter(quarter_of_value) if quarter_of_value else formatting.MISSING}",
        )
        series = delivery_views.measure_series(values, measure, areas)
        if series.empty:
            st.caption(f"Für {unit.name} liegt noch kein Wert vor.")
            continue
        st.plotly_chart(
            figures.build_kpi_trend_figure(series, einheit="%", axis_title="%"),
            key=f"lieferungen_verlauf_{measure.key}",
        )

latest_quality_quarter, _ = delivery_views.latest_measure_value(
    values, delivery_views.MEASURES_BY_KEY["quarantaene"], unit.ags
)
if latest_quality_quarter is not None:
    st.markdown(f"**Datenqualität je Datei und Feld im {formatting.format_quarter(latest_quality_quarter)}**")
    st.table(delivery_views.file_quality(values, unit.ags, latest_quality_quarter), hide_index=True)

st.subheader("Alle Kommunen im Vergleich")


def show_unit_ranking() -> None:
    """All units on one delivery measure in its latest quarter, sorted: a ranking, for the ministry only."""
    measure_key = st.radio(
        "Kennzahl",
        [measure.key for measure in delivery_views.QUALITY_MEASURES],
        format_func=lambda key: delivery_views.MEASURES_BY_KEY[key].name,
        horizontal=True,
        key="lieferungen_vergleich_kennzahl",
    )
    measure = delivery_views.MEASURES_BY_KEY[measure_key]
    measure_quarters = delivery_queries.measure_quarters(measure.kpi_id, measure.aufschluesselung)
    if not measure_quarters:
        st.info(f"Für „{measure.name}“ liegen noch keine Werte einzelner Kommunen vor.")
        return
    comparison_quarter = measure_quarters[0]
    comparison = queries.unit_comparison(measure.kpi_id, comparison_quarter, measure.aufschluesselung)
    nrw = values[
        (values["kpi_id"] == measure.kpi_id)
        & (values["aufschluesselung"] == measure.aufschluesselung)
        & (values["gebiet"] == "NRW")
        & (values["quartal"] == comparison_quarter)
    ]["wert"]
    st.plotly_chart(
        figures.build_unit_comparison_figure(
            comparison,
            einheit="%",
            axis_title=f"{measure.name} im {formatting.format_quarter(comparison_quarter)} (%)",
            reference_value=nrw.iloc[0] if len(nrw) else None,
        ),
        key="lieferungen_vergleich",
    )
    missing_units = views.units_without_value(comparison)
    if missing_units:
        st.caption(
            f"Ohne Wert im {formatting.format_quarter(comparison_quarter)} ({len(missing_units)}): "
            f"{', '.join(missing_units)}. Grund: kein angenommenes Paket für dieses Quartal."
        )


if ui.current_role().may_rank_units:
    show_unit_ranking()
else:
    st.caption(
        "Eine Rangfolge der Kommunen ist der Rolle Ministerium vorbehalten; den Lieferstatus aller Kommunen "
        "zeigt die Übersicht oben."
    )

ui.render_source_footer()
