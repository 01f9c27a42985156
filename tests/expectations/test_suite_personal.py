"""Every rule of `personal.csv`: one case per rule (and boundary), validated together in one real GX run."""

from __future__ import annotations

import pytest
from expectation_frames import (
    Case,
    Expected,
    assert_case,
    case,
    clean_rows,
    code_cases,
    findings_at,
    parameters,
    required_cases,
    validate_cases,
)

DATEI = "personal.csv"
BASE = clean_rows("personal")[0]  # Baustein 1, 1,0 VZÄ bewilligt, 0,75 besetzt seit 01.04.2021

CASES: list[Case] = [
    *required_cases("personal"),
    *code_cases("personal", {"baustein": 4}),
    case(
        "stelle_id_zu_lang", {"stelle_id": "S" * 65}, Expected("stelle_id", "LAENGE", teile=("64 Zeichen",))
    ),
    Case(
        "stelle_id_doppelt",
        ({"stelle_id": "S-9"}, {"stelle_id": "S-9", "funktion": "VERWALTUNGSASSISTENZ"}),
        (Expected("stelle_id", "DUPLIKAT", teile=("„S-9“", "mehrfach in der Datei (Zeilen ")),),
    ),
    case(
        "bewilligt_null",
        {"bewilligt_vzae": 0.0, "besetzt_vzae": 0.0, "besetzt_seit": None},
        Expected("bewilligt_vzae", "WERTEBEREICH", teile=("VZÄ 0 ", "größer als 0")),
    ),
    case(
        "bewilligt_ueber_eins",
        {"bewilligt_vzae": 1.5},
        Expected("bewilligt_vzae", "WERTEBEREICH", teile=("1,5", "höchstens 1,0")),
    ),
    case("bewilligt_genau_eins_voll_besetzt", {"bewilligt_vzae": 1.0, "besetzt_vzae": 1.0}),
    case("bewilligt_klein", {"bewilligt_vzae": 0.01, "besetzt_vzae": 0.01}),
    case(
        "besetzt_negativ",
        {"besetzt_vzae": -0.25},
        Expected("besetzt_vzae", "WERTEBEREICH", teile=("-0,25", "negativ")),
    ),
    case(
        "besetzt_ueber_bewilligt",
        {"bewilligt_vzae": 0.5, "besetzt_vzae": 0.75},
        Expected("besetzt_vzae", "BESETZT_UEBER_BEWILLIGT", teile=("0,75", "bewilligten VZÄ 0,5")),
    ),
    case(
        "besetzt_ohne_seit",
        {"besetzt_seit": None},
        Expected("besetzt_seit", "BEDINGTE_ANGABE", teile=("0,75 VZÄ besetzt", "fehlt")),
    ),
    case(
        "unbesetzt_mit_seit",
        {"besetzt_vzae": 0.0},
        Expected("besetzt_seit", "BEDINGTE_ANGABE", teile=("01.04.2021", "nicht besetzt")),
    ),
    case("unbesetzt_ohne_seit", {"besetzt_vzae": 0.0, "besetzt_seit": None}),
]


@pytest.fixture(scope="module")
def validated():
    return validate_cases(
        "personal", BASE, CASES, lambda name, index: {"stelle_id": f"{name}/{index}"}, parameters()
    )


@pytest.mark.parametrize("item", CASES, ids=[item.name for item in CASES])
def test_rule(validated, item):
    outcome, lines = validated
    assert_case(outcome, DATEI, item, lines[item.name])


def test_clean_rows_have_no_finding(validated):
    outcome, _ = validated
    assert not len(findings_at(outcome, DATEI, [2, 3]))
