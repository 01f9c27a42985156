"""Every rule of `ereignisse.csv`, and where an event's case may come from (this package, earlier ones)."""

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
    known_cases,
    parameters,
    pseudonym,
    required_cases,
    typed_frame,
    validate_cases,
)

from expectations import validate_package

DATEI = "ereignisse.csv"
F1, F2, F3 = pseudonym("F1"), pseudonym("F2"), pseudonym("F3")
BASE = {"fall_id": F1, "ereignis": "SPRACHKURS_BEGINN", "ereignis_am": "2025-07-14"}
TRANSITION = {
    "ereignis": "RECHTSKREISWECHSEL",
    "von_rechtskreis": "ASYLBLG",
    "nach_rechtskreis": "SGB2",
    "leistung_ende_am": "2025-07-31",
    "leistung_beginn_am": "2025-08-01",
}
HANDOVER = {"ereignis": "UEBERGABE", "stelle": "JOBCENTER"}
REPEATED = {"ereignis": "ARBEIT_SV", "ereignis_am": "2025-08-15"}

CASES: list[Case] = [
    *required_cases("ereignisse", {"fall_id": (Expected("fall_id", "FALL_UNBEKANNT"),)}),
    *code_cases(
        "ereignisse",
        along={
            "von_rechtskreis": TRANSITION,
            "nach_rechtskreis": TRANSITION,
            "stelle": HANDOVER,
        },
    ),
    case(
        "fall_unbekannt",
        {"fall_id": pseudonym("nie geliefert")},
        Expected(
            "fall_id", "FALL_UNBEKANNT", teile=("weder in faelle.csv dieses Pakets noch in einem früheren",)
        ),
    ),
    case(
        "ereignis_vor_aufnahme",
        {"ereignis_am": "2024-02-09"},
        Expected(
            "ereignis_am", "DATUM_REIHENFOLGE", teile=("09.02.2024", "Aufnahme des Falls am 10.02.2024")
        ),
    ),
    # A late event of an earlier quarter is allowed, down to the day of intake.
    case("ereignis_am_aufnahmetag", {"ereignis_am": "2024-02-10"}),
    case(
        "ereignis_nach_quartalsende",
        {"ereignis_am": "2025-10-01"},
        Expected("ereignis_am", "ZEITRAUM", teile=("01.10.2025", "2025-Q3", "30.09.2025")),
    ),
    case("ereignis_am_quartalsende", {"ereignis_am": "2025-09-30"}),
    case("rechtskreiswechsel", TRANSITION),
    case(
        "rechtskreiswechsel_ohne_von",
        {**TRANSITION, "von_rechtskreis": None},
        Expected("von_rechtskreis", "BEDINGTE_ANGABE", teile=("bisherige Rechtskreis",)),
    ),
    case(
        "rechtskreiswechsel_ohne_nach",
        {**TRANSITION, "nach_rechtskreis": None},
        Expected("nach_rechtskreis", "BEDINGTE_ANGABE", teile=("neue Rechtskreis",)),
    ),
    case(
        "von_ohne_rechtskreiswechsel",
        {"von_rechtskreis": "SGB2"},
        Expected("von_rechtskreis", "BEDINGTE_ANGABE", teile=("„SGB2“", "„SPRACHKURS_BEGINN“")),
    ),
    case(
        "nach_ohne_rechtskreiswechsel",
        {"nach_rechtskreis": "SGB3"},
        Expected("nach_rechtskreis", "BEDINGTE_ANGABE", teile=("„SGB3“",)),
    ),
    case(
        "rechtskreis_gleich",
        {**TRANSITION, "nach_rechtskreis": "ASYLBLG"},
        Expected("nach_rechtskreis", "RECHTSKREIS_GLEICH", teile=("von „ASYLBLG“ nach „ASYLBLG“",)),
    ),
    # Overlapping benefits: the new one may begin before the old one ends.
    case("leistungen_ueberlappend", {**TRANSITION, "leistung_ende_am": "2025-08-10"}),
    # Benefits may begin after the quarter end (event at the end of the quarter).
    case("leistungsbeginn_nach_quartalsende", {**TRANSITION, "leistung_beginn_am": "2025-10-01"}),
    case("uebergabe", HANDOVER),
    case(
        "uebergabe_ohne_stelle",
        {"ereignis": "UEBERGABE"},
        Expected("stelle", "BEDINGTE_ANGABE", teile=("fehlt die Stelle",)),
    ),
    case(
        "stelle_ohne_uebergabe",
        {"stelle": "MBE"},
        Expected("stelle", "BEDINGTE_ANGABE", teile=("„MBE“", "„SPRACHKURS_BEGINN“")),
    ),
    case(
        "leistungsende_ohne_rechtskreiswechsel",
        {"leistung_ende_am": "2025-07-31"},
        Expected("leistung_ende_am", "BEDINGTE_ANGABE", "HINWEIS", ("31.07.2025", "nicht ausgewertet")),
    ),
    case(
        "leistungsbeginn_ohne_rechtskreiswechsel",
        {"leistung_beginn_am": "2025-08-01"},
        Expected("leistung_beginn_am", "BEDINGTE_ANGABE", "HINWEIS", ("01.08.2025",)),
    ),
    Case(
        "ereignis_doppelt",
        ({**REPEATED, "fall_id": F2}, {**REPEATED, "fall_id": F2}),
        (
            Expected(
                "ereignis", "DUPLIKAT", "HINWEIS", ("„ARBEIT_SV“", "15.08.2025", "nur einmal übernommen")
            ),
        ),
    ),
    Case(
        "rechtskreiswechsel_doppelt_andere_leistungsdaten",
        ({**TRANSITION, "fall_id": F3}, {**TRANSITION, "fall_id": F3, "leistung_beginn_am": "2025-08-05"}),
        (Expected("ereignis", "DUPLIKAT", "HINWEIS"),),
    ),
    # Same case, event and day but handed over to two different offices: two events.
    Case(
        "uebergabe_an_zwei_stellen",
        ({**HANDOVER, "fall_id": F3}, {**HANDOVER, "fall_id": F3, "stelle": "MBE"}),
    ),
]


def _case_key(name: str, index: int) -> dict[str, object]:
    """Each case row its own case (known from an earlier package, opened 10.02.2024), so no two case rows
    share a natural key unless the case means them to."""
    return {"fall_id": pseudonym(f"{name}/{index}")}


def _known_cases():
    keys = [_case_key(item.name, index)["fall_id"] for item in CASES for index in range(len(item.rows))]
    return known_cases(
        (F1, "2024-02-10"), (F2, "2024-06-15"), (F3, "2025-01-20"), *((key, "2024-02-10") for key in keys)
    )


@pytest.fixture(scope="module")
def validated():
    return validate_cases("ereignisse", BASE, CASES, _case_key, parameters(_known_cases()))


@pytest.mark.parametrize("item", CASES, ids=[item.name for item in CASES])
def test_rule(validated, item):
    outcome, lines = validated
    assert_case(outcome, DATEI, item, lines[item.name])


def test_clean_rows_have_no_finding(validated):
    outcome, _ = validated
    assert not len(findings_at(outcome, DATEI, [2, 3, 4]))


# --- where an event's case comes from --------------------------------------------------------------------


def _events(*rows: dict[str, object]):
    return typed_frame("ereignisse", list(rows))


def _findings(outcome, datei=DATEI):
    found = outcome.findings[outcome.findings["datei"] == datei]
    return list(zip(found["zeile"], found["spalte"], found["regel"], found["ergebnis"], strict=True))


def test_events_of_cases_in_this_package_need_no_earlier_package():
    frames = {
        "faelle": typed_frame("faelle", clean_rows("faelle")),
        "ereignisse": typed_frame("ereignisse", clean_rows("ereignisse")),
    }
    outcome = validate_package(frames, parameters())
    assert not len(outcome.findings)


def test_unknown_case_is_quarantined_unless_an_earlier_package_delivered_it():
    stranger = pseudonym("aus 2024-Q4")
    events = _events({"fall_id": stranger, "ereignis": "WOHNUNG", "ereignis_am": "2025-08-01"})

    without = validate_package({"ereignisse": events}, parameters())
    assert _findings(without) == [(2, "fall_id", "FALL_UNBEKANNT", "ZEILE_QUARANTAENE")]
    assert without.suites[0].rows_quarantined == 1

    with_earlier = validate_package({"ereignisse": events}, parameters(known_cases((stranger, "2024-11-03"))))
    assert not len(with_earlier.findings)


def test_event_before_the_intake_of_an_earlier_case():
    stranger = pseudonym("aus 2024-Q4")
    events = _events({"fall_id": stranger, "ereignis": "WOHNUNG", "ereignis_am": "2024-11-02"})
    outcome = validate_package({"ereignisse": events}, parameters(known_cases((stranger, "2024-11-03"))))
    assert _findings(outcome) == [(2, "ereignis_am", "DATUM_REIHENFOLGE", "ZEILE_QUARANTAENE")]
    assert "Aufnahme des Falls am 03.11.2024" in outcome.findings["meldung"].iloc[0]


def test_events_of_a_quarantined_case_are_quarantined_too_unless_delivered_earlier():
    cases = clean_rows("faelle")
    cases[1]["abschluss_am"] = "2024-06-01"  # F2 (line 3): closed before its intake on 15.06.2024
    frames = {
        "faelle": typed_frame("faelle", cases),
        "ereignisse": typed_frame("ereignisse", clean_rows("ereignisse")),
    }

    outcome = validate_package(frames, parameters())
    assert _findings(outcome, "faelle.csv") == [(3, "abschluss_am", "DATUM_REIHENFOLGE", "ZEILE_QUARANTAENE")]
    assert _findings(outcome) == [(3, "fall_id", "FALL_UNBEKANNT", "ZEILE_QUARANTAENE")]
    message = outcome.findings.loc[outcome.findings["datei"] == DATEI, "meldung"].iloc[0]
    assert "in faelle.csv zurückgehalten (Zeile 3)" in message

    earlier = validate_package(frames, parameters(known_cases((F2, "2024-06-15"))))
    assert _findings(earlier) == []


def test_this_packages_intake_date_wins_over_an_earlier_package():
    events = _events({"fall_id": F1, "ereignis": "WOHNUNG", "ereignis_am": "2023-06-01"})
    frames = {"faelle": typed_frame("faelle", clean_rows("faelle")), "ereignisse": events}
    outcome = validate_package(frames, parameters(known_cases((F1, "2023-01-01"))))
    assert _findings(outcome) == [(2, "ereignis_am", "DATUM_REIHENFOLGE", "ZEILE_QUARANTAENE")]
    assert "10.02.2024" in outcome.findings["meldung"].iloc[0]


def test_a_repeated_event_is_a_notice_and_stays_loaded():
    row = {"fall_id": F1, "ereignis": "WOHNUNG", "ereignis_am": "2025-08-01"}
    outcome = validate_package(
        {"ereignisse": _events(row, dict(row))}, parameters(known_cases((F1, "2024-02-10")))
    )
    assert _findings(outcome) == [
        (2, "ereignis", "DUPLIKAT", "HINWEIS"),
        (3, "ereignis", "DUPLIKAT", "HINWEIS"),
    ]
    suite = outcome.suites[0]
    assert (suite.rows_quarantined, suite.notices) == (0, 2)
