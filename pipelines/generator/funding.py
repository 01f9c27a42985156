"""Funds per Haushaltsjahr and Baustein: granted from the positions, drawn and spent at a unit-specific pace.

Amounts are cumulative at each quarter end. The grant of a year follows the positions granted so far (pro
rata from their grant day); the current year's drawn amount grows with the quarter along a unit-specific
curve up to the year's final rate, after which the year's figures stay final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from pipelines.calendar import Quarter
from pipelines.generator.staffing import Staffing
from pipelines.generator.timeline import day_number

FIRST_BUDGET_YEAR = 2020
COST_PER_VZAE_2020 = {1: 78_000.0, 2: 72_000.0, 3: 70_000.0}
ANNUAL_COST_INCREASE = 0.03
MATERIAL_COST_SHARE = 0.08
BAUSTEINE = (1, 2, 3)


@dataclass(frozen=True)
class FundingPlan:
    pace_exponent: float  # > 1: spending lags behind the linear pace
    final_draw_low: float  # the share of the grant finally drawn varies per year in [low, 1]


def draw_funding_plan(rng: np.random.Generator) -> FundingPlan:
    return FundingPlan(pace_exponent=rng.uniform(0.8, 1.8), final_draw_low=rng.uniform(0.78, 0.95))


@dataclass(frozen=True)
class Funding:
    """Finance figures of a unit, read as they stand at any quarter end (`rows_at`)."""

    staffing: Staffing
    plan: FundingPlan
    final_draw_rate: dict[tuple[int, int], float]
    spend_ratio: dict[tuple[int, int], float]

    def granted(self, year: int, baustein: int, day: int) -> float:
        """Grant for a year as known at a day: the positions granted by then, pro rata over the year."""
        year_start, year_end = day_number(date(year, 1, 1)), day_number(date(year, 12, 31))
        cost = COST_PER_VZAE_2020[baustein] * (1 + ANNUAL_COST_INCREASE) ** (year - FIRST_BUDGET_YEAR)
        total = 0.0
        for position in self.staffing.granted_at(day):
            if position.baustein == baustein:
                covered = max(0, year_end - max(year_start, position.granted_day) + 1)
                total += position.bewilligt_vzae * cost * covered / (year_end - year_start + 1)
        return round(total * (1 + MATERIAL_COST_SHARE), -2)

    def rows_at(self, quarter: Quarter) -> list[tuple[int, int, float, float, float]]:
        """(haushaltsjahr, baustein, bewilligt, abgerufen, verausgabt) for every year up to the quarter's."""
        day = day_number(quarter.end)
        rows = []
        for year in range(FIRST_BUDGET_YEAR, quarter.year + 1):
            elapsed = quarter.number / 4 if year == quarter.year else 1.0
            for baustein in BAUSTEINE:
                granted = self.granted(year, baustein, day)
                drawn = round(
                    granted * self.final_draw_rate[year, baustein] * elapsed**self.plan.pace_exponent, 2
                )
                spent = round(drawn * self.spend_ratio[year, baustein], 2)
                rows.append((year, baustein, granted, drawn, spent))
        return rows


def simulate_funding(
    rng: np.random.Generator, plan: FundingPlan, staffing: Staffing, last_year: int
) -> Funding:
    keys = [(year, baustein) for year in range(FIRST_BUDGET_YEAR, last_year + 1) for baustein in BAUSTEINE]
    return Funding(
        staffing=staffing,
        plan=plan,
        final_draw_rate={key: float(rng.uniform(plan.final_draw_low, 1.0)) for key in keys},
        spend_ratio={key: float(rng.uniform(0.92, 1.04)) for key in keys},
    )
