"""The simulation model: its recorded truth is what the simulated cases actually show, capacity drives intake,
and each unit's history depends only on the seed and the unit."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from pipelines.calendar import Quarter, quarter_range
from pipelines.contract.codes import codes
from pipelines.generator.case_process import CAP_DAYS_MAX, sample_courses, sample_gaps
from pipelines.generator.cases import weekly_intake_rate
from pipelines.generator.demographics import NATIONALITY_WEIGHTS
from pipelines.generator.profiles import draw_profile
from pipelines.generator.quarterly import plan_event_reporting
from pipelines.generator.reference import load_units
from pipelines.generator.simulation import simulate_unit
from pipelines.generator.timeline import (
    NEVER,
    quarter_end_day,
    quarter_from_index,
    quarter_index,
    quarter_indices,
    quarter_start_day,
)

SEED = 5
LAST = Quarter(2025, 4)
HORIZON = quarter_end_day(LAST)
LARGE_UNITS = ("05315", "05562")  # Köln, Recklinghausen


@pytest.fixture(scope="module")
def histories():
    units = {unit.ags: unit for unit in load_units()}
    return {ags: simulate_unit(SEED, draw_profile(SEED, units[ags]), LAST, 1.0) for ags in LARGE_UNITS}


@pytest.mark.parametrize("ags", LARGE_UNITS)
def test_kaplan_meier_of_the_simulated_cases_recovers_the_integration_median(histories, ags):
    history = histories[ags]
    cases = history.cases
    integrated = cases.integration < NEVER
    end = np.where(integrated, cases.integration, np.minimum(cases.abschluss, HORIZON))
    survival = SurvfuncRight(end - cases.aufnahme, integrated.astype(int))
    truth = history.profile.cases.process.integration_median_days
    assert survival.quantile(0.5) == pytest.approx(truth, rel=0.05)


@pytest.mark.parametrize("ags", LARGE_UNITS)
def test_transition_gaps_and_waiting_times_follow_the_recorded_truth(histories, ags):
    history = histories[ags]
    process = history.profile.cases.process
    transitions = history.events.kind == codes("ereignis").index("RECHTSKREISWECHSEL")
    gaps = history.events.beginn[transitions] - history.events.ende[transitions] - 1
    assert len(gaps) > 1000
    assert np.median(gaps) == pytest.approx(process.gap_median_days, abs=2)
    assert np.mean(gaps <= 0) == pytest.approx(process.seamless_share, abs=0.03)
    waiting = history.cases.aufnahme - history.cases.erstkontakt
    assert np.median(waiting) == pytest.approx(process.waiting_median_whole_days, abs=1)


@pytest.mark.parametrize("ags", LARGE_UNITS)
def test_closure_reasons_of_fully_observed_cases_match_the_exact_shares(histories, ags):
    history = histories[ags]
    cases = history.cases
    observed = cases.aufnahme <= HORIZON - CAP_DAYS_MAX - 100  # every such case has closed by the horizon
    assert np.all(cases.abschluss[observed] < NEVER)
    reasons = np.bincount(cases.abschlussgrund[observed], minlength=len(codes("abschlussgrund")))
    shares = history.profile.cases.process.closure_reason_shares()
    for index, code in enumerate(codes("abschlussgrund")):
        assert reasons[index] / observed.sum() == pytest.approx(shares[code], abs=0.03), code


def test_exact_truth_agrees_with_a_large_sample():
    process = draw_profile(SEED, load_units()[0]).cases.process
    rng = np.random.default_rng(0)
    courses = sample_courses(rng, process, 300_000)
    sampled = np.bincount(courses.closure_reason, minlength=6) / 300_000
    for index, code in enumerate(codes("abschlussgrund")):
        assert sampled[index] == pytest.approx(process.closure_reason_shares()[code], abs=0.005)
    gaps = sample_gaps(rng, process, 300_000)
    assert np.median(gaps) == process.gap_median_days
    assert np.mean(gaps <= 0) == pytest.approx(process.seamless_share, abs=0.005)


@pytest.mark.parametrize("ags", LARGE_UNITS)
def test_active_cases_follow_capacity(histories, ags):
    history = histories[ags]
    target = history.profile.cases.caseload_target
    ratios = []
    for quarter in quarter_range(Quarter(2022, 1), LAST):
        end = quarter_end_day(quarter)
        active = np.sum((history.cases.aufnahme <= end) & (history.cases.abschluss > end))
        filled = history.staffing.filled_vzae("CASE_MANAGEMENT", np.array([end]))[0]
        ratios.append(active / filled)
    assert np.mean(ratios) == pytest.approx(target, rel=0.15)
    assert min(ratios) >= 30 * 0.7 and max(ratios) <= 60 * 1.4


def test_deconvolution_keeps_the_expected_active_cases_on_target():
    survival = 0.97 ** np.arange(200)
    target = np.concatenate([np.linspace(0, 500, 50), np.full(100, 500), np.full(50, 300)])
    rates = weekly_intake_rate(target, survival)
    expected = np.array([rates[: k + 1] @ survival[k::-1] for k in range(len(target))])
    assert np.all(rates >= 0)
    assert np.allclose(expected[:150], target[:150])
    assert np.all(expected[150:] >= target[150:] - 1e-9)  # capacity drop: intake pauses, never negative


def test_returning_clients_never_have_two_open_cases(histories):
    cases = histories[LARGE_UNITS[0]].cases
    order = np.lexsort((cases.aufnahme, cases.person_id))
    person, opened, closed = cases.person_id[order], cases.aufnahme[order], cases.latent_abschluss[order]
    same_person = person[1:] == person[:-1]
    assert same_person.sum() > 100, "expected clients with several cases"
    assert np.all(opened[1:][same_person] > closed[:-1][same_person])
    assert len(np.unique(cases.fall_id)) == len(cases)
    assert np.all(
        cases.people.geburtsjahr[order][1:][same_person] == cases.people.geburtsjahr[order][:-1][same_person]
    )


def test_a_unit_history_depends_only_on_seed_and_unit():
    units = load_units()
    alone = simulate_unit(SEED, draw_profile(SEED, units[7]), LAST, 0.05)
    for unit in units[:7]:
        simulate_unit(SEED, draw_profile(SEED, unit), LAST, 0.05)
    after_others = simulate_unit(SEED, draw_profile(SEED, units[7]), LAST, 0.05)
    assert np.array_equal(alone.cases.fall_id, after_others.cases.fall_id)
    assert np.array_equal(alone.events.day, after_others.events.day)


def test_nationalities_are_contract_codes_and_ukrainians_arrive_from_2022(histories):
    assert set(NATIONALITY_WEIGHTS) <= set(codes("staatsangehoerigkeit"))
    cases = histories[LARGE_UNITS[0]].cases
    ukraine = cases.people.staatsangehoerigkeit == codes("staatsangehoerigkeit").index("UKR")
    assert ukraine.any()
    first_ukrainian = cases.aufnahme[ukraine].min()
    assert np.datetime64(int(first_ukrainian), "D") >= np.datetime64("2022-03-01")


def test_late_events_only_for_cases_a_delivered_package_has_introduced():
    """With every event wanting to be late and a quarter missing, late events still never reach a package
    before their case does."""
    unit = load_units()[20]
    profile = replace(draw_profile(SEED, unit), late_event_share=1.0)
    first, last = Quarter(2023, 1), Quarter(2023, 4)
    history = simulate_unit(SEED, profile, last, 0.3)
    delivered = {Quarter(2023, 1), Quarter(2023, 3), Quarter(2023, 4)}  # 2023-Q2 missing
    reporting = plan_event_reporting(SEED, history, first, last, delivered)
    cases = history.cases
    listed_in = {
        quarter: set(
            np.flatnonzero(
                (cases.aufnahme <= quarter_end_day(quarter)) & (cases.abschluss >= quarter_start_day(quarter))
            )
        )
        for quarter in delivered
    }
    late = np.flatnonzero(reporting.late)
    assert len(late) > 50
    for event in late:
        package = quarter_from_index(int(reporting.package_quarter[event]))
        assert package in delivered
        case = history.events.case[event]
        assert any(case in listed_in[q] for q in delivered if q <= package)
    dated_in_missing = quarter_indices(history.events.day) == quarter_index(Quarter(2023, 2))
    assert np.all(reporting.package_quarter[dated_in_missing & ~reporting.late] == -1)
