"""Pure reshaping for the page „Lieferungen & Datenqualität“: filters, selector labels, German tables of a
package, its files and findings, and the series of the delivery KPIs K25 and K26.

Nothing here queries or renders, so every rule about what the page shows is unit-tested on small DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboards.lib import formatting
from dashboards.lib.views import SeriesArea
from pipelines.contract.findings import OUTCOME_LABELS
from pipelines.contract.schema import CONTRACT_FILES

ALL = ""
"""Filter value meaning „no restriction“."""

FILES_COLUMNS = (
    "Datei",
    "Zeichenkodierung",
    "Trennzeichen",
    "Geliefert",
    "Übernommen",
    "In Quarantäne",
    "Abgelehnt",
    "Befunde",
    "Abgleich",
)
FINDINGS_COLUMNS = ("Nr.", "Ergebnis", "Regel", "Datei", "Zeile", "Spalte", "Meldung", "Gelieferte Werte")

_CONTRACT_FILE_ORDER = {file.filename: position for position, file in enumerate(CONTRACT_FILES.values())}


@dataclass(frozen=True)
class QualityMeasure:
    """One series of the delivery KPIs: a KPI and breakdown with its own name and reading direction."""

    key: str
    kpi_id: str
    aufschluesselung: str
    name: str
    polaritaet: str


QUALITY_MEASURES = (
    QualityMeasure("puenktlichkeit", "K25", "", "Lieferpünktlichkeit", "hoch_gut"),
    QualityMeasure("quarantaene", "K26", "", "Zeilen in Quarantäne", "niedrig_gut"),
    QualityMeasure(
        "ausfuellgrad", "K26", "kennzahl:ausfuellgrad", "Ausfüllgrad optionaler Felder", "hoch_gut"
    ),
)
MEASURES_BY_KEY = {measure.key: measure for measure in QUALITY_MEASURES}


# --- the delivery status matrix -----------------------------------------------------------------------------


def filter_units(matrix: pd.DataFrame, regierungsbezirk: str = ALL, vergleichstyp: str = ALL) -> pd.DataFrame:
    """The rows of the units in the chosen Regierungsbezirk and of the chosen type (`ALL` for any)."""
    keep = pd.Series(True, index=matrix.index)
    if regierungsbezirk != ALL:
        keep &= matrix["regierungsbezirk"] == regierungsbezirk
    if vergleichstyp != ALL:
        keep &= matrix["vergleichstyp"] == vergleichstyp
    return matrix[keep].reset_index(drop=True)


def type_options(matrix: pd.DataFrame) -> dict[str, str]:
    """Unit types present in the matrix (code → German name), after the entry for all types."""
    types = matrix.drop_duplicates("vergleichstyp").sort_values("vergleichstyp_name")
    return {ALL: "Alle Arten", **dict(zip(types["vergleichstyp"], types["vergleichstyp_name"], strict=True))}


def district_options(matrix: pd.DataFrame) -> dict[str, str]:
    """Regierungsbezirke present in the matrix, after the entry for all of them."""
    districts = sorted(matrix["regierungsbezirk"].dropna().unique())
    return {ALL: "Alle Regierungsbezirke", **{name: f"Regierungsbezirk {name}" for name in districts}}


# --- choosing a package -------------------------------------------------------------------------------------


def quarter_label(row: Any) -> str:
    """`3. Quartal 2025 · Angenommen` for a row of `delivery_queries.unit_quarters`."""
    label = formatting.format_quarter(row.quartal)
    if not formatting.is_missing(row.status):
        return f"{label} · {formatting.format_delivery_status(row.status)}"
    count = int(row.anzahl_pakete)
    return f"{label} · {count} Paket{'e' if count != 1 else ''} (vor dem Berichtsbeginn)"


def default_quarter(quarters: pd.DataFrame) -> str | None:
    """The latest quarter with a package, else the latest quarter."""
    if quarters.empty:
        return None
    with_package = quarters[quarters["anzahl_pakete"] > 0]
    chosen = with_package if len(with_package) else quarters
    return str(chosen["quartal"].max())


def package_role(package: Any) -> str:
    """What became of a package: `geladen`, `ersetzt` or `abgelehnt` (German, lower case)."""
    if package.status == "ABGELEHNT":
        return "abgelehnt"
    return "geladen" if bool(package.geladen) else "ersetzt"


def package_label(package: Any) -> str:
    """`erstellt 20.10.2025, 09:12 Uhr · Angenommen · geladen` for the package selector."""
    moment = package.erstellt_am if not formatting.is_missing(package.erstellt_am) else package.eingegangen_am
    kind = "erstellt" if not formatting.is_missing(package.erstellt_am) else "eingegangen"
    return (
        f"{kind} {formatting.format_moment(moment)} · {formatting.format_delivery_status(package.status)} · "
        f"{package_role(package)}"
    )


def default_package(packages: pd.DataFrame) -> str | None:
    """The loaded package of the quarter, else the latest created one (the query's first row)."""
    if packages.empty:
        return None
    loaded = packages[packages["geladen"].astype(bool)]
    return str((loaded if len(loaded) else packages)["paket_id"].iloc[0])


# --- one package --------------------------------------------------------------------------------------------


def package_outcome_text(package: Any) -> str:
    """One German sentence on what became of the package and what the unit has to do."""
    if package.status == "ABGELEHNT":
        return (
            "Das Paket wurde abgelehnt: nichts daraus wurde übernommen. Bitte die Gründe beheben und das Paket "
            "für dasselbe Quartal mit späterem Erstellungszeitpunkt (erstellt_am im Manifest) erneut liefern."
        )
    if not bool(package.geladen):
        return (
            f"Das Paket wurde angenommen, aber durch eine spätere Korrektur (Paket {short_id(package.ersetzt_durch)}) "
            "ersetzt; ausgewertet werden die Daten der Korrektur."
        )
    if package.status == "ANGENOMMEN_MIT_HINWEISEN" and int(package.zeilen_quarantaene) > 0:
        return (
            "Das Paket wurde angenommen; seine Daten werden ausgewertet. Zeilen in Quarantäne fehlen in den "
            "Kennzahlen, bis eine Korrektur für dasselbe Quartal sie ersetzt."
        )
    if package.status == "ANGENOMMEN_MIT_HINWEISEN":
        return "Das Paket wurde angenommen; seine Daten werden ausgewertet. Die Hinweise erfordern keine neue Lieferung."
    return "Das Paket wurde vollständig angenommen; seine Daten werden ausgewertet. Es ist nichts zu tun."


def short_id(paket_id: Any) -> str:
    """The first 12 characters of a package id (enough to tell packages apart, short enough to read)."""
    return formatting.MISSING if formatting.is_missing(paket_id) else str(paket_id)[:12]


def files_table(files: pd.DataFrame) -> pd.DataFrame:
    """The row reconciliation of a package per file, in contract order, all German-formatted text."""
    ordered = files.assign(
        _order=files["datei"].map(lambda name: _CONTRACT_FILE_ORDER.get(name, len(_CONTRACT_FILE_ORDER)))
    ).sort_values(["_order", "datei"])
    return pd.DataFrame(
        {
            "Datei": ordered["datei"].tolist(),
            "Zeichenkodierung": [formatting.format_encoding(value) for value in ordered["zeichenkodierung"]],
            "Trennzeichen": [formatting.format_delimiter(value) for value in ordered["trennzeichen"]],
            "Geliefert": [formatting.format_number(value) for value in ordered["zeilen_geliefert"]],
            "Übernommen": [formatting.format_number(value) for value in ordered["zeilen_geladen"]],
            "In Quarantäne": [formatting.format_number(value) for value in ordered["zeilen_quarantaene"]],
            "Abgelehnt": [formatting.format_number(value) for value in ordered["zeilen_abgelehnt"]],
            "Befunde": [formatting.format_number(value) for value in ordered["befunde_gesamt"]],
            "Abgleich": ["stimmt" if bool(value) else "stimmt nicht" for value in ordered["abgeglichen"]],
        },
        columns=list(FILES_COLUMNS),
    )


def findings_table(findings: pd.DataFrame, outcomes: list[str] | None = None) -> pd.DataFrame:
    """The findings of a package in German, optionally only those with the given outcomes (codes)."""
    rows = findings if outcomes is None else findings[findings["ergebnis"].isin(outcomes)]
    return pd.DataFrame(
        {
            "Nr.": [int(value) for value in rows["befund_nr"]],
            "Ergebnis": [formatting.format_outcome(value) for value in rows["ergebnis"]],
            "Regel": rows["regel_titel"].tolist(),
            "Datei": [_text(value) for value in rows["datei"]],
            "Zeile": [
                formatting.MISSING if formatting.is_missing(value) else str(int(value))
                for value in rows["zeile"]
            ],
            "Spalte": [_text(value) for value in rows["spalte"]],
            "Meldung": rows["meldung"].tolist(),
            "Gelieferte Werte": [_text(value, missing="") for value in rows["rohwerte"]],
        },
        columns=list(FINDINGS_COLUMNS),
    )


def outcome_counts(findings: pd.DataFrame) -> dict[str, int]:
    """Number of findings per outcome code, every outcome listed (also with 0)."""
    counts = findings["ergebnis"].value_counts()
    return {code: int(counts.get(code, 0)) for code in OUTCOME_LABELS}


def _text(value: Any, missing: str = formatting.MISSING) -> str:
    return missing if formatting.is_missing(value) else str(value)


# --- the delivery KPIs --------------------------------------------------------------------------------------


def measure_series(values: pd.DataFrame, measure: QualityMeasure, areas: list[SeriesArea]) -> pd.DataFrame:
    """The rows of one measure for the given areas, labelled with each area's role and display name."""
    role_of = {area.gebiet: area for area in areas}
    rows = values[
        (values["kpi_id"] == measure.kpi_id)
        & (values["aufschluesselung"] == measure.aufschluesselung)
        & values["gebiet"].isin(role_of)
    ].copy()
    rows["rolle"] = rows["gebiet"].map(lambda gebiet: role_of[gebiet].rolle)
    rows["bezeichnung"] = rows["gebiet"].map(lambda gebiet: role_of[gebiet].bezeichnung)
    return rows.reset_index(drop=True)


def file_quality(values: pd.DataFrame, gebiet: str, quartal: str) -> pd.DataFrame:
    """K26 of one area and quarter per file (quarantine share) and per optional field (fill rate), with
    German labels, files and fields in contract order."""
    rows = values[(values["kpi_id"] == "K26") & (values["gebiet"] == gebiet) & (values["quartal"] == quartal)]
    rows = rows[rows["aufschluesselung"].str.startswith(("datei:", "feld:"))].copy()
    rows["art"] = rows["aufschluesselung"].map(
        lambda key: "Quarantäne" if key.startswith("datei:") else "Ausfüllgrad"
    )
    rows["datei"] = rows["aufschluesselung"].map(_file_of_breakdown)
    rows["_order"] = rows["datei"].map(lambda name: _CONTRACT_FILE_ORDER.get(name, len(_CONTRACT_FILE_ORDER)))
    rows["Bezeichnung"] = rows["aufschluesselung"].map(formatting.format_breakdown)
    rows = rows.sort_values(["art", "_order", "aufschluesselung"], ascending=[False, True, True])
    return pd.DataFrame(
        {
            "Art": rows["art"].tolist(),
            "Bezeichnung": rows["Bezeichnung"].tolist(),
            "Anteil": [formatting.format_percent(value) for value in rows["wert"]],
            "Zähler": [formatting.format_number(value) for value in rows["zaehler"]],
            "Nenner": [formatting.format_number(value) for value in rows["nenner"]],
        }
    )


def _file_of_breakdown(key: str) -> str:
    dimension, _, value = key.partition(":")
    return value if dimension == "datei" else f"{value.partition('.')[0]}.csv"


def latest_measure_value(
    values: pd.DataFrame, measure: QualityMeasure, gebiet: str
) -> tuple[str | None, Any]:
    """The latest quarter in which the area has a value of the measure, and that value."""
    rows = values[
        (values["kpi_id"] == measure.kpi_id)
        & (values["aufschluesselung"] == measure.aufschluesselung)
        & (values["gebiet"] == gebiet)
        & values["wert"].notna()
    ]
    if rows.empty:
        return None, None
    latest = rows.sort_values("quartal").iloc[-1]
    return str(latest["quartal"]), latest["wert"]
