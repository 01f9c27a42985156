"""Datenlieferung: the lead of a Kommunales Integrationszentrum checks a package and hands it in.

Choose the unit and the reporting quarter, upload a zip, the CSV files or a workbook; within seconds the page
says in German whether the pipeline would accept the package and what is wrong (file, row, column, rule), with
the report and every finding to download. An acceptable package can then be handed to the landing zone, where
the pipeline loads it.
"""

from __future__ import annotations

import streamlit as st

from dashboards.lib import formatting, ui, upload, upload_check
from dashboards.lib.upload_check import UploadResult
from pipelines.config import get_settings
from pipelines.contract.findings import Status, format_count
from pipelines.ingest.report import findings_csv

RESULT_KEY = "datenlieferung_ergebnis"
DELIVERIES_KEY = "datenlieferung_uebergaben"
DELIVER_LABEL = "An den Eingangsordner übergeben"


def code_list(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{name}`" for name in names)


st.title("Datenlieferung")
st.caption("Lieferpaket einer KIM-Kommune prüfen und an den Eingangsordner übergeben")
st.markdown(
    "Hier prüfen Sie das Quartalspaket Ihrer Kommune mit denselben Prüfungen, die die Verarbeitung anwendet: "
    "Manifest, Pflichtdateien und -spalten, Datentypen, Codelisten und die Regeln des Datenvertrags. Die "
    "Prüfung allein speichert nichts. Erst mit „An den Eingangsordner übergeben“ wird ein annehmbares Paket "
    "eingeliefert."
)

# --- which delivery -----------------------------------------------------------------------------------------
settings = get_settings()
units = upload_check.unit_choices()
unit_column, quarter_column = st.columns([2, 1])
with unit_column:
    ags = ui.synced_selectbox(
        "Kommune",
        list(units),
        param="ags",
        key="datenlieferung_ags",
        format_func=lambda value: f"{units[value]} ({value})",
    )
with quarter_column:
    quartal = st.selectbox(
        "Berichtsquartal",
        upload_check.quarter_choices(settings.stichtag),
        key="datenlieferung_quartal",
        format_func=formatting.format_quarter,
        help="Lieferbar sind abgeschlossene Quartale; voreingestellt ist das zuletzt abgeschlossene.",
    )
kontakt = st.text_input(
    "Kontakt für Rückfragen (optional)",
    key="datenlieferung_kontakt",
    placeholder="ki@kommune.example",
    help="Wird in die manifest.json übernommen, wenn diese Seite sie erstellt.",
)

# --- the package --------------------------------------------------------------------------------------------
st.header("Paket hochladen")
st.markdown(
    "Ein Paket ist eines von drei Dingen:\n"
    "- **ein ZIP-Archiv** mit `manifest.json` und den CSV-Dateien auf oberster Ebene,\n"
    f"- **die CSV-Dateien einzeln**: {code_list(upload.MANDATORY_FILENAMES)} sind Pflicht, "
    f"{code_list(upload.OPTIONAL_FILENAMES)} soweit vorhanden,\n"
    "- **eine Arbeitsmappe** (`.xlsx`) mit einem Blatt je Datei (`faelle`, `ereignisse`, …).\n\n"
    "Fehlt die `manifest.json`, erstellt diese Seite sie (Kommune, Quartal, Zeitpunkt der Erstellung, "
    "Prüfsumme jeder Datei) und sagt es im Ergebnis. Eine mitgelieferte `manifest.json` wird so geprüft, wie "
    f"sie ist. Höchstens {upload.MAX_UPLOAD_MB} MB je Paket."
)
uploaded = st.file_uploader(
    "Dateien des Pakets",
    type=list(upload.UPLOAD_TYPES),
    accept_multiple_files=True,
    key="datenlieferung_dateien",
    max_upload_size=upload.MAX_UPLOAD_MB,
    help="Mehrere Dateien auf einmal auswählen oder nacheinander hinzufügen.",
)
if not uploaded:
    st.info("Noch keine Datei hochgeladen. Nach dem Hochladen wird das Paket sofort geprüft.", icon="📦")
    st.stop()


def current_result(uploads: list[upload.Upload]) -> UploadResult:
    """The check of exactly these files for this unit, quarter and contact: run once, kept in the session."""
    fingerprint = upload.upload_fingerprint(uploads, ags, quartal, kontakt)
    result = st.session_state.get(RESULT_KEY)
    if result is None or result.fingerprint != fingerprint:
        with st.spinner("Das Paket wird geprüft …"):
            result = upload_check.check_uploads(uploads, ags, quartal, get_settings(), kontakt=kontakt)
        st.session_state[RESULT_KEY] = result
    return result


def show_status(result: UploadResult) -> None:
    package = result.check.package
    verdict = f"**Ergebnis: {result.status_label}**"
    if package.status is Status.ACCEPTED:
        st.success(
            f"{verdict} – alle {format_count(package.rows_delivered)} Zeilen würden übernommen.", icon="✅"
        )
    elif package.status is Status.ACCEPTED_WITH_NOTICES:
        st.warning(
            f"{verdict} – {format_count(package.rows_loaded)} Zeilen würden übernommen, "
            f"{format_count(package.rows_quarantined)} in Quarantäne gestellt. Zeilen in Quarantäne fehlen in "
            "den Kennzahlen, bis eine korrigierte Lieferung sie ersetzt; Hinweise erfordern keine neue Lieferung.",
            icon="⚠️",
        )
    else:
        st.error(
            f"{verdict} – aus diesem Paket würde nichts übernommen. Bitte die Gründe unten beheben und das "
            "Paket erneut hochladen.",
            icon="⛔",
        )


def show_result(result: UploadResult) -> None:
    st.header("Ergebnis der Prüfung")
    st.caption(
        f"{units.get(result.ags, result.ags)} ({result.ags}), {formatting.format_quarter(result.quartal)}"
    )
    if result.check is None:
        st.error("**Ergebnis: abgelehnt** – das Paket konnte nicht geprüft werden.", icon="⛔")
        st.subheader("Gründe der Ablehnung")
        st.markdown("\n".join(f"- {reason}" for reason in result.refusal))
        return
    package = result.check.package
    show_status(result)
    counts = st.columns(4)
    counts[0].metric("Zeilen geliefert", format_count(package.rows_delivered))
    counts[1].metric("übernommen", format_count(package.rows_loaded))
    counts[2].metric("in Quarantäne", format_count(package.rows_quarantined))
    counts[3].metric("Befunde", format_count(len(result.check.findings)))
    if package.rejection_reasons:
        st.subheader("Gründe der Ablehnung")
        st.markdown("\n".join(f"- {reason}" for reason in package.rejection_reasons))
    if result.package.written_manifest is not None:
        st.info(
            "Es wurde keine `manifest.json` hochgeladen. Diese Seite hat sie erstellt (Quellsystem „"
            f"{upload.MANIFEST_SOURCE_SYSTEM}“); sie wird mit dem Paket übergeben. Eine spätere Lieferung für "
            "dasselbe Quartal ersetzt dieses Paket als Korrektur.",
            icon="📝",
        )
        with st.expander("Erstellte manifest.json ansehen"):
            st.code(result.package.written_manifest.decode("utf-8"), language="json")
    if package.files:
        st.subheader("Dateien")
        st.table(upload_check.files_table(package), hide_index=True)
    st.subheader("Befunde")
    if result.check.findings.empty:
        st.markdown("Keine Befunde.")
    else:
        st.dataframe(
            upload_check.findings_table(result.check.findings),
            hide_index=True,
            placeholder="",
            column_config={"Meldung": st.column_config.TextColumn(width="large")},
        )
    report_column, findings_column = st.columns(2)
    report_column.download_button(
        "📄 Lieferbericht herunterladen (Markdown)",
        result.check.report.encode("utf-8"),
        file_name=upload_check.report_file_name(result),
        mime="text/markdown",
        on_click="ignore",
        key="datenlieferung_bericht",
    )
    findings_column.download_button(
        "📊 Alle Befunde herunterladen (CSV)",
        findings_csv(result.check.findings),
        file_name=upload_check.findings_file_name(result),
        mime="text/csv",
        on_click="ignore",
        key="datenlieferung_befunde",
    )


def show_relation_to_loaded(result: UploadResult) -> None:
    """Say whether the package would replace the delivery the warehouse holds for this quarter."""
    loaded = upload_check.loaded_delivery(result.ags, result.quartal)
    if loaded is None or result.check is None or not result.deliverable:
        return
    since = formatting.format_moment(loaded.erstellt_am) if loaded.erstellt_am else "unbekannt"
    if upload_check.replaces_loaded(result, loaded):
        st.info(
            f"Für dieses Quartal ist bereits eine Lieferung geladen (erstellt laut Manifest: {since}). Dieses "
            "Paket ist später erstellt und ersetzt sie nach der Übergabe als Korrektur; die bisherige Lieferung "
            "bleibt im Archiv.",
            icon="🔁",
        )
    else:
        st.warning(
            f"Für dieses Quartal ist bereits eine Lieferung geladen, die laut Manifest zuletzt erstellt wurde "
            f"({since}). Dieses Paket ist nicht später erstellt (`erstellt_am` in der `manifest.json`) und würde "
            "sie deshalb **nicht** ersetzen: es würde archiviert und im Lieferstatus geführt, die Kennzahlen "
            "blieben unverändert. Für eine Korrektur bitte das Paket mit aktuellem `erstellt_am` exportieren "
            "oder ohne `manifest.json` hochladen.",
            icon="⚠️",
        )


def offer_delivery(result: UploadResult) -> None:
    st.header("Übergabe")
    show_relation_to_loaded(result)
    deliveries: dict[str, str] = st.session_state.setdefault(DELIVERIES_KEY, {})
    if result.fingerprint not in deliveries:
        if not result.deliverable:
            st.button(DELIVER_LABEL, disabled=True, key="datenlieferung_uebergeben")
            st.caption("Ein abgelehntes Paket kann nicht übergeben werden.")
            return
        if not st.button(DELIVER_LABEL, type="primary", key="datenlieferung_uebergeben"):
            st.caption(
                f"Übergibt das Paket genau so, wie es geprüft wurde, als Lieferung für das "
                f"{formatting.format_quarter(result.quartal)}."
            )
            return
        deliveries[result.fingerprint] = str(upload_check.deliver(result, get_settings()))
    st.success(
        f"**Übergeben.** Das Paket liegt im Eingangsordner unter `{deliveries[result.fingerprint]}`. Die "
        "Pipeline lädt es von dort: der Eingangsordner-Sensor in Dagster startet die Verarbeitung von selbst, "
        "ohne laufendes Dagster geschieht das mit `make build`. Danach erscheint die Lieferung im Lieferstatus "
        "und in den Kennzahlen.",
        icon="📬",
    )


result = current_result([upload.Upload(file.name, file.getvalue()) for file in uploaded])
show_result(result)
offer_delivery(result)
