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
