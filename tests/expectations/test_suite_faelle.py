"""Every rule of `faelle.csv`: one case per rule (and boundary), validated together in one real GX run."""

from __future__ import annotations

import pytest
from expectation_frames import (
    Case,
    Expected,
    assert_case,
    case,
    clean_rows,
    code_cases,
    parameters,
    pseudonym,
    required_cases,
    validate_cases,
)

DATEI = "faelle.csv"
# Aufnahme 10.02.2024, Erstkontakt 03.02.2024, Einreise 05.2023, Geburtsjahr 1988, open.
BASE = clean_rows("faelle")[0]
CLOSED = {"abschluss_am": "2025-03-01", "abschlussgrund": "WEGZUG"}
DUPLICATE = pseudonym("doppelt")

CASES: list[Case] = [
    *required_cases("faelle"),
    *code_cases("faelle", {"bedarfe": "SPRACHE|KOCHEN"}, {"abschlussgrund": {"abschluss_am": "2025-03-01"}}),
    case("bedarfe_leeres_element", {"bedarfe": "SPRACHE||ARBEIT"}, Expected("bedarfe", "CODELISTE")),
    case("bedarfe_leerer_text", {"bedarfe": ""}, Expected("bedarfe", "CODELISTE")),
    case("bedarfe_ein_code", {"bedarfe": "SOZIALES"}),
    case(
        "gemeinde_zu_lang",
        {"gemeinde_ags": "051110001"},
        Expected("gemeinde_ags", "LAENGE", teile=("länger als 8 Zeichen",)),
        Expected("gemeinde_ags", "GEMEINDE_FREMD"),
    ),
    Case(
        "fall_id_doppelt",
        ({"fall_id": DUPLICATE}, {"fall_id": DUPLICATE, "person_id": pseudonym("andere Person")}),
        (
            Expected(
                "fall_id",
                "DUPLIKAT",
                teile=("mehrfach in der Datei (Zeilen ", " und ", "jeden Fall nur einmal"),
            ),
        ),
    ),
    case(
        "gemeinde_fremd",
        {"gemeinde_ags": "05112000"},
        Expected("gemeinde_ags", "GEMEINDE_FREMD", teile=("„05112000“", "Zuständigkeitsgebiet")),
    ),
    case("gemeinde_leer", {"gemeinde_ags": None}),
    case(
        "aufnahme_vor_2019",
        {"aufnahme_am": "2018-12-31", "erstkontakt_am": "2018-12-01", "einreise_monat": None},
        Expected("aufnahme_am", "WERTEBEREICH", teile=("31.12.2018", "01.01.2019")),
    ),
    case(
        "aufnahme_am_2019_01_01",
        {"aufnahme_am": "2019-01-01", "erstkontakt_am": "2018-12-01", "einreise_monat": None},
    ),
    case(
        "aufnahme_nach_quartalsende",
        {"aufnahme_am": "2025-10-01"},
        Expected("aufnahme_am", "ZEITRAUM", teile=("01.10.2025", "2025-Q3", "30.09.2025")),
    ),
    case("aufnahme_am_quartalsende", {"aufnahme_am": "2025-09-30"}),
    case(
        "abschluss_nach_quartalsende",
        {"abschluss_am": "2025-10-01", "abschlussgrund": "WEGZUG"},
        Expected("abschluss_am", "ZEITRAUM", teile=("01.10.2025", "30.09.2025", "noch offen")),
    ),
    case("abschluss_am_quartalsende", {"abschluss_am": "2025-09-30", "abschlussgrund": "WEGZUG"}),
    case(
        "geburtsjahr_vor_1930",
        {"geburtsjahr": 1929},
        Expected("geburtsjahr", "WERTEBEREICH", teile=("1929", "vor 1930")),
    ),
    case("geburtsjahr_1930", {"geburtsjahr": 1930}),
    case(
        "geburtsjahr_nach_aufnahmejahr",
        {"geburtsjahr": 2025},
        Expected("geburtsjahr", "WERTEBEREICH", teile=("Geburtsjahr 2025", "Aufnahme (10.02.2024)")),
    ),
    case("geburtsjahr_gleich_aufnahmejahr", {"geburtsjahr": 2024}),
    case(
        "erstkontakt_nach_aufnahme",
        {"erstkontakt_am": "2024-02-11"},
        Expected("erstkontakt_am", "DATUM_REIHENFOLGE", teile=("11.02.2024", "10.02.2024")),
    ),
    case("erstkontakt_gleich_aufnahme", {"erstkontakt_am": "2024-02-10"}),
    case(
        "abschluss_vor_aufnahme",
        {"abschluss_am": "2024-02-09", "abschlussgrund": "KONTAKTABBRUCH"},
        Expected(
            "abschluss_am",
            "DATUM_REIHENFOLGE",
            teile=(
                "Das Abschlussdatum 09.02.2024 liegt vor dem Aufnahmedatum 10.02.2024; bitte beide Daten prüfen.",
            ),
        ),
    ),
    case("abschluss_gleich_aufnahme", {"abschluss_am": "2024-02-10", "abschlussgrund": "KONTAKTABBRUCH"}),
    case(
        "einreise_nach_aufnahme",
        {"einreise_monat": "2024-03"},
        Expected("einreise_monat", "DATUM_REIHENFOLGE", teile=("03.2024", "10.02.2024")),
    ),
    case("einreise_im_aufnahmemonat", {"einreise_monat": "2024-02"}),
    case(
        "abschluss_ohne_grund",
        {"abschluss_am": "2025-03-01"},
        Expected("abschlussgrund", "BEDINGTE_ANGABE", teile=("01.03.2025", "Abschlussgrund fehlt")),
    ),
    case(
        "grund_ohne_abschluss",
        {"abschlussgrund": "ZIEL_ERREICHT"},
        Expected("abschlussgrund", "BEDINGTE_ANGABE", teile=("„ZIEL_ERREICHT“", "kein Abschlussdatum")),
    ),
    case("abgeschlossen_mit_grund", CLOSED),
]


@pytest.fixture(scope="module")
def validated():
    return validate_cases(
        "faelle", BASE, CASES, lambda name, index: {"fall_id": pseudonym(f"{name}/{index}")}, parameters()
    )


@pytest.mark.parametrize("item", CASES, ids=[item.name for item in CASES])
def test_rule(validated, item):
    outcome, lines = validated
    assert_case(outcome, DATEI, item, lines[item.name])


def test_clean_rows_have_no_finding(validated):
    outcome, _ = validated
    assert not len(outcome.findings[outcome.findings["zeile"].isin([2, 3, 4])])
