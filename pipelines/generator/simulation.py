"""The full simulated history of one unit, from the start of KIM to the end of the last reported quarter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipelines.calendar import Quarter
from pipelines.generator.cases import Cases, simulate_cases
from pipelines.generator.events import Events, simulate_events
from pipelines.generator.funding import Funding, simulate_funding
from pipelines.generator.profiles import UnitProfile
from pipelines.generator.randomness import Stream, unit_rng
from pipelines.generator.residence import simulate_residence
from pipelines.generator.staffing import Staffing, simulate_staffing
from pipelines.generator.steering import Meetings, Themes, simulate_steering
from pipelines.generator.timeline import day_number, quarter_end_day

KIM_START = date(2020, 7, 1)  # first grants of the KIM funding programme
FIRST_SIMULATED_QUARTER = Quarter(2020, 3)


@dataclass(frozen=True)
class UnitHistory:
    profile: UnitProfile
    staffing: Staffing
    cases: Cases
    events: Events
    themes: Themes
    meetings: Meetings
    funding: Funding
    residence: dict[Quarter, list[tuple[str, int, int, int, int, int | None]]]


def simulate_unit(seed: int, profile: UnitProfile, last: Quarter, scale: float) -> UnitHistory:
    """Everything that happens in the unit up to the end of `last`; each part has its own random stream."""
    unit = profile.unit
    horizon = quarter_end_day(last)
    staffing = simulate_staffing(unit_rng(seed, unit.index, Stream.STAFF), unit, profile.staffing, horizon)
    cases = simulate_cases(
        unit_rng(seed, unit.index, Stream.INTAKE),
        unit_rng(seed, unit.index, Stream.PEOPLE),
        unit_rng(seed, unit.index, Stream.COURSE),
        unit,
        profile.cases,
        staffing,
        day_number(KIM_START),
        horizon,
        scale,
    )
    events = simulate_events(unit_rng(seed, unit.index, Stream.EVENTS), cases, profile.cases.process, horizon)
    themes, meetings = simulate_steering(
        unit_rng(seed, unit.index, Stream.STEERING), profile.steering, horizon
    )
    funding = simulate_funding(
        unit_rng(seed, unit.index, Stream.FUNDING), profile.funding, staffing, last.year
    )
    residence = simulate_residence(
        unit_rng(seed, unit.index, Stream.RESIDENCE), unit, profile.residence, FIRST_SIMULATED_QUARTER, last
    )
    return UnitHistory(profile, staffing, cases, events, themes, meetings, funding, residence)
