"""Cell conversion per column kind: accepted notations, typed results and the exact German findings."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pipelines.contract.schema import CONTRACT_FILES, FAELLE, Column
from pipelines.ingest.values import convert_column, convert_table


def convert(values: list[str], column: Column):
    return convert_column(pd.Series(values, dtype="str"), column)


def typed(values: list[str], column: Column) -> list[object]:
    return [None if pd.isna(value) else value for value in convert(values, column).values.tolist()]


def test_dates_in_iso_and_german_notation():
    column = Column("aufnahme_am", "date")
    assert typed(["2024-02-03", "03.02.2024", "3.2.2024", " 29.02.2024 "], column) == [
        date(2024, 2, 3),
        date(2024, 2, 3),
        date(2024, 2, 3),
        date(2024, 2, 29),
    ]


@pytest.mark.parametrize(
    "value", ["31.02.2024", "2023-02-29", "2024-13-01", "00.01.2024", "2024/02/03", "3.2.24"]
)
def test_impossible_or_foreign_dates_fail(value):
    result = convert([value], Column("aufnahme_am", "date"))
    assert result.failed_rows.tolist() == [0]
    assert result.rules == ["TYP_DATUM"]
    assert result.details == [f"„{value}“ ist kein gültiges Datum (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)."]
    assert pd.isna(result.values[0])


def test_months_become_the_first_day_of_the_month():
    column = Column("einreise_monat", "month", required=False)
    assert typed(["2023-05", "05.2023", "5.2023", "2023-05-01", "01.05.2023", ""], column) == [
        date(2023, 5, 1),
        date(2023, 5, 1),
        date(2023, 5, 1),
        date(2023, 5, 1),
        date(2023, 5, 1),
        None,
    ]
    result = convert(["2023-13", "2023-05-15"], column)
    assert result.rules == ["TYP_MONAT", "TYP_MONAT"]
    assert result.details[0] == "„2023-13“ ist kein gültiger Monat (erwartet JJJJ-MM oder MM.JJJJ)."


def test_integers_with_sign_and_german_thousands():
    column = Column("antraege_eingang", "int")
    assert typed(["12", "+7", "-3", "1.250", "2.147.483.647", "007"], column) == [
        12,
        7,
        -3,
        1250,
        2147483647,
        7,
    ]
    result = convert(["12,5", "1.5", "2147483648", "99999999999999999999", "zwölf"], column)
    assert result.rules == ["TYP_GANZZAHL"] * 5
    assert result.details == [
        "„12,5“ ist keine ganze Zahl.",
        "„1.5“ ist keine ganze Zahl.",
        "„2147483648“ ist als ganze Zahl zu groß.",
        "„99999999999999999999“ ist als ganze Zahl zu groß.",
        "„zwölf“ ist keine ganze Zahl.",
    ]


def test_an_integer_with_a_code_list_is_checked_against_it():
    column = CONTRACT_FILES["personal"].column("baustein")
    result = convert(["1", "3", "4", "x"], column)
    assert result.values.tolist()[:2] == [1, 3]
    assert result.rules == ["CODELISTE", "TYP_GANZZAHL"]
    assert result.details == [
        "„4“ ist kein Code der Codeliste „baustein“ (erlaubt: 1, 2, 3).",
        "„x“ ist keine ganze Zahl.",
    ]


def test_decimals_with_point_notation():
    column = Column("betrag", "decimal")
    assert typed(["0.75", "1", "1234567.89", "-2.5", "250.000"], column) == [
        0.75,
        1.0,
        1234567.89,
        -2.5,
        250.0,
    ]
    # Several thousands points can only mean the comma notation.
    assert typed(["1.234.567"], column) == [1234567.0]


def test_decimals_with_comma_notation_read_points_as_thousands_separators():
    column = Column("betrag", "decimal")
    assert typed(["0,75", "1.234.567,89", "12.500", "98000"], column) == [0.75, 1234567.89, 12500.0, 98000.0]


def test_a_point_decimal_in_a_comma_column_is_a_finding_not_a_guess():
    result = convert(["1.234,5", "12.5"], Column("betrag", "decimal"))
    assert result.rules == ["TYP_DEZIMAL"]
    assert result.details == [
        "„12.5“ ist keine gültige Dezimalzahl (erwartet wie in den übrigen Werten der Spalte Dezimalkomma "
        "und Punkt als Tausendertrennzeichen, z. B. 1234,5 oder 1.234,5)."
    ]


def test_english_thousands_separators_are_rejected():
    result = convert(["1,234.5", "0.5"], Column("betrag", "decimal"))
    assert result.failed_rows.tolist() == [0]
    assert result.details == [
        "„1,234.5“ ist keine gültige Dezimalzahl (erwartet z. B. 1234,5, 1.234,5 oder 1234.5)."
    ]


def test_codes_are_trimmed_and_upper_cased_before_the_check():
    column = FAELLE.column("geschlecht")
    assert typed([" w ", "M", "d", "X"], column) == ["W", "M", "D", "X"]
    result = convert(["Q"], column)
    assert result.rules == ["CODELISTE"]
    assert result.details == ["„Q“ ist kein Code der Codeliste „geschlecht“ (erlaubt: W, M, D, X)."]


def test_long_code_lists_are_not_spelled_out():
    result = convert(["XYZ"], FAELLE.column("staatsangehoerigkeit"))
    assert result.details == ["„XYZ“ ist kein Code der Codeliste „staatsangehoerigkeit“."]


def test_code_lists_split_on_pipes():
    column = FAELLE.column("bedarfe")
    assert typed(["SPRACHE|ARBEIT", "sprache | kita ", "WOHNEN"], column) == [
        "SPRACHE|ARBEIT",
        "SPRACHE|KITA",
        "WOHNEN",
    ]
    result = convert(["SPRACHE|FOO|BAR", "SPRACHE||ARBEIT", "FOO"], column)
    assert result.rules == ["CODELISTE"] * 3
    allowed = (
        "(erlaubt: AUFENTHALT, SPRACHE, ARBEIT, AUSBILDUNG, SCHULE, KITA, WOHNEN, GESUNDHEIT, FAMILIE, "
        "FINANZEN, SOZIALES)"
    )
    assert result.details == [
        f"„SPRACHE|FOO|BAR“: „FOO“, „BAR“ sind keine Codes der Codeliste „bedarf“ {allowed}.",
        "„SPRACHE||ARBEIT“ enthält einen leeren Eintrag (Codes werden mit | getrennt).",
        f"„FOO“: „FOO“ ist kein Code der Codeliste „bedarf“ {allowed}.",
    ]


def test_required_cells_must_not_be_empty_and_optional_ones_may():
    required = convert(["A", "", "  "], FAELLE.column("fall_id"))
    assert required.failed_rows.tolist() == [1, 2]
    assert required.rules == ["PFLICHTFELD", "PFLICHTFELD"]
    assert required.details == ["Der Wert fehlt; die Spalte ist eine Pflichtangabe."] * 2
    optional = convert(["", "ZIEL_ERREICHT"], FAELLE.column("abschlussgrund"))
    assert len(optional.failed_rows) == 0
    assert pd.isna(optional.values[0]) and optional.values[1] == "ZIEL_ERREICHT"


def test_text_length_is_checked_without_quoting_the_value():
    result = convert(["kurz", "x" * 65], FAELLE.column("fall_id"))
    assert result.rules == ["LAENGE"]
    assert result.details == ["Der Wert ist 65 Zeichen lang, erlaubt sind höchstens 64."]


def test_a_table_gets_one_finding_per_failing_cell_with_file_line_and_column():
    valid = {
        "fall_id": "F1",
        "person_id": "P1",
        "traeger": "KOMMUNE",
        "gemeinde_ags": "",
        "erstkontakt_am": "2024-02-01",
        "aufnahme_am": "2024-02-03",
        "abschluss_am": "",
        "abschlussgrund": "",
        "geburtsjahr": "1990",
        "geschlecht": "W",
        "staatsangehoerigkeit": "SYR",
        "einreise_monat": "",
        "aufenthaltsstatus": "DULDUNG",
        "rechtskreis": "SGB2",
        "bedarfe": "SPRACHE",
    }
    rows = [dict(valid), dict(valid, aufnahme_am="31.02.2024"), dict(valid, fall_id="", geschlecht="Q")]
    result = convert_table(pd.DataFrame(rows, dtype="str"), np.array([2, 17, 18]), FAELLE, "faelle.csv")
    assert result.findings[["row", "zeile", "spalte", "regel"]].values.tolist() == [
        [1, 17, "aufnahme_am", "TYP_DATUM"],
        [2, 18, "fall_id", "PFLICHTFELD"],
        [2, 18, "geschlecht", "CODELISTE"],
    ]
    assert result.findings["meldung"].iloc[0] == (
        "faelle.csv, Zeile 17, Spalte „aufnahme_am“: „31.02.2024“ ist kein gültiges Datum (erwartet "
        "JJJJ-MM-TT oder TT.MM.JJJJ)."
    )
    assert result.invalid_rows.tolist() == [1, 2]
    assert list(result.data.columns) == list(FAELLE.column_names)
    assert result.data["aufnahme_am"].tolist()[0] == date(2024, 2, 3)


def test_a_million_cells_convert_in_bulk():
    size = 1_000_000
    days = np.arange(size) % 28 + 1
    text = pd.Series([f"{day:02d}.03.2024" for day in days], dtype="str")
    text.iloc[123_456] = "31.02.2024"
    result = convert_column(text, Column("aufnahme_am", "date"))
    assert result.failed_rows.tolist() == [123_456]
    converted = result.values.drop(index=123_456)
    assert converted.notna().all()
    assert converted.iloc[0] == date(2024, 3, 1) and converted.iloc[-1] == date(2024, 3, int(days[-1]))
