"""`validate_package`: the outcome's shape, counts, order, and how it treats reader defects and odd input."""

from __future__ import annotations

import pandas as pd
import pytest
from expectation_frames import (
    GEMEINDE,
    clean_frames,
    clean_rows,
    parameters,
    pseudonym,
    typed_frame,
)

from expectations import SuiteResult, ValidationParameters, validate_package
from expectations.suites import SUITE_MODULES
from pipelines.contract.units import load_units, served_gemeinden


def _findings(outcome, datei=None):
    found = outcome.findings if datei is None else outcome.findings[outcome.findings["datei"] == datei]
    return list(
        zip(found["datei"], found["zeile"], found["spalte"], found["regel"], found["ergebnis"], strict=True)
    )


@pytest.fixture(scope="module")
def clean_outcome():
    return validate_package(clean_frames(), parameters())


def test_a_clean_package_has_no_finding_and_one_result_per_file(clean_outcome):
    frames = clean_frames()
    assert not len(clean_outcome.findings)
    assert [suite.datei for suite in clean_outcome.suites] == [f"{name}.csv" for name in SUITE_MODULES]
    for suite in clean_outcome.suites:
        name = suite.datei.removesuffix(".csv")
        assert suite == SuiteResult(
            datei=suite.datei,
            expectations=len(SUITE_MODULES[name].expectations()),
            failed_expectations=0,
            rows_checked=len(frames[name]),
            rows_quarantined=0,
            notices=0,
        )


def test_the_findings_frame_has_the_documented_columns_and_dtypes(clean_outcome):
    broken = clean_frames()
    rows = clean_rows("personal")
    rows[1]["besetzt_vzae"] = -1.0
    broken["personal"] = typed_frame("personal", rows)
    for outcome in (clean_outcome, validate_package(broken, parameters())):
        findings = outcome.findings
        assert list(findings.columns) == ["datei", "zeile", "spalte", "regel", "meldung", "ergebnis"]
        assert str(findings["zeile"].dtype) == "Int64"
        assert all(
            str(findings[name].dtype) == "str" for name in ("datei", "spalte", "regel", "meldung", "ergebnis")
        )


def test_findings_are_ordered_by_file_line_and_column_and_counted_per_row():
    frames = clean_frames()
    faelle = clean_rows("faelle")
    faelle[2]["geburtsjahr"] = 1900  # line 4: one finding
    faelle[0]["abschlussgrund"] = "WEGZUG"  # line 2: reason without date …
    faelle[0]["aufnahme_am"] = "2025-10-02"  # … and intake after the quarter
    frames["faelle"] = typed_frame("faelle", faelle)
    lenkung = clean_rows("lenkungsgruppe")
    lenkung[0]["beschluesse"] = -2
    frames["lenkungsgruppe"] = typed_frame("lenkungsgruppe", lenkung)
    events = clean_rows("ereignisse")
    events[0]["fall_id"] = pseudonym("F2")  # F1's case is quarantined now: its event would be unknown
    frames["ereignisse"] = typed_frame("ereignisse", events)
    outcome = validate_package(frames, parameters())
    assert _findings(outcome) == [
        ("faelle.csv", 2, "aufnahme_am", "ZEITRAUM", "ZEILE_QUARANTAENE"),
        ("faelle.csv", 2, "abschlussgrund", "BEDINGTE_ANGABE", "ZEILE_QUARANTAENE"),
        ("faelle.csv", 4, "geburtsjahr", "WERTEBEREICH", "ZEILE_QUARANTAENE"),
        ("ereignisse.csv", 4, "fall_id", "FALL_UNBEKANNT", "ZEILE_QUARANTAENE"),
        ("lenkungsgruppe.csv", 2, "beschluesse", "WERTEBEREICH", "ZEILE_QUARANTAENE"),
    ]
    faelle_result = outcome.suites[0]
    assert (
        faelle_result.rows_checked,
        faelle_result.rows_quarantined,
        faelle_result.failed_expectations,
    ) == (3, 2, 3)


def test_only_delivered_files_are_validated():
    frames = clean_frames()
    outcome = validate_package(
        {"personal": frames["personal"], "aufenthalt": frames["aufenthalt"]}, parameters()
    )
    assert [suite.datei for suite in outcome.suites] == ["personal.csv", "aufenthalt.csv"]
    assert validate_package({}, parameters()).suites == ()


def test_empty_files_have_no_findings():
    outcome = validate_package({name: typed_frame(name, []) for name in SUITE_MODULES}, parameters())
    assert not len(outcome.findings)
    assert all(suite.rows_checked == 0 and suite.failed_expectations == 0 for suite in outcome.suites)


def test_a_column_missing_from_the_reader_output_quarantines_every_row_and_nothing_else():
    frame = clean_frames()["faelle"].drop(columns=["abschlussgrund"])
    outcome = validate_package({"faelle": frame}, parameters())
    assert _findings(outcome) == [
        ("faelle.csv", line, "abschlussgrund", "PFLICHTFELD", "ZEILE_QUARANTAENE") for line in (2, 3, 4)
    ]
    assert "Fehler der Verarbeitung" in outcome.findings["meldung"].iloc[0]
    # The presence check failed, and so did (unevaluated) both directions of the reason-iff-date rule.
    assert outcome.suites[0].failed_expectations == 5


def test_a_column_of_the_wrong_dtype_quarantines_every_row_without_judging_its_values():
    frame = clean_frames()["faelle"]
    frame["aufnahme_am"] = frame["aufnahme_am"].astype(str)
    outcome = validate_package({"faelle": frame}, parameters())
    assert _findings(outcome) == [
        ("faelle.csv", line, "aufnahme_am", "TYP_SPALTE", "ZEILE_QUARANTAENE") for line in (2, 3, 4)
    ]
    message = outcome.findings["meldung"].iloc[0]
    assert "als str statt als Datum (date32[day][pyarrow])" in message


def test_the_input_frames_are_left_alone_and_extra_columns_ignored():
    frames = clean_frames()
    frames["personal"] = frames["personal"].assign(bemerkung="intern")
    before = {name: frame.copy() for name, frame in frames.items()}
    outcome = validate_package(frames, parameters())
    assert not len(outcome.findings)
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_misuse_is_an_error_not_a_finding():
    frame = clean_frames()["personal"]
    with pytest.raises(ValueError, match="no contract file"):
        validate_package({"personal.csv": frame}, parameters())
    with pytest.raises(ValueError, match="zeile"):
        validate_package({"personal": frame.drop(columns="zeile")}, parameters())
    with pytest.raises(ValueError, match="unique"):
        validate_package({"personal": frame.assign(zeile=pd.array([2, 2], dtype="Int32"))}, parameters())
    with pytest.raises(ValueError, match="Berichtsquartal"):
        validate_package({"personal": frame}, parameters(quarter="2025-3"))


def test_great_expectations_draws_no_progress_bars(capfd):
    validate_package({"lenkungsgruppe": clean_frames()["lenkungsgruppe"]}, parameters())
    captured = capfd.readouterr()
    assert "Calculating Metrics" not in captured.err + captured.out


def test_line_numbers_in_messages_use_german_thousands_separators():
    rows = clean_rows("lenkungsgruppe")
    rows[0]["beschluesse"] = -1
    outcome = validate_package(
        {"lenkungsgruppe": typed_frame("lenkungsgruppe", rows, lines=[12345])}, parameters()
    )
    assert (
        outcome.findings["meldung"]
        .iloc[0]
        .startswith("lenkungsgruppe.csv, Zeile 12.345, Spalte „beschluesse“: ")
    )
    assert outcome.findings["zeile"].tolist() == [12345]


def test_a_kreis_serves_its_gemeinden_but_not_those_of_other_units():
    units = {unit.ags: unit for unit in load_units()}
    aachen_region = served_gemeinden("05334")
    assert "05334002" not in aachen_region  # the city of Aachen is a KIM unit of its own
    assert served_gemeinden("05334002") == frozenset({"05334002"})
    assert served_gemeinden("05111") == frozenset({GEMEINDE})
    assert served_gemeinden("99999") == frozenset()
    assert len(units) == 54

    own, foreign = sorted(aachen_region)[0], "05334002"
    rows = clean_rows("faelle")
    rows[0]["gemeinde_ags"], rows[1]["gemeinde_ags"], rows[2]["gemeinde_ags"] = own, foreign, None
    validation = ValidationParameters(ags="05334", berichtsquartal="2025-Q3", gemeinden=aachen_region)
    outcome = validate_package({"faelle": typed_frame("faelle", rows)}, validation)
    assert _findings(outcome) == [("faelle.csv", 3, "gemeinde_ags", "GEMEINDE_FREMD", "ZEILE_QUARANTAENE")]
