"""Every rule of `aufenthalt.csv`: one row per procedure type, every count ≥ 0."""

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

DATEI = "aufenthalt.csv"
BASE = {
    "verfahren": "P25A",
    "antraege_eingang": 4,
    "entscheidungen_positiv": 2,
    "entscheidungen_negativ": 0,
    "anhaengig_quartalsende": 9,
    "bearbeitungsdauer_median_tage": 120,
}
COUNTS = (
    "antraege_eingang",
    "entscheidungen_positiv",
    "entscheidungen_negativ",
    "anhaengig_quartalsende",
    "bearbeitungsdauer_median_tage",
)

CASES: list[Case] = [
    *required_cases("aufenthalt"),
    *code_cases("aufenthalt", {"verfahren": "P23"}),
    Case(
        "verfahren_doppelt",
        ({}, {"antraege_eingang": 5}),
        (Expected("verfahren", "DUPLIKAT", teile=("„P25A“", "Zeilen 2 und 3")),),
    ),
    Case(
        "alle_verfahren",
        tuple({"verfahren": code} for code in ("P25A", "P25B", "P104C", "NIEDERLASSUNG", "EINBUERGERUNG")),
    ),
    *(
        case(f"{column}_negativ", {column: -1}, Expected(column, "WERTEBEREICH", teile=("-1", "negativ")))
        for column in COUNTS
    ),
    case("alles_null", dict.fromkeys(COUNTS, 0)),
    case("ohne_median", {"bearbeitungsdauer_median_tage": None}),
]


@pytest.fixture(scope="module")
def validated():
    return validate_each("aufenthalt", BASE, CASES, parameters())


@pytest.mark.parametrize("item", CASES, ids=[item.name for item in CASES])
def test_rule(validated, item):
    outcome, lines = validated[item.name]
    assert_case(outcome, DATEI, item, lines)


def test_clean_rows_have_no_finding():
    outcome = validate_package({"aufenthalt": clean_frames()["aufenthalt"]}, parameters())
    assert not len(outcome.findings)
