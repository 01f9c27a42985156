"""Every rule of `lenkungsgruppe.csv`: meetings within the quarter, once per day, decisions counted ≥ 0."""

from __future__ import annotations

import pytest
from expectation_frames import (
    Case,
    Expected,
    assert_case,
    case,
    clean_frames,
    parameters,
    required_cases,
    validate_each,
)

from expectations import validate_package
from pipelines.contract.codes import codes

DATEI = "lenkungsgruppe.csv"
BASE = {"sitzung_am": "2025-08-20", "institutionen": "KOMMUNE|WOHLFAHRT", "beschluesse": 2}

CASES: list[Case] = [
    *required_cases("lenkungsgruppe"),
    case(
        "institution_unbekannt",
        {"institutionen": "KOMMUNE|SPORTVEREIN"},
        Expected("institutionen", "CODELISTE", teile=("„KOMMUNE|SPORTVEREIN“", "„institution“")),
    ),
    case(
        "institutionen_leeres_element", {"institutionen": "KOMMUNE|"}, Expected("institutionen", "CODELISTE")
    ),
    case("institutionen_leerer_text", {"institutionen": ""}, Expected("institutionen", "CODELISTE")),
    case("alle_institutionen", {"institutionen": "|".join(codes("institution"))}),
    case(
        "sitzung_vor_dem_quartal",
        {"sitzung_am": "2025-06-30"},
        Expected("sitzung_am", "ZEITRAUM", teile=("30.06.2025", "2025-Q3", "01.07.2025 bis 30.09.2025")),
    ),
    case("sitzung_am_quartalsbeginn", {"sitzung_am": "2025-07-01"}),
    case("sitzung_am_quartalsende", {"sitzung_am": "2025-09-30"}),
    case("sitzung_nach_dem_quartal", {"sitzung_am": "2025-10-01"}, Expected("sitzung_am", "ZEITRAUM")),
    Case(
        "sitzung_doppelt",
        ({}, {"beschluesse": 5}),
        (Expected("sitzung_am", "DUPLIKAT", teile=("20.08.2025", "Zeilen 2 und 3")),),
    ),
    Case("zwei_sitzungen", ({}, {"sitzung_am": "2025-09-18"})),
    case("beschluesse_negativ", {"beschluesse": -1}, Expected("beschluesse", "WERTEBEREICH", teile=("-1",))),
    case("keine_beschluesse", {"beschluesse": 0}),
]


@pytest.fixture(scope="module")
def validated():
    return validate_each("lenkungsgruppe", BASE, CASES, parameters())


@pytest.mark.parametrize("item", CASES, ids=[item.name for item in CASES])
def test_rule(validated, item):
    outcome, lines = validated[item.name]
    assert_case(outcome, DATEI, item, lines)


def test_clean_rows_have_no_finding():
    outcome = validate_package({"lenkungsgruppe": clean_frames()["lenkungsgruppe"]}, parameters())
    assert not len(outcome.findings)
