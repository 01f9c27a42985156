"""Parsing packages: every physical variant, re-keying, cell findings and reconciliation, rejections."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from dataclasses import replace

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from kim_package_factory import (
    DELIVERED_PSEUDONYMS,
    SECRET,
    CsvStyle,
    DataDirs,
    csv_files,
    manifest_bytes,
    render_csv,
    sample_rows,
    with_manifest,
    workbook_files,
    write_folder,
    write_zip,
)

from pipelines.contract.findings import Status
from pipelines.contract.schema import CONTRACT_FILES
from pipelines.ingest import parse as parse_module
from pipelines.ingest.archive import archive_package
from pipelines.ingest.parse import parse_package, parse_packages, quarantine_rows
from pipelines.ingest.pseudonyms import rekey_value
from pipelines.ingest.staging import read_findings, read_valid_rows
from pipelines.ingest.values import convert_table, converts_cell_by_cell


def umlaut_title_case(name: str) -> str:
    """`faelle_rekonstruiert` → `Fälle Rekonstruiert`: a spelling that normalises back to the contract."""
    return name.replace("ae", "ä").replace("oe", "ö").replace("ue", "ü").replace("_", " ").title()


VARIANTS = {
    "utf8_semicolon_lf": lambda: write_folder_csv(CsvStyle()),
    "utf8_bom_comma_crlf": lambda: write_folder_csv(CsvStyle("utf-8-sig", ",", "\r\n")),
    "cp1252_german_notation": lambda: write_folder_csv(
        CsvStyle("cp1252", ";", "\r\n", german_dates=True, german_numbers=True)
    ),
    "quote_all_header_variants": lambda: write_folder_csv(
        CsvStyle("utf-8", ",", "\n", quote_all=True, header=umlaut_title_case)
    ),
    "zip_cp1252_comma": lambda: (
        "zip",
        with_manifest(csv_files(sample_rows(), CsvStyle("cp1252", ",", "\r\n"))),
    ),
    "xlsx_native_cells": lambda: ("folder", with_manifest(workbook_files(sample_rows(), native_cells=True))),
    "xlsx_text_cells": lambda: ("folder", with_manifest(workbook_files(sample_rows(), native_cells=False))),
}


def write_folder_csv(style: CsvStyle):
    return "folder", with_manifest(csv_files(sample_rows(), style))


def deliver(dirs, files: dict[str, bytes], shape: str = "folder"):
    (write_zip if shape == "zip" else write_folder)(dirs.landing, files)
    return dirs.parse_only_package()


def staged_tables(parsed) -> dict[str, pd.DataFrame]:
    return {file.name: read_valid_rows(parsed, file) for file in parsed.files if file.staged}


@pytest.fixture(scope="module")
def canonical(tmp_path_factory):
    dirs = DataDirs.under(tmp_path_factory.mktemp("canonical"))
    return staged_tables(deliver(dirs, with_manifest(csv_files(sample_rows()))))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_physical_variant_parses_to_identical_typed_data(dirs, canonical, variant):
    shape, files = VARIANTS[variant]()
    parsed = deliver(dirs, files, shape)
    assert parsed.status is Status.ACCEPTED, read_findings(parsed)["meldung"].tolist()
    tables = staged_tables(parsed)
    assert sorted(tables) == sorted(canonical)
    for name, table in tables.items():
        pd.testing.assert_frame_equal(table, canonical[name], obj=f"{variant}: {name}")


def test_typed_values_are_the_delivered_ones(canonical):
    finanzen = canonical["finanzen.csv"]
    assert finanzen["bewilligt_eur"].tolist() == [1234567.89, 98000.0]
    assert finanzen["zeile"].tolist() == [2, 3]
    faelle = canonical["faelle.csv"]
    assert str(faelle["aufnahme_am"].iloc[0]) == "2024-02-10"
    assert str(faelle["einreise_monat"].iloc[0]) == "2023-05-01"
    assert faelle["bedarfe"].tolist() == ["SPRACHE|ARBEIT", "ARBEIT", "SPRACHE|WOHNEN|GESUNDHEIT"]
    themen = canonical["strukturthemen.csv"]
    assert themen["titel"].tolist() == [
        "Wartezeiten bei der Ausländerbehörde; Terminvergabe, „online“",
        'Übergänge Schule – Ausbildung ("Lücke" nach Klasse 10)',
    ]


def test_pseudonyms_are_rekeyed_everywhere_and_never_written_as_delivered(dirs):
    rows = sample_rows()
    rows["faelle"][1]["aufnahme_am"] = "31.02.2024"  # quarantined: its raw values are kept
    rows["faelle"] += [dict(rows["faelle"][0], fall_id=f"KF-X-{index:03d}") for index in range(20)]
    files = csv_files(rows)
    broken = files["ereignisse.csv"].decode() + "KF-2025-0003;2025-09-03;WOHNUNG;;;;;;zusätzlich\n"
    files["ereignisse.csv"] = broken.encode()
    files["ereignisse.csv"] += b"".join(f"KF-X-{i:03d};2025-09-01;WOHNUNG;;;;;\n".encode() for i in range(20))
    parsed = deliver(dirs, with_manifest(files))
    assert parsed.status is Status.ACCEPTED_WITH_NOTICES
    assert parsed.rows_quarantined == 2

    written = []
    for path in sorted(parsed.staging_dir.iterdir()):
        if path.suffix == ".parquet":
            for column in pq.read_table(path).to_pylist():
                written += [str(value) for value in column.values()]
        else:
            written.append(path.read_text(encoding="utf-8"))
    for pseudonym in DELIVERED_PSEUDONYMS:
        assert not any(pseudonym in text for text in written), pseudonym

    faelle = read_valid_rows(parsed, parsed.files[0])
    assert faelle["fall_id"].iloc[0] == rekey_value("KF-2024-0001", "05111", SECRET)
    assert (
        faelle["person_id"].iloc[0] == faelle["person_id"].iloc[1] == rekey_value("KP-77-A", "05111", SECRET)
    )
    findings = read_findings(parsed).set_index("regel")
    quarantined_case = json.loads(findings.loc["TYP_DATUM", "rohwerte"])
    assert quarantined_case["fall_id"] == rekey_value("KF-2024-0002", "05111", SECRET)
    assert quarantined_case["aufnahme_am"] == "31.02.2024"
    assert (
        findings.loc["FELDANZAHL", "meldung"]
        == "ereignisse.csv, Zeile 5: Die Zeile hat 9 Felder, die Kopfzeile 8."
    )
    malformed = json.loads(findings.loc["FELDANZAHL", "rohwerte"])
    assert malformed["felder"][0] == rekey_value("KF-2025-0003", "05111", SECRET)
    assert malformed["felder"][-1] == "zusätzlich"


def faelle_rows(count: int) -> list[dict[str, str]]:
    template = sample_rows()["faelle"][0]
    return [dict(template, fall_id=f"KF-{index:04d}", person_id=f"KP-{index:04d}") for index in range(count)]


def test_invalid_cells_are_quarantined_with_exact_messages_and_counts_reconcile(dirs):
    rows = sample_rows()
    rows["faelle"] = faelle_rows(40)
    rows["faelle"][4]["aufnahme_am"] = "31.02.2024"
    rows["faelle"][9].update(geschlecht="Q", geburtsjahr="neunzehnhundert")
    rows["faelle"][20]["bedarfe"] = ""
    parsed = deliver(dirs, with_manifest(csv_files(rows)))

    assert parsed.status is Status.ACCEPTED_WITH_NOTICES
    faelle = parsed.files[0]
    assert (faelle.name, faelle.rows_delivered, faelle.rows_loaded, faelle.rows_quarantined) == (
        "faelle.csv",
        40,
        37,
        3,
    )
    for file in parsed.files:
        assert file.rows_delivered == file.rows_loaded + file.rows_quarantined
    findings = read_findings(parsed)
    assert findings[["datei", "zeile", "spalte", "regel", "ergebnis"]].values.tolist() == [
        ["faelle.csv", 6, "aufnahme_am", "TYP_DATUM", "ZEILE_QUARANTAENE"],
        ["faelle.csv", 11, "geburtsjahr", "TYP_GANZZAHL", "ZEILE_QUARANTAENE"],
        ["faelle.csv", 11, "geschlecht", "CODELISTE", "ZEILE_QUARANTAENE"],
        ["faelle.csv", 22, "bedarfe", "PFLICHTFELD", "ZEILE_QUARANTAENE"],
    ]
    assert findings["meldung"].tolist() == [
        "faelle.csv, Zeile 6, Spalte „aufnahme_am“: „31.02.2024“ ist kein gültiges Datum (erwartet "
        "JJJJ-MM-TT oder TT.MM.JJJJ).",
        "faelle.csv, Zeile 11, Spalte „geburtsjahr“: „neunzehnhundert“ ist keine ganze Zahl.",
        "faelle.csv, Zeile 11, Spalte „geschlecht“: „Q“ ist kein Code der Codeliste „geschlecht“ (erlaubt: "
        "W, M, D, X).",
        "faelle.csv, Zeile 22, Spalte „bedarfe“: Der Wert fehlt; die Spalte ist eine Pflichtangabe.",
    ]
    staged = read_valid_rows(parsed, faelle)
    assert len(staged) == 37
    assert not set(staged["zeile"]) & {6, 11, 22}
    assert parsed.summary_german().endswith(
        "ANGENOMMEN_MIT_HINWEISEN – 52 Zeilen geliefert, 49 übernommen, 3 in Quarantäne, 4 Befunde."
    )


def test_unknown_and_missing_optional_columns_are_notices(dirs):
    rows = sample_rows()
    files = csv_files(rows)
    text = files["personal.csv"].decode().splitlines()
    header, body = text[0], text[1:]
    files["personal.csv"] = (
        "\n".join(
            [header.replace(";besetzt_seit", "") + ";Bemerkung"]
            + [";".join(line.split(";")[:-1]) + ";intern" for line in body]
        )
        + "\n"
    ).encode()
    parsed = deliver(dirs, with_manifest(files, created="2025-10-20T09:12:00"))
    assert parsed.status is Status.ACCEPTED_WITH_NOTICES
    findings = read_findings(parsed)
    assert findings[["regel", "ergebnis", "meldung"]].values.tolist() == [
        [
            "MANIFEST_ZEITZONE",
            "HINWEIS",
            "manifest.json: „erstellt_am“ = „2025-10-20T09:12:00“ hat keine Zeitzone; es wird deutsche "
            "Ortszeit angenommen.",
        ],
        [
            "SPALTE_UNBEKANNT",
            "HINWEIS",
            "personal.csv, Spalte 7 „Bemerkung“: Die Spalte gehört nicht zum Datenvertrag und wird nicht "
            "übernommen.",
        ],
        [
            "SPALTE_FEHLT",
            "HINWEIS",
            "personal.csv: Die Spalte „besetzt_seit“ fehlt; ihre Werte gelten als leer.",
        ],
    ]
    assert parsed.erstellt_am.isoformat() == "2025-10-20T09:12:00+02:00"
    staged = read_valid_rows(parsed, parsed.files[2])
    assert "bemerkung" not in staged.columns and staged["besetzt_seit"].isna().all()


def _manifest_of(files: dict[str, bytes], **fields) -> dict[str, bytes]:
    return {
        **files,
        "manifest.json": manifest_bytes({k: v for k, v in files.items() if k != "manifest.json"}, **fields),
    }


def _rejection_cases():
    def base():
        return csv_files(sample_rows())

    def too_many_invalid():
        rows = sample_rows()
        rows["personal"][0]["bewilligt_vzae"] = "eins"
        return with_manifest(csv_files(rows))

    def checksum():
        files = with_manifest(base())
        files["faelle.csv"] += b"KF-9;KP-9;KOMMUNE;;2024-01-01;2024-01-02;;;1990;W;SYR;;DULDUNG;SGB2;ARBEIT\n"
        return files

    def identifier():
        files = base()
        lines = files["faelle.csv"].decode().splitlines()
        lines[0] += ";Nachname"
        lines[1:] = [line + ";Muster" for line in lines[1:]]
        lines[2] = lines[2].replace("1999", "neunzehn")  # a bad cell that must not even be reported
        files["faelle.csv"] = ("\n".join(lines) + "\n").encode()
        return with_manifest(files)

    def missing_column():
        rows = sample_rows()
        files = base()
        style = CsvStyle()
        text = render_csv("ereignisse", rows["ereignisse"], style).decode().splitlines()
        files["ereignisse.csv"] = (
            "\n".join(";".join(line.split(";")[:2] + line.split(";")[3:]) for line in text) + "\n"
        ).encode()
        return with_manifest(files)

    def mandatory_file():
        files = base()
        del files["personal.csv"]
        return with_manifest(files)

    def unreadable():
        files = base()
        files["aufenthalt.csv"] = b"verfahren;antraege_eingang\nP25B;\x81\n"
        return with_manifest(files)

    def unlisted():
        files = with_manifest(base())
        files["notizen.txt"] = b"bitte anrufen"
        return files

    def listed_missing():
        files = with_manifest(base())
        del files["lenkungsgruppe.csv"]
        return files

    def subfolder():
        files = base()
        files["daten/finanzen.csv"] = files.pop("finanzen.csv")
        return with_manifest(files)

    return {
        "manifest_missing": (
            lambda: base(),
            "MANIFEST_FEHLT",
            "Das Paket enthält keine manifest.json.",
        ),
        "manifest_not_json": (
            lambda: {**base(), "manifest.json": b'{"ags": "05111",}'},
            "MANIFEST_UNGUELTIG",
            "manifest.json, Zeile 1, Spalte 17: kein gültiges JSON (Expecting property name enclosed in "
            "double quotes).",
        ),
        "manifest_field_missing": (
            lambda: _manifest_of(base(), quellsystem=None),
            "MANIFEST_FELD_FEHLT",
            "manifest.json: Die Angabe „quellsystem“ fehlt.",
        ),
        "manifest_time_invalid": (
            lambda: _manifest_of(base(), erstellt_am="20.10.2025"),
            "MANIFEST_FELD_UNGUELTIG",
            "manifest.json: Die Angabe „erstellt_am“ ist ungültig („20.10.2025“ ist kein Zeitpunkt wie "
            "2025-10-20T09:12:00+02:00).",
        ),
        "manifest_other_unit": (
            lambda: _manifest_of(base(), ags="05112"),
            "MANIFEST_AGS",
            "manifest.json: ags „05112“ passt nicht zum Ablageort des Pakets (Kommune 05111).",
        ),
        "manifest_other_quarter": (
            lambda: _manifest_of(base(), quarter="2025-Q2"),
            "MANIFEST_QUARTAL",
            "manifest.json: berichtsquartal „2025-Q2“ passt nicht zum Ablageort des Pakets (Quartal "
            "2025-Q3).",
        ),
        "listed_file_missing": (
            listed_missing,
            "DATEI_FEHLT_IM_PAKET",
            "Die manifest.json führt „lenkungsgruppe.csv“ auf, die Datei fehlt aber im Paket.",
        ),
        "checksum_mismatch": (checksum, "PRUEFSUMME", None),
        "unlisted_file": (
            unlisted,
            "DATEI_NICHT_IM_MANIFEST",
            "„notizen.txt“ ist im Paket, aber nicht in der manifest.json aufgeführt.",
        ),
        "file_in_subfolder": (
            subfolder,
            "PAKETAUFBAU",
            "„daten/finanzen.csv“ liegt in einem Unterordner; alle Dateien gehören auf die oberste Ebene "
            "des Pakets.",
        ),
        "mandatory_file_missing": (
            mandatory_file,
            "PFLICHTDATEI_FEHLT",
            "Die Pflichtdatei personal.csv fehlt im Paket.",
        ),
        "file_unreadable": (
            unreadable,
            "DATEI_UNLESBAR",
            "aufenthalt.csv: Zeile 2, Byte 33 (Wert 0x81) ist weder in UTF-8 noch in Windows-1252 ein "
            "gültiges Zeichen.",
        ),
        "identifier_column": (
            identifier,
            "IDENTIFIKATOR_SPALTE",
            "faelle.csv, Spalte 16 „Nachname“: Spalten mit direkt identifizierenden Angaben (Name, "
            "Geburtsdatum, Anschrift, Kontakt- oder Kontodaten) sind nicht erlaubt. Das Paket wird "
            "abgelehnt, ohne Daten zu übernehmen; bitte die Spalte entfernen und erneut liefern.",
        ),
        "mandatory_column_missing": (
            missing_column,
            "PFLICHTSPALTE_FEHLT",
            "ereignisse.csv: Die Pflichtspalte „ereignis“ fehlt.",
        ),
        "more_than_ten_percent_invalid": (
            too_many_invalid,
            "ANTEIL_UNGUELTIG",
            "personal.csv: 1 von 2 Zeilen (50,0 %) sind ungültig; erlaubt sind höchstens 10,0 %. Die "
            "einzelnen Befunde sind aufgeführt.",
        ),
    }


REJECTIONS = _rejection_cases()


@pytest.mark.parametrize("case", list(REJECTIONS))
def test_each_rejection_rule_rejects_the_whole_package(dirs, case):
    build, rule, message = REJECTIONS[case]
    parsed = deliver(dirs, build())
    assert parsed.status is Status.REJECTED
    findings = read_findings(parsed)
    rejections = findings[findings["ergebnis"] == "PAKET_ABGELEHNT"]
    assert rule in set(rejections["regel"]), findings[["regel", "meldung"]].values.tolist()
    if message is not None:
        assert message in rejections["meldung"].tolist()
    assert parsed.rows_loaded == parsed.rows_quarantined == 0
    assert not any(file.staged for file in parsed.files)
    assert sorted(path.name for path in parsed.staging_dir.iterdir()) == ["befunde.parquet", "paket.json"]
    assert findings["rohwerte"].isna().all()
    assert parsed.summary_german().startswith(f"Paket {parsed.paket_id[:12]} (05111, 2025-Q3): ABGELEHNT – ")


def test_a_checksum_mismatch_names_the_file_and_both_sums(dirs):
    parsed = deliver(dirs, REJECTIONS["checksum_mismatch"][0]())
    message = read_findings(parsed).set_index("regel").loc["PRUEFSUMME", "meldung"]
    assert message.startswith(
        "faelle.csv: Die Prüfsumme (SHA-256) stimmt nicht mit der manifest.json überein"
    )


def test_an_identifier_column_stops_every_row_check(dirs):
    parsed = deliver(dirs, REJECTIONS["identifier_column"][0]())
    findings = read_findings(parsed)
    assert findings["regel"].tolist() == ["IDENTIFIKATOR_SPALTE"]
    assert findings["zeile"].isna().all()


def test_row_findings_of_a_rejected_package_are_reported_without_raw_values(dirs):
    parsed = deliver(dirs, REJECTIONS["more_than_ten_percent_invalid"][0]())
    findings = read_findings(parsed)
    row_findings = findings[findings["zeile"].notna()]
    assert row_findings[["datei", "zeile", "regel", "ergebnis"]].values.tolist() == [
        ["personal.csv", 2, "TYP_DEZIMAL", "PAKET_ABGELEHNT"]
    ]
    assert parsed.files[2].rows_delivered == 2


def test_a_corrupt_zip_is_rejected(dirs):
    path = dirs.landing / "05111" / "2025-Q3.zip"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 abgeschnitten")
    parsed = dirs.parse_only_package()
    assert parsed.status is Status.REJECTED
    assert read_findings(parsed)["regel"].tolist() == ["PAKET_UNLESBAR"]
    assert parsed.files == ()


def test_a_member_that_unpacks_too_large_is_refused_without_reading_it_whole(dirs, monkeypatch):
    """A zip bomb: the limit is lowered so the test needs no gigabytes; the mechanism is the same."""
    monkeypatch.setattr("pipelines.ingest.reading.MAX_MEMBER_BYTES", 2_000)
    rows = sample_rows()
    rows["ereignisse"] = rows["ereignisse"] * 40  # ≈ 7 KiB, compresses to a few hundred bytes
    write_zip(dirs.landing, with_manifest(csv_files(rows)))
    parsed = dirs.parse_only_package()
    assert parsed.status is Status.REJECTED
    findings = read_findings(parsed)
    too_large = findings[findings["regel"] == "DATEI_ZU_GROSS"]
    assert too_large["datei"].tolist() == ["ereignisse.csv"]
    assert (
        too_large["meldung"]
        .iloc[0]
        .startswith("ereignisse.csv: Die Datei ist entpackt mindestens 7 KiB groß")
    )
    assert "erlaubt sind höchstens 2 KiB je Datei" in too_large["meldung"].iloc[0]


def _workbook_with(
    rows: dict[str, list[dict[str, str]]], extra_sheet: list[list[str]] | None = None
) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(workbook_files(rows)["kim_2025_q3.xlsx"]))
    if extra_sheet is not None:
        sheet = book.create_sheet("Erläuterungen")
        for row in extra_sheet:
            sheet.append(row)
    book.create_sheet("Tabelle1")  # empty sheets are ignored silently
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_sheet_outside_the_contract_is_a_notice(dirs):
    files = {"kim_2025_q3.xlsx": _workbook_with(sample_rows(), [["Hinweis"], ["Zahlen vorläufig"]])}
    parsed = deliver(dirs, with_manifest(files))
    assert parsed.status is Status.ACCEPTED_WITH_NOTICES
    assert read_findings(parsed)[["regel", "meldung"]].values.tolist() == [
        [
            "BLATT_UNBEKANNT",
            "kim_2025_q3.xlsx: Das Blatt „Erläuterungen“ gehört nicht zum Datenvertrag und wird nicht "
            "übernommen.",
        ]
    ]
    checksum = json.loads(with_manifest(files)["manifest.json"])["dateien"]["kim_2025_q3.xlsx"]
    assert {(file.encoding, file.delimiter, file.sha256) for file in parsed.files} == {
        ("xlsx", None, checksum)
    }


def test_a_workbook_without_a_mandatory_sheet_is_rejected(dirs):
    rows = sample_rows()
    del rows["personal"]
    parsed = deliver(dirs, with_manifest({"kim_2025_q3.xlsx": _workbook_with(rows)}))
    assert parsed.rejection_reasons == ("Die Pflichtdatei personal.csv fehlt im Paket.",)


def test_a_workbook_and_csv_files_together_are_rejected(dirs):
    files = dict(workbook_files(sample_rows()), **{"faelle.csv": csv_files(sample_rows())["faelle.csv"]})
    parsed = deliver(dirs, with_manifest(files))
    assert parsed.status is Status.REJECTED
    assert parsed.rejection_reasons == (
        "Das Paket enthält sowohl die Arbeitsmappe „kim_2025_q3.xlsx“ als auch CSV-Dateien; erlaubt ist "
        "entweder das eine oder das andere.",
    )


def test_parsing_the_same_package_twice_gives_identical_output(dirs):
    rows = sample_rows()
    rows["faelle"] = faelle_rows(30)
    rows["faelle"][3]["geschlecht"] = "?"
    write_zip(dirs.landing, with_manifest(csv_files(rows)))
    first = dirs.parse_only_package()
    snapshot = {path.name: path.read_bytes() for path in first.staging_dir.iterdir()}
    second = dirs.parse_only_package()
    assert second == first
    assert {path.name: path.read_bytes() for path in second.staging_dir.iterdir()} == snapshot


def test_findings_of_a_later_validator_move_rows_into_the_quarantine(dirs):
    rows = sample_rows()
    rows["faelle"] = faelle_rows(30)
    rows["faelle"][3]["geschlecht"] = "?"
    parsed = deliver(dirs, with_manifest(csv_files(rows)))
    assert parsed.files[0].rows_quarantined == 1
    extra = pd.DataFrame(
        {
            "datei": ["faelle.csv", "faelle.csv"],
            "zeile": [8, 5],
            "spalte": ["abschluss_am", "geschlecht"],
            "regel": ["DATUM_REIHENFOLGE", "PLAUSIBILITAET"],
            "meldung": [
                "faelle.csv, Zeile 8: Abschluss vor Aufnahme.",
                "faelle.csv, Zeile 5: zweiter Befund.",
            ],
        }
    )
    updated = quarantine_rows(parsed, extra)
    faelle = updated.files[0]
    assert (faelle.rows_delivered, faelle.rows_loaded, faelle.rows_quarantined) == (30, 28, 2)
    findings = read_findings(updated)
    moved = findings[findings["regel"] == "DATUM_REIHENFOLGE"].iloc[0]
    assert moved["ergebnis"] == "ZEILE_QUARANTAENE"
    assert json.loads(moved["rohwerte"])["fall_id"] == rekey_value("KF-0006", "05111", SECRET)
    assert json.loads(moved["rohwerte"])["aufnahme_am"] == "2024-02-10"
    assert 8 not in set(read_valid_rows(updated, faelle)["zeile"])
    assert quarantine_rows(updated, extra) == updated
    assert len(read_findings(updated)) == len(findings)

    everything = pd.DataFrame(
        {"datei": "faelle.csv", "zeile": range(2, 12), "spalte": "fall_id", "regel": "X", "meldung": "x"}
    )
    rejected = quarantine_rows(updated, everything)
    assert rejected.status is Status.REJECTED
    assert rejected.rows_loaded == 0
    assert "faelle.csv: 10 von 30 Zeilen (33,3 %) sind ungültig" in rejected.rejection_reasons[0]


def test_notices_of_a_later_validator_keep_their_rows_loaded(dirs):
    rows = sample_rows()
    rows["faelle"] = faelle_rows(30)
    parsed = deliver(dirs, with_manifest(csv_files(rows)))
    assert parsed.status is Status.ACCEPTED
    findings = pd.DataFrame(
        {
            "datei": ["ereignisse.csv", "faelle.csv"],
            "zeile": [3, 9],
            "spalte": ["fall_id", "abschluss_am"],
            "regel": ["DUPLIKAT", "DATUM_REIHENFOLGE"],
            "meldung": [
                "ereignisse.csv, Zeile 3: doppelt geliefert.",
                "faelle.csv, Zeile 9: Abschluss vor Aufnahme.",
            ],
            "ergebnis": ["HINWEIS", "ZEILE_QUARANTAENE"],
        }
    )
    updated = quarantine_rows(parsed, findings)
    ereignisse = next(file for file in updated.files if file.name == "ereignisse.csv")
    faelle = next(file for file in updated.files if file.name == "faelle.csv")
    assert (ereignisse.rows_loaded, ereignisse.rows_quarantined) == (ereignisse.rows_delivered, 0)
    assert (faelle.rows_loaded, faelle.rows_quarantined) == (29, 1)
    assert updated.status is Status.ACCEPTED_WITH_NOTICES
    recorded = read_findings(updated).set_index("regel")
    assert recorded.loc["DUPLIKAT", "ergebnis"] == "HINWEIS" and recorded.loc["DUPLIKAT", "zeile"] == 3
    assert 3 in set(read_valid_rows(updated, ereignisse)["zeile"])
    # Idempotent, notices included.
    assert quarantine_rows(updated, findings) == updated
    assert len(read_findings(quarantine_rows(updated, findings))) == 2
    with pytest.raises(ValueError, match="only quarantine or notice"):
        quarantine_rows(updated, findings.assign(ergebnis="PAKET_ABGELEHNT"))


def test_a_zip_with_macos_artefacts_reads_like_a_clean_one(dirs, canonical):
    files = with_manifest(csv_files(sample_rows()))
    path = dirs.landing / "05111" / "2025-Q3.zip"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("__MACOSX/._faelle.csv", b"\x00\x05")
        archive.writestr(".DS_Store", b"\x00")
    parsed = dirs.parse_only_package()
    assert parsed.status is Status.ACCEPTED
    assert sorted(staged_tables(parsed)) == sorted(f"{name}.csv" for name in CONTRACT_FILES)


@pytest.mark.parametrize("member", ["../faelle.csv", "/etc/faelle.csv", "..\\faelle.csv"])
def test_a_zip_member_pointing_out_of_the_package_rejects_it(dirs, member):
    files = with_manifest(csv_files(sample_rows()))
    path = dirs.landing / "05111" / "2025-Q3.zip"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(member, files["faelle.csv"])
    parsed = dirs.parse_only_package()
    assert parsed.status is Status.REJECTED
    layout = read_findings(parsed).query("regel == 'PAKETAUFBAU'")
    assert "zeigt aus dem Paket heraus" in layout["meldung"].iloc[0]


# --- many packages parsed together ---------------------------------------------------------------------------


def _unit_package(landing, ags: str, rows, files_of, shape: str = "folder") -> None:
    # The files are made once: a workbook made twice may differ in its embedded creation time, and the manifest's
    # checksum would then not match the delivered file.
    files = files_of(rows)
    (write_zip if shape == "zip" else write_folder)(
        landing, {"manifest.json": manifest_bytes(files, ags=ags), **files}, ags=ags
    )


def test_packages_parsed_together_give_what_each_gives_alone(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """The cells of many packages are typed in one pass per contract file; each package must still get exactly
    its own rows, findings (with its own file name and lines in the messages) and status."""
    clean = sample_rows()
    broken = sample_rows()
    # one bad row of 40: quarantined, the package stays accepted
    broken["faelle"] += [dict(broken["faelle"][0], fall_id=f"KF-X-{index:02d}") for index in range(30)]
    broken["faelle"][1].update(geschlecht="Q", geburtsjahr="neunzehnhundert")
    # German notation: decimal commas and thousands points are decided per delivery, never across packages.
    german = CsvStyle("cp1252", ";", "\r\n", german_dates=True, german_numbers=True)
    deliveries = {
        "05111": (clean, lambda rows: csv_files(rows), "folder"),
        "05112": (broken, lambda rows: csv_files(rows, german), "zip"),
        "05113": (broken, lambda rows: workbook_files(rows, native_cells=False), "folder"),
        "05114": (clean, lambda rows: csv_files(rows, CsvStyle("utf-8-sig", ",", "\r\n")), "folder"),
    }
    together, alone = DataDirs.under(tmp_path / "together"), DataDirs.under(tmp_path / "alone")
    for ags, (rows, files_of, shape) in deliveries.items():
        _unit_package(together.landing, ags, rows, files_of, shape)
    refs = [together.only_package(ags) for ags in deliveries]
    archived = [(archive_package(ref, together.archive), ref) for ref in refs]

    conversions = []
    monkeypatch.setattr(
        parse_module,
        "convert_table",
        lambda values, *args: conversions.append(len(values)) or convert_table(values, *args),
    )
    parsed_together = parse_packages(archived, SECRET, together.staging)
    # one conversion per contract file for all four packages, except the files of decimal columns (per package)
    per_package = [file for file in CONTRACT_FILES.values() if not converts_cell_by_cell(file)]
    assert len(conversions) == len(CONTRACT_FILES) - len(per_package) + len(per_package) * len(deliveries)
    parsed_alone = [parse_package(path, ref, SECRET, alone.staging) for path, ref in archived]

    assert not any(isinstance(package, Exception) for package in parsed_together)
    assert [package.status for package in parsed_together] == [
        Status.ACCEPTED,
        Status.ACCEPTED_WITH_NOTICES,
        Status.ACCEPTED_WITH_NOTICES,
        Status.ACCEPTED,
    ]
    for joint, single in zip(parsed_together, parsed_alone, strict=True):
        assert replace(joint, staging_dir=single.staging_dir) == single
        pd.testing.assert_frame_equal(read_findings(joint), read_findings(single))
        for name, rows in staged_tables(single).items():
            pd.testing.assert_frame_equal(staged_tables(joint)[name], rows)
    # Each package carries its own rows only (not views of the whole batch's buffers): what travels from the
    # parse worker to the pipeline is as large as for packages parsed alone.
    assert len(pickle.dumps(parsed_together)) < 1.2 * len(pickle.dumps(parsed_alone))
    messages = read_findings(parsed_together[2])["meldung"].tolist()
    assert any(message.startswith("kim_2025_q3.xlsx") and "Zeile" in message for message in messages)
