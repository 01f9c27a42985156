"""Tiles and tables the pages show, built from small query results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboards.lib import formatting, views


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


TYPE_REFERENCE = views.Reference("typ", "TYP_KREIS", "Kreise", "Typ: Kreise", "Kreise")
PREVIOUS_YEAR = views.Reference(
    "vorjahr", "05154", "Vorjahresquartal", "Vorjahresquartal (eigener Wert)", "Vorjahresquartal"
)
KLEVE = views.SeriesArea("05154", "kommune", "Kleve")


def _cells(rows: list[tuple[str, str, str, float | None, str]]) -> pd.DataFrame:
    """kpi_werte totals with a confidentiality status: kpi_id, gebiet, quartal, wert, geheimhaltung."""
    frame = pd.DataFrame(rows, columns=["kpi_id", "gebiet", "quartal", "wert", "geheimhaltung"])
    return frame.assign(ki95_unten=np.nan, ki95_oben=np.nan)


def test_latest_values_table_compares_in_the_units_latest_quarter(catalogue):
    totals = _totals(
        [
            ("K07", "05154", "2025-Q2", 62.0, 50.1, 72.9),
            (
                "K07",
                "05154",
                "2025-Q3",
                np.nan,
                None,
                None,
            ),  # no value (not hidden): the table falls back to Q2
            ("K07", "TYP_KREIS", "2025-Q2", 59.0, None, None),
            ("K07", "NRW", "2025-Q2", 58.0, None, None),
            ("K01", "NRW", "2025-Q3", 3427, None, None),  # the unit has never delivered K01
        ]
    )
    comparisons = pd.DataFrame(
        [("K07", "2025-Q2", "TYP_KREIS", "2025-Q2", "besser", "ähnlich", "95 %")],
        columns=[
            "kpi_id",
            "quartal",
            "referenzgebiet",
            "referenzquartal",
            "bewertung_95",
            "bewertung_998",
            "signifikanz",
        ],
    )
    trends = pd.DataFrame(
        [("K07", "2025-Q2", "fallend", "ungünstig")], columns=["kpi_id", "quartal", "trend", "trendbewertung"]
    )

    styled = views.latest_values_table(
        catalogue, totals, KLEVE, TYPE_REFERENCE, comparisons=comparisons, trends=trends
    )
    table = styled.table.set_index("Kennzahl")

    assert list(table.columns) == [
        "Quartal",
        "Wert",
        "95-%-Intervall",
        "Kreise",
        "Vergleich",
        "Trend (5 Quartale)",
    ]
    assert table.loc["Nahtlose Übergänge"].tolist() == [
        "2.\u00a0Quartal 2025",
        "62,0 %",
        "50,1–72,9 %",
        "59,0 %",
        "✓ besser (95 %)",
        "↘ fallend (ungünstig)",
    ]
    assert table.loc["Neuaufnahmen"].tolist() == ["3.\u00a0Quartal 2025", "–", "–", "–", "–", "–"]
    assert "Übergangslücke" not in table.index
    css = styled.css.set_index(styled.table["Kennzahl"])
    assert formatting.TONE_COLOURS["günstig"] in css.loc["Nahtlose Übergänge", "Vergleich"]
    assert formatting.TONE_COLOURS["ungünstig"] in css.loc["Nahtlose Übergänge", "Trend (5 Quartale)"]
    assert css.loc["Nahtlose Übergänge", "Wert"] == ""


def test_latest_values_table_shows_a_hidden_latest_quarter_with_its_mark(catalogue):
    totals = _cells(
        [
            ("K07", "05154", "2025-Q2", 62.0, "offen"),
            ("K07", "05154", "2025-Q3", None, "fallzahl_unter_10"),
            ("K07", "TYP_KREIS", "2025-Q3", 59.0, "bereinigt"),
            ("K01", "05154", "2025-Q3", None, "anzahl_unter_5"),
            ("K01", "TYP_KREIS", "2025-Q3", 3.1, "offen"),
        ]
    )
    catalogue = catalogue.assign(geheimhaltung_anzahl=["zaehler", None, "zaehler"])

    table = views.latest_values_table(catalogue, totals, KLEVE, TYPE_REFERENCE).table.set_index("Kennzahl")

    assert table.loc["Nahtlose Übergänge", "Quartal"] == "3.\u00a0Quartal 2025"
    assert table.loc["Nahtlose Übergänge", "Wert"] == "k. A. (unter 10 Fällen)"
    assert table.loc["Nahtlose Übergänge", "Kreise"] == "59,0 %" + formatting.ADJUSTED_MARK
    assert table.loc["Neuaufnahmen", "Wert"] == "k. A. (Anzahl <5)"
    assert views.has_adjusted_reference(table, TYPE_REFERENCE)

    # The ministry sees the same cells with their values, and how the published layer shows them.
    ministry = _cells(
        [
            ("K07", "05154", "2025-Q3", 55.5, "fallzahl_unter_10"),
            ("K07", "TYP_KREIS", "2025-Q3", 58.0, "offen"),
            ("K01", "05154", "2025-Q3", 1.2, "anzahl_unter_5"),
        ]
    )
    shown = views.latest_values_table(
        catalogue, ministry, KLEVE, TYPE_REFERENCE, mark_adjusted=False, show_published_as=True
    ).table.set_index("Kennzahl")
    assert shown.loc["Nahtlose Übergänge", "Wert"] == "55,5 %"
    assert shown.loc["Nahtlose Übergänge", "Geheimhaltung"] == "veröffentlicht als k. A. (unter 10 Fällen)"
    assert shown.loc["Neuaufnahmen", "Geheimhaltung"] == "veröffentlicht als k. A. (Anzahl <5)"


def test_latest_values_table_against_the_previous_year_reads_the_units_own_earlier_value(catalogue):
    totals = _cells([("K07", "05154", "2024-Q3", 50.0, "offen"), ("K07", "05154", "2025-Q3", 62.0, "offen")])
    table = views.latest_values_table(catalogue, totals, KLEVE, PREVIOUS_YEAR).table.set_index("Kennzahl")
    assert table.loc["Nahtlose Übergänge", "Vorjahresquartal"] == "50,0 %"


def test_counts_summed_over_units_are_only_judged_against_the_previous_year():
    catalogue = pd.DataFrame(
        {"kpi_id": ["K02"], "name": ["Aktive Fälle"], "einheit": ["Fälle"], "polaritaet": ["neutral"]}
    )
    totals = _cells(
        [("K02", "05154", "2025-Q3", 28.0, "offen"), ("K02", "TYP_KREIS", "2025-Q3", 900.0, "offen")]
    )
    comparisons = pd.DataFrame(
        [
            (
                "K02",
                "2025-Q3",
                "TYP_KREIS",
                "2025-Q3",
                "niedriger",
                "niedriger",
                "ohne Intervall (Vollerhebung)",
            )
        ],
        columns=[
            "kpi_id",
            "quartal",
            "referenzgebiet",
            "referenzquartal",
            "bewertung_95",
            "bewertung_998",
            "signifikanz",
        ],
    )
    row = views.latest_values_table(
        catalogue, totals, KLEVE, TYPE_REFERENCE, comparisons=comparisons
    ).table.iloc[0]
    assert row["Kreise"] == "Summe: 900 Fälle"
    assert row["Vergleich"] == "–"
    assert not views.comparable_with_reference("K02", TYPE_REFERENCE)
    assert views.comparable_with_reference("K02", PREVIOUS_YEAR)


def test_reference_choices_name_every_reference_and_fall_back_to_the_units_facts():
    unit = pd.Series(
        {
            "ags": "05154",
            "name": "Kleve",
            "vergleichstyp": "TYP_KREIS",
            "vergleichstyp_name": "Kreise",
            "regierungsbezirk": "Düsseldorf",
        }
    )
    found = pd.DataFrame(
        [
            ("regierungsbezirk", "RB_DUESSELDORF", "Regierungsbezirk Düsseldorf"),
            ("land", "NRW", "Nordrhein-Westfalen"),
        ],
        columns=["referenzebene", "referenzgebiet", "name"],
    )
    choices = views.reference_choices(unit, found)

    assert list(choices) == list(views.REFERENCE_LEVELS)
    assert choices["regierungsbezirk"].gebiet == "RB_DUESSELDORF"
    assert choices["regierungsbezirk"].column == "Regierungsbezirk Düsseldorf"
    assert (choices["typ"].gebiet, choices["typ"].option) == ("TYP_KREIS", "Typ: Kreise")
    assert choices["peergruppe"].gebiet == "PEER_05154"
    assert choices["vorjahr"].gebiet == "05154"
    without_values = views.reference_choices(unit, found.iloc[0:0])
    assert without_values["regierungsbezirk"].gebiet is None
    assert without_values["regierungsbezirk"].name == "Regierungsbezirk Düsseldorf"


def test_charts_draw_the_chosen_reference_area_and_nrw():
    choices = {
        "typ": TYPE_REFERENCE,
        "vorjahr": PREVIOUS_YEAR,
        "land": views.Reference("land", "NRW", "Nordrhein-Westfalen", "NRW", "NRW"),
    }
    assert [(a.gebiet, a.rolle) for a in views.chart_areas(KLEVE, choices["typ"])] == [
        ("05154", "kommune"),
        ("TYP_KREIS", "bezug"),
        ("NRW", "land"),
    ]
    assert [a.gebiet for a in views.chart_areas(KLEVE, choices["vorjahr"])] == ["05154", "NRW"]
    assert [a.gebiet for a in views.chart_areas(KLEVE, choices["land"])] == ["05154", "NRW"]


def test_comparisons_are_attached_to_the_units_quarters_only():
    series = pd.DataFrame(
        {
            "quartal": ["2025-Q2", "2025-Q3", "2025-Q3"],
            "rolle": ["kommune", "kommune", "land"],
            "wert": [1.0, 2.0, 3.0],
        }
    )
    comparisons = pd.DataFrame(
        {
            "kpi_id": ["K07", "K07", "K01"],
            "quartal": ["2025-Q3", "2025-Q2", "2025-Q3"],
            "bewertung_95": ["besser", "ähnlich", "schlechter"],
            "bewertung_998": ["ähnlich", "ähnlich", "schlechter"],
            "signifikanz": ["95 %", "nicht signifikant", "99,8 %"],
        }
    )
    marked = views.with_comparisons(series, comparisons, "K07")
    assert marked["bewertung_95"].tolist()[:2] == ["ähnlich", "besser"]
    assert formatting.is_missing(marked["bewertung_95"].iloc[2])


def test_hidden_quarters_are_listed_with_their_marks():
    unit_rows = _cells(
        [
            ("K06", "05154", "2025-Q3", None, "sekundaer"),
            ("K06", "05154", "2025-Q1", None, "anzahl_unter_5"),
            ("K06", "05154", "2025-Q2", 4.0, "offen"),
            ("K06", "05154", "2025-Q4", 3.0, "anzahl_unter_5"),  # the ministry sees it: not hidden here
        ]
    )
    assert views.hidden_quarters(unit_rows, "zaehler") == "Q1/2025: k. A. (Anzahl <5); Q3/2025: ·"
    assert views.unit_latest_quarter(unit_rows) == "2025-Q4"
    assert views.unit_latest_quarter(unit_rows.iloc[:2]) == "2025-Q3"


def test_peer_group_table_lists_the_unit_first_and_its_peers_by_rank():
    peers = pd.DataFrame(
        {
            "rang": [0, 1, 2],
            "ags": ["05154", "05170", "05158"],
            "name": ["Kleve", "Wesel", "Mettmann"],
            "typ_bezeichnung": ["Kreis"] * 3,
            "einwohner_zustaendig": [317_000, 461_000, 485_000],
            "einwohnerdichte": [257.4, 441.2, 1193.0],
            "auslaenderanteil_prozent": [np.nan] * 3,
            "distanz": [0.0, 0.4213, 1.25],
        }
    )
    table = views.peer_group_table(peers)
    assert list(table.columns) == [
        "Rang",
        "Kommune",
        "Typ",
        "Einwohner (Zuständigkeit)",
        "Einwohner je km²",
        "Strukturabstand",
    ]
    assert table.values.tolist()[:2] == [
        ["eigene Kommune", "Kleve", "Kreis", "317.000", "257", "–"],
        ["1.", "Wesel", "Kreis", "461.000", "441", "0,42"],
    ]
    with_share = views.peer_group_table(peers.assign(auslaenderanteil_prozent=[10.0, 12.5, 9.0]))
    assert with_share["Ausländeranteil"].tolist() == ["10,0 %", "12,5 %", "9,0 %"]


def test_funnel_kpis_are_shares_and_rates_with_a_random_model_and_rows():
    catalogue = pd.DataFrame(
        {
            "kpi_id": ["K01", "K02", "K07", "K12", "K10"],
            "wertart": ["rate", "anzahl", "anteil", "anteil", "rate"],
            "methode": ["poisson", "keine", "wilson", "keine", "poisson"],
        }
    )
    quarters = {"K01": ["2025-Q4"], "K07": ["2025-Q4", "2025-Q3"], "K12": ["2025-Q4"], "K10": []}
    assert views.funnel_kpis(catalogue, quarters) == ["K01", "K07"]


def test_funnel_summary_says_where_the_unit_lies():
    funnel = pd.DataFrame(
        {
            "ags": ["05154", "05158"],
            "name": ["Kleve", "Mettmann"],
            "wert": [62.0, 40.0],
            "nenner": [25.0, 1200.0],
            "nrw_wert": [50.0, 50.0],
            "lage_95": ["oberhalb", "unterhalb"],
            "lage_998": ["innerhalb", "unterhalb"],
        }
    )
    assert views.funnel_unit_summary(funnel, "05154", "%") == (
        "Kleve: 62,0 % bei einem Nenner von 25, oberhalb der 95-%-Grenzen (innerhalb der 99,8-%-Grenzen) "
        "– NRW-Wert 50,0 %."
    )
    assert views.funnel_unit_summary(funnel, "05111", "%") is None


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


def test_nrw_tiles_mark_hidden_and_adjusted_values(catalogue):
    totals = _cells(
        [
            ("K01", "NRW", "2025-Q3", None, "anzahl_unter_5"),
            ("K07", "NRW", "2025-Q3", 57.8, "bereinigt"),
            ("K06", "NRW", "2025-Q3", 6.0, "offen"),
        ]
    )
    catalogue = catalogue.assign(geheimhaltung_anzahl=["zaehler", None, "zaehler"])
    tiles = {
        tile.label: tile.value
        for tile in views.nrw_metric_tiles(catalogue, totals, "2025-Q3", mark_adjusted=True)
    }
    assert tiles["Neuaufnahmen"] == "k. A. (Anzahl <5)"
    assert tiles["Nahtlose Übergänge"] == "57,8 %" + formatting.ADJUSTED_MARK
    assert tiles["Übergangslücke"] == "6 Tage"
    unmarked = views.nrw_metric_tiles(catalogue, totals, "2025-Q3")
    assert unmarked[1].value == "57,8 %"
