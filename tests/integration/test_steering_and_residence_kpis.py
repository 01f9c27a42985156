"""The steering and residence KPIs (K16–K18, K20–K23) equal an independent computation on the generated files.

Same approach as test_kpis_against_independent_computation.py: the landing zone read with the independent
reader, the contract's package semantics applied in pandas (fixture `independent`), each KPI recomputed from its
catalogue definition for every delivered unit × quarter and pooled for the reference areas. `independent` has
no Baustein-3 aggregates and no list of the files a package delivered, so this module reads the landing zone once
more for those. Intervals are checked against libraries: Wilson against statsmodels' proportion_confint, Poisson
against the exact χ² limits of scipy.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from independent_kpis import areas_of, assert_matches, pooled, ratio
from package_reader import read_landing
from scipy.stats import chi2
from statsmodels.stats.proportion import proportion_confint

from pipelines.calendar import Quarter
from pipelines.config import SEEDS_DIR

MODELS = {
    "K16": "int_strukturthemen_gezaehlt",
    "K17": "int_themen_beschlossen_berechnet",
    "K18": "int_umsetzungsquote_berechnet",
    "K20": "int_lenkungsgruppe_berechnet",
    "K21": "int_aufenthaltsverfestigungen_berechnet",
    "K22": "int_einbuergerungen_berechnet",
    "K23": "int_bearbeitungsrueckstand_berechnet",
}
CONSOLIDATING = ("P25A", "P25B", "P104C", "NIEDERLASSUNG")
LEVELS = {"95": 0.05, "998": 0.002}
# Byar's approximation (the macro's choice from 10 events on) against the exact χ² limits, largest relative
# difference over 10 ≤ k < 2000: 0.17 % at 95 %, 1.5 % at 99.8 % (lower bound at k = 10).
BYAR_TOLERANCE = {"95": 0.002, "998": 0.015}


def _codes(code_list: str) -> list[str]:
    codes = pd.read_csv(SEEDS_DIR / "codelisten.csv", dtype=str, keep_default_na=False)
    return list(codes[codes.codeliste == code_list].code)


def _on_or_before(day, end: date) -> bool:
    return day is not None and not pd.isna(day) and day <= end


@pytest.fixture(scope="module")
def packages(published_warehouse):
    """Per winning package (ags, quarter): its aufenthalt.csv rows, or None without the file, and its files."""
    truth = json.loads(published_warehouse.ground_truth_file.read_text(encoding="utf-8"))
    winners = {}
    for package in read_landing(published_warehouse.landing_dir, truth):
        key = (package.ags, str(package.quarter))
        if key not in winners or package.created > winners[key].created:
            winners[key] = package
    return {
        "aufenthalt": {key: package.tables.get("aufenthalt") for key, package in winners.items()},
        "files": {key: set(package.tables) for key, package in winners.items()},
        "constituted_truth": {
            ags: date.fromisoformat(unit["lenkungsgruppe_konstituiert_am"])
            for ags, unit in truth["kommunen"].items()
        },
    }


def _counts(data, per_unit: dict[tuple[str, str], tuple[float, float]]):
    """Pooled counts for units and areas: a unit's value is its own count, an area's the sum."""
    return {key: n for key, (n, _) in pooled(data, per_unit).items()}


def test_rows_for_every_delivered_unit_quarter_and_nrw(independent, published_kpis):
    for kpi in MODELS:
        totals = published_kpis[(published_kpis.kpi_id == kpi) & (published_kpis.aufschluesselung == "")]
        present = set(zip(totals.gebiet, totals.quartal, strict=True))
        for ags, quartal in independent["delivered"]:
            assert (ags, quartal) in present, (kpi, ags, quartal)
            assert ("NRW", quartal) in present, (kpi, quartal)


def test_k16_themes_cumulative_new_and_per_breakdown(independent, published_kpis):
    themes = independent["themes"]
    breakdowns = ["", "kennzahl:neu"]
    breakdowns += [f"handlungsfeld:{c}" for c in _codes("bedarf")] + [f"quelle:{c}" for c in _codes("quelle")]
    per_unit: dict[str, dict[tuple[str, str], tuple[float, float]]] = {b: {} for b in breakdowns}
    for ags, quartal in independent["delivered"]:
        q = Quarter.parse(quartal)
        unit = themes[(themes.ags == ags) & (themes.identifiziert_am <= q.end)]
        counts = {"": len(unit), "kennzahl:neu": int((unit.identifiziert_am >= q.start).sum())}
        counts |= {f"handlungsfeld:{c}": n for c, n in unit.handlungsfeld.value_counts().items()}
        counts |= {f"quelle:{c}": n for c, n in unit.quelle.value_counts().items()}
        for breakdown in breakdowns:
            per_unit[breakdown][(ags, quartal)] = (float(counts.get(breakdown, 0)), 1.0)
    for breakdown in breakdowns:
        assert_matches(published_kpis, "K16", _counts(independent, per_unit[breakdown]), breakdown)


def _k17_counts(data) -> dict[tuple[str, str], tuple[float, float]]:
    themes = data["themes"]
    per_unit = {}
    for ags, quartal in data["delivered"]:
        end = Quarter.parse(quartal).end
        due = themes[
            (themes.ags == ags) & themes.identifiziert_am.map(lambda d, end=end: (end - d).days > 90)
        ]
        decided = due.lenkungsgruppe_am.map(lambda d, end=end: _on_or_before(d, end)).sum()
        per_unit[(ags, quartal)] = (float(decided), float(len(due)))
    return pooled(data, per_unit)


def _k18_counts(data) -> dict[tuple[str, str], tuple[float, float]]:
    themes = data["themes"]
    per_unit = {}
    for ags, quartal in data["delivered"]:
        end = Quarter.parse(quartal).end
        unit = themes[themes.ags == ags]
        prioritised = [
            t
            for t in unit.itertuples()
            if _on_or_before(t.lenkungsgruppe_am, end)
            and not (t.status == "VERWORFEN" and (t.umgesetzt_am is None or pd.isna(t.umgesetzt_am)))
        ]
        implemented = [t for t in prioritised if _on_or_before(t.umgesetzt_am, end)]
        per_unit[(ags, quartal)] = (float(len(implemented)), float(len(prioritised)))
    return pooled(data, per_unit)


def test_k17_share_of_due_themes_decided(independent, published_kpis):
    expected = {key: ratio(n, d, 100) for key, (n, d) in _k17_counts(independent).items()}
    assert_matches(published_kpis, "K17", expected)


def test_k18_share_of_prioritised_themes_implemented(independent, published_kpis):
    expected = {key: ratio(n, d, 100) for key, (n, d) in _k18_counts(independent).items()}
    assert_matches(published_kpis, "K18", expected)


def _last_four_quarters(quartal: str) -> set[str]:
    quarters = [Quarter.parse(quartal)]
    for _ in range(3):
        quarters.append(quarters[-1].previous())
    return {str(q) for q in quarters}


def _constituted_by(data, packages, ags: str, end: date) -> bool:
    meetings, themes = data["meetings"], data["themes"]
    evidence = []
    if len(meetings):
        evidence += list(meetings[meetings.ags == ags].sitzung_am)
    evidence += [d for d in themes[themes.ags == ags].lenkungsgruppe_am if d is not None and not pd.isna(d)]
    evidence += [
        Quarter.parse(quartal).end
        for (unit, quartal), files in packages["files"].items()
        if unit == ags and "lenkungsgruppe" in files
    ]
    return any(day <= end for day in evidence)


def test_k20_steering_group(independent, published_kpis, packages):
    meetings = independent["meetings"]
    institutions = _codes("institution")
    rows: dict[str, dict[tuple[str, str], tuple[float, float]]] = {}
    for ags, quartal in independent["delivered"]:
        end = Quarter.parse(quartal).end
        window = (
            meetings[(meetings.ags == ags) & meetings.quartal.isin(_last_four_quarters(quartal))]
            if len(meetings)
            else pd.DataFrame(columns=["institutionen"])
        )
        present = {code for text in window.institutionen for code in str(text).split("|")}
        key = (ags, quartal)
        rows.setdefault("", {})[key] = (float(len(present & set(institutions))), float(len(institutions)))
        rows.setdefault("kennzahl:sitzungen", {})[key] = (float(len(window)), 1.0)
        rows.setdefault("kennzahl:konstituiert", {})[key] = (
            float(_constituted_by(independent, packages, ags, end)),
            1.0,
        )
        for code in institutions:
            rows.setdefault(f"institution:{code}", {})[key] = (float(code in present), 1.0)
    for breakdown, per_unit in rows.items():
        factor = 1 if breakdown == "kennzahl:sitzungen" else 100
        expected = {key: factor * n / d for key, (n, d) in pooled(independent, per_unit).items()}
        assert_matches(published_kpis, "K20", expected, breakdown)


def test_k20_constitution_matches_the_generated_truth(independent, published_kpis, packages):
    """The evidence rule recovers whether the group existed: the generator knows the constitution date."""
    rows = published_kpis[
        (published_kpis.kpi_id == "K20") & (published_kpis.aufschluesselung == "kennzahl:konstituiert")
    ]
    published = {(row.gebiet, row.quartal): row.wert for row in rows.itertuples()}
    for ags, quartal in independent["delivered"]:
        truth = packages["constituted_truth"][ags] <= Quarter.parse(quartal).end
        assert published[(ags, quartal)] == 100.0 * truth, (ags, quartal)


def _residence_rows(packages, key):
    return packages["aufenthalt"].get(key) or []


def _residence_per_unit(independent, packages, codes, measure):
    """(numerator, denominator) per unit and quarter for units whose package holds aufenthalt.csv rows."""
    per_unit = {}
    for key in independent["delivered"]:
        rows = _residence_rows(packages, key)
        if rows:
            per_unit[key] = measure(key, [row for row in rows if row["verfahren"] in codes])
    return per_unit


def _with_missing(independent, pooled_values, value):
    """Expected values for every delivered unit and its areas; None where no unit of an area reported."""
    expected = {}
    for ags, quartal in independent["delivered"]:
        for area in areas_of(independent, ags):
            counts = pooled_values.get((area, quartal))
            expected[(area, quartal)] = None if counts is None else value(*counts)
    return expected


def _k21_k22_counts(independent, packages, codes):
    def positives(key, rows):
        return (
            float(sum(row["entscheidungen_positiv"] for row in rows)),
            float(independent["units"].loc[key[0], "einwohner_zustaendig"]),
        )

    return pooled(independent, _residence_per_unit(independent, packages, codes, positives))


def test_k21_consolidations_per_100000(independent, published_kpis, packages):
    for breakdown, codes in [("", CONSOLIDATING)] + [(f"verfahren:{c}", (c,)) for c in CONSOLIDATING]:
        counts = _k21_k22_counts(independent, packages, codes)
        expected = _with_missing(independent, counts, lambda n, d: ratio(n, d, 100_000))
        assert_matches(published_kpis, "K21", expected, breakdown)


def test_k22_naturalisations_per_100000(independent, published_kpis, packages):
    counts = _k21_k22_counts(independent, packages, ("EINBUERGERUNG",))
    expected = _with_missing(independent, counts, lambda n, d: ratio(n, d, 100_000))
    assert_matches(published_kpis, "K22", expected)


def test_k23_backlog_in_quarters(independent, published_kpis, packages):
    procedures = _codes("verfahren")

    def backlog(key, rows):
        return (
            float(sum(row["anhaengig_quartalsende"] for row in rows)),
            float(sum(row["entscheidungen_positiv"] + row["entscheidungen_negativ"] for row in rows)),
        )

    for breakdown, codes in [("", procedures)] + [(f"verfahren:{c}", (c,)) for c in procedures]:
        counts = pooled(independent, _residence_per_unit(independent, packages, codes, backlog))
        assert_matches(published_kpis, "K23", _with_missing(independent, counts, ratio), breakdown)


def _interval_rows(published_kpis, kpi, breakdown=""):
    rows = published_kpis[(published_kpis.kpi_id == kpi) & (published_kpis.aufschluesselung == breakdown)]
    return {(row.gebiet, row.quartal): row for row in rows.itertuples()}


@pytest.mark.parametrize("kpi", ["K17", "K18"])
def test_wilson_intervals_against_statsmodels(independent, published_kpis, kpi):
    counts = (_k17_counts if kpi == "K17" else _k18_counts)(independent)
    published = _interval_rows(published_kpis, kpi)
    checked = 0
    for key, (successes, trials) in counts.items():
        row = published[key]
        for level, alpha in LEVELS.items():
            lower, upper = getattr(row, f"ki{level}_unten"), getattr(row, f"ki{level}_oben")
            if trials == 0:
                assert pd.isna(lower) and pd.isna(upper), (kpi, key, level)
                continue
            expected = proportion_confint(int(successes), int(trials), alpha=alpha, method="wilson")
            assert lower == pytest.approx(100 * expected[0], abs=1e-9), (kpi, key, level)
            assert upper == pytest.approx(100 * expected[1], abs=1e-9), (kpi, key, level)
            checked += 1
    assert checked


def _exact_poisson(count: int, alpha: float) -> tuple[float, float]:
    lower = 0.0 if count == 0 else chi2.ppf(alpha / 2, 2 * count) / 2
    return lower, chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2


@pytest.mark.parametrize(
    ("kpi", "breakdown", "codes"),
    [("K21", "", CONSOLIDATING)]
    + [("K21", f"verfahren:{c}", (c,)) for c in CONSOLIDATING]
    + [("K22", "", ("EINBUERGERUNG",))],
)
def test_poisson_intervals_against_exact_chi2_limits(
    independent, packages, published_kpis, kpi, breakdown, codes
):
    counts = _k21_k22_counts(independent, packages, codes)
    published = _interval_rows(published_kpis, kpi, breakdown)
    checked = {"exact": 0, "byar": 0}
    for key, (events, population) in counts.items():
        row = published[key]
        for level, alpha in LEVELS.items():
            # compared on the scale of the count: the seed holds the exact limits to 10 decimals
            bounds = (getattr(row, f"ki{level}_unten"), getattr(row, f"ki{level}_oben"))
            for exact, rate_bound in zip(_exact_poisson(int(events), alpha), bounds, strict=True):
                count_bound = rate_bound * population / 100_000
                if events < 10:
                    assert count_bound == pytest.approx(exact, rel=1e-9, abs=1e-10), (kpi, key, level)
                else:
                    assert count_bound == pytest.approx(exact, rel=BYAR_TOLERANCE[level]), (kpi, key, level)
        checked["exact" if events < 10 else "byar"] += 1
    assert sum(checked.values()), (kpi, breakdown)
