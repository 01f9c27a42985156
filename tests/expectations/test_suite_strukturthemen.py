"""Every rule of `strukturthemen.csv`: the steering cycle's dates, priority, and status against the dates."""

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

DATEI = "strukturthemen.csv"
# Identified 12.03.2024, no further step yet.
BASE = {**clean_rows("strukturthemen")[1], "identifiziert_am": "2024-03-12"}
DECIDED = {"lenkungsgruppe_am": "2024-05-02", "prioritaet": "HOCH", "status": "PRIORISIERT"}
IN_GROUP = {**DECIDED, "projektgruppe_am": "2024-06-01", "status": "IN_PROJEKTGRUPPE"}
AGREED = {**IN_GROUP, "zielvereinbarung_am": "2024-09-01", "status": "VEREINBART"}
DONE = {**AGREED, "umgesetzt_am": "2025-03-01", "status": "UMGESETZT"}


def status(*teile: str) -> Expected:
    return Expected("status", "THEMENSTATUS", teile=teile)


CASES: list[Case] = [
    *required_cases("strukturthemen"),
    *code_cases("strukturthemen", along={"prioritaet": DECIDED}),
    case("titel_zu_lang", {"titel": "x" * 201}, Expected("titel", "LAENGE", teile=("200 Zeichen",))),
    case("titel_genau_200", {"titel": "x" * 200}),
    Case(
        "thema_id_doppelt",
        ({"thema_id": "T-9"}, {"thema_id": "T-9", **DECIDED}),
        (Expected("thema_id", "DUPLIKAT", teile=("„T-9“", "Zeilen")),),
    ),
    case(
        "keine_rekonstruierten_faelle",
        {"faelle_rekonstruiert": 0},
        Expected("faelle_rekonstruiert", "WERTEBEREICH", teile=("angegeben sind 0",)),
    ),
    case("ein_rekonstruierter_fall", {"faelle_rekonstruiert": 1}),
    # Every stage with consistent dates and status.
    case("priorisiert", DECIDED),
    case("in_projektgruppe", IN_GROUP),
    case("vereinbart", AGREED),
    case("umgesetzt", DONE),
    case(
        "alle_schritte_am_selben_tag",
        {
            **DONE,
            **dict.fromkeys(
                ("lenkungsgruppe_am", "projektgruppe_am", "zielvereinbarung_am", "umgesetzt_am"), "2024-03-12"
            ),
        },
    ),
    # Dates out of order.
    case(
        "lenkungsgruppe_vor_identifizierung",
        {**DECIDED, "lenkungsgruppe_am": "2024-03-11"},
        Expected(
            "lenkungsgruppe_am",
            "DATUM_REIHENFOLGE",
            teile=("Lenkungsgruppe 11.03.2024", "Identifizierung 12.03.2024"),
        ),
    ),
    case(
        "projektgruppe_vor_lenkungsgruppe",
        {**IN_GROUP, "projektgruppe_am": "2024-05-01"},
        Expected("projektgruppe_am", "DATUM_REIHENFOLGE", teile=("01.05.2024", "02.05.2024")),
    ),
    case(
        "zielvereinbarung_vor_projektgruppe",
        {**AGREED, "zielvereinbarung_am": "2024-05-31"},
        Expected("zielvereinbarung_am", "DATUM_REIHENFOLGE"),
    ),
    case(
        "umsetzung_vor_zielvereinbarung",
        {**DONE, "umgesetzt_am": "2024-08-31"},
        Expected(
            "umgesetzt_am", "DATUM_REIHENFOLGE", teile=("Umsetzung 31.08.2024", "Zielvereinbarung 01.09.2024")
        ),
    ),
    # Gaps in the chain.
    case(
        "projektgruppe_ohne_lenkungsgruppe",
        {**IN_GROUP, "lenkungsgruppe_am": None, "prioritaet": None},
        Expected(
            "lenkungsgruppe_am",
            "BEDINGTE_ANGABE",
            teile=("Projektgruppe (01.06.2024)", "keines der Lenkungsgruppe"),
        ),
    ),
    case(
        "zielvereinbarung_ohne_projektgruppe",
        {**AGREED, "projektgruppe_am": None},
        Expected("projektgruppe_am", "BEDINGTE_ANGABE"),
    ),
    case(
        "umsetzung_ohne_zielvereinbarung",
        {**DONE, "zielvereinbarung_am": None},
        Expected("zielvereinbarung_am", "BEDINGTE_ANGABE"),
    ),
    # Priority iff Lenkungsgruppe.
    case(
        "lenkungsgruppe_ohne_prioritaet",
        {**DECIDED, "prioritaet": None},
        Expected("prioritaet", "BEDINGTE_ANGABE", teile=("02.05.2024", "Priorität fehlt")),
    ),
    case(
        "prioritaet_ohne_lenkungsgruppe",
        {"prioritaet": "NIEDRIG"},
        Expected("prioritaet", "BEDINGTE_ANGABE", teile=("„NIEDRIG“", "kein Datum der Lenkungsgruppe")),
    ),
    # Status against dates: every status that claims another stage than its dates show.
    case(
        "identifiziert_aber_beraten",
        {**DECIDED, "status": "IDENTIFIZIERT"},
        status(
            "„IDENTIFIZIERT“",
            "Lenkungsgruppe am 02.05.2024 priorisiert",
            "Status „PRIORISIERT“",
            "„VERWORFEN“",
        ),
    ),
    case(
        "priorisiert_ohne_lenkungsgruppe",
        {"status": "PRIORISIERT"},
        status("„PRIORISIERT“", "noch nicht in der Lenkungsgruppe beraten", "Status „IDENTIFIZIERT“"),
    ),
    case(
        "priorisiert_aber_in_projektgruppe",
        {**IN_GROUP, "status": "PRIORISIERT"},
        status("Status „IN_PROJEKTGRUPPE“"),
    ),
    case(
        "in_projektgruppe_aber_vereinbart",
        {**AGREED, "status": "IN_PROJEKTGRUPPE"},
        status("Status „VEREINBART“"),
    ),
    case(
        "in_projektgruppe_ohne_datum",
        {**DECIDED, "status": "IN_PROJEKTGRUPPE"},
        status("Status „PRIORISIERT“"),
    ),
    case("vereinbart_aber_umgesetzt", {**DONE, "status": "VEREINBART"}, status("am 01.03.2025 umgesetzt")),
    case(
        "umgesetzt_ohne_datum",
        {**AGREED, "status": "UMGESETZT"},
        status("noch nicht umgesetzt", "Status „VEREINBART“"),
    ),
    # VERWORFEN fits every stage.
    case("verworfen_nach_identifizierung", {"status": "VERWORFEN"}),
    case("verworfen_durch_lenkungsgruppe", {**DECIDED, "status": "VERWORFEN"}),
    case("verworfen_in_projektgruppe", {**IN_GROUP, "status": "VERWORFEN"}),
    case("verworfen_nach_umsetzung", {**DONE, "status": "VERWORFEN"}),
    # … but its dates still obey the order and no-gap rules.
    case(
        "verworfen_mit_luecke",
        {**IN_GROUP, "lenkungsgruppe_am": None, "prioritaet": None, "status": "VERWORFEN"},
        Expected("lenkungsgruppe_am", "BEDINGTE_ANGABE"),
    ),
]


@pytest.fixture(scope="module")
def validated():
    return validate_cases(
        "strukturthemen", BASE, CASES, lambda name, index: {"thema_id": f"{name}/{index}"}, parameters()
    )


@pytest.mark.parametrize("item", CASES, ids=[item.name for item in CASES])
def test_rule(validated, item):
    outcome, lines = validated
    assert_case(outcome, DATEI, item, lines[item.name])


def test_clean_rows_have_no_finding(validated):
    outcome, _ = validated
    assert not len(findings_at(outcome, DATEI, [2, 3, 4]))
