"""Every rule of `finanzen.csv`; each case is a file of its own (its key, Haushaltsjahr × Baustein, is the rule)."""

from __future__ import annotations

import pytest
from expectation_frames import (
    Case,
    Expected,
    assert_case,
    case,
    clean_frames,
    code_cases,
    parameters,
    required_cases,
    validate_each,
)

from expectations import validate_package

DATEI = "finanzen.csv"
BASE = {
    "haushaltsjahr": 2024,
    "baustein": 2,
    "bewilligt_eur": 98000,
    "abgerufen_eur": 45000,
    "verausgabt_eur": 44999.99,
}

CASES: list[Case] = [
    *required_cases("finanzen"),
    *code_cases("finanzen", {"baustein": 0}),
    Case(
        "schluessel_doppelt",
        ({}, {"bewilligt_eur": 99000}),
        (
            Expected(
                "haushaltsjahr", "DUPLIKAT", teile=("Haushaltsjahr 2024 und Baustein 2", "Zeilen 2 und 3")
            ),
        ),
    ),
    Case("gleiches_jahr_anderer_baustein", ({}, {"baustein": 3})),
    case(
        "haushaltsjahr_vor_2020",
        {"haushaltsjahr": 2019},
        Expected("haushaltsjahr", "WERTEBEREICH", teile=("2019", "2020", "(2025)")),
    ),
    case("haushaltsjahr_2020", {"haushaltsjahr": 2020}),
    case("haushaltsjahr_des_quartals", {"haushaltsjahr": 2025}),
    case("haushaltsjahr_nach_quartal", {"haushaltsjahr": 2026}, Expected("haushaltsjahr", "WERTEBEREICH")),
    case(
        "bewilligt_negativ",
        {"bewilligt_eur": -1, "abgerufen_eur": 0, "verausgabt_eur": 0},
        Expected("bewilligt_eur", "WERTEBEREICH", teile=("-1,00 €", "negativ")),
        Expected("abgerufen_eur", "BETRAEGE_INKONSISTENT"),
    ),
    case(
        "abgerufen_negativ",
        {"abgerufen_eur": -1, "verausgabt_eur": 0},
        Expected("abgerufen_eur", "WERTEBEREICH"),
        Expected("verausgabt_eur", "BETRAEGE_INKONSISTENT"),
    ),
    case(
        "verausgabt_negativ",
        {"verausgabt_eur": -0.01},
        Expected("verausgabt_eur", "WERTEBEREICH", teile=("-0,01 €",)),
    ),
    case("alles_null", {"bewilligt_eur": 0, "abgerufen_eur": 0, "verausgabt_eur": 0}),
    case(
        "abgerufen_ueber_bewilligt",
        {"abgerufen_eur": 98000.01},
        Expected(
            "abgerufen_eur", "BETRAEGE_INKONSISTENT", teile=("98.000,01 €", "bewilligten Betrag 98.000,00 €")
        ),
    ),
    case("abgerufen_gleich_bewilligt", {"abgerufen_eur": 98000}),
    case(
        "verausgabt_ueber_fuenf_prozent",
        {"verausgabt_eur": 47250.01},
        Expected(
            "verausgabt_eur",
            "BETRAEGE_INKONSISTENT",
            teile=("47.250,01 €", "abgerufenen Betrag 45.000,00 €", "höchstens 47.250,00 €"),
        ),
    ),
    case("verausgabt_genau_fuenf_prozent", {"verausgabt_eur": 47250.0}),
    # 15,20 × 1,05 is 15,959999… in binary floating point; the exact limit 15,96 must still pass.
    case("verausgabt_genau_fuenf_prozent_ungerade", {"abgerufen_eur": 15.2, "verausgabt_eur": 15.96}),
    case(
        "verausgabt_ein_cent_ueber_fuenf_prozent",
        {"abgerufen_eur": 15.2, "verausgabt_eur": 15.97},
        Expected("verausgabt_eur", "BETRAEGE_INKONSISTENT", teile=("höchstens 15,96 €",)),
    ),
]


@pytest.fixture(scope="module")
def validated():
    return validate_each("finanzen", BASE, CASES, parameters())


@pytest.mark.parametrize("item", CASES, ids=[item.name for item in CASES])
def test_rule(validated, item):
    outcome, lines = validated[item.name]
    assert_case(outcome, DATEI, item, lines)


def test_clean_rows_have_no_finding():
    outcome = validate_package({"finanzen": clean_frames()["finanzen"]}, parameters())
    assert not len(outcome.findings)
