"""Every physical variant the contract allows actually occurs, and each unit sticks to its own format."""

from __future__ import annotations

import io
import zipfile
from collections import Counter

import openpyxl
import pytest
from package_reader import normalise

from pipelines.contract.schema import CONTRACT_FILES
from pipelines.generator.formats import (
    COLUMN_LABELS,
    SOURCE_SYSTEMS,
    CsvFormat,
    DateStyle,
    DecimalStyle,
    HeaderStyle,
)
from pipelines.generator.rendering import format_decimal
from pipelines.generator.steering import FOLLOW_UP_SUFFIX, THEME_TITLES


def _declared(generated, key: str) -> Counter:
    return Counter(unit["formate"][key] for unit in generated.truth["kommunen"].values())


@pytest.mark.parametrize(
    ("key", "variants"),
    [
        ("paketform", {"ORDNER_CSV", "ZIP_CSV", "ORDNER_XLSX"}),
        ("zeichenkodierung", {"utf-8", "utf-8-sig", "cp1252"}),
        ("trennzeichen", {";", ","}),
        ("datumsformat", {"ISO", "DEUTSCH"}),
        ("dezimalformat", {"PUNKT", "KOMMA", "DEUTSCH"}),
        ("kopfzeilen", {"TECHNISCH", "BESCHRIFTET", "GROSS_MIT_LEERZEICHEN"}),
        ("zeilenende", {"LF", "CRLF"}),
    ],
)
def test_every_variant_is_used_by_some_unit(generated, key, variants):
    assert set(_declared(generated, key)) == variants


def test_package_shapes_in_the_intended_proportions(generated, packages):
    shapes = _declared(generated, "paketform")
    assert 4 <= shapes["ORDNER_XLSX"] <= 7 and 9 <= shapes["ZIP_CSV"] <= 13
    seen = Counter(package.shape for package in packages)
    assert set(seen) == {"ORDNER_CSV", "ZIP_CSV", "ORDNER_XLSX"}


def test_delivered_bytes_show_each_variant(generated, packages):
    """The variants are visible in the bytes, not only declared: BOM, Windows-1252 umlauts, CRLF, quoting."""
    csv_bytes = [
        (p, name, data) for p in packages for name, data in p.raw_files.items() if name.endswith(".csv")
    ]
    formats = generated.truth["kommunen"]
    assert any(data.startswith(b"\xef\xbb\xbf") for _, _, data in csv_bytes)
    assert any(b"\r\n" in data for _, _, data in csv_bytes)
    cp1252 = [data for p, _, data in csv_bytes if formats[p.ags]["formate"]["zeichenkodierung"] == "cp1252"]
    assert any(b"\xfc" in data or b"\xe4" in data for data in cp1252), (
        "expected umlauts encoded in Windows-1252"
    )
    assert any(b'"' in data for _, _, data in csv_bytes), "expected quoted fields"
    assert any(b";" in data.split(b"\n", 1)[0] for _, _, data in csv_bytes)


def test_workbooks_have_one_sheet_per_file_and_typed_cells(packages):
    workbooks = [p for p in packages if p.shape == "ORDNER_XLSX"]
    assert workbooks
    for package in workbooks:
        (name,) = package.raw_files
        assert name.endswith(".xlsx")
        workbook = openpyxl.load_workbook(io.BytesIO(package.raw_files[name]), read_only=True)
        assert set(workbook.sheetnames) == set(package.tables)
        assert {"faelle", "ereignisse", "personal"} <= set(workbook.sheetnames)


def test_zip_packages_hold_their_files_at_the_top_level(packages):
    for package in packages:
        if package.shape == "ZIP_CSV":
            with zipfile.ZipFile(package.path) as archive:
                names = archive.namelist()
            assert "manifest.json" in names and all("/" not in name for name in names)


def test_header_styles_differ_but_normalise_to_the_contract(packages):
    styles = {tuple(p.headers["faelle"]) for p in packages}
    assert len(styles) == 3
    assert {normalise(h) for header in styles for h in header} == set(CONTRACT_FILES["faelle"].column_names)


def test_labels_cover_every_contract_column_and_normalise_back():
    columns = {c for file in CONTRACT_FILES.values() for c in file.column_names}
    assert set(COLUMN_LABELS) == columns
    for style in HeaderStyle:
        fmt = CsvFormat("utf-8", ";", DateStyle.ISO, DecimalStyle.POINT, style, "\n")
        for column in columns:
            assert normalise(fmt.header(column)) == column


@pytest.mark.parametrize(
    ("style", "value", "expected"),
    [
        (DecimalStyle.POINT, 1234.5, "1234.50"),
        (DecimalStyle.COMMA, 1234.5, "1234,50"),
        (DecimalStyle.GERMAN, 1234567.5, "1.234.567,50"),
        (DecimalStyle.GERMAN, 0.75, "0,75"),
    ],
)
def test_decimal_styles(style, value, expected):
    assert format_decimal(value, style) == expected


def test_every_text_a_unit_may_write_is_encodable_in_windows_1252():
    texts = [title + FOLLOW_UP_SUFFIX for titles in THEME_TITLES.values() for title in titles]
    texts += list(COLUMN_LABELS.values()) + list(SOURCE_SYSTEMS)
    for text in texts:
        text.encode("cp1252")
        assert len(text) <= 200
