"""The defect corpus as files (no pipeline): deterministic, complete, placed beside an unchanged clean landing
zone, and each defect package the clean package with exactly the intended edits."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from defect_corpus import FIRST, LAST, SEED, STICHTAG, Corpus, generate_corpus
from package_contents import MANIFEST, contract_sheets, members, normalise

from pipelines.contract.findings import Rule
from pipelines.contract.schema import CONTRACT_FILES
from pipelines.generator.defects import DEFECT_KINDS
from pipelines.generator.run import MARKER_FILENAME
from pipelines.ingest.packages import find_packages

# Every class of defect the corpus must contain, with the kinds that stand for it.
CLASSES = {
    "Zeichenkodierung": {"KODIERUNG_UNGUELTIGES_BYTE", "KODIERUNG_UTF16", "KODIERUNG_GEMISCHT"},
    "Anführungszeichen": {"ANFUEHRUNGSZEICHEN_OFFEN"},
    "Pflichtspalte fehlt": {"FAELLE_PFLICHTSPALTE_FEHLT"},
    "Pflichtdatei fehlt": {"PFLICHTDATEI_FEHLT", "XLSX_PFLICHTBLATT_FEHLT"},
    "Identifikator-Spalte": {"FAELLE_SPALTE_GEBURTSDATUM", "PERSONAL_SPALTE_NAME"},
    "Manifest": {
        "MANIFEST_AGS_FREMD",
        "MANIFEST_QUARTAL_FALSCH",
        "MANIFEST_PRUEFSUMME_FALSCH",
        "MANIFEST_FEHLT",
        "MANIFEST_KEIN_JSON",
        "MANIFEST_DATEI_FEHLT",
    },
    "unbekannter Code": {"FAELLE_CODE_UNBEKANNT"},
    "unmögliches Datum": {"EREIGNIS_DATUM_UNMOEGLICH"},
    "Datumsreihenfolge": {
        "FAELLE_ABSCHLUSS_VOR_AUFNAHME",
        "FAELLE_ERSTKONTAKT_NACH_AUFNAHME",
        "STRUKTURTHEMA_DATEN_REIHENFOLGE",
        "EREIGNIS_VOR_AUFNAHME",
    },
    "Abschlussgrund genau bei Abschlussdatum": {
        "FAELLE_ABSCHLUSSGRUND_OHNE_ABSCHLUSS",
        "FAELLE_ABSCHLUSS_OHNE_ABSCHLUSSGRUND",
    },
    "Rechtskreiswechsel": {"EREIGNIS_RECHTSKREISWECHSEL_OHNE_RECHTSKREISE", "EREIGNIS_RECHTSKREIS_GLEICH"},
    "Übergabe ohne Stelle": {"EREIGNIS_UEBERGABE_OHNE_STELLE"},
    "Duplikate": {"FAELLE_FALL_DOPPELT", "PERSONAL_STELLE_DOPPELT", "FINANZEN_JAHR_BAUSTEIN_DOPPELT"},
    "unbekannter Fall": {"EREIGNIS_FALL_UNBEKANNT"},
    "Beträge": {
        "FINANZEN_ABGERUFEN_UEBER_BEWILLIGT",
        "FINANZEN_VERAUSGABT_UEBER_ABGERUFEN",
        "FINANZEN_BEWILLIGT_NEGATIV",
    },
    "Stellen": {
        "PERSONAL_BESETZT_UEBER_BEWILLIGT",
        "PERSONAL_BESETZT_OHNE_DATUM",
        "PERSONAL_BEWILLIGT_UEBER_EINS",
    },
    "Themenstatus": {"STRUKTURTHEMA_STATUS_WIDERSPRICHT_DATEN"},
    "Sitzung außerhalb des Quartals": {"LENKUNGSGRUPPE_SITZUNG_AUSSERHALB"},
    "negative Anzahl": {"AUFENTHALT_ANZAHL_NEGATIV"},
    "fremde Gemeinde": {"FAELLE_GEMEINDE_FREMD"},
    "Feldanzahl": {"FAELLE_FELDANZAHL"},
    "mehr als 10 % ungültig": {"FAELLE_ANTEIL_UNGUELTIG"},
    "leere Datei": {"DATEI_LEER", "LENKUNGSGRUPPE_NUR_KOPFZEILE"},
    "Arbeitsmappe": {"XLSX_PFLICHTBLATT_FEHLT", "XLSX_BLATT_UNBEKANNT", "XLSX_GEBURTSJAHR_TEXT"},
    "ZIP-Aufbau": {"ZIP_PFAD_AUSSERHALB", "ZIP_UNTERORDNER"},
    "unbekannte Spalte": {"PERSONAL_SPALTE_UNBEKANNT"},
    "Idempotenz": {"PAKET_DOPPELT_IDENTISCH"},
}
# Every rule a package can be rejected or a row quarantined for, except reader defects (TYP_SPALTE) and rules
# about packages the generator cannot produce by editing a clean one (duplicate sheets, unknown files, …).
COVERED_RULES = {
    Rule.MANIFEST_MISSING,
    Rule.MANIFEST_INVALID,
    Rule.MANIFEST_AGS,
    Rule.MANIFEST_QUARTER,
    Rule.CHECKSUM,
    Rule.LISTED_FILE_MISSING,
    Rule.PACKAGE_LAYOUT,
    Rule.MANDATORY_FILE_MISSING,
    Rule.FILE_UNREADABLE,
    Rule.IDENTIFIER_COLUMN,
    Rule.MANDATORY_COLUMN_MISSING,
    Rule.UNKNOWN_COLUMN,
    Rule.UNKNOWN_SHEET,
    Rule.TOO_MANY_INVALID_ROWS,
    Rule.FIELD_COUNT,
    Rule.REQUIRED,
    Rule.DATE,
    Rule.MONTH,
    Rule.INTEGER,
    Rule.DECIMAL,
    Rule.CODE_LIST,
    Rule.LENGTH,
    Rule.RANGE,
    Rule.PERIOD,
    Rule.DATE_ORDER,
    Rule.CONDITIONAL_REQUIRED,
    Rule.SAME_RECHTSKREIS,
    Rule.FILLED_OVER_GRANTED,
    Rule.AMOUNTS_INCONSISTENT,
    Rule.THEME_STATUS,
    Rule.DUPLICATE,
    Rule.UNKNOWN_CASE,
    Rule.FOREIGN_GEMEINDE,
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    return generate_corpus(tmp_path_factory.mktemp("fehlerkorpus"), defects=True)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Corpus:
    return generate_corpus(tmp_path_factory.mktemp("sauber"), defects=False)


def _files(root: Path) -> dict[str, tuple[bytes, float]]:
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_the_same_corpus_byte_for_byte(corpus, tmp_path):
    again = generate_corpus(tmp_path, defects=True)
    first, second = _files(corpus.landing), _files(again.landing)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name][0] != second[name][0]] == []
    assert [name for name in first if first[name][1] != second[name][1] and name != MARKER_FILENAME] == []
    assert (corpus.root / "defects.json").read_bytes() == (again.root / "defects.json").read_bytes()


def test_at_least_30_distinct_kinds_with_stable_ids(corpus):
    ids = [entry["id"] for entry in corpus.defects]
    assert len(ids) == len(set(ids)) >= 30
    assert ids == [kind.id for kind in DEFECT_KINDS]
    assert all(identifier.isupper() and identifier.replace("_", "").isalnum() for identifier in ids)
    assert all(entry["beschreibung"] and entry["ags"] and entry["pfad"] for entry in corpus.defects)


@pytest.mark.parametrize("defect_class", sorted(CLASSES))
def test_every_class_of_defect_is_in_the_corpus(corpus, defect_class):
    assert CLASSES[defect_class] <= {entry["id"] for entry in corpus.defects}


def test_every_contract_file_rule_outcome_and_physical_variant_is_covered(corpus):
    entries = corpus.defects
    files = {entry["datei"] for entry in entries}
    assert {file.filename for file in CONTRACT_FILES.values()} <= files
    assert {rule.value for rule in COVERED_RULES} <= {rule for entry in entries for rule in entry["regeln"]}
    assert {entry["ergebnis"] for entry in entries} == {
        "PAKET_ABGELEHNT",
        "ZEILE_QUARANTAENE",
        "HINWEIS",
        None,
    }
    assert {entry["platzierung"] for entry in entries} == {
        "FRUEHERE_FASSUNG",
        "SPAETERE_KORREKTUR",
        "GLEICHE_FASSUNG",
    }
    assert {entry["paketform"] for entry in entries} == {"ORDNER_CSV", "ZIP_CSV", "ORDNER_XLSX"}
    assert {entry["zeichenkodierung"] for entry in entries} >= {"utf-8", "utf-8-sig", "cp1252", "xlsx"}
    assert {entry["trennzeichen"] for entry in entries} >= {";", ","}
    # spread over the units: no unit hosts more than two defects
    per_unit = [sum(entry["ags"] == ags for entry in entries) for ags in {entry["ags"] for entry in entries}]
    assert max(per_unit) <= 2 and len(per_unit) >= 40


def test_clean_landing_zone_is_byte_identical_to_a_run_without_defects(corpus, clean):
    with_defects, without = _files(corpus.landing), _files(clean.landing)
    differing = [
        name for name in without if with_defects.get(name) != without[name] and name != MARKER_FILENAME
    ]
    assert differing == []
    extra = set(with_defects) - set(without)
    defect_paths = [entry["pfad"] for entry in corpus.defects]
    assert all(any(name == path or name.startswith(path + "/") for path in defect_paths) for name in extra)
    assert (corpus.root / "ground_truth.json").read_bytes() == (clean.root / "ground_truth.json").read_bytes()
    assert not (clean.root / "defects.json").exists()


def test_each_defect_takes_the_free_place_of_a_partition_with_one_clean_package(corpus, clean):
    clean_packages = {package["pfad"]: package for package in clean.truth["pakete"]}
    partitions = {}
    for package in clean.truth["pakete"]:
        partitions.setdefault((package["ags"], package["quartal"]), []).append(package)
    assert len({(entry["ags"], entry["quartal"]) for entry in corpus.defects}) == len(corpus.defects)
    for entry in corpus.defects:
        (only,) = partitions[entry["ags"], entry["quartal"]]
        assert only["pfad"] == entry["sauberes_paket"]["pfad"] and not only["ist_korrektur"], entry["id"]
        assert (only["pfad"].endswith(".zip")) != (entry["pfad"].endswith(".zip")), entry["id"]
        clean_package = clean_packages[only["pfad"]]
        created, arrival = (
            datetime.fromisoformat(entry["erstellt_am"]),
            datetime.fromisoformat(entry["eingegangen_am"]),
        )
        clean_created = datetime.fromisoformat(clean_package["erstellt_am"])
        clean_arrival = datetime.fromisoformat(clean_package["eingegangen_am"])
        quarter_end = datetime.fromisoformat(f"{_quarter_end(entry['quartal'])}T23:59:59+01:00")
        stichtag_end = datetime.fromisoformat(f"{STICHTAG.isoformat()}T23:59:59+01:00")
        assert quarter_end < created < arrival <= stichtag_end, entry["id"]
        expected_order = {
            "FRUEHERE_FASSUNG": created < clean_created and arrival < clean_arrival,
            "SPAETERE_KORREKTUR": created > clean_created and arrival > clean_arrival,
            "GLEICHE_FASSUNG": created == clean_created and arrival > clean_arrival,
        }
        assert expected_order[entry["platzierung"]], entry["id"]
        # the expected outcome decides the place: rejected packages never replace the clean one
        assert (entry["status"] == "ABGELEHNT") == (entry["platzierung"] == "SPAETERE_KORREKTUR"), entry["id"]
        path = corpus.landing / entry["pfad"]
        newest = max(p.stat().st_mtime for p in ([path] if path.is_file() else path.iterdir()))
        assert newest == arrival.timestamp(), entry["id"]


def _quarter_end(quarter: str) -> str:
    year, number = int(quarter[:4]), int(quarter[-1])
    return {1: f"{year}-03-31", 2: f"{year}-06-30", 3: f"{year}-09-30", 4: f"{year}-12-31"}[number]


def test_paket_ids_are_the_pipelines_content_ids(corpus):
    refs = {
        ref.path.relative_to(corpus.landing).as_posix(): ref.paket_id
        for ref in find_packages(corpus.landing).packages
    }
    assert {entry["pfad"]: entry["paket_id"] for entry in corpus.defects} == {
        entry["pfad"]: refs[entry["pfad"]] for entry in corpus.defects
    }


def test_manifests_are_consistent_except_where_the_defect_is_the_manifest(corpus):
    for entry in corpus.defects:
        files = members(corpus.landing / entry["pfad"])
        changes = entry["aenderungen"]["manifest"]
        if changes["fehlt"]:
            assert MANIFEST not in files, entry["id"]
            continue
        if changes["abgeschnitten"]:
            with pytest.raises(json.JSONDecodeError):
                json.loads(files[MANIFEST])
            continue
        manifest = json.loads(files[MANIFEST])
        expected_ags = changes["angaben"].get("ags", entry["ags"])
        expected_quarter = changes["angaben"].get("berichtsquartal", entry["quartal"])
        assert (manifest["ags"], manifest["berichtsquartal"]) == (expected_ags, expected_quarter), entry["id"]
        assert manifest["erstellt_am"] == entry["erstellt_am"], entry["id"]
        listed = manifest["dateien"]
        delivered = {name for name in files if name != MANIFEST and not name.startswith("../")}
        assert set(listed) == delivered | set(changes["gelistet_ohne_datei"]), entry["id"]
        for name, checksum in listed.items():
            if name in changes["gelistet_ohne_datei"]:
                continue
            matches = hashlib.sha256(files[name]).hexdigest() == checksum
            assert matches == (name not in changes["pruefsumme_veraltet"]), (entry["id"], name)


@pytest.mark.parametrize("kind", [kind.id for kind in DEFECT_KINDS])
def test_defect_package_differs_from_its_clean_package_only_where_intended(corpus, kind):
    (entry,) = [entry for entry in corpus.defects if entry["id"] == kind]
    formats = corpus.formats(entry["ags"])
    changes = entry["aenderungen"]
    defect_files = members(corpus.landing / entry["pfad"])
    clean_files = members(corpus.landing / entry["sauberes_paket"]["pfad"])
    if changes["manifest"]["fehlt"] is False and not changes["manifest"]["abgeschnitten"]:
        defect_manifest, clean_manifest = (
            json.loads(defect_files[MANIFEST]),
            json.loads(clean_files[MANIFEST]),
        )
        for field in ("dateien", "erstellt_am", *changes["manifest"]["angaben"]):
            defect_manifest.pop(field)
            clean_manifest.pop(field)
        assert defect_manifest == clean_manifest
    defect = contract_sheets(defect_files, formats, changes["kodierung"])
    original = contract_sheets(clean_files, formats)
    missing = {name.removesuffix(".csv") for name in changes["dateien_fehlen"] + changes["leer"]}
    assert set(defect) == set(original) - missing
    assert all(defect_files[name] == b"" for name in changes["leer"])
    extra = {name for name in defect_files if name not in clean_files and name != MANIFEST}
    expected_extra = set(changes["zusaetzliche_eintraege"])
    if entry["paketform"] == "ORDNER_XLSX" or entry["sauberes_paket"]["paketform"] == "ORDNER_XLSX":
        extra = {name for name in extra if not name.endswith((".xlsx", ".csv")) or "/" in name}
    assert extra == expected_extra
    for name, sheet in defect.items():
        filename = f"{name}.csv"
        before = original[name]
        added = {normalise(text) for text in changes["spalten_hinzugefuegt"].get(filename, [])}
        removed = set(changes["spalten_entfernt"].get(filename, []))
        assert sheet.columns == [c for c in before.columns if c not in removed] + [
            c for c in sheet.columns if c in added
        ]
        common = [column for column in before.columns if column not in removed]
        changed = set(changes["zeilen"].get(filename, []))
        if changes["zeilen_entfernt"].get(filename):
            assert sheet.rows == {} and len(before.rows) == changes["zeilen_entfernt"][filename]
            continue
        assert set(sheet.rows) == set(before.rows) | changed, filename
        for line, row in sheet.rows.items():
            same = (
                line in before.rows
                and all(row[c] == before.rows[line][c] for c in common)
                and "_ueberzaehlig" not in row
            )
            assert same == (line not in changed), (filename, line, row, before.rows.get(line))
    assert set(changes["zusaetzliche_blaetter"]) == {
        title for title in _sheet_titles(defect_files) if title not in CONTRACT_FILES
    }


def _sheet_titles(files: dict[str, bytes]) -> list[str]:
    import io

    import openpyxl

    workbooks = [data for name, data in files.items() if name.endswith(".xlsx")]
    if not workbooks:
        return []
    book = openpyxl.load_workbook(io.BytesIO(workbooks[0]), read_only=True)
    titles = book.sheetnames
    book.close()
    return titles


def test_quarantines_stay_well_under_10_percent_and_rejections_by_share_exceed_it(corpus):
    for entry in corpus.defects:
        if entry["ergebnis"] == "ZEILE_QUARANTAENE":
            counts = entry["dateien"][entry["datei"]]
            assert counts["quarantaene"] == len(entry["zeilen"]) <= 0.08 * counts["geliefert"], entry["id"]
        if "ANTEIL_UNGUELTIG" in entry["regeln"]:
            delivered = entry["dateien"][entry["datei"]]["geliefert"]
            assert len(entry["zeilen"]) > 0.1 * delivered, entry["id"]


def test_kim_generate_defects_prints_the_number_of_defect_packages(tmp_path, monkeypatch, capsys):
    from pipelines.cli import main

    monkeypatch.setenv("KIM_STICHTAG", STICHTAG.isoformat())
    landing = ["--out", str(tmp_path / "landing"), "--scale", "0.02", "--seed", str(SEED)]
    assert main(["generate", *landing, "--from", str(FIRST), "--to", str(LAST), "--defects"]) == 0
    output = capsys.readouterr().out
    assert (
        f"Fehlerkorpus: {len(DEFECT_KINDS)} fehlerhafte Lieferpakete ({len(DEFECT_KINDS)} Fehlerarten)"
        in output
    )
    assert str(tmp_path / "defects.json") in output
    # A later run without the option (one quarter is enough) must not leave the old corpus description behind.
    assert main(["generate", *landing, "--from", str(LAST), "--to", str(LAST)]) == 0
    assert "Fehlerkorpus" not in capsys.readouterr().out
    assert not (tmp_path / "defects.json").exists()
