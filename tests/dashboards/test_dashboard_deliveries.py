"""The page „Lieferungen & Datenqualität“ without Streamlit: filters, selector labels, German tables, the
downloadable report and the delivery matrix, from small DataFrames shaped like the queries' results."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from dashboards.lib import delivery_report, delivery_views, figures, formatting
from dashboards.lib.views import SeriesArea
from pipelines.ingest.report import FINDINGS_CSV_COLUMNS, findings_csv

BERLIN = "Europe/Berlin"


def _package(**overrides) -> pd.DataFrame:
    row = {
        "paket_id": "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "ags": "05154",
        "kommune_name": "Kleve",
        "quartal": "2025-Q3",
        "erstellt_am": pd.Timestamp("2025-10-20 09:12", tz=BERLIN),
        "eingegangen_am": pd.Timestamp("2025-10-21 08:00", tz=BERLIN),
        "verarbeitet_am": pd.Timestamp("2025-10-21 08:05", tz=BERLIN),
        "paketform": "ZIP_CSV",
        "quellsystem": "Fachverfahren XY 4.2",
        "datensatz_version": "1.0",
        "status": "ANGENOMMEN_MIT_HINWEISEN",
        "geladen": True,
        "ersetzt": False,
        "ersetzt_durch": None,
        "frist": pd.Timestamp("2025-11-14"),
        "fristgerecht": True,
        "anzahl_dateien": 2,
        "zeilen_geliefert": 25,
        "zeilen_geladen": 23,
        "zeilen_quarantaene": 2,
        "zeilen_abgelehnt": 0,
        "befunde_gesamt": 4,
        "befunde_paket_abgelehnt": 0,
        "befunde_zeile_quarantaene": 3,
        "befunde_hinweis": 1,
        "erste_ablehnung_regel": None,
        "erste_ablehnung_meldung": None,
    }
    return pd.DataFrame([{**row, **overrides}])


def _one(frame: pd.DataFrame):
    return next(frame.itertuples(index=False))


@pytest.fixture
def files() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "datei": ["personal.csv", "faelle.csv"],
            "zeichenkodierung": ["xlsx", "cp1252"],
            "trennzeichen": [None, ";"],
            "zeilen_geliefert": [5, 20],
            "zeilen_geladen": [5, 18],
            "zeilen_quarantaene": [0, 2],
            "zeilen_abgelehnt": [0, 0],
            "befunde_gesamt": [0, 4],
            "abgeglichen": [True, True],
        }
    )


@pytest.fixture
def findings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "befund_nr": [1, 2, 3, 4],
            "ebene": ["Datei", "Zeile", "Zeile", "Zeile"],
            "datei": ["faelle.csv"] * 4,
            "zeile": [pd.NA, 7, 7, 12],
            "spalte": ["bemerkung", "geschlecht", "geburtsjahr", "geschlecht"],
            "regel": ["SPALTE_UNBEKANNT", "CODELISTE", "WERTEBEREICH", "CODELISTE"],
            "regel_titel": [
                "Unbekannte Spalte",
                "Code nicht in der Codeliste",
                "Wert außerhalb des Bereichs",
                "Code nicht in der Codeliste",
            ],
            "ergebnis": ["HINWEIS", "ZEILE_QUARANTAENE", "ZEILE_QUARANTAENE", "ZEILE_QUARANTAENE"],
            "meldung": [
                "faelle.csv, Spalte „bemerkung“: Die Spalte gehört nicht zum Datenvertrag.",
                "faelle.csv, Zeile 7, Spalte geschlecht: „Q“ steht nicht in der Codeliste.",
                "faelle.csv, Zeile 7, Spalte geburtsjahr: 1850 liegt vor 1930.",
                "faelle.csv, Zeile 12, Spalte geschlecht: „?“ steht nicht in der Codeliste.",
            ],
            "rohwerte": [
                None,
                '{"geschlecht": "Q", "geburtsjahr": 1850}',
                '{"geschlecht": "Q"}',
                '{"x": "ä"}',
            ],
        }
    )


@pytest.fixture
def rules() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "regel": ["SPALTE_UNBEKANNT", "CODELISTE", "WERTEBEREICH"],
            "titel": ["Unbekannte Spalte", "Code nicht in der Codeliste", "Wert außerhalb des Bereichs"],
            "erklaerung": [
                "Nur ein Hinweis.",
                "Die Zeile geht in Quarantäne.",
                "Die Zeile geht in Quarantäne.",
            ],
            "klasse": ["Datei", "Zeile", "Zeile"],
            "sortierung": [22, 31, 34],
        }
    )


# --- matrix filters -----------------------------------------------------------------------------------------


@pytest.fixture
def matrix() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ags": ["05111", "05111", "05154", "05154", "05911", "05911"],
            "name": ["Düsseldorf, Stadt"] * 2 + ["Kleve"] * 2 + ["Bochum, Stadt"] * 2,
            "regierungsbezirk": ["Düsseldorf"] * 4 + ["Arnsberg"] * 2,
            "vergleichstyp": ["TYP_KREISFREI"] * 2 + ["TYP_KREIS"] * 2 + ["TYP_KREISFREI"] * 2,
            "vergleichstyp_name": ["Kreisfreie Städte"] * 2 + ["Kreise"] * 2 + ["Kreisfreie Städte"] * 2,
            "quartal": ["2025-Q2", "2025-Q3"] * 3,
            "status": ["ANGENOMMEN", "ABGELEHNT", "KORRIGIERT", "UEBERFAELLIG", "ANGENOMMEN", "FEHLT"],
        }
    )


def test_the_matrix_filters_by_district_and_type(matrix):
    assert delivery_views.filter_units(matrix)["ags"].nunique() == 3
    assert set(delivery_views.filter_units(matrix, "Düsseldorf")["ags"]) == {"05111", "05154"}
    assert set(delivery_views.filter_units(matrix, vergleichstyp="TYP_KREISFREI")["ags"]) == {
        "05111",
        "05911",
    }
    assert set(delivery_views.filter_units(matrix, "Düsseldorf", "TYP_KREIS")["ags"]) == {"05154"}
    assert delivery_views.filter_units(matrix, "Detmold").empty


def test_filter_options_are_german_and_start_with_all(matrix):
    assert delivery_views.district_options(matrix) == {
        "": "Alle Regierungsbezirke",
        "Arnsberg": "Regierungsbezirk Arnsberg",
        "Düsseldorf": "Regierungsbezirk Düsseldorf",
    }
    assert delivery_views.type_options(matrix) == {
        "": "Alle Arten",
        "TYP_KREIS": "Kreise",
        "TYP_KREISFREI": "Kreisfreie Städte",
    }


def test_matrix_hover_names_arrival_deadline_punctuality_and_packages():
    status = pd.DataFrame(
        {
            "ags": ["05111", "05154"],
            "name": ["Düsseldorf, Stadt", "Kleve"],
            "quartal": ["2025-Q3", "2025-Q3"],
            "status": ["ABGELEHNT", "FEHLT"],
            "eingegangen_am": [pd.Timestamp("2025-10-02", tz=BERLIN), pd.NaT],
            "frist": [pd.Timestamp("2025-11-14")] * 2,
            "fristgerecht": [None, None],
            "anzahl_pakete": [2, 0],
        }
    )
    (heatmap,) = figures.build_delivery_status_figure(status).data
    assert heatmap.text[0][0] == (
        "Abgelehnt<br>Eingang: 02.10.2025<br>Frist: 14.11.2025<br>Fristgerecht: offen<br>Pakete: 2"
    )
    assert heatmap.text[1][0].endswith("Eingang: –<br>Frist: 14.11.2025<br>Fristgerecht: offen<br>Pakete: 0")


# --- choosing a package -------------------------------------------------------------------------------------


def test_the_default_quarter_is_the_latest_with_a_package():
    quarters = pd.DataFrame(
        {
            "quartal": ["2025-Q4", "2025-Q3", "2025-Q2"],
            "status": ["UEBERFAELLIG", "ABGELEHNT", "ANGENOMMEN"],
            "frist": [pd.Timestamp("2026-02-14"), pd.Timestamp("2025-11-14"), pd.Timestamp("2025-08-14")],
            "anzahl_pakete": [0, 1, 1],
        }
    )
    assert delivery_views.default_quarter(quarters) == "2025-Q3"
    assert delivery_views.default_quarter(quarters.assign(anzahl_pakete=0)) == "2025-Q4"
    labels = [delivery_views.quarter_label(row) for row in quarters.itertuples(index=False)]
    assert labels[1] == "3.\u00a0Quartal 2025 · Abgelehnt"
    before_start = _one(pd.DataFrame({"quartal": ["2020-Q4"], "status": [None], "anzahl_pakete": [2]}))
    assert (
        delivery_views.quarter_label(before_start)
        == "4.\u00a0Quartal 2020 · 2 Pakete (vor dem Berichtsbeginn)"
    )


def test_packages_are_labelled_by_creation_status_and_role():
    packages = pd.concat(
        [
            _package(paket_id="neu", status="ABGELEHNT", geladen=False),
            _package(paket_id="geladen"),
            _package(paket_id="alt", status="ANGENOMMEN", geladen=False, ersetzt=True, erstellt_am=pd.NaT),
        ],
        ignore_index=True,
    )
    labels = [delivery_views.package_label(row) for row in packages.itertuples(index=False)]
    assert labels == [
        "erstellt 20.10.2025, 09:12 Uhr · Abgelehnt · abgelehnt",
        "erstellt 20.10.2025, 09:12 Uhr · Angenommen mit Hinweisen · geladen",
        "eingegangen 21.10.2025, 08:00 Uhr · Angenommen · ersetzt",
    ]
    assert delivery_views.default_package(packages) == "geladen"
    assert delivery_views.default_package(packages[packages["paket_id"] != "geladen"]) == "neu"


def test_the_outcome_text_says_what_the_unit_has_to_do():
    rejected = _one(_package(status="ABGELEHNT", geladen=False))
    assert "erneut liefern" in delivery_views.package_outcome_text(rejected)
    replaced = _one(
        _package(status="ANGENOMMEN", geladen=False, ersetzt=True, ersetzt_durch="ffeeddccbbaa99")
    )
    assert "Korrektur (Paket ffeeddccbbaa)" in delivery_views.package_outcome_text(replaced)
    quarantine = _one(_package())
    assert "Quarantäne fehlen in den Kennzahlen" in delivery_views.package_outcome_text(quarantine)
    clean = _one(_package(status="ANGENOMMEN", zeilen_quarantaene=0))
    assert delivery_views.package_outcome_text(clean).endswith("Es ist nichts zu tun.")


# --- tables -------------------------------------------------------------------------------------------------


def test_the_file_table_reconciles_in_contract_order(files):
    table = delivery_views.files_table(files)
    assert list(table.columns) == list(delivery_views.FILES_COLUMNS)
    assert table["Datei"].tolist() == ["faelle.csv", "personal.csv"]
    assert table.iloc[0].tolist() == [
        "faelle.csv", "Windows-1252", "Semikolon", "20", "18", "2", "0", "4", "stimmt",
    ]  # fmt: skip
    assert table.iloc[1]["Zeichenkodierung"] == "Excel-Arbeitsmappe" and table.iloc[1]["Trennzeichen"] == "–"
    broken = delivery_views.files_table(files.assign(abgeglichen=[True, False]))
    assert broken["Abgleich"].tolist() == ["stimmt nicht", "stimmt"]


def test_the_findings_table_is_german_and_filters_by_outcome(findings):
    table = delivery_views.findings_table(findings)
    assert list(table.columns) == list(delivery_views.FINDINGS_COLUMNS)
    assert table.iloc[0][["Nr.", "Ergebnis", "Regel", "Zeile", "Gelieferte Werte"]].tolist() == [
        1, "Hinweis", "Unbekannte Spalte", "–", "",
    ]  # fmt: skip
    assert table.iloc[1][["Ergebnis", "Zeile", "Spalte"]].tolist() == [
        "Zeile in Quarantäne",
        "7",
        "geschlecht",
    ]
    only_quarantine = delivery_views.findings_table(findings, ["ZEILE_QUARANTAENE"])
    assert only_quarantine["Nr."].tolist() == [2, 3, 4]
    assert delivery_views.findings_table(findings, []).empty
    assert delivery_views.outcome_counts(findings) == {
        "PAKET_ABGELEHNT": 0,
        "ZEILE_QUARANTAENE": 3,
        "HINWEIS": 1,
    }


# --- the report ---------------------------------------------------------------------------------------------


def test_the_findings_csv_opens_in_excel_with_german_headers(findings):
    data = findings_csv(findings)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(FINDINGS_CSV_COLUMNS)
    assert len(rows) == 1 + len(findings)
    assert rows[1][:7] == [
        "1",
        "faelle.csv",
        "",
        "bemerkung",
        "SPALTE_UNBEKANNT",
        "Unbekannte Spalte",
        "Hinweis",
    ]
    assert rows[2][2] == "7" and rows[2][8] == '{"geschlecht": "Q", "geburtsjahr": 1850}'
    assert rows[4][8] == '{"x": "ä"}'
    assert b"\r\n" in data


def test_the_summary_names_the_package_its_files_and_every_rule(findings, files, rules):
    package = _one(_package())
    text = delivery_report.summary_markdown(
        package, files, findings, rules, published_at="01.03.2026, 10:00 Uhr"
    )
    assert text.startswith("# Lieferbericht Kleve (05154), 3.\u00a0Quartal 2025\n")
    assert "| Erstellt laut Manifest | 20.10.2025, 09:12 Uhr |" in text
    assert "| Lieferfrist | 14.11.2025 (fristgerecht: ja) |" in text
    assert "**Angenommen mit Hinweisen** (geladen)" in text
    assert "| faelle.csv | Windows-1252 | Semikolon | 20 | 18 | 2 | 0 | 4 | stimmt |" in text
    assert "### Code nicht in der Codeliste – Zeile in Quarantäne (2)" in text
    assert "Regel `CODELISTE`: Die Zeile geht in Quarantäne." in text
    assert "- faelle.csv, Zeile 12, Spalte geschlecht: „?“ steht nicht in der Codeliste." in text
    assert "Gründe der Ablehnung" not in text
    assert text.endswith("\n\nErzeugt aus dem veröffentlichten Datenstand vom 01.03.2026, 10:00 Uhr.\n")
    assert "\n\n\n" not in text
    assert delivery_report.report_basename(package) == "lieferbericht_05154_2025-Q3_a1b2c3d4e5f6"


def test_the_summary_of_a_rejected_package_lists_its_reasons_first(rules):
    package = _one(
        _package(
            status="ABGELEHNT", geladen=False, zeilen_geladen=0, zeilen_quarantaene=0, zeilen_abgelehnt=25
        )
    )
    findings = pd.DataFrame(
        {
            "befund_nr": [1, 2],
            "ebene": ["Datei", "Zeile"],
            "datei": ["personal.csv", "faelle.csv"],
            "zeile": [pd.NA, 3],
            "spalte": [None, "aufnahme_am"],
            "regel": ["PFLICHTDATEI_FEHLT", "TYP_DATUM"],
            "regel_titel": ["Pflichtdatei fehlt", "Kein gültiges Datum"],
            "ergebnis": ["PAKET_ABGELEHNT", "PAKET_ABGELEHNT"],
            "meldung": ["Die Pflichtdatei personal.csv fehlt im Paket.", "faelle.csv, Zeile 3: kein Datum."],
            "rohwerte": [None, None],
        }
    )
    text = delivery_report.summary_markdown(package, pd.DataFrame(), findings, rules)
    reasons = text.split("## Gründe der Ablehnung\n\n", 1)[1].split("\n\n", 1)[0]
    assert reasons == "- Die Pflichtdatei personal.csv fehlt im Paket."  # row findings are not reasons
    assert "**Abgelehnt** (abgelehnt)" in text and "25 mit dem Paket abgelehnt" in text
    assert "## Dateien" not in text
    assert "### Kein gültiges Datum – Paket abgelehnt (1)" in text


def test_the_summary_quotes_a_limited_number_of_messages_per_rule(rules):
    many = pd.DataFrame(
        {
            "befund_nr": range(1, 31),
            "ebene": ["Zeile"] * 30,
            "datei": ["faelle.csv"] * 30,
            "zeile": range(2, 32),
            "spalte": ["geschlecht"] * 30,
            "regel": ["CODELISTE"] * 30,
            "regel_titel": ["Code nicht in der Codeliste"] * 30,
            "ergebnis": ["ZEILE_QUARANTAENE"] * 30,
            "meldung": [f"Zeile {line}" for line in range(2, 32)],
            "rohwerte": [None] * 30,
        }
    )
    text = delivery_report.summary_markdown(_one(_package()), pd.DataFrame(), many, rules)
    assert text.count("\n- Zeile ") == delivery_report.MESSAGES_PER_RULE
    assert "- … und 10 weitere; alle Befunde stehen in der CSV-Datei." in text


# --- K25 and K26 --------------------------------------------------------------------------------------------


@pytest.fixture
def quality() -> pd.DataFrame:
    rows = [
        ("K25", "05154", "2025-Q2", "", 100.0, 2, 2),
        ("K25", "05154", "2025-Q3", "", 66.7, 2, 3),
        ("K25", "NRW", "2025-Q3", "", 90.0, 90, 100),
        ("K26", "05154", "2025-Q3", "", 8.0, 2, 25),
        ("K26", "05154", "2025-Q3", "datei:personal.csv", 0.0, 0, 5),
        ("K26", "05154", "2025-Q3", "datei:faelle.csv", 10.0, 2, 20),
        ("K26", "05154", "2025-Q3", "kennzahl:ausfuellgrad", 75.0, 30, 40),
        ("K26", "05154", "2025-Q3", "feld:faelle.einreise_monat", 50.0, 9, 18),
        ("K26", "05154", "2025-Q3", "feld:aufenthalt.bearbeitungsdauer_median_tage", np.nan, 0, 0),
        ("K26", "05154", "2025-Q2", "", np.nan, 0, 0),
    ]
    return pd.DataFrame(
        rows, columns=["kpi_id", "gebiet", "quartal", "aufschluesselung", "wert", "zaehler", "nenner"]
    ).assign(ki95_unten=np.nan, ki95_oben=np.nan)


def test_each_measure_takes_its_own_kpi_and_breakdown(quality):
    areas = [SeriesArea("05154", "kommune", "Kleve"), SeriesArea("NRW", "land", "NRW")]
    punctuality = delivery_views.measure_series(
        quality, delivery_views.MEASURES_BY_KEY["puenktlichkeit"], areas
    )
    assert punctuality[["gebiet", "quartal", "rolle"]].values.tolist() == [
        ["05154", "2025-Q2", "kommune"],
        ["05154", "2025-Q3", "kommune"],
        ["NRW", "2025-Q3", "land"],
    ]
    fill = delivery_views.measure_series(quality, delivery_views.MEASURES_BY_KEY["ausfuellgrad"], areas)
    assert fill["wert"].tolist() == [75.0] and fill["bezeichnung"].tolist() == ["Kleve"]
    quarantine = delivery_views.MEASURES_BY_KEY["quarantaene"]
    # The latest quarter with a value, not the latest row (2025-Q2 has none).
    assert delivery_views.latest_measure_value(quality, quarantine, "05154") == ("2025-Q3", 8.0)
    assert delivery_views.latest_measure_value(quality, quarantine, "NRW") == (None, None)
    assert {measure.polaritaet for measure in delivery_views.QUALITY_MEASURES} == {"hoch_gut", "niedrig_gut"}


def test_file_quality_lists_quarantine_per_file_then_fill_rate_per_field(quality):
    table = delivery_views.file_quality(quality, "05154", "2025-Q3")
    assert table.values.tolist() == [
        ["Quarantäne", "In Quarantäne: faelle.csv", "10,0 %", "2", "20"],
        ["Quarantäne", "In Quarantäne: personal.csv", "0,0 %", "0", "5"],
        ["Ausfüllgrad", "Ausgefüllt: Einreisemonat (faelle.csv)", "50,0 %", "9", "18"],
        ["Ausfüllgrad", "Ausgefüllt: Bearbeitungsdauer (Median) (aufenthalt.csv)", "–", "0", "0"],
    ]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("datei:faelle.csv", "In Quarantäne: faelle.csv"),
        ("kennzahl:ausfuellgrad", "Ausfüllgrad optionaler Felder"),
        ("feld:ereignisse.leistung_beginn_am", "Ausgefüllt: Erster Leistungstag (ereignisse.csv)"),
        ("feld:faelle.neues_feld", "Ausgefüllt: Neues Feld (faelle.csv)"),
        ("kennzahl:sitzungen", "Kennzahl: Sitzungen"),
    ],
)
def test_k26_breakdown_keys_become_labels(key, expected):
    assert formatting.format_breakdown(key) == expected


def test_package_codes_read_in_german():
    assert formatting.format_outcome("ZEILE_QUARANTAENE") == "Zeile in Quarantäne"
    assert formatting.format_package_shape("ORDNER_XLSX") == "Ordner mit Excel-Arbeitsmappe"
    assert formatting.format_encoding("utf-8-sig") == "UTF-8 mit BOM"
    assert formatting.format_delimiter(",") == "Komma" and formatting.format_delimiter(None) == "–"
    assert [formatting.format_yes_no(value) for value in (True, False, None)] == ["ja", "nein", "–"]
    assert formatting.format_moment(pd.Timestamp("2025-10-20 09:12", tz=BERLIN)) == "20.10.2025, 09:12 Uhr"
    assert formatting.format_moment(pd.NaT) == "–"
