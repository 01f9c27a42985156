"""German presentation of numbers, quarters, dates and codes."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from dashboards.lib import formatting


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (1234567, 0, "1.234.567"),
        (0.25, 2, "0,25"),
        (-1234.56, 1, "-1.234,6"),
        (-0.04, 1, "0,0"),
        (np.int64(618685), 0, "618.685"),
        (None, 0, "–"),
        (float("nan"), 1, "–"),
        (pd.NA, 1, "–"),
    ],
)
def test_numbers_use_german_separators(value, decimals, expected):
    assert formatting.format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "einheit", "expected"),
    [
        (57.834, "%", "57,8 %"),
        (100, "Prozent", "100,0 %"),
        (3427, "Anzahl", "3.427"),
        (15886.0, "Fälle", "15.886 Fälle"),
        (5.0, "Meilensteine (0–7)", "5 Meilensteine"),
        (50.234, "Fälle je VZÄ", "50,2 Fälle je VZÄ"),
        (6.0, "Tage", "6 Tage"),
        (0.354, "Quartale", "0,35 Quartale"),
        (12345.678, "€", "12.346 €"),
        (None, "%", "–"),
        (4.5, None, "4,5"),
    ],
)
def test_values_carry_their_unit(value, einheit, expected):
    assert formatting.format_value(value, einheit) == expected


def test_long_units_can_be_left_out_but_percent_signs_stay():
    assert formatting.unit_fits_beside_value("Tage")
    assert not formatting.unit_fits_beside_value("je 100.000 Einwohner")
    assert formatting.format_value(50.234, "Fälle je VZÄ", with_unit=False) == "50,2"
    assert formatting.format_value(57.8, "%", with_unit=False) == "57,8 %"
    assert formatting.format_delta(-2.0, "Fälle je VZÄ", with_unit=False) == "-2"
    assert formatting.format_delta(-2.0, "%", with_unit=False) == "-2,0 Pp."


@pytest.mark.parametrize(
    ("delta", "einheit", "expected"),
    [
        (2.345, "%", "+2,3 Pp."),
        (-5.7, "%", "-5,7 Pp."),
        (0.01, "%", "±0,0 Pp."),
        (-1205, "Anzahl", "-1.205"),
        (3, "Tage", "+3 Tage"),
        (0, "Anzahl", "±0"),
        (None, "%", "–"),
    ],
)
def test_changes_are_signed_and_percentages_change_in_points(delta, einheit, expected):
    assert formatting.format_delta(delta, einheit) == expected


def test_negative_change_starts_with_the_minus_streamlit_reads_as_decrease():
    assert formatting.format_delta(-0.5, "Tage").startswith("-")


def test_interval_needs_both_bounds():
    assert formatting.format_interval(41.23, 48.91, "%") == "41,2–48,9 %"
    assert formatting.format_interval(12, 19.5, "Anzahl") == "12,0–19,5"
    assert formatting.format_interval(None, 48.9, "%") == "–"
    assert formatting.format_interval(-3, 5, "Tage") == "-3 bis 5 Tage"


def test_percentages_are_stored_0_to_100():
    assert formatting.format_percent(57.834) == "57,8 %"
    assert formatting.format_percent(100, decimals=0) == "100 %"
    assert formatting.format_percent(None) == "–"


def test_quarters_read_in_german():
    assert formatting.format_quarter("2025-Q3") == "3.\u00a0Quartal 2025"
    assert formatting.format_quarter_short("2024-Q1") == "Q1/2024"
    with pytest.raises(ValueError, match="kein gültiges Berichtsquartal"):
        formatting.format_quarter("2025-3")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 10, 20), "20.10.2025"),
        (datetime(2025, 1, 2, 9, 30), "02.01.2025"),
        (pd.Timestamp("2025-11-14 08:00"), "14.11.2025"),
        ("2025-02-14", "14.02.2025"),
        (pd.NaT, "–"),
        (None, "–"),
    ],
)
def test_dates_read_in_german(value, expected):
    assert formatting.format_date(value) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("", "Insgesamt"),
        ("baustein:2", "Baustein 2: Case Management"),
        ("uebergang:ASYLBLG>SGB2", "AsylbLG → SGB II"),
        ("uebergang:SGB12>KEIN_LEISTUNGSBEZUG", "SGB XII → kein Leistungsbezug"),
        ("stelle:JOBCENTER", "Jobcenter"),
        ("handlungsfeld:WOHNEN", "Wohnen"),
        ("verfahren:P104C", "§ 104c AufenthG (Chancen-Aufenthaltsrecht)"),
        ("meilenstein:ERSTER_FALL", "Meilenstein: Erster Fall"),
        ("stelle:UNBEKANNTE_STELLE", "Unbekannte Stelle"),
    ],
)
def test_breakdown_keys_become_labels(key, expected):
    assert formatting.format_breakdown(key) == expected


def test_every_delivery_status_has_a_german_label_and_a_colour():
    for status in formatting.DELIVERY_STATUS_ORDER:
        assert formatting.format_delivery_status(status) != status
        assert formatting.DELIVERY_STATUS_COLOURS[status].startswith("#")
    assert formatting.format_delivery_status("UEBERFAELLIG") == "Überfällig"


def test_polarity_decides_the_colour_of_a_change():
    assert formatting.delta_colour("hoch_gut") == "normal"
    assert formatting.delta_colour("niedrig_gut") == "inverse"
    assert formatting.delta_colour("neutral") == "off"
    assert (
        formatting.polarity_colour_scale("niedrig_gut") == formatting.polarity_colour_scale("hoch_gut") + "_r"
    )


# --- statistical confidentiality ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("geheimhaltung", "count_column", "expected"),
    [
        ("anzahl_unter_5", "wert", "<5"),
        ("anzahl_unter_5", None, "<5"),
        ("anzahl_unter_5", "zaehler", "k. A. (Anzahl <5)"),
        ("anzahl_unter_5", "zaehler|nenner", "k. A. (Anzahl <5)"),
        ("fallzahl_unter_10", "wert", "k. A. (unter 10 Fällen)"),
        ("sekundaer", "wert", "·"),
        ("offen", "wert", "–"),
        ("bereinigt", "wert", "–"),
        (None, "wert", "–"),
    ],
)
def test_hidden_cells_show_the_mark_of_their_status(geheimhaltung, count_column, expected):
    assert formatting.format_suppressed(geheimhaltung, count_column) == expected


def test_every_suppression_mark_is_explained_in_the_legend():
    marks = {
        formatting.format_suppressed(status, column)
        for status in formatting.HIDDEN_STATUSES
        for column in ("wert", "zaehler")
    }
    assert marks == set(formatting.SUPPRESSION_LEGEND)


def test_a_cell_shows_its_number_where_it_has_one_and_its_mark_where_it_is_hidden():
    # The ministry's snapshot holds hidden cells with their values: the number is shown.
    assert formatting.format_cell_value(3.0, "Fälle", "anzahl_unter_5") == "3 Fälle"
    assert formatting.format_cell_value(None, "Fälle", "anzahl_unter_5") == "<5"
    assert formatting.format_cell_value(np.nan, "%", "fallzahl_unter_10") == "k. A. (unter 10 Fällen)"
    assert formatting.format_cell_value(None, "%", "offen") == "–"
    assert (
        formatting.format_published_as("anzahl_unter_5", "zaehler") == "veröffentlicht als k. A. (Anzahl <5)"
    )
    assert formatting.format_published_as("bereinigt") == ""
    assert formatting.is_hidden("sekundaer") and not formatting.is_hidden("bereinigt")


# --- comparisons and trends ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("b95", "b998", "signifikanz", "expected", "tone"),
    [
        ("besser", "ähnlich", "95 %", "✓ besser (95 %)", "günstig"),
        ("besser", "besser", "99,8 %", "✓✓ besser (99,8 %)", "günstig"),
        ("schlechter", "schlechter", "99,8 %", "✗✗ schlechter (99,8 %)", "ungünstig"),
        ("schlechter", "ähnlich", "95 %", "✗ schlechter (95 %)", "ungünstig"),
        ("ähnlich", "ähnlich", "nicht signifikant", "≈ ähnlich", "neutral"),
        ("höher", "ähnlich", "95 %", "↑ höher (95 %)", "neutral"),
        ("niedriger", "niedriger", "ohne Intervall (Vollerhebung)", "↓ niedriger (Vollerhebung)", "neutral"),
        (None, None, None, "–", None),
    ],
)
def test_comparisons_read_in_words_and_symbols_and_carry_a_tone(b95, b998, signifikanz, expected, tone):
    assert formatting.format_comparison(b95, b998, signifikanz) == expected
    assert formatting.comparison_tone(b95) == tone


@pytest.mark.parametrize(
    ("trend", "trendbewertung", "expected", "tone"),
    [
        ("steigend", "günstig", "↗ steigend (günstig)", "günstig"),
        ("fallend", "ungünstig", "↘ fallend (ungünstig)", "ungünstig"),
        ("steigend", "neutral", "↗ steigend", "neutral"),
        ("kein signifikanter Trend", None, "→ kein signifikanter Trend", "neutral"),
        (None, None, "–", None),
    ],
)
def test_trends_read_with_arrow_word_and_assessment(trend, trendbewertung, expected, tone):
    assert formatting.format_trend(trend, trendbewertung) == expected
    assert formatting.trend_tone(trendbewertung, trend) == tone


def test_tones_colour_text_and_background_and_plain_cells_stay_plain():
    css = formatting.tone_css("günstig")
    assert formatting.TONE_COLOURS["günstig"] in css and "background-color" in css and "font-weight" in css
    assert "font-weight" not in formatting.tone_css("neutral")
    assert formatting.tone_css(None) == ""
    # Favourable and unfavourable differ in hue (bluish green vs. vermillion), not only in lightness.
    assert formatting.TONE_COLOURS["günstig"] != formatting.TONE_COLOURS["ungünstig"]


@pytest.mark.parametrize(
    ("lage_95", "lage_998", "expected"),
    [
        ("innerhalb", "innerhalb", "innerhalb der 95-%-Grenzen"),
        ("oberhalb", "innerhalb", "oberhalb der 95-%-Grenzen (innerhalb der 99,8-%-Grenzen)"),
        ("unterhalb", "unterhalb", "unterhalb der 99,8-%-Grenzen"),
        (None, None, "–"),
    ],
)
def test_funnel_positions_name_the_level(lage_95, lage_998, expected):
    assert formatting.format_funnel_position(lage_95, lage_998) == expected


def test_breakdown_dimensions_of_the_catalogue_have_names():
    assert formatting.format_breakdown_dimension("uebergang") == "Übergangsart (von → nach)"
    assert formatting.format_breakdown_dimension("stelle") == "Stelle des Regelsystems"
    assert formatting.format_breakdown_dimension("neues_merkmal") == "Neues Merkmal"
