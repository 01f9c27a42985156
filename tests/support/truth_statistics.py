"""Exact probabilities the ground-truth tests compare with: what an interval promises, what a test can detect.

The tests count events (an interval covers the generator's true value; a unit is classified better than NRW)
over many independent units and quarters. Each event has its own probability, so the count follows a
Poisson-binomial distribution; `poisson_binomial_lower_bound` is the count below which chance alone would fall
with probability `alpha` (normal approximation with continuity correction, conservative for the sums of
dozens to thousands of terms the tests add up).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from scipy.stats import binom, norm


def poisson_binomial_lower_bound(probabilities: Iterable[float], alpha: float = 0.001) -> float:
    """The smallest count of successes that is still plausible at level `alpha` (one-sided)."""
    p = np.asarray(list(probabilities), dtype=float)
    mean, sd = p.sum(), math.sqrt(float((p * (1 - p)).sum()))
    return mean - norm.ppf(1 - alpha) * sd - 0.5


def poisson_binomial_upper_bound(probabilities: Iterable[float], alpha: float = 0.001) -> float:
    """The largest count of successes that is still plausible at level `alpha` (one-sided)."""
    p = np.asarray(list(probabilities), dtype=float)
    mean, sd = p.sum(), math.sqrt(float((p * (1 - p)).sum()))
    return mean + norm.ppf(1 - alpha) * sd + 0.5


def order_statistic_coverage(n: int, z: float = 1.959963984540054) -> float:
    """Exact coverage of the distribution-free median interval [x(r), x(s)] the warehouse computes
    (macros/statistik/median_interval.sql: r = floor(n/2 − z√n/2), s = ceil(1 + n/2 + z√n/2), clamped to
    [1, n]) for a continuous distribution: P(r ≤ B ≤ s − 1) with B ~ Bin(n, ½). With ties (whole days) the
    closed interval covers at least as often."""
    r = min(n, max(1, math.floor(n / 2 - z * math.sqrt(n) / 2)))
    s = min(n, max(1, math.ceil(1 + n / 2 + z * math.sqrt(n) / 2)))
    return float(binom.cdf(s - 1, n, 0.5) - binom.cdf(r - 1, n, 0.5))


def wilson_bounds(successes: np.ndarray, n: int, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score bounds (as shares 0–1) for every possible count of successes out of n."""
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return centre - half, centre + half


def wilson_detection_probability(
    p_true: float, n: int, reference: float, z: float = 1.959963984540054
) -> float:
    """Probability that the Wilson interval of Bin(n, p_true) lies entirely on the side of `reference` where
    p_true is (the power of the comparison the warehouse makes)."""
    counts = np.arange(n + 1)
    lower, upper = wilson_bounds(counts, n, z)
    detected = lower > reference if p_true > reference else upper < reference
    return float(binom.pmf(counts[detected], n, p_true).sum())


def wilson_wrong_side_probability(
    p_true: float, n: int, reference: float, z: float = 1.959963984540054
) -> float:
    """Probability that the Wilson interval excludes `reference` on the wrong side of it."""
    counts = np.arange(n + 1)
    lower, upper = wilson_bounds(counts, n, z)
    wrong = upper < reference if p_true > reference else lower > reference
    return float(binom.pmf(counts[wrong], n, p_true).sum())
