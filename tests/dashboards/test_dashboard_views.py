"""Tiles and tables the pages show, built from small query results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboards.lib import views


@pytest.fixture
def catalogue() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi_id": ["K01", "K07", "K06"],
            "name": ["Neuaufnahmen", "Nahtlose Übergänge", "Übergangslücke"],
            "definition": ["Fälle mit Aufnahme im Quartal.", "Anteil ohne Lücke.", "Median der Lücke."],
            "einheit": ["Anzahl", "%", "Tage"],
            "polaritaet": ["neutral", "hoch_gut", "niedrig_gut"],
            "bereich": ["Case Management"] * 3,
            "unsicherheit": ["Poisson", "Wilson", None],
        }
    )


def _totals(rows: list[tuple[str, str, str, float, float | None, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kpi_id", "gebiet", "quartal", "wert", "ki95_unten", "ki95_oben"])


def test_nrw_tiles_show_latest_value_and_change_coloured_by_polarity(catalogue):
    totals = _totals(
        [
            ("K01", "NRW", "2025-Q2", 3500, None, None),
            ("K01", "NRW", "2025-Q3", 3427, None, None),
            ("K07", "NRW", "2025-Q2", 60.2, 58.0, 62.0),
            ("K07", "NRW", "2025-Q3", 57.8, 55.0, 60.5),
            ("K06", "NRW", "2025-Q2", 9.0, None, None),
            ("K06", "NRW", "2025-Q3", 6.0, None, None),
        ]
    )
    tiles = {tile.label: tile for tile in views.nrw_metric_tiles(catalogue, totals, "2025-Q3")}

    assert tiles["Neuaufnahmen"].value == "3.427"
    assert tiles["Neuaufnahmen"].delta == "-73"
    assert tiles["Neuaufnahmen"].delta_colour == "off"
    assert tiles["Nahtlose Übergänge"].value == "57,8 %"
    assert tiles["Nahtlose Übergänge"].delta == "-2,4 Pp."
    assert tiles["Nahtlose Übergänge"].delta_colour == "normal"
    assert tiles["Übergangslücke"].delta == "-3 Tage"
    assert tiles["Übergangslücke"].delta_colour == "inverse"
    assert tiles["Übergangslücke"].delta_description == "ggü. 2.\u00a0Quartal 2025"
    assert tiles["Nahtlose Übergänge"].help.startswith("Anteil ohne Lücke.")
    assert "Lesart: höher ist günstiger" in tiles["Nahtlose Übergänge"].help


def test_long_units_move_from_the_tile_value_into_its_label(catalogue):
    catalogue = catalogue.assign(einheit=["je 100.000 Einwohner", "%", "Tage"])
    totals = _totals(
        [("K01", "NRW", "2025-Q2", 20.25, None, None), ("K01", "NRW", "2025-Q3", 21.75, None, None)]
    )
    tile = views.nrw_metric_tiles(catalogue, totals, "2025-Q3")[0]
    assert (tile.label, tile.value, tile.delta) == ("Neuaufnahmen · je 100.000 Einwohner", "21,8", "+1,5")


def test_tile_without_previous_quarter_has_no_change_and_missing_value_a_dash(catalogue):
    totals = _totals(
        [("K01", "NRW", "2025-Q3", 3427, None, None), ("K07", "NRW", "2025-Q2", 60.0, None, None)]
    )
    tiles = {tile.label: tile for tile in views.nrw_metric_tiles(catalogue, totals, "2025-Q3")}

    assert tiles["Neuaufnahmen"].delta is None
    assert tiles["Nahtlose Übergänge"].value == "–"
    assert tiles["Nahtlose Übergänge"].delta is None


def test_unchanged_value_shows_a_grey_zero_without_arrow(catalogue):
    totals = _totals(
        [("K07", "NRW", "2025-Q2", 57.8, None, None), ("K07", "NRW", "2025-Q3", 57.8, None, None)]
    )
    tile = next(
        t for t in views.nrw_metric_tiles(catalogue, totals, "2025-Q3") if t.label == "Nahtlose Übergänge"
    )
    assert (tile.delta, tile.delta_colour, tile.delta_arrow) == ("±0,0 Pp.", "off", "off")


def test_latest_quarter_ignores_rows_without_value():
    values = _totals(
        [("K07", "05154", "2025-Q2", 60.0, None, None), ("K07", "05154", "2025-Q3", np.nan, None, None)]
    )
    assert views.latest_quarter(values) == "2025-Q2"
    assert views.latest_quarter(values.iloc[1:]) is None


def test_latest_values_table_compares_in_the_units_latest_quarter(catalogue):
    unit = views.SeriesArea("05154", "kommune", "Kleve")
    references = [
        views.SeriesArea("TYP_KREIS", "vergleichstyp", "Kreise"),
        views.SeriesArea("NRW", "land", "NRW"),
    ]
    totals = _totals(
        [
            ("K07", "05154", "2025-Q2", 62.0, 50.1, 72.9),
            ("K07", "05154", "2025-Q3", np.nan, None, None),  # suppressed: the table falls back to Q2
            ("K07", "TYP_KREIS", "2025-Q2", 59.0, None, None),
            ("K07", "NRW", "2025-Q2", 58.0, None, None),
            ("K07", "NRW", "2025-Q3", 57.0, None, None),
            ("K01", "NRW", "2025-Q3", 3427, None, None),  # the unit has never delivered K01
        ]
    )
    table = views.latest_values_table(catalogue, totals, unit, references).set_index("Kennzahl")

    assert list(table.columns) == ["Quartal", "Wert", "95-%-Intervall", "Kreise", "NRW"]
    assert table.loc["Nahtlose Übergänge"].tolist() == [
        "2.\u00a0Quartal 2025",
        "62,0 %",
        "50,1–72,9 %",
        "59,0 %",
        "58,0 %",
    ]
    assert table.loc["Neuaufnahmen"].tolist() == ["3.\u00a0Quartal 2025", "–", "–", "–", "3.427"]
    assert "Übergangslücke" not in table.index


def test_series_for_chart_labels_each_area_with_its_role():
    totals = _totals(
        [
            ("K07", "05154", "2025-Q3", 62.0, None, None),
            ("K07", "NRW", "2025-Q3", 57.0, None, None),
            ("K07", "05111", "2025-Q3", 70.0, None, None),
            ("K01", "05154", "2025-Q3", 10.0, None, None),
        ]
    )
    areas = [views.SeriesArea("05154", "kommune", "Kleve"), views.SeriesArea("NRW", "land", "NRW")]
    series = views.series_for_chart(totals, "K07", areas)
    assert series[["gebiet", "rolle", "bezeichnung"]].values.tolist() == [
        ["05154", "kommune", "Kleve"],
        ["NRW", "land", "NRW"],
    ]


def test_unit_breakdown_keeps_only_the_categories_the_unit_reports():
    breakdowns = pd.DataFrame(
        [
            ("2025-Q3", "kommune", "uebergang:ASYLBLG>SGB2", 4.0),
            ("2025-Q3", "kommune", "uebergang:SGB2>SGB3", np.nan),  # suppressed
            ("2025-Q3", "land", "uebergang:ASYLBLG>SGB2", 6.0),
            ("2025-Q3", "land", "uebergang:SGB2>SGB3", 9.0),
            ("2025-Q3", "land", "uebergang:SGB8>SGB2", 12.0),
            ("2025-Q2", "kommune", "uebergang:SGB8>SGB2", 3.0),
        ],
        columns=["quartal", "rolle", "aufschluesselung", "wert"],
    )
    shown = views.unit_breakdown(breakdowns, "2025-Q3")
    assert shown[["rolle", "aufschluesselung"]].values.tolist() == [
        ["kommune", "uebergang:ASYLBLG>SGB2"],
        ["land", "uebergang:ASYLBLG>SGB2"],
    ]


def test_units_without_value_are_named():
    comparison = pd.DataFrame(
        {"name": ["Düsseldorf, Stadt", "Kleve", "Mettmann"], "wert": [1.0, np.nan, None]}
    )
    assert views.units_without_value(comparison) == ["Kleve", "Mettmann"]


def test_status_counts_list_every_status_of_the_quarter():
    status = pd.DataFrame(
        {
            "quartal": ["2025-Q3", "2025-Q3", "2025-Q3", "2025-Q2"],
            "status": ["ANGENOMMEN", "ANGENOMMEN", "UEBERFAELLIG", "ABGELEHNT"],
        }
    )
    counts = views.delivery_status_counts(status, "2025-Q3").set_index("status")["Anzahl"]
    assert counts["ANGENOMMEN"] == 2
    assert counts["UEBERFAELLIG"] == 1
    assert counts["ABGELEHNT"] == 0
    assert counts.sum() == 3
    assert len(counts) == 6


def test_milestones_keep_their_defined_order_and_show_the_date_reached():
    milestones = pd.DataFrame(
        {
            "meilenstein": ["LENKUNGSGRUPPE_KONSTITUIERT", "ERSTER_FALL", "ERSTE_MASSNAHME_UMGESETZT"],
            "bezeichnung": [
                "Lenkungsgruppe konstituiert",
                "Erster Fall im Case Management",
                "Erste Maßnahme umgesetzt",
            ],
            "sortierung": [5, 4, 7],
            "erreicht_am": pd.to_datetime(["2024-05-02", "2023-11-20", None]),
        }
    )
    assert views.milestone_table(milestones).values.tolist() == [
        ["Erster Fall im Case Management", "20.11.2023"],
        ["Lenkungsgruppe konstituiert", "02.05.2024"],
        ["Erste Maßnahme umgesetzt", "noch nicht erreicht"],
    ]


def test_unit_delivery_table_reads_in_german():
    deliveries = pd.DataFrame(
        {
            "quartal": ["2025-Q3", "2025-Q2"],
            "status": ["FEHLT", "KORRIGIERT"],
            "eingegangen_am": [pd.NaT, pd.Timestamp("2025-08-20 10:15")],
            "frist": pd.to_datetime(["2025-11-14", "2025-08-14"]),
            "fristgerecht": [None, False],
            "anzahl_pakete": [0, 2],
        }
    )
    assert views.unit_delivery_table(deliveries).values.tolist() == [
        ["3.\u00a0Quartal 2025", "Fehlt (Frist läuft)", "–", "14.11.2025", "–", "0"],
        ["2.\u00a0Quartal 2025", "Korrigiert", "20.08.2025", "14.08.2025", "nein", "2"],
    ]
