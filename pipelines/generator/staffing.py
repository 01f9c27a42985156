"""Funded positions of a unit in all three Bausteine: granted stepwise, filled after delays, vacated,
refilled.

Positions are the unit of `personal.csv`; the case-management positions filled at any day also set how many
cases the unit can carry (target caseload × filled CM VZÄ).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from pipelines.generator.randomness import pick_one
from pipelines.generator.reference import Unit
from pipelines.generator.timeline import NEVER, day_number

CM_VZAE_PER_INHABITANT = 1 / 30_000
POSITION_SIZES = (1.0, 0.5, 0.75, 0.8)
POSITION_SIZE_WEIGHTS = (0.7, 0.15, 0.1, 0.05)
POSITION_ID_STYLES = ("BAUSTEIN", "LAUFEND", "FUNKTION")
FUNCTION_SHORT = {
    "KOORDINATION": "KO",
    "VERWALTUNGSASSISTENZ": "VA",
    "CASE_MANAGEMENT": "CM",
    "ABH_SACHBEARBEITUNG": "ABH",
    "EBH_SACHBEARBEITUNG": "EBH",
}


@dataclass(frozen=True)
class StaffingPlan:
    """How a unit builds up and keeps its staff."""

    cm_vzae_target: float
    fill_delay_median_days: float
    tenure_mean_days: float
    refill_delay_median_days: float
    part_time_share: float  # share of occupancies with fewer hours than granted
    cm_traeger_weights: tuple[tuple[str, float], ...]
    wave_days: tuple[int, int, int]  # days on which CM positions are granted
    wave_shares: tuple[float, float, float]  # share of CM positions granted in each wave
    position_id_style: str


def draw_staffing_plan(rng: np.random.Generator, unit: Unit) -> StaffingPlan:
    target = max(
        2.0, round(unit.einwohner_zustaendig * CM_VZAE_PER_INHABITANT * rng.uniform(0.85, 1.15) * 2) / 2
    )
    first_share = rng.uniform(0.4, 0.7)
    second_share = (1 - first_share) * rng.uniform(0.4, 0.8)
    traeger = [("KOMMUNE", rng.uniform(0.3, 1.0)), ("FREIER_TRAEGER", rng.uniform(0.0, 0.7))]
    if unit.is_kreis:
        traeger.append(("KREISANGEHOERIGE_KOMMUNE", rng.uniform(0.0, 0.5)))
    return StaffingPlan(
        cm_vzae_target=target,
        fill_delay_median_days=rng.uniform(45, 240),
        tenure_mean_days=rng.uniform(2.5, 5.0) * 365,
        refill_delay_median_days=rng.uniform(60, 200),
        part_time_share=rng.uniform(0.0, 0.2),
        cm_traeger_weights=tuple(traeger),
        wave_days=(
            day_number(date(2020, 8, 1)) + int(rng.integers(0, 92)),
            day_number(date(2021, 4, 1)) + int(rng.integers(0, 300)),
            day_number(date(2022, 4, 1)) + int(rng.integers(0, 450)),
        ),
        wave_shares=(first_share, second_share, 1 - first_share - second_share),
        position_id_style=pick_one(rng, POSITION_ID_STYLES),
    )


@dataclass(frozen=True)
class Occupancy:
    start: int  # besetzt_seit
    end: int  # first vacant day; NEVER while still filled
    vzae: float


@dataclass(frozen=True)
class Position:
    stelle_id: str
    baustein: int
    funktion: str
    traeger: str
    bewilligt_vzae: float
    granted_day: int
    occupancies: tuple[Occupancy, ...]

    def occupancy_at(self, day: int) -> Occupancy | None:
        return next((o for o in self.occupancies if o.start <= day < o.end), None)


@dataclass(frozen=True)
class Staffing:
    positions: tuple[Position, ...]

    def filled_vzae(self, funktion: str, days: np.ndarray) -> np.ndarray:
        """Filled VZÄ of one function on each of the given days."""
        filled = np.zeros(len(days))
        for position in self.positions:
            if position.funktion == funktion:
                for occupancy in position.occupancies:
                    filled += occupancy.vzae * ((days >= occupancy.start) & (days < occupancy.end))
        return filled

    def first_filled_day(self, funktion: str) -> int:
        starts = [o.start for p in self.positions if p.funktion == funktion for o in p.occupancies]
        return min(starts, default=NEVER)

    def granted_at(self, day: int) -> list[Position]:
        return [position for position in self.positions if position.granted_day <= day]


def _position_sizes(rng: np.random.Generator, target: float) -> list[float]:
    sizes: list[float] = []
    while sum(sizes) < target - 0.25:
        sizes.append(POSITION_SIZES[rng.choice(len(POSITION_SIZES), p=POSITION_SIZE_WEIGHTS)])
    return sizes


def _occupancies(
    rng: np.random.Generator,
    plan: StaffingPlan,
    granted: int,
    size: float,
    horizon: int,
    first_delay: float | None,
) -> tuple[Occupancy, ...]:
    """Alternating filled and vacant spells of one position from its grant to the horizon."""
    spells = []
    delay = (
        first_delay if first_delay is not None else rng.lognormal(math.log(plan.fill_delay_median_days), 0.5)
    )
    start = granted + int(delay)
    while start <= horizon:
        filled = size
        if rng.random() < plan.part_time_share:
            filled = min(size, max(0.25, round(size * rng.choice((0.5, 0.75)) * 4) / 4))
        end = start + max(60, int(rng.exponential(plan.tenure_mean_days)))
        if end > horizon:
            spells.append(Occupancy(start, NEVER, filled))
            break
        spells.append(Occupancy(start, end, filled))
        start = end + int(rng.lognormal(math.log(plan.refill_delay_median_days), 0.5))
    return tuple(spells)


def _position_id(
    style: str, baustein: int, funktion: str, running: int, per_baustein: int, per_function: int
) -> str:
    if style == "BAUSTEIN":
        return f"B{baustein}-{per_baustein:03d}"
    if style == "LAUFEND":
        return f"ST-{running:04d}"
    return f"{FUNCTION_SHORT[funktion]}-{per_function:02d}"


def simulate_staffing(rng: np.random.Generator, unit: Unit, plan: StaffingPlan, horizon: int) -> Staffing:
    """All positions a unit is granted up to the horizon, with their filled and vacant spells."""
    population = unit.einwohner_zustaendig
    start = plan.wave_days[0]
    planned: list[
        tuple[int, str, str, float, int, float | None]
    ] = []  # baustein, funktion, träger, size, day, delay
    for number in range(1 + (population > 250_000) + (population > 500_000)):
        planned.append((1, "KOORDINATION", "KOMMUNE", 1.0 if number == 0 else 0.5, start, None))
    planned.append((1, "VERWALTUNGSASSISTENZ", "KOMMUNE", 1.0 if population > 400_000 else 0.5, start, None))

    sizes = _position_sizes(rng, plan.cm_vzae_target)
    wave_ends = np.ceil(np.cumsum(plan.wave_shares) * len(sizes)).astype(int)
    wave_ends[0] = max(1, wave_ends[0])
    traeger_names = [name for name, _ in plan.cm_traeger_weights]
    traeger_weights = np.array([weight for _, weight in plan.cm_traeger_weights])
    for number, size in enumerate(sizes):
        wave = int(np.searchsorted(wave_ends, number, side="right"))
        day = plan.wave_days[min(wave, 2)] + int(rng.integers(0, 30))
        traeger = traeger_names[rng.choice(len(traeger_names), p=traeger_weights / traeger_weights.sum())]
        # The first position is filled quickly so that every unit runs case management from early 2021 on.
        first_delay = rng.uniform(20, 60) if number == 0 else None
        planned.append((2, "CASE_MANAGEMENT", "KOMMUNE" if number == 0 else traeger, size, day, first_delay))

    b3_start = start + int(rng.integers(30, 270))
    for _ in range(max(1, round(population / 180_000))):
        planned.append((3, "ABH_SACHBEARBEITUNG", "KOMMUNE", 1.0, b3_start + int(rng.integers(0, 60)), None))
    ebh_count = max(1, round(population / 250_000))
    if rng.random() < 0.6:  # the 2024 citizenship reform: many units got extra Einbürgerung staff
        ebh_count += max(1, round(population / 400_000))
    for number in range(ebh_count):
        day = (
            b3_start + int(rng.integers(0, 60))
            if number == 0
            else day_number(date(2024, 4, 1)) + int(rng.integers(0, 200))
        )
        planned.append((3, "EBH_SACHBEARBEITUNG", "KOMMUNE", 1.0, day, None))

    positions = []
    per_baustein: dict[int, int] = {}
    per_function: dict[str, int] = {}
    for running, (baustein, funktion, traeger, size, day, delay) in enumerate(planned, start=1):
        per_baustein[baustein] = per_baustein.get(baustein, 0) + 1
        per_function[funktion] = per_function.get(funktion, 0) + 1
        stelle_id = _position_id(
            plan.position_id_style,
            baustein,
            funktion,
            running,
            per_baustein[baustein],
            per_function[funktion],
        )
        positions.append(
            Position(
                stelle_id=stelle_id,
                baustein=baustein,
                funktion=funktion,
                traeger=traeger,
                bewilligt_vzae=size,
                granted_day=day,
                occupancies=_occupancies(rng, plan, day, size, horizon, delay),
            )
        )
    return Staffing(tuple(positions))
