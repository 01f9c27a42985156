"""Physical formats: CSV encodings, delimiters, quoting, line endings, line numbers; XLSX cells; bad files."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from pipelines.contract.findings import Rule
from pipelines.ingest.reading import MalformedRow, UnreadableFileError, load_json, read_csv, read_workbook

TITLE = "Wartezeiten Ausländerbehörde; „Terminvergabe“, Öffnungszeiten"


def rows_of(table) -> list[list[str]]:
    return [[value.strip() for value in row] for row in table.values.itertuples(index=False)]


@pytest.mark.parametrize(
    ("encoding", "expected_label"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252")],
)
def test_encodings_are_detected_and_umlauts_survive(encoding, expected_label):
    text = f'thema_id;titel\nT-1;"{TITLE}"\nT-2;Übergänge\n'
    table = read_csv(text.encode(encoding), "strukturthemen.csv")
    assert table.encoding == expected_label
    assert rows_of(table) == [["T-1", TITLE], ["T-2", "Übergänge"]]


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("line_ending", ["\n", "\r\n", "\r"])
def test_delimiters_and_line_endings(delimiter, line_ending):
    other = "," if delimiter == ";" else ";"
    lines = [
        f"a{delimiter}b{delimiter}c",
        f'1{delimiter}"x{delimiter}y{other}z"{delimiter}3',
        f"4{delimiter}{delimiter}6",
    ]
    table = read_csv(line_ending.join(lines).encode() + line_ending.encode(), "t.csv")
    assert table.delimiter == delimiter
    assert table.headers == ("a", "b", "c")
    assert rows_of(table) == [["1", f"x{delimiter}y{other}z", "3"], ["4", "", "6"]]
    assert table.lines.tolist() == [2, 3]


def test_quoted_fields_with_doubled_quotes_and_line_breaks_keep_exact_line_numbers():
    text = (
        "thema_id;titel\r\n"
        'T-1;"Projekt ""Ankommen""; Phase 2"\r\n'
        'T-2;"erste Zeile\r\nzweite Zeile"\r\n'
        "\r\n"
        'T-3;  "mit Leerzeichen außen"  \r\n'
        'T-4;Projekt "Start" ohne Außenquotes\r\n'
    )
    table = read_csv(text.encode(), "t.csv")
    assert rows_of(table) == [
        ["T-1", 'Projekt "Ankommen"; Phase 2'],
        ["T-2", "erste Zeile\nzweite Zeile"],
        ["T-3", "mit Leerzeichen außen"],
        ["T-4", 'Projekt "Start" ohne Außenquotes'],
    ]
    assert table.lines.tolist() == [2, 3, 6, 7]


def test_headers_are_normalised_and_untitled_columns_without_data_dropped():
    text = " Fall-ID ;Staatsangehörigkeit;;AUFNAHME AM;\n1;DEU;;2024-01-01;\n2;SYR;;2024-02-01\n"
    table = read_csv(text.encode(), "faelle.csv")
    assert table.headers == ("fall_id", "staatsangehoerigkeit", "aufnahme_am")
    assert table.raw_headers == ("Fall-ID", "Staatsangehörigkeit", "AUFNAHME AM")
    assert table.header_positions == (0, 1, 3)
    assert rows_of(table) == [["1", "DEU", "2024-01-01"], ["2", "SYR", "2024-02-01"]]
    assert table.malformed == ()


def test_untitled_column_with_data_is_kept_for_reporting():
    table = read_csv(b"a;;c\n1;x;3\n", "t.csv")
    assert table.headers == ("a", "spalte_2", "c")


def test_blank_lines_and_rows_of_empty_fields_carry_no_row():
    text = "a;b\n\n1;2\n;\n   \n3;4\n;;\n"
    table = read_csv(text.encode(), "t.csv")
    assert rows_of(table) == [["1", "2"], ["3", "4"]]
    assert table.lines.tolist() == [3, 6]
    assert table.rows_delivered == 2


def test_rows_with_a_wrong_number_of_fields_are_kept_whole():
    text = "a;b;c\n1;2;3\n4;5;6;7\n8;9\n10;11;12;;\n"
    table = read_csv(text.encode(), "t.csv")
    assert rows_of(table) == [["1", "2", "3"], ["10", "11", "12"]]
    assert table.malformed == (MalformedRow(3, ("4", "5", "6", "7")), MalformedRow(4, ("8", "9")))
    assert table.rows_delivered == 4
    assert table.header_width == 3


def test_header_only_file_has_no_rows():
    table = read_csv(b"a;b\n", "t.csv")
    assert table.headers == ("a", "b")
    assert len(table.values) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'a;b\n1;"offen\n2;3\n',
            "t.csv, Zeile 2: Ein Anführungszeichen wird bis zum Dateiende nicht geschlossen. Ein Wert mit "
            "Trennzeichen, Zeilenumbruch oder Anführungszeichen muss vollständig in Anführungszeichen "
            "stehen, "
            'Anführungszeichen darin verdoppelt ("").',
        ),
        (
            b'a;b\n1;2\n3;"zu"viel\n',
            "t.csv, Zeile 3, Spalte 2: fehlerhafte Anführungszeichen. Ein Wert mit Trennzeichen, "
            "Zeilenumbruch oder Anführungszeichen muss vollständig in Anführungszeichen stehen, "
            "Anführungszeichen darin "
            'verdoppelt ("").',
        ),
        (b"", "t.csv: Die Datei ist leer (keine Kopfzeile)."),
        (b"\r\n  \n", "t.csv: Die Datei ist leer (keine Kopfzeile)."),
        (
            b"nur eine spalte\nwert\n",
            "t.csv: In der Kopfzeile steht weder ; noch , als Trennzeichen; die Datei ist keine CSV-Tabelle.",
        ),
        (
            b"a;b\n1;2\n3;\x81\n",
            "t.csv: Zeile 3, Byte 11 (Wert 0x81) ist weder in UTF-8 noch in Windows-1252 ein gültiges "
            "Zeichen.",
        ),
        (
            "a;b\nä;1\n".encode() + b"\xe4;2\n",
            "t.csv: Die Datei mischt UTF-8 mit einer anderen Zeichenkodierung: Zeile 3, Byte 10 (Wert "
            "0xE4) ist kein gültiges UTF-8, andere Umlaute sind UTF-8-kodiert. Bitte die Datei einheitlich "
            "als UTF-8 speichern.",
        ),
        (
            b"\xef\xbb\xbfa;b\n1;\xe4\n",
            "t.csv: Die Datei ist als UTF-8 gekennzeichnet (BOM), enthält aber in Zeile 2 ein ungültiges "
            "Byte (Byte 10, Wert 0xE4).",
        ),
        (
            "a;b\n1;2\n".encode("utf-16"),
            "t.csv: Die Datei ist UTF-16-kodiert (Excel „Unicode-Text“); bitte als CSV in UTF-8 oder "
            "Windows-1252 speichern.",
        ),
        (
            b"PK\x03\x04\x00\x00binary",
            "t.csv: Die Datei enthält Binärdaten (Nullbyte in Zeile 1, Byte 5) und ist keine CSV-Textdatei.",
        ),
    ],
)
def test_unreadable_files_are_reported_with_place_and_reason(data, message):
    with pytest.raises(UnreadableFileError) as raised:
        read_csv(data, "t.csv")
    assert str(raised.value) == message
    assert raised.value.rule is Rule.FILE_UNREADABLE


def test_two_headers_naming_the_same_column_make_the_file_ambiguous():
    with pytest.raises(UnreadableFileError) as raised:
        read_csv(b"Fall-ID;x;fall_id\n1;2;3\n", "faelle.csv")
    assert raised.value.rule is Rule.DUPLICATE_COLUMN
    assert str(raised.value) == (
        "faelle.csv: Die Spalten 1 „Fall-ID“ und 3 „fall_id“ bezeichnen beide die Spalte „fall_id“."
    )


def test_a_large_file_reads_with_exact_line_numbers():
    rows = [
        f'F{index};"Titel {index}; mit Trennzeichen"' if index % 1000 == 0 else f"F{index};Titel {index}"
        for index in range(200_000)
    ]
    text = "fall_id;titel\n" + "\n".join(rows) + "\n"
    table = read_csv(text.encode(), "t.csv")
    assert len(table.values) == 200_000
    assert table.lines[0] == 2 and table.lines[-1] == 200_001
    assert table.values["titel"].iloc[5000] == "Titel 5000; mit Trennzeichen"


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_workbook_cells_become_the_text_a_csv_export_would_hold():
    data = _workbook(
        {
            "Fälle": [
                [],
                ["Fall-ID", "Aufnahme am", "Geburtsjahr", "VZÄ", "Betrag", "Kennung"],
                ["A-1", date(2024, 2, 3), 1988, 0.75, 1234567.89, "05111000"],
                [None, None, None, None, None, None],
                ["A-2", datetime(2024, 3, 1, 0, 0), 1990.0, 1, 0.1, "  mit Leerzeichen "],
                ["A-3", "03.02.2024", "1.988", "0,5", 1e16, 42],
            ],
            "Tabelle1": [],
        }
    )
    book = read_workbook(data, "kim.xlsx")
    assert list(book.sheets) == ["faelle"]
    assert book.sheet_titles == {"faelle": "Fälle"}
    assert book.empty_sheets == ("Tabelle1",)
    table = book.sheets["faelle"]
    assert table.source == "kim.xlsx, Blatt „Fälle“"
    assert table.encoding == "xlsx" and table.delimiter is None
    assert table.headers == ("fall_id", "aufnahme_am", "geburtsjahr", "vzae", "betrag", "kennung")
    assert rows_of(table) == [
        ["A-1", "2024-02-03", "1988", "0.75", "1234567.89", "05111000"],
        ["A-2", "2024-03-01", "1990", "1", "0.1", "mit Leerzeichen"],
        ["A-3", "03.02.2024", "1.988", "0,5", "10000000000000000", "42"],
    ]
    assert table.lines.tolist() == [3, 5, 6]


def test_a_date_cell_with_a_time_keeps_the_time_and_so_fails_as_a_date():
    book = read_workbook(_workbook({"faelle": [["a", "b"], ["x", datetime(2024, 2, 3, 14, 30)]]}), "k.xlsx")
    assert rows_of(book.sheets["faelle"]) == [["x", "2024-02-03 14:30:00"]]


def test_sheets_naming_the_same_file_are_ambiguous():
    data = _workbook({"Fälle": [["a", "b"], [1, 2]], "faelle": [["a", "b"], [3, 4]]})
    with pytest.raises(UnreadableFileError) as raised:
        read_workbook(data, "kim.xlsx")
    assert str(raised.value) == "kim.xlsx: Die Blätter „Fälle“ und „faelle“ bezeichnen dieselbe Datei."


def test_a_file_that_is_no_workbook_is_unreadable():
    with pytest.raises(UnreadableFileError) as raised:
        read_workbook(b"fall_id;titel\n1;2\n", "kim.xlsx")
    assert str(raised.value).startswith("kim.xlsx: Die Arbeitsmappe kann nicht gelesen werden (")


def test_manifest_json_errors_name_line_and_column():
    assert load_json('\ufeff{"ags": "05111"}'.encode(), "manifest.json") == {"ags": "05111"}
    with pytest.raises(UnreadableFileError) as raised:
        load_json(b'{\n  "ags": "05111",\n  "x": }', "manifest.json")
    assert str(raised.value).startswith("manifest.json, Zeile 3, Spalte 8: kein gültiges JSON")
