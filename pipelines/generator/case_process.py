"""The latent case process of one unit and the exact truth it implies.

A case ends in one of three ways, whichever comes first: the client integrates (first `ARBEIT_SV` or
`AUSBILDUNG_BEGINN`, lognormal time with a share that never integrates) and the case closes some weeks later
as a success; an independent competing closure (moving away, breaking off contact, …) ends it; or it reaches
the cap of about two years. Because the competing closures are independent of the time to integration, open
and closed cases censor that time independently and a Kaplan–Meier estimate recovers the latent median.

Benefit transitions (`RECHTSKREISWECHSEL`) have a unit-specific gap distribution: seamless (gap ≤ 0, some
with overlap) with a given share, otherwise a lognormal number of days without benefits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import lognorm, norm

from pipelines.contract.codes import codes
from pipelines.generator.timeline import NEVER

COMPETING_REASONS = ("WEGZUG", "KONTAKTABBRUCH", "BEENDIGUNG_DURCH_KLIENT", "SONSTIGES")
CAP_DAYS_MIN, CAP_DAYS_MAX = 700, 760  # case management ends after about two years
CAP_HANDOVER_SHARE = 0.5  # at the cap, half the cases are handed to the Regelsystem, the rest close otherwise
CLOSING_DELAY_DAYS = (14, 90)  # a successful case closes this many days after integration
OVERLAP_MAX_DAYS = 28
POSITIVE_GAP_MAX_DAYS = 3650
WAITING_MAX_DAYS = 400


@dataclass(frozen=True)
class CaseProcess:
    """A unit's case-process parameters (the ground truth that the KPIs should recover)."""

    integration_median_days: float  # median of the latent time including the never-integrating share
    integration_sigma: float
    never_integrating_share: float
    competing_rate_per_day: float
    competing_weights: tuple[float, ...]  # in the order of COMPETING_REASONS
    handover_share: float  # successful closures recorded as UEBERGABE_REGELSYSTEM instead of ZIEL_ERREICHT
    waiting_median_days: float  # continuous median erstkontakt → aufnahme (a whole number + 0.5)
    waiting_sigma: float
    seamless_share: float
    overlap_share: float  # share of seamless transitions where the new benefit starts before the old one ends
    positive_gap_median_days: float
    positive_gap_sigma: float

    @property
    def integration_mu(self) -> float:
        """Log-location of the lognormal part such that the mixture's median is `integration_median_days`."""
        quantile = norm.ppf(0.5 / (1.0 - self.never_integrating_share))
        return math.log(self.integration_median_days) - self.integration_sigma * quantile

    @property
    def waiting_median_whole_days(self) -> int:
        """Median of the recorded waiting time (whole days, the floor of the continuous time)."""
        return math.ceil(self.waiting_median_days) - 1

    def gap_distribution(self) -> tuple[np.ndarray, np.ndarray]:
        """Every possible transition gap in days and its probability."""
        overlap_days = np.arange(-OVERLAP_MAX_DAYS, 0)
        overlap_p = np.full(OVERLAP_MAX_DAYS, self.seamless_share * self.overlap_share / OVERLAP_MAX_DAYS)
        positive_days = np.arange(1, POSITIVE_GAP_MAX_DAYS + 1)
        cdf = lognorm.cdf(
            np.arange(0, POSITIVE_GAP_MAX_DAYS + 1),
            s=self.positive_gap_sigma,
            scale=self.positive_gap_median_days,
        )
        positive_p = (1.0 - self.seamless_share) * np.diff(cdf)
        positive_p[-1] += (1.0 - self.seamless_share) * (1.0 - cdf[-1])
        values = np.concatenate([overlap_days, [0], positive_days])
        probabilities = np.concatenate(
            [overlap_p, [self.seamless_share * (1.0 - self.overlap_share)], positive_p]
        )
        return values, probabilities

    @property
    def gap_median_days(self) -> int:
        """Exact median of the transition gap (`leistung_beginn_am − leistung_ende_am − 1`)."""
        values, probabilities = self.gap_distribution()
        return int(values[np.searchsorted(np.cumsum(probabilities), 0.5)])

    def closure_reason_shares(self) -> dict[str, float]:
        """Exact probability of each closing reason, by numerical integration over the latent times."""
        step = 0.05
        t = np.arange(step / 2, CAP_DAYS_MAX, step)
        n_caps = CAP_DAYS_MAX - CAP_DAYS_MIN + 1
        cap_after = np.clip(CAP_DAYS_MAX - np.floor(t), 0, n_caps) / n_caps  # P(cap > t)
        rate = self.competing_rate_per_day
        lognormal = lognorm(s=self.integration_sigma, scale=math.exp(self.integration_mu))
        integrating = 1.0 - self.never_integrating_share
        integration_density = integrating * lognormal.pdf(t)
        integration_survival = 1.0 - integrating * lognormal.cdf(t)
        integration_first = float(np.sum(integration_density * np.exp(-rate * t) * cap_after) * step)
        competing_first = float(np.sum(rate * np.exp(-rate * t) * integration_survival * cap_after) * step)
        capped = 1.0 - integration_first - competing_first
        shares = dict.fromkeys(codes("abschlussgrund"), 0.0)
        shares["ZIEL_ERREICHT"] += integration_first * (1.0 - self.handover_share)
        shares["UEBERGABE_REGELSYSTEM"] += (
            integration_first * self.handover_share + capped * CAP_HANDOVER_SHARE
        )
        total_weight = sum(self.competing_weights)
        for reason, weight in zip(COMPETING_REASONS, self.competing_weights, strict=True):
            shares[reason] += competing_first * weight / total_weight
        shares["SONSTIGES"] += capped * (1.0 - CAP_HANDOVER_SHARE)
        return shares

    @property
    def success_share(self) -> float:
        """Probability that a case closes with ZIEL_ERREICHT or UEBERGABE_REGELSYSTEM."""
        shares = self.closure_reason_shares()
        return shares["ZIEL_ERREICHT"] + shares["UEBERGABE_REGELSYSTEM"]


@dataclass(frozen=True)
class CaseCourses:
    """How each of n cases runs, in days after its `aufnahme_am`."""

    integration_offset: np.ndarray  # first ARBEIT_SV / AUSBILDUNG_BEGINN; NEVER if the case closes without
    closure_offset: np.ndarray
    closure_reason: np.ndarray  # index into codes("abschlussgrund")
    waiting_days: np.ndarray  # erstkontakt_am → aufnahme_am

    @property
    def integrated(self) -> np.ndarray:
        return self.integration_offset <= self.closure_offset


def sample_courses(rng: np.random.Generator, process: CaseProcess, n: int) -> CaseCourses:
    """Draw the course of n cases from the unit's latent process."""
    reasons = codes("abschlussgrund")
    never = rng.random(n) < process.never_integrating_share
    latent = rng.lognormal(process.integration_mu, process.integration_sigma, n)
    integration_time = np.where(never, np.inf, latent)
    competing_time = rng.exponential(1.0 / process.competing_rate_per_day, n)
    weights = np.asarray(process.competing_weights, dtype=float)
    competing_reason = rng.choice(len(weights), size=n, p=weights / weights.sum())
    cap = rng.integers(CAP_DAYS_MIN, CAP_DAYS_MAX + 1, n).astype(float)
    closing_delay = rng.integers(CLOSING_DELAY_DAYS[0], CLOSING_DELAY_DAYS[1] + 1, n)
    handover = rng.random(n) < process.handover_share
    cap_handover = rng.random(n) < CAP_HANDOVER_SHARE

    integrates_first = integration_time < np.minimum(competing_time, cap)
    competing_first = ~integrates_first & (competing_time < cap)
    integration_offset = np.where(integrates_first, np.floor(np.where(never, 0.0, latent)), np.inf)

    competing_codes = np.array([reasons.index(reason) for reason in COMPETING_REASONS])
    success_reason = np.where(
        handover, reasons.index("UEBERGABE_REGELSYSTEM"), reasons.index("ZIEL_ERREICHT")
    )
    cap_reason = np.where(cap_handover, reasons.index("UEBERGABE_REGELSYSTEM"), reasons.index("SONSTIGES"))
    closure_reason = np.where(
        integrates_first,
        success_reason,
        np.where(competing_first, competing_codes[competing_reason], cap_reason),
    )
    closure_time = np.where(
        integrates_first,
        np.minimum(integration_offset + closing_delay, cap),
        np.where(competing_first, np.floor(competing_time), cap),
    )
    closure_offset = np.maximum(closure_time, np.where(integrates_first, integration_offset, 0.0))

    waiting = np.floor(rng.lognormal(math.log(process.waiting_median_days), process.waiting_sigma, n))
    return CaseCourses(
        integration_offset=np.where(integrates_first, integration_offset, NEVER).astype(np.int64),
        closure_offset=closure_offset.astype(np.int64),
        closure_reason=closure_reason.astype(np.int64),
        waiting_days=np.minimum(waiting, WAITING_MAX_DAYS).astype(np.int64),
    )


def sample_gaps(rng: np.random.Generator, process: CaseProcess, n: int) -> np.ndarray:
    """Transition gaps in days: ≤ 0 seamless (negative = overlap), > 0 days without benefits."""
    seamless = rng.random(n) < process.seamless_share
    overlap = rng.random(n) < process.overlap_share
    overlap_days = rng.integers(1, OVERLAP_MAX_DAYS + 1, n)
    positive = 1 + np.floor(
        rng.lognormal(math.log(process.positive_gap_median_days), process.positive_gap_sigma, n)
    )
    positive = np.minimum(positive, POSITIVE_GAP_MAX_DAYS)
    return np.where(seamless, np.where(overlap, -overlap_days, 0), positive).astype(np.int64)
