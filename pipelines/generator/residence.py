"""Baustein 3: quarterly aggregates of the Ausländer- and Einbürgerungsbehörde per procedure type.

Each procedure is a queue: applications arrive at a rate per 100,000 inhabitants that follows the law (the
Chancen-Aufenthaltsrecht § 104c from 2023 until the end of 2025, rising naturalisations after the 2024
reform), the authority decides a unit-specific share of what is pending, and the rest stays pending.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.calendar import Quarter, quarter_range
from pipelines.contract.codes import codes
from pipelines.generator.reference import Unit

BASE_RATE_PER_100K = {"P25A": 2.5, "P25B": 1.5, "P104C": 16.0, "NIEDERLASSUNG": 25.0, "EINBUERGERUNG": 40.0}
POSITIVE_SHARE = {"P25A": 0.8, "P25B": 0.7, "P104C": 0.75, "NIEDERLASSUNG": 0.9, "EINBUERGERUNG": 0.93}
BASE_DURATION_DAYS = {"P25A": 90, "P25B": 120, "P104C": 100, "NIEDERLASSUNG": 60, "EINBUERGERUNG": 240}
CHANCEN_FROM, CHANCEN_UNTIL = Quarter(2023, 1), Quarter(2025, 4)
REFORM_FROM = Quarter(2024, 3)


@dataclass(frozen=True)
class ResidencePlan:
    intensity: float  # applications relative to the NRW average
    decision_share: float  # share of pending procedures decided per quarter
    naturalisation_decision_share: float


def draw_residence_plan(rng: np.random.Generator) -> ResidencePlan:
    return ResidencePlan(
        intensity=rng.uniform(0.7, 1.4),
        decision_share=rng.uniform(0.3, 0.55),
        naturalisation_decision_share=rng.uniform(0.15, 0.3),
    )


def application_rate(verfahren: str, quarter: Quarter) -> float:
    """Applications per 100,000 inhabitants and quarter in NRW on average."""
    rate = BASE_RATE_PER_100K[verfahren]
    if verfahren == "P104C":
        if not CHANCEN_FROM <= quarter <= CHANCEN_UNTIL:
            return 0.0
        since = (quarter.year - CHANCEN_FROM.year) * 4 + quarter.number - 1
        return rate * 0.85**since
    if verfahren == "EINBUERGERUNG" and quarter >= REFORM_FROM:
        since = (quarter.year - REFORM_FROM.year) * 4 + quarter.number - REFORM_FROM.number
        return rate * 2.0 * 1.03**since
    return rate


def is_reported(verfahren: str, quarter: Quarter) -> bool:
    """§ 104c procedures exist from 2023 on; every other procedure is reported throughout."""
    return verfahren != "P104C" or quarter >= CHANCEN_FROM


def simulate_residence(
    rng: np.random.Generator, unit: Unit, plan: ResidencePlan, first: Quarter, last: Quarter
) -> dict[Quarter, list[tuple[str, int, int, int, int, int | None]]]:
    """Per quarter, one row per reported procedure: (verfahren, eingang, positiv, negativ, offen, dauer)."""
    per_100k = unit.einwohner_zustaendig / 100_000 * plan.intensity
    pending = {v: int(rng.poisson(application_rate(v, first) * per_100k * 2)) for v in codes("verfahren")}
    rows: dict[Quarter, list[tuple[str, int, int, int, int, int | None]]] = {}
    for quarter in quarter_range(first, last):
        quarter_rows = []
        for verfahren in codes("verfahren"):
            arrived = int(rng.poisson(application_rate(verfahren, quarter) * per_100k))
            available = pending[verfahren] + arrived
            share = (
                plan.naturalisation_decision_share if verfahren == "EINBUERGERUNG" else plan.decision_share
            )
            decided = int(rng.binomial(available, min(0.95, share * rng.uniform(0.8, 1.2))))
            positive = int(rng.binomial(decided, POSITIVE_SHARE[verfahren]))
            duration = None
            if decided:
                backlog = pending[verfahren] / decided
                duration = int(
                    np.clip(
                        BASE_DURATION_DAYS[verfahren] * (0.6 + 0.4 * backlog) * rng.uniform(0.8, 1.2),
                        14,
                        1200,
                    )
                )
            pending[verfahren] = available - decided
            if is_reported(verfahren, quarter):
                quarter_rows.append(
                    (verfahren, arrived, positive, decided - positive, pending[verfahren], duration)
                )
        rows[quarter] = quarter_rows
    return rows
