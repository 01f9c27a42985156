"""The cases of one unit: intake driven by staff capacity, the course of each case, clients and pseudonyms.

Intake is solved backwards from the capacity: the unit wants `target caseload × filled CM VZÄ` active cases at
every week; knowing how long cases stay open (the survival curve of its own case process), the weekly intake
that keeps the expected number of active cases on that target follows by deconvolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.contract.codes import codes
from pipelines.generator.case_process import CaseProcess, sample_courses
from pipelines.generator.demographics import People, sample_people, with_returning_clients
from pipelines.generator.reference import Unit
from pipelines.generator.staffing import Staffing
from pipelines.generator.timeline import NEVER, weekdays, years

CASELOAD_RAMP_WEEKS = 8  # a newly filled position takes on its full caseload over about two months
MINIMUM_INTAKE_PER_QUARTER = 6  # keeps every unit visible at small scales
SURVIVAL_POOL_SIZE = 20_000
RETURN_MIN_GAP_DAYS = 30
UNKNOWN_GEMEINDE_SHARE = 0.02
CASE_ID_STYLES = ("JAHR", "LAUFEND", "SCHRAEGSTRICH", "HEX")
PERSON_ID_STYLES = ("P", "KLIENT", "HEX", "PERSON")


@dataclass(frozen=True)
class CasePlan:
    """A unit's case-management behaviour beyond the latent process."""

    process: CaseProcess
    caseload_target: float  # active cases per filled CM VZÄ at scale 1
    traeger_weights: tuple[tuple[str, float], ...]
    returning_share: float  # share of intakes that are clients with an earlier, closed case
    case_id_style: str
    case_id_prefix: str
    person_id_style: str
    id_salt: int


@dataclass(frozen=True)
class Cases:
    """Every case of a unit opened up to the horizon, sorted by `aufnahme_am`."""

    fall_id: np.ndarray  # object array of str
    person_id: np.ndarray
    traeger: np.ndarray  # index into codes("traeger")
    gemeinde_ags: np.ndarray  # object array of str, '' where unknown
    erstkontakt: np.ndarray  # day numbers
    aufnahme: np.ndarray
    abschluss: np.ndarray  # NEVER if still open at the horizon
    latent_abschluss: np.ndarray  # when the case closes, even if after the horizon
    abschlussgrund: np.ndarray  # index into codes("abschlussgrund"), -1 while open
    integration: np.ndarray  # day of the first ARBEIT_SV / AUSBILDUNG_BEGINN, NEVER if none
    people: People

    def __len__(self) -> int:
        return len(self.aufnahme)


def weekly_intake_rate(target_active: np.ndarray, survival: np.ndarray) -> np.ndarray:
    """Intake per week that keeps the expected number of active cases on `target_active`.

    `survival[m]` is the probability that a case is still open m weeks after its intake week; the expected
    active cases at week k are the sum over earlier intakes times their survival, which is solved for the
    intake week by week (never negative: when capacity drops, intake pauses until cases close).
    """
    rates = np.zeros(len(target_active))
    for week in range(len(target_active)):
        carried = rates[:week] @ survival[week:0:-1] if week else 0.0
        rates[week] = max(0.0, (target_active[week] - carried) / survival[0])
    return rates


def _intake_days(
    rng: np.random.Generator, plan: CasePlan, staffing: Staffing, start: int, horizon: int, scale: float
) -> np.ndarray:
    first_monday = start - int(weekdays(np.array([start]))[0])
    week_starts = np.arange(first_monday, horizon + 1, 7)
    filled = staffing.filled_vzae("CASE_MANAGEMENT", week_starts + 6)
    smoothing = 1 - np.exp(-1 / CASELOAD_RAMP_WEEKS)
    ramped = np.zeros_like(filled)
    for week in range(1, len(filled)):
        ramped[week] = ramped[week - 1] + smoothing * (filled[week] - ramped[week - 1])
    target = plan.caseload_target * ramped

    durations = np.sort(sample_courses(rng, plan.process, SURVIVAL_POOL_SIZE).closure_offset)
    # still open at the end of the m-th week after the intake week (intake on average mid-week)
    elapsed = 7 * np.arange(len(week_starts)) + 4
    survival = 1.0 - np.searchsorted(durations, elapsed, side="right") / len(durations)
    rates = weekly_intake_rate(target, survival) * scale
    running = week_starts + 6 >= staffing.first_filled_day("CASE_MANAGEMENT")
    rates = np.where(running, np.maximum(rates, MINIMUM_INTAKE_PER_QUARTER / 13), 0.0)

    counts = rng.poisson(rates)
    days = np.repeat(week_starts, counts) + rng.integers(0, 5, counts.sum())  # Monday to Friday
    return np.sort(days[days <= horizon])


def _returning_roots(
    rng: np.random.Generator, share: float, erstkontakt: np.ndarray, abschluss: np.ndarray
) -> np.ndarray:
    """For each case the index of the client's first case (itself for new clients).

    A returning client's earlier case closed at least a month before the new first contact; each earlier case
    is continued at most once, so one client never has two cases open at the same time.
    """
    n = len(erstkontakt)
    by_closure = np.argsort(abschluss, kind="stable")
    eligible = np.searchsorted(abschluss[by_closure], erstkontakt - RETURN_MIN_GAP_DAYS, side="left")
    returning = (rng.random(n) < share) & (eligible > 0)
    donor = np.full(n, -1)
    picks = (rng.random(n) * np.maximum(eligible, 1)).astype(np.int64)
    donor[returning] = by_closure[picks[returning]]
    taken = np.zeros(n, dtype=bool)
    for case in np.flatnonzero(returning):  # the earliest returning case claims a donor first
        if taken[donor[case]]:
            donor[case] = -1
        else:
            taken[donor[case]] = True
    root = np.where(donor >= 0, donor, np.arange(n))
    while True:
        deeper = root[root]
        if np.array_equal(deeper, root):
            return root
        root = deeper


def _mix(values: np.ndarray, salt: int, bits: int) -> np.ndarray:
    """An opaque but unique `bits`-bit number per value below 2^bits.

    Adding a salt, multiplying by an odd constant and xor-shifting are each bijections modulo 2^bits, so
    distinct running numbers stay distinct while the pseudonym reveals nothing about the order of intake.
    """
    mask = np.uint64((1 << bits) - 1)
    mixed = (values.astype(np.uint64) + np.uint64(salt)) & mask
    for multiplier, shift in ((0x9E3779B97F4A7C15, 19), (0xBF58476D1CE4E5B9, 21), (0x94D049BB133111EB, 17)):
        mixed = (mixed * np.uint64(multiplier)) & mask
        mixed ^= mixed >> np.uint64(shift)
    return mixed


def _running_in_year(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    year = years(days)
    order = np.argsort(days, kind="stable")
    running = np.empty(len(days), dtype=np.int64)
    sorted_years = year[order]
    starts = np.searchsorted(sorted_years, sorted_years, side="left")
    running[order] = np.arange(len(days)) - starts + 1
    return year, running


def case_ids(style: str, prefix: str, salt: int, aufnahme: np.ndarray) -> np.ndarray:
    year, running = _running_in_year(aufnahme)
    sequence = np.arange(1, len(aufnahme) + 1)
    if style == "JAHR":
        ids = [f"{prefix}-{y}-{r:06d}" for y, r in zip(year, running, strict=True)]
    elif style == "LAUFEND":
        ids = [f"{prefix}{s:07d}" for s in sequence]
    elif style == "SCHRAEGSTRICH":
        ids = [f"KIM/{y}/{r:05d}" for y, r in zip(year, running, strict=True)]
    else:
        ids = [f"{m:010x}" for m in _mix(sequence, salt, 40)]
    return np.array(ids, dtype=object)


def person_ids(style: str, salt: int, root: np.ndarray, aufnahme: np.ndarray) -> np.ndarray:
    """Pseudonyms numbered in the order clients first came; returning clients keep theirs."""
    first_cases = np.flatnonzero(root == np.arange(len(root)))
    number_of_first = np.zeros(len(root), dtype=np.int64)
    number_of_first[first_cases] = np.arange(1, len(first_cases) + 1)
    number = number_of_first[root]
    if style == "P":
        ids = [f"P-{n:06d}" for n in number]
    elif style == "KLIENT":
        ids = [f"KL{n:07d}" for n in number]
    elif style == "PERSON":
        first_year = years(aufnahme)[root]
        ids = [f"PER-{y}-{n:06d}" for y, n in zip(first_year, number, strict=True)]
    else:
        ids = [f"{m:012x}" for m in _mix(number, salt * 7919 + 104_729, 48)]
    return np.array(ids, dtype=object)


def simulate_cases(
    intake_rng: np.random.Generator,
    people_rng: np.random.Generator,
    course_rng: np.random.Generator,
    unit: Unit,
    plan: CasePlan,
    staffing: Staffing,
    start: int,
    horizon: int,
    scale: float,
) -> Cases:
    """All cases of the unit opened between `start` and `horizon` with their full (latent) history."""
    aufnahme = _intake_days(intake_rng, plan, staffing, start, horizon, scale)
    n = len(aufnahme)
    courses = sample_courses(course_rng, plan.process, n)
    erstkontakt = aufnahme - courses.waiting_days
    closure = aufnahme + courses.closure_offset
    open_at_horizon = closure > horizon
    abschluss = np.where(open_at_horizon, NEVER, closure)
    abschlussgrund = np.where(open_at_horizon, -1, courses.closure_reason)
    integration = np.where(courses.integrated, aufnahme + courses.integration_offset, NEVER)
    integration = np.where(integration > horizon, NEVER, integration)

    people = sample_people(people_rng, aufnahme)
    root = _returning_roots(people_rng, plan.returning_share, erstkontakt, abschluss)
    people = with_returning_clients(people, aufnahme, root, people_rng)

    traeger_codes = codes("traeger")
    traeger_index = np.array([traeger_codes.index(name) for name, _ in plan.traeger_weights])
    traeger_weights = np.array([weight for _, weight in plan.traeger_weights])
    traeger = traeger_index[
        people_rng.choice(len(traeger_index), size=n, p=traeger_weights / traeger_weights.sum())
    ]
    population = np.array(unit.gemeinde_einwohner, dtype=float)
    gemeinde = np.array(unit.gemeinde_ags, dtype=object)[
        people_rng.choice(len(population), size=n, p=population / population.sum())
    ]
    gemeinde[people_rng.random(n) < UNKNOWN_GEMEINDE_SHARE] = ""

    return Cases(
        fall_id=case_ids(plan.case_id_style, plan.case_id_prefix, plan.id_salt, aufnahme),
        person_id=person_ids(plan.person_id_style, plan.id_salt, root, aufnahme),
        traeger=traeger,
        gemeinde_ags=gemeinde,
        erstkontakt=erstkontakt,
        aufnahme=aufnahme,
        abschluss=abschluss,
        latent_abschluss=closure,
        abschlussgrund=abschlussgrund,
        integration=integration,
        people=people,
    )
