"""The 5-quarter trend tests of marts.kpi_trends, recomputed with statsmodels and scipy from marts.kpi_werte.

Each test statistic is recomputed from the five values (and counts) of its series with a library: the
Cochran–Armitage χ² from statsmodels' linear-by-linear association (z² · N / (N − 1)), the Poisson trend χ²
as the score statistic of a Poisson regression with log-exposure offset (statsmodels GLM), the weighted
regression's Wald χ² from statsmodels WLS, the t-test of the least-squares slope from scipy's linregress.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import linregress
from statsmodels.stats.contingency_tables import Table

from pipelines.calendar import Quarter

Z95 = 1.959963984540054


@pytest.fixture(scope="module")
def trends_and_values(published_warehouse):
    with duckdb.connect(str(published_warehouse.ministry_db), read_only=True) as con:
        trends = con.execute("select * from marts.kpi_trends").df()
        values = con.execute(
            "select kpi_id, gebiet, quartal, aufschluesselung, wert, zaehler, nenner, ki95_unten, ki95_oben "
            "from marts.kpi_werte"
        ).df()
    return trends, values.set_index(["kpi_id", "gebiet", "aufschluesselung", "quartal"]).sort_index()


def _series(values: pd.DataFrame, row) -> pd.DataFrame:
    end = Quarter.parse(row.quartal)
    quarters = [end]
    for _ in range(4):
        quarters.insert(0, quarters[0].previous())
    return values.loc[[(row.kpi_id, row.gebiet, row.aufschluesselung, str(q)) for q in quarters]]


def _armitage(series: pd.DataFrame) -> float:
    x, n = series.zaehler.to_numpy(), series.nenner.to_numpy()
    table = np.column_stack([x, n - x])
    z = (
        Table(table, shift_zeros=False)
        .test_ordinal_association(row_scores=np.arange(1, 6), col_scores=np.array([1, 0]))
        .zscore
    )
    return z * z * n.sum() / (n.sum() - 1)


def _poisson_score(series: pd.DataFrame) -> float:
    x, n = series.zaehler.to_numpy(), series.nenner.to_numpy()
    t = np.arange(1.0, 6.0)
    null = sm.GLM(x, np.ones((5, 1)), family=sm.families.Poisson(), offset=np.log(n)).fit()
    expected = null.mu
    score = np.sum(t * (x - expected))
    information = np.sum(expected * t * t) - np.sum(expected * t) ** 2 / np.sum(expected)
    return score * score / information


def _weighted_wald(series: pd.DataFrame) -> float:
    se = (series.ki95_oben - series.ki95_unten).to_numpy() / (2 * Z95)
    fit = sm.WLS(series.wert.to_numpy(), sm.add_constant(np.arange(1.0, 6.0)), weights=1 / se**2).fit()
    # the Wald χ² with the standard errors taken as known (not rescaled by the residual variance)
    cov = np.linalg.inv(fit.model.wexog.T @ fit.model.wexog)
    return fit.params[1] ** 2 / cov[1, 1]


def _ols_t_squared(series: pd.DataFrame) -> float:
    fit = linregress(np.arange(1.0, 6.0), series.wert.to_numpy())
    if not fit.stderr > 0:  # an exactly linear series: any slope is a trend, a constant one none
        return np.inf if fit.slope != 0 else 0.0
    return (fit.slope / fit.stderr) ** 2


RECOMPUTE = {
    "Cochran-Armitage (χ²)": _armitage,
    "Poisson-Trend (χ²)": _poisson_score,
    "gewichtete Regression (Wald-χ²)": _weighted_wald,
    "Regression (t-Test)": _ols_t_squared,
}


@pytest.mark.parametrize("test_name", sorted(RECOMPUTE))
def test_trend_statistics_match_the_libraries(trends_and_values, test_name):
    trends, values = trends_and_values
    rows = trends[(trends.trendtest == test_name) & trends.pruefgroesse.notna()]
    assert len(rows), f"no series tested with {test_name}: the session needs 5 quarters"
    sample = rows.sample(n=min(len(rows), 150), random_state=7)
    for row in sample.itertuples(index=False):
        series = _series(values, row)
        expected = RECOMPUTE[test_name](series)
        assert row.pruefgroesse == pytest.approx(expected, rel=1e-6, abs=1e-9), (row, series)
        slope = linregress(np.arange(1.0, 6.0), series.wert.to_numpy()).slope
        assert row.steigung == pytest.approx(slope, rel=1e-9, abs=1e-12)
        threshold = 104.35 if test_name == "Regression (t-Test)" else 9.5495
        significant = expected > threshold
        assert row.trend == (
            ("steigend" if slope > 0 else "fallend") if significant else "kein signifikanter Trend"
        )
