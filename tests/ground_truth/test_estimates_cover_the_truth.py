"""The warehouse's intervals cover the generator's true values as often as they promise.

Every unit was simulated with a latent median time to integration and a median transition gap
(ground_truth.json). Each estimate's 95 % interval should contain the true value with its promised
probability; over many independent units and quarters the number of covering intervals may fall short of the
promised number only by chance: the tests fail when it falls below the 0.1 % quantile of its Poisson-binomial
distribution. An interval that is too narrow, a biased estimator or a unit mix-up fails them.
"""

from __future__ import annotations

import math

import numpy as np
from truth_statistics import order_statistic_coverage, poisson_binomial_lower_bound

from pipelines.calendar import Quarter


def _report(title: str, covered: int, promised: list[float]) -> str:
    return (
        f"{title}: {len(promised)} Intervalle, überdecken {covered} "
        f"(versprochen {sum(promised):.1f}, Untergrenze 0,1 %: {poisson_binomial_lower_bound(promised):.1f})"
    )


def test_median_transition_gaps_cover_the_true_median(ground_truth_run):
    """K06 per unit and quarter (transitions of different quarters are independent draws)."""
    truth = ground_truth_run.unit_truth("uebergangsluecke_median_tage")
    rows = ground_truth_run.query(
        "select gebiet, quartal, zaehler, ki95_unten, ki95_oben from marts.kpi_werte "
        "where kpi_id = 'K06' and gebietsebene = 'kommune' and aufschluesselung = '' and zaehler >= 1"
    )
    assert len(rows) >= 50, "too few unit quarters with transitions to test anything"
    promised = [order_statistic_coverage(int(n)) for n in rows.zaehler]
    covered = int(
        sum(
            low <= truth[ags] <= high
            for ags, low, high in zip(rows.gebiet, rows.ki95_unten, rows.ki95_oben, strict=True)
        )
    )
    print(_report("K06 Übergangslücke (Median)", covered, promised))
    assert covered >= poisson_binomial_lower_bound(promised), _report("K06", covered, promised)


def test_median_time_to_integration_covers_the_true_median(ground_truth_run):
    """K05 per unit in the quarter before the last: its 8-quarter windows overlap, so one quarter per unit
    keeps the units independent, and integrations reported one package late are all in by then. Units with
    fewer than 10 cases are left out: the Greenwood interval is a large-sample one."""
    parameter = ground_truth_run.truth["parameter"]
    quarter = str(Quarter.parse(parameter["letztes_quartal"]).previous())
    # Recorded times are whole days (the floor of the latent time), so their median is the floor of the
    # latent median.
    truth = {ags: math.floor(m) for ags, m in ground_truth_run.unit_truth("integration_median_tage").items()}
    rows = ground_truth_run.query(
        "select gebiet, nenner, ki95_unten, ki95_oben from marts.kpi_werte "
        "where kpi_id = 'K05' and gebietsebene = 'kommune' and aufschluesselung = '' and quartal = ? "
        "and nenner >= 10",
        [quarter],
    )
    assert len(rows) >= 10, f"too few units with 10 cases in {quarter} to test anything"
    low = rows.ki95_unten.fillna(0).to_numpy()
    high = rows.ki95_oben.fillna(np.inf).to_numpy()  # not reached: unbounded
    covered = int(sum(lo <= truth[ags] <= hi for ags, lo, hi in zip(rows.gebiet, low, high, strict=True)))
    promised = [0.95] * len(rows)
    print(_report(f"K05 Zeit bis zur Integration (Median, {quarter})", covered, promised))
    assert covered >= poisson_binomial_lower_bound(promised), _report("K05", covered, promised)
