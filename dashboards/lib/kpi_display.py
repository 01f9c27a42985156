"""Display rules of individual KPIs that the catalogue table does not carry (KPIS.md).

The catalogue says what a KPI means; these rules say which reference marks its chart needs (the
Fallbelastung corridor of 30–50 cases per full-time case manager, the linear pace against which the
Mittelabfluss of a budget year is read) and which reference values are totals that must not be drawn next to a
single unit.
"""

from __future__ import annotations

from pipelines.calendar import Quarter

REFERENCE_BANDS: dict[str, tuple[float, float]] = {"K03": (30.0, 50.0)}
LINEAR_PACE_KPIS = frozenset({"K14"})
MILESTONE_DIMENSION = "meilenstein"

# Counts whose value for a reference area (NRW, unit type) is the sum over its units: a total, not a level a
# single unit can be set against. Rates, shares, medians and averages are comparable and not listed here.
SUMMED_KPIS = frozenset({"K02", "K11", "K16"})


def reference_band(kpi_id: str) -> tuple[float, float] | None:
    """The recommended corridor of a KPI, if it has one."""
    return REFERENCE_BANDS.get(kpi_id)


def reference_is_sum(kpi_id: str) -> bool:
    """Whether the KPI's reference values are totals over units rather than comparable levels."""
    return kpi_id in SUMMED_KPIS


def has_linear_pace(kpi_id: str) -> bool:
    """Whether the KPI is read against the linear spending pace of the budget year."""
    return kpi_id in LINEAR_PACE_KPIS


def linear_pace(quartal: str) -> float:
    """Share of the annual budget (0–100) spent by the end of a quarter at an even pace: quarter ÷ 4."""
    return Quarter.parse(quartal).number / 4 * 100


def breakdown_dimension(aufschluesselung: str) -> str:
    """`baustein:2` → `baustein`; `''` (the total) → `''`."""
    return aufschluesselung.partition(":")[0]


# KPIs with a random model whose unit values can be judged in a funnel plot around the NRW value (the same
# rule as dbt's kpi_trichter macro): shares with a Wilson and rates with a Poisson interval.
FUNNEL_VALUE_KINDS = frozenset({"anteil", "rate"})
FUNNEL_METHODS = frozenset({"wilson", "poisson"})
PER_POPULATION_FACTOR = 100_000


def has_funnel(wertart: object, methode: object) -> bool:
    """Whether a KPI of this kind of value and interval method gets funnel-plot limits."""
    return wertart in FUNNEL_VALUE_KINDS and methode in FUNNEL_METHODS


def funnel_denominator_title(wertart: object, faktor: object) -> str:
    """The x axis of a funnel plot: what the denominator of the KPI counts."""
    if wertart == "rate" and faktor == PER_POPULATION_FACTOR:
        return "Einwohnerinnen und Einwohner des Zuständigkeitsgebiets (Nenner)"
    if wertart == "rate":
        return "Bezugsgröße (Nenner, z. B. aktive Fälle)"
    return "Fallzahl (Nenner)"
