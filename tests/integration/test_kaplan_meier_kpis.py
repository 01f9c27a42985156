"""K05 and K19, the Kaplan–Meier KPIs, equal an independent computation with statsmodels on the generated files.

The landing zone is read by the `independent` fixture (no pipeline code; corrections replace their partition,
the newest quarter mentioning a case or theme wins, events deduplicated). For every delivered unit × quarter
and its reference areas, the observations (days, event or censored) are rebuilt here in plain Python from the
definitions in the models' documentation, and statsmodels' `SurvfuncRight` estimates the curve: median
(`quantile(0.5)`), the Brookmeyer–Crowley interval at both levels (`quantile_ci(0.5, alpha, method="cloglog")`)
and, for K05, S(365) with its pointwise log-log interval from the Greenwood standard error (`surv_prob_se`).
"""

from __future__ import annotations

import math
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from independent_kpis import areas_of
from scipy.stats import norm
from statsmodels.duration.survfunc import SurvfuncRight

from pipelines.calendar import Quarter

LEVELS = {"95": 0.05, "998": 0.002}
INTEGRATION_EVENTS = {"ARBEIT_SV", "AUSBILDUNG_BEGINN"}
WINDOW_QUARTERS = 8
SHARE_DAYS = 365
# S that is mathematically 0.5 may be computed a rounding error below it; the models treat |S − 0.5| < 1e-10 as
# 0.5 (the median is the first time S falls below 0.5).
HALF_TOLERANCE = 1e-10

Observations = list[tuple[int, int]]  # (days, 1 = event / 0 = censored)


@pytest.fixture(scope="module")
def published_km(published_warehouse) -> pd.DataFrame:
    with duckdb.connect(str(published_warehouse.ministry_db), read_only=True) as con:
        return con.execute(
            """
            select kpi_id, gebiet, quartal, aufschluesselung, wert, zaehler, nenner,
                ki95_unten, ki95_oben, ki998_unten, ki998_oben
            from marts.kpi_werte
            where kpi_id in ('K05', 'K19')
            """
        ).df()


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)


def _day(value) -> date | None:
    return None if _is_missing(value) else value


def _days(later: date, earlier: date) -> int:
    return (later - earlier).days


def _window_start(quarter: Quarter) -> date:
    first = quarter
    for _ in range(WINDOW_QUARTERS - 1):
        first = first.previous()
    return first.start


def _finite(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _without_value() -> dict[str, float | None]:
    return {"wert": None, **{f"ki{name}_{side}": None for name in LEVELS for side in ("unten", "oben")}}


def _estimate(observations: Observations, share_days: int | None = None) -> dict[str, float | None]:
    """The published columns of one Kaplan–Meier estimate, from statsmodels."""
    times = np.array([t for t, _ in observations], dtype=float)
    status = np.array([s for _, s in observations], dtype=float)
    result: dict[str, float | None] = {"zaehler": float(status.sum()), "nenner": float(len(times))}
    if status.sum() == 0:
        result.update(_without_value())
        if share_days is not None:
            observed_long_enough = len(times) > 0 and times.max() >= share_days
            result["anteil"] = {
                **_without_value(),
                "wert": 0.0 if observed_long_enough else None,
                "zaehler": 0.0,
            }
        return result
    fit = SurvfuncRight(times, status)
    surv, se, event_times = fit.surv_prob, fit.surv_prob_se, fit.surv_times
    below = np.flatnonzero(surv < 0.5 - HALF_TOLERANCE)
    median = float(event_times[below[0]]) if len(below) else None
    if not np.any(np.abs(surv - 0.5) < HALF_TOLERANCE):  # away from exact ties the rule is statsmodels' own
        assert median == _finite(fit.quantile(0.5))
    result["wert"] = median
    for name, alpha in LEVELS.items():
        with np.errstate(divide="ignore", invalid="ignore"):  # ln(0) where S reaches 0: not in the interval
            lower, upper = fit.quantile_ci(0.5, alpha=alpha, method="cloglog")
        result[f"ki{name}_unten"], result[f"ki{name}_oben"] = _finite(lower), _finite(upper)
    if share_days is not None:
        result["anteil"] = _share(times, status, event_times, surv, se, share_days)
    return result


def _share(times, status, event_times, surv, se, days: int) -> dict[str, float | None]:
    """100·(1 − S(days)) with the pointwise log-log interval S^exp(±z·se/(S·|ln S|)), bounds swapped."""
    upto = np.flatnonzero(event_times <= days)
    s = float(surv[upto[-1]]) if len(upto) else 1.0
    se_s = float(se[upto[-1]]) if len(upto) else 0.0
    share = {"zaehler": float(status[times <= days].sum())}
    if times.max() < days:  # no case observed that long: S(days) is not estimated
        return {**share, **_without_value()}
    share["wert"] = 100 * (1 - s)
    for name, alpha in LEVELS.items():
        if 0 < s < 1:
            width = norm.ppf(1 - alpha / 2) * se_s / (s * -math.log(s))
            share[f"ki{name}_unten"] = 100 * (1 - s ** math.exp(-width))
            share[f"ki{name}_oben"] = 100 * (1 - s ** math.exp(width))
        else:
            share[f"ki{name}_unten"] = share[f"ki{name}_oben"] = None
    return share


def _pool(data, per_unit: dict[tuple, Observations]) -> dict[tuple, Observations]:
    """Observations per unit × quarter (× section) → per area × quarter (× section): unit, NRW, unit type."""
    pooled: dict[tuple, Observations] = {}
    for (ags, *rest), observations in per_unit.items():
        for area in areas_of(data, ags):
            pooled.setdefault((area, *rest), []).extend(observations)
    return pooled


def _integration_observations(data) -> dict[tuple[str, str], Observations]:
    """K05 per delivered unit × quarter: the cases opened in the 8 quarters up to it, in delivered quarters."""
    cases, events = data["cases"], data["events"]
    integrations = events[events.ereignis.isin(INTEGRATION_EVENTS)]
    integration = integrations.groupby(["ags", "fall_id"]).ereignis_am.min().to_dict()
    delivered = set(data["delivered"])
    per_unit: dict[tuple[str, str], Observations] = {}
    for ags, quartal in data["delivered"]:
        q = Quarter.parse(quartal)
        first_day = _window_start(q)
        observations = []
        for case in cases[cases.ags == ags].itertuples():
            intake = case.aufnahme_am
            if not first_day <= intake <= q.end or (ags, str(Quarter.containing(intake))) not in delivered:
                continue
            closed = _day(case.abschluss_am)
            integrated = integration.get((ags, case.fall_id))
            last_event_day = min(q.end, closed) if closed is not None else q.end
            if integrated is not None and integrated <= last_event_day:
                observations.append((max(0, _days(integrated, intake)), 1))
            else:
                known_until = closed if closed is not None else Quarter.parse(case.quartal).end
                observations.append((_days(min(q.end, known_until), intake), 0))
        per_unit[(ags, quartal)] = observations
    return per_unit


def _theme_observations(data) -> dict[tuple[str, str, str], Observations]:
    """K19 per delivered unit × quarter × section: the themes identified by the quarter end."""
    themes = data["themes"]
    per_unit: dict[tuple[str, str, str], Observations] = {}
    for ags, quartal in data["delivered"]:
        q = Quarter.parse(quartal)
        sections: dict[str, Observations] = {"beschluss": [], "umsetzung": []}
        for theme in themes[themes.ags == ags].itertuples():
            identified = theme.identifiziert_am
            if identified > q.end:
                continue
            steps = [
                _day(theme.lenkungsgruppe_am),
                _day(theme.projektgruppe_am),
                _day(theme.zielvereinbarung_am),
                _day(theme.umgesetzt_am),
            ]
            stop = min(q.end, Quarter.parse(theme.quartal).end)
            if theme.status == "VERWORFEN":  # censored at the last step it reached
                stop = min(stop, max([identified, *(d for d in steps if d is not None)]))
            for section, reached in (("beschluss", steps[0]), ("umsetzung", steps[3])):
                if reached is not None and reached <= q.end:
                    sections[section].append((_days(reached, identified), 1))
                else:
                    sections[section].append((_days(stop, identified), 0))
        for section, observations in sections.items():
            per_unit[(ags, quartal, section)] = observations
    return per_unit


def _compare(published: pd.DataFrame, kpi: str, breakdown: str, expected: dict[tuple, dict]) -> None:
    assert expected, f"{kpi} {breakdown}: nothing to compare"
    rows = published[(published.kpi_id == kpi) & (published.aufschluesselung == breakdown)]
    actual = {(row.gebiet, row.quartal): row for row in rows.itertuples()}
    missing = sorted(set(expected) - set(actual))
    assert not missing, f"{kpi} {breakdown}: missing {missing[:5]}"
    mismatches = []
    for key, values in expected.items():
        for column, value in values.items():
            got = getattr(actual[key], column)
            if value is None:
                if not _is_missing(got):
                    mismatches.append((key, column, value, got))
            elif _is_missing(got) or not np.isclose(got, value, rtol=1e-9, atol=1e-9):
                mismatches.append((key, column, value, got))
    assert not mismatches, f"{kpi} {breakdown}: {len(mismatches)} differences, e.g. {mismatches[:5]}"


def test_k05_integration_time_median_and_share_within_365_days(independent, published_km):
    pooled = _pool(independent, _integration_observations(independent))
    estimates = {key: _estimate(observations, SHARE_DAYS) for key, observations in pooled.items()}
    medians = {key: {k: v for k, v in e.items() if k != "anteil"} for key, e in estimates.items()}
    shares = {key: {**e["anteil"], "nenner": e["nenner"]} for key, e in estimates.items()}
    _compare(published_km, "K05", "", medians)
    _compare(published_km, "K05", "kennzahl:anteil_365", shares)
    # The comparison must not be vacuous: many estimates reach their median (not most: the session's data
    # covers only five quarters, so early estimates have short follow-up), some an upper bound.
    reached = [e for e in medians.values() if e["wert"] is not None]
    assert len(reached) >= 20
    assert any(e["ki95_oben"] is not None for e in reached)
    assert any(e["wert"] is not None and 0 < e["wert"] < 100 for e in shares.values())


def test_k19_theme_durations_per_section(independent, published_km):
    pooled = _pool(independent, _theme_observations(independent))
    for section in ("beschluss", "umsetzung"):
        expected = {
            (area, quartal): _estimate(observations)
            for (area, quartal, name), observations in pooled.items()
            if name == section
        }
        _compare(published_km, "K19", f"abschnitt:{section}", expected)
        assert any(e["wert"] is not None for e in expected.values()), section
    assert published_km[(published_km.kpi_id == "K19") & (published_km.aufschluesselung == "")].empty
