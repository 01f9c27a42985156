"""When each package arrives: on time or late, missing, still outstanding at the reference date, or corrected.

Arrival times are drawn per unit (its own punctuality); which packages go missing and which get a correction
is chosen statewide so that their number is fixed (missing < 2 %, corrections ≈ 1 %) whatever the seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np

from pipelines.calendar import Quarter
from pipelines.generator.randomness import Stream, statewide_rng, unit_rng
from pipelines.generator.reference import Unit

BERLIN = ZoneInfo("Europe/Berlin")
MISSING_SHARE = 0.015
CORRECTION_SHARE = 0.01
LATE_DELAY_MEAN_DAYS = 30
LATE_DELAY_MAX_DAYS = 240


class DeliveryStatus(StrEnum):
    DELIVERED = "GELIEFERT"
    MISSING = "FEHLT"  # never delivered
    OUTSTANDING = "AUSSTEHEND"  # will arrive after the reference date, so not in the landing zone yet


@dataclass(frozen=True)
class DeliveryBehaviour:
    typical_delay_days: float  # days after quarter end for an on-time delivery
    late_probability: float


def draw_delivery_behaviour(rng: np.random.Generator) -> DeliveryBehaviour:
    often_late = rng.random() < 0.25
    return DeliveryBehaviour(
        typical_delay_days=rng.uniform(12, 38),
        late_probability=rng.uniform(0.15, 0.35) if often_late else rng.uniform(0.01, 0.05),
    )


@dataclass(frozen=True)
class Delivery:
    """The delivery of one unit-quarter; a corrected one arrives twice (original first, correction later)."""

    ags: str
    quarter: Quarter
    status: DeliveryStatus
    arrival: datetime | None  # first arrival (Europe/Berlin)
    created: datetime | None  # manifest `erstellt_am` of the first package
    correction_arrival: datetime | None = None
    correction_created: datetime | None = None

    @property
    def late(self) -> bool:
        return self.arrival is not None and self.arrival.date() > self.quarter.deadline

    @property
    def corrected(self) -> bool:
        return self.correction_arrival is not None


def _office_moment(rng: np.random.Generator, day: date) -> datetime:
    """A moment during office hours on the given day, or the next workday."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    minutes = 8 * 60 + int(rng.integers(0, 9 * 60 + 30))
    return datetime(
        day.year, day.month, day.day, minutes // 60, minutes % 60, int(rng.integers(0, 60)), tzinfo=BERLIN
    )


def _created_before(rng: np.random.Generator, arrival: datetime) -> datetime:
    """The manifest is written shortly before the package is sent."""
    return (arrival.astimezone(BERLIN) - timedelta(minutes=int(rng.integers(10, 300)))).astimezone(BERLIN)


def _arrival(
    rng: np.random.Generator, behaviour: DeliveryBehaviour, quarter: Quarter, late: bool
) -> datetime:
    if late:
        delay = 46 + min(LATE_DELAY_MAX_DAYS, int(rng.exponential(LATE_DELAY_MEAN_DAYS)))
    else:
        delay = int(np.clip(round(rng.normal(behaviour.typical_delay_days, 7)), 3, 43))
    return _office_moment(rng, quarter.end + timedelta(days=delay))


def plan_deliveries(
    seed: int,
    units: tuple[Unit, ...],
    behaviours: dict[str, DeliveryBehaviour],
    quarters: list[Quarter],
    stichtag: date,
) -> dict[tuple[str, Quarter], Delivery]:
    """The delivery of every unit and quarter as the landing zone stands at the end of `stichtag`."""
    plans: dict[tuple[str, Quarter], Delivery] = {}
    correction_moments: dict[tuple[str, Quarter], tuple[datetime, datetime]] = {}
    for unit in units:
        rng = unit_rng(seed, unit.index, Stream.DELIVERY)
        behaviour = behaviours[unit.ags]
        for quarter in quarters:
            arrival = _arrival(rng, behaviour, quarter, rng.random() < behaviour.late_probability)
            correction = _office_moment(rng, arrival.date() + timedelta(days=3 + int(rng.exponential(14))))
            correction_moments[unit.ags, quarter] = (correction, _created_before(rng, correction))
            status = DeliveryStatus.OUTSTANDING if arrival.date() > stichtag else DeliveryStatus.DELIVERED
            plans[unit.ags, quarter] = Delivery(
                unit.ags, quarter, status, arrival, _created_before(rng, arrival)
            )

    rng = statewide_rng(seed, Stream.CORRECTION)
    keys = sorted(plans)
    delivered = [key for key in keys if plans[key].status is DeliveryStatus.DELIVERED]
    missing_count = min(len(delivered), max(1, math.floor(MISSING_SHARE * len(keys))))
    for index in rng.choice(len(delivered), size=missing_count, replace=False):
        key = delivered[index]
        plans[key] = replace(plans[key], status=DeliveryStatus.MISSING, arrival=None, created=None)

    delivered = [key for key in keys if plans[key].status is DeliveryStatus.DELIVERED]
    if delivered and not any(plans[key].late for key in delivered):
        _force_one_late(rng, plans, delivered, stichtag)

    correctable = [
        key
        for key in keys
        if plans[key].status is DeliveryStatus.DELIVERED
        and plans[key].arrival < correction_moments[key][0]
        and correction_moments[key][0].date() <= stichtag
    ]
    correction_count = min(len(correctable), max(1, round(CORRECTION_SHARE * len(keys))))
    for index in rng.choice(len(correctable), size=correction_count, replace=False):
        key = correctable[index]
        arrival, created = correction_moments[key]
        plans[key] = replace(plans[key], correction_arrival=arrival, correction_created=created)
    return plans


def _force_one_late(
    rng: np.random.Generator,
    plans: dict[tuple[str, Quarter], Delivery],
    delivered: list[tuple[str, Quarter]],
    stichtag: date,
) -> None:
    """Small runs must still show a late delivery: move one package past its deadline if the date allows."""
    for index in rng.permutation(len(delivered)):
        key = delivered[index]
        moment = _office_moment(rng, key[1].deadline + timedelta(days=int(rng.integers(3, 20))))
        if moment.date() <= stichtag:
            plans[key] = replace(plans[key], arrival=moment, created=_created_before(rng, moment))
            return
