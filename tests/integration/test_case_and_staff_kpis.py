"""K04, K09, K10, K11, K13 and K15 in the published warehouse equal an independent computation.

Each KPI is recomputed in pandas from its catalogue definition on the landing zone (fixture `independent`: the
independent reader plus the contract's package semantics) for every delivered unit × quarter and every
reference area, and compared with `marts.kpi_werte` of the ministry's (unsuppressed) snapshot — value,
numerator and denominator. The intervals are
checked against well-kept libraries instead of a second copy of the SQL: the order-statistic ranks of the
medians against the exact binomial distribution (scipy.stats.binom), Wilson against statsmodels, the Poisson
limits against the exact chi-square limits (scipy.stats.chi2).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
from independent_kpis import areas_of, assert_matches, pooled, ratio
from scipy.stats import binom, chi2, norm
from statsmodels.stats.proportion import proportion_confint

from pipelines.calendar import Quarter

KPIS = ("K04", "K09", "K10", "K11", "K13", "K15")
LEVELS = {"95": 0.95, "998": 0.998}
# Data contract, ereignisse.csv: the milestone codes (the process events RECHTSKREISWECHSEL and UEBERGABE
# are not milestones).
MILESTONES = (
    "SPRACHKURS_BEGINN",
    "SPRACHNIVEAU_B1",
    "ANERKENNUNG_ABSCHLUSS",
    "AUSBILDUNG_BEGINN",
    "ARBEIT_SV",
    "SCHULPLATZ",
    "KITAPLATZ",
    "WOHNUNG",
    "AUFENTHALT_VERFESTIGT",
    "EINBUERGERUNG",
)
OFFICES = (
    "JOBCENTER",
    "AGENTUR_FUER_ARBEIT",
    "AUSLAENDERBEHOERDE",
    "EINBUERGERUNGSBEHOERDE",
    "JUGENDAMT",
    "SOZIALAMT",
    "SCHULAMT",
    "MBE",
    "JMD",
    "GESUNDHEITSAMT",
    "SONSTIGE",
)
# Byar's approximation, used from 10 events on, against the exact limits: at most 0.17 % off at 95 % and
# 1.5 % at 99.8 % (the lower limit at 10 events), checked with scipy for 10 to 20,000 events.
BYAR_TOLERANCE = {"95": 2e-3, "998": 2e-2}


def _quarter_of(days: pd.Series) -> pd.Series:
    """The `YYYY-Qn` label of each date (None for an empty one)."""
    return days.map(lambda d: None if d is None or pd.isna(d) else str(Quarter.containing(d)))


def _active_at_end(cases: pd.DataFrame, ags: str, q: Quarter) -> int:
    unit = cases[cases.ags == ags]
    still_open = unit.abschluss_am.map(lambda d: d is None or pd.isna(d) or d > q.end)
    return int(((unit.aufnahme_am <= q.end) & still_open).sum())


def _rows(published: pd.DataFrame, kpi: str, breakdown: str = "") -> dict[tuple[str, str], dict]:
    """The published rows of one KPI and breakdown by (gebiet, quartal)."""
    selected = published[(published.kpi_id == kpi) & (published.aufschluesselung == breakdown)]
    return {(row["gebiet"], row["quartal"]): row for row in selected.to_dict("records")}


def _assert_column(published: pd.DataFrame, kpi: str, column: str, expected: dict, breakdown: str = ""):
    """Like assert_matches, for zaehler or nenner."""
    rows = _rows(published, kpi, breakdown)
    mismatches = []
    for key, value in expected.items():
        got = rows[key][column]
        if value is None:
            if not pd.isna(got):
                mismatches.append((key, value, got))
        elif pd.isna(got) or not np.isclose(got, value, rtol=1e-9, atol=1e-9):
            mismatches.append((key, value, got))
    assert not mismatches, f"{kpi} {breakdown} {column}: {len(mismatches)} differences, e.g. {mismatches[:5]}"


def _pooled_lists(data, per_unit: dict[tuple[str, str], list]) -> dict[tuple[str, str], list]:
    lists: dict[tuple[str, str], list] = {}
    for (ags, quartal), values in per_unit.items():
        for area in areas_of(data, ags):
            lists.setdefault((area, quartal), []).extend(values)
    return lists


def _order_statistic_ranks(n: int, level: float) -> tuple[int, int]:
    """The ranks the KPI catalogue's order-statistic interval uses (clamped to 1..n)."""
    z = norm.ppf(1 - (1 - level) / 2)
    lower = math.floor(n / 2 - z * math.sqrt(n) / 2)
    upper = math.ceil(1 + n / 2 + z * math.sqrt(n) / 2)
    return max(1, min(n, lower)), max(1, min(n, upper))


def _exact_binomial_lower_rank(n: int, level: float) -> int:
    """Largest r with P(Bin(n, ½) ≤ r − 1) ≤ α/2: the exact distribution-free lower rank of a median."""
    alpha = 1 - level
    r = max(0, int(binom.ppf(alpha / 2, n, 0.5)) - 1)
    while binom.cdf(r, n, 0.5) <= alpha / 2:
        r += 1
    return r


def _assert_median_intervals(published: pd.DataFrame, kpi: str, samples: dict[tuple[str, str], list]):
    """The bounds are order statistics of the pooled sample at ranks that the exact binomial law confirms:
    coverage ≥ the level wherever n is large enough not to be clamped, and within one rank of the exact
    (shortest symmetric) choice."""
    rows = _rows(published, kpi)
    checked = 0
    for key, values in samples.items():
        row = rows[key]
        ordered = sorted(values)
        n = len(ordered)
        for name, level in LEVELS.items():
            lower, upper = row[f"ki{name}_unten"], row[f"ki{name}_oben"]
            if n == 0:
                assert pd.isna(lower) and pd.isna(upper), (kpi, key, name)
                continue
            r, s = _order_statistic_ranks(n, level)
            assert (lower, upper) == (ordered[r - 1], ordered[s - 1]), (kpi, key, name, n, lower, upper)
            if r > 1 and s < n:
                coverage = binom.cdf(s - 1, n, 0.5) - binom.cdf(r - 1, n, 0.5)
                assert coverage >= level, (kpi, key, name, n, coverage)
                exact = _exact_binomial_lower_rank(n, level)
                assert exact - 1 <= r <= exact and s == n + 1 - r, (kpi, key, name, n, r, s, exact)
                checked += 1
    assert checked, f"{kpi}: no interval large enough to check against the binomial law"


def _exact_poisson(count: int, level: float) -> tuple[float, float]:
    alpha = 1 - level
    lower = 0.0 if count == 0 else chi2.ppf(alpha / 2, 2 * count) / 2
    return lower, chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2


def test_every_kpi_has_rows_for_every_delivered_unit_quarter_and_nrw(independent, published_kpis):
    for kpi in KPIS:
        totals = published_kpis[(published_kpis.kpi_id == kpi) & (published_kpis.aufschluesselung == "")]
        present = set(zip(totals.gebiet, totals.quartal, strict=True))
        for ags, quartal in independent["delivered"]:
            assert (ags, quartal) in present, (kpi, ags, quartal)
            assert ("NRW", quartal) in present, (kpi, quartal)


def test_k04_median_wait_and_order_statistic_intervals(independent, published_kpis):
    cases = independent["cases"]
    opened = cases[cases.erstkontakt_am.notna() & cases.aufnahme_am.notna()].assign(
        quartal=lambda frame: _quarter_of(frame.aufnahme_am),
        wartezeit=lambda frame: [
            (intake - contact).days
            for intake, contact in zip(frame.aufnahme_am, frame.erstkontakt_am, strict=True)
        ],
    )
    waits = opened.groupby(["ags", "quartal"]).wartezeit.agg(list).to_dict()
    per_unit = {key: waits.get(key, []) for key in independent["delivered"]}
    samples = _pooled_lists(independent, per_unit)
    assert_matches(
        published_kpis, "K04", {key: float(np.median(v)) if v else None for key, v in samples.items()}
    )
    _assert_column(published_kpis, "K04", "zaehler", {key: float(len(v)) for key, v in samples.items()})
    _assert_median_intervals(published_kpis, "K04", samples)


def test_k09_contact_losses_and_wilson_intervals(independent, published_kpis):
    cases = independent["cases"]
    closed = cases[cases.abschluss_am.notna()].assign(
        quartal=lambda frame: _quarter_of(frame.abschluss_am),
        abbruch=lambda frame: frame.abschlussgrund == "KONTAKTABBRUCH",
    )
    counts = closed.groupby(["ags", "quartal"]).abbruch.agg(["sum", "count"])
    per_unit = {
        key: (float(counts.loc[key, "sum"]), float(counts.loc[key, "count"]))
        if key in counts.index
        else (0.0, 0.0)
        for key in independent["delivered"]
    }
    areas = pooled(independent, per_unit)
    assert_matches(published_kpis, "K09", {k: ratio(n, d, 100) for k, (n, d) in areas.items()})
    _assert_column(published_kpis, "K09", "zaehler", {k: n for k, (n, _) in areas.items()})
    _assert_column(published_kpis, "K09", "nenner", {k: d for k, (_, d) in areas.items()})
    rows = _rows(published_kpis, "K09")
    for key, (successes, trials) in areas.items():
        for name, level in LEVELS.items():
            got = (rows[key][f"ki{name}_unten"], rows[key][f"ki{name}_oben"])
            if trials == 0:
                assert all(pd.isna(bound) for bound in got), (key, name)
                continue
            expected = proportion_confint(int(successes), int(trials), alpha=1 - level, method="wilson")
            assert np.allclose(got, [100 * bound for bound in expected], rtol=1e-9, atol=1e-9), (
                key,
                name,
                got,
            )


def test_k10_milestones_per_100_active_cases_and_poisson_intervals(independent, published_kpis):
    cases, events = independent["cases"], independent["events"]
    milestones = events[events.ereignis.isin(MILESTONES)].assign(quartal=lambda f: _quarter_of(f.ereignis_am))
    counts = milestones.groupby(["ags", "quartal", "ereignis"]).size().to_dict()
    per_type: dict[str, dict] = {name: {} for name in ("", *MILESTONES)}
    for ags, quartal in independent["delivered"]:
        active = float(_active_at_end(cases, ags, Quarter.parse(quartal)))
        reached = {code: float(counts.get((ags, quartal, code), 0)) for code in MILESTONES}
        per_type[""][(ags, quartal)] = (sum(reached.values()), active)
        for code, count in reached.items():
            per_type[code][(ags, quartal)] = (count, active)
    for code, per_unit in per_type.items():
        breakdown = f"ereignis:{code}" if code else ""
        areas = pooled(independent, per_unit)
        assert_matches(published_kpis, "K10", {k: ratio(n, d, 100) for k, (n, d) in areas.items()}, breakdown)
        _assert_column(published_kpis, "K10", "zaehler", {k: n for k, (n, _) in areas.items()}, breakdown)
        _assert_column(published_kpis, "K10", "nenner", {k: d for k, (_, d) in areas.items()}, breakdown)
        rows = _rows(published_kpis, "K10", breakdown)
        for key, (count, active) in areas.items():
            for name, level in LEVELS.items():
                got = np.array([rows[key][f"ki{name}_unten"], rows[key][f"ki{name}_oben"]], dtype=float)
                if active == 0:
                    assert np.isnan(got).all(), (key, breakdown, name)
                    continue
                exact = 100 * np.array(_exact_poisson(int(count), level)) / active
                tolerance = 1e-8 if count < 10 else BYAR_TOLERANCE[name]
                assert np.allclose(got, exact, rtol=tolerance, atol=1e-9), (key, breakdown, name, count, got)


def test_k11_handovers_by_office(independent, published_kpis):
    events = independent["events"]
    handovers = events[events.ereignis == "UEBERGABE"].assign(quartal=lambda f: _quarter_of(f.ereignis_am))
    counts = handovers.groupby(["ags", "quartal", "stelle"]).size().to_dict()
    per_office: dict[str, dict] = {name: {} for name in ("", *OFFICES)}
    totals = handovers.groupby(["ags", "quartal"]).size().to_dict()
    for key in independent["delivered"]:
        per_office[""][key] = (float(totals.get(key, 0)), 1.0)
        for office in OFFICES:
            per_office[office][key] = (float(counts.get((*key, office), 0)), 1.0)
    for office, per_unit in per_office.items():
        breakdown = f"stelle:{office}" if office else ""
        counts_by_area = {k: n for k, (n, _) in pooled(independent, per_unit).items()}
        assert_matches(published_kpis, "K11", counts_by_area, breakdown)
        _assert_column(published_kpis, "K11", "zaehler", counts_by_area, breakdown)
        _assert_column(published_kpis, "K11", "nenner", {k: None for k in counts_by_area}, breakdown)


def _fillings(personal: pd.DataFrame) -> list[dict]:
    """Every filling of a position (a new besetzt_seit) with the start of its wait: the first quarter the
    position was reported after its last filled report (or at all), walking each position's reports in order."""
    fillings = []
    granted = personal[personal.bewilligt_vzae > 0]
    for (ags, _stelle_id), reports in granted.groupby(["ags", "stelle_id"]):
        wait_start, seen, filled_before = None, set(), False
        for report in sorted(reports.itertuples(), key=lambda r: Quarter.parse(r.quartal)):
            q = Quarter.parse(report.quartal)
            wait_start = wait_start or q.start
            filled_since = report.besetzt_seit if report.besetzt_vzae > 0 else None
            if filled_since is None or pd.isna(filled_since):
                continue
            if filled_since not in seen:
                seen.add(filled_since)
                fillings.append(
                    {
                        "ags": ags,
                        "baustein": int(report.baustein),
                        "besetzt_seit": filled_since,
                        "reported": q,
                        "wait_start": wait_start,
                        "refill": filled_before,
                    }
                )
            wait_start, filled_before = None, True
    return fillings


def _rolling_year_start(q: Quarter) -> date:
    return q.previous().previous().previous().start


def test_k13_days_to_fill(independent, published_kpis):
    first_delivery: dict[str, date] = {}
    for ags, quartal in independent["delivered"]:
        start = Quarter.parse(quartal).start
        first_delivery[ags] = min(first_delivery.get(ags, start), start)
    # Only waits whose start the reports show: not from a unit's first package, not filled before the wait.
    fillings = [
        f
        for f in _fillings(independent["personal"])
        if f["wait_start"] > first_delivery[f["ags"]] and f["besetzt_seit"] >= f["wait_start"]
    ]
    for baustein in (None, 1, 2, 3):
        breakdown = "" if baustein is None else f"baustein:{baustein}"
        per_unit = {}
        for ags, quartal in independent["delivered"]:
            q = Quarter.parse(quartal)
            per_unit[(ags, quartal)] = [
                (f["besetzt_seit"] - f["wait_start"]).days
                for f in fillings
                if f["ags"] == ags
                and (baustein is None or f["baustein"] == baustein)
                and f["reported"] <= q
                and _rolling_year_start(q) <= f["besetzt_seit"] <= q.end
            ]
        samples = _pooled_lists(independent, per_unit)
        assert_matches(
            published_kpis,
            "K13",
            {k: float(np.median(v)) if v else None for k, v in samples.items()},
            breakdown,
        )
        _assert_column(
            published_kpis, "K13", "zaehler", {k: float(len(v)) for k, v in samples.items()}, breakdown
        )
    assert any(f["refill"] for f in fillings), "the data hold no refilling: the waiting runs are untested"


def test_k15_spending_per_case_active_in_the_year(independent, published_kpis):
    cases, funds = independent["cases"], independent["finanzen"]
    per_unit = {}
    for ags, quartal in independent["delivered"]:
        q = Quarter.parse(quartal)
        reported = funds[
            (funds.ags == ags)
            & (funds.quartal == quartal)
            & (funds.haushaltsjahr == q.year)
            & (funds.baustein == 2)
        ]
        if reported.empty:
            continue
        unit = cases[cases.ags == ags]
        in_year = unit.abschluss_am.map(lambda d, q=q: d is None or pd.isna(d) or d >= date(q.year, 1, 1))
        per_unit[(ags, quartal)] = (
            float(reported.verausgabt_eur.sum()),
            float(((unit.aufnahme_am <= q.end) & in_year).sum()),
        )
    areas = pooled(independent, per_unit)
    assert_matches(published_kpis, "K15", {k: ratio(n, d) for k, (n, d) in areas.items()})
    _assert_column(published_kpis, "K15", "zaehler", {k: n for k, (n, _) in areas.items()})
    _assert_column(published_kpis, "K15", "nenner", {k: d for k, (_, d) in areas.items()})
    without_funds = [key for key in independent["delivered"] if key not in per_unit]
    _assert_column(published_kpis, "K15", "wert", {key: None for key in without_funds})
