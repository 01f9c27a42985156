"""Every first KPI in the published warehouse equals an independent computation on the same generated files.

The landing zone is read with the independent reader (csv module / openpyxl, formats from ground_truth.json;
no pipeline code), the contract's package semantics are applied in pandas (a correction replaces its partition,
the newest quarter mentioning a case or theme wins, events are deduplicated on their natural key), and each KPI
is recomputed from its catalogue definition for every delivered unit × quarter and for the reference areas.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from package_reader import read_landing

from pipelines.calendar import Quarter
from pipelines.config import SEEDS_DIR

FIRST_KPIS = ("K01", "K02", "K03", "K06", "K07", "K08", "K12", "K14", "K24")
SUCCESS_REASONS = {"ZIEL_ERREICHT", "UEBERGABE_REGELSYSTEM"}
EVENT_KEY = ["ags", "fall_id", "ereignis", "ereignis_am", "von_rechtskreis", "nach_rechtskreis", "stelle"]
KREISFREI_TYPES = {"kreisfreie_stadt", "kreisangehoerige_stadt_mit_ki"}


@pytest.fixture(scope="module")
def independent(published_warehouse):
    """The generated packages, reduced to the rows the contract says count."""
    settings = published_warehouse
    truth = json.loads(settings.ground_truth_file.read_text(encoding="utf-8"))
    packages = read_landing(settings.landing_dir, truth)
    winners = {}
    for package in packages:
        key = (package.ags, str(package.quarter))
        if key not in winners or package.created > winners[key].created:
            winners[key] = package

    def frame(file: str) -> pd.DataFrame:
        rows = [
            {**row, "ags": ags, "quartal": quartal}
            for (ags, quartal), package in winners.items()
            for row in package.tables.get(file, [])
        ]
        return pd.DataFrame(rows)

    units = pd.read_csv(SEEDS_DIR / "kommunen.csv", dtype={"ags": str})
    faelle = frame("faelle")
    current_cases = faelle.sort_values("quartal").groupby(["ags", "fall_id"], as_index=False).last()
    events = frame("ereignisse").drop_duplicates(subset=EVENT_KEY)
    themes = frame("strukturthemen")
    current_themes = themes.sort_values("quartal").groupby(["ags", "thema_id"], as_index=False).last()
    return {
        "delivered": sorted(winners),
        "units": units.set_index("ags"),
        "cases": current_cases,
        "events": events,
        "personal": frame("personal"),
        "finanzen": frame("finanzen"),
        "themes": current_themes,
        "meetings": frame("lenkungsgruppe"),
    }


@pytest.fixture(scope="module")
def published_kpis(published_warehouse) -> pd.DataFrame:
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as con:
        return con.execute(
            "select kpi_id, gebiet, quartal, aufschluesselung, wert, zaehler, nenner from marts.kpi_werte"
        ).df()


def _areas(data, ags: str) -> list[str]:
    unit_type = data["units"].loc[ags, "typ"]
    return [ags, "NRW", "TYP_KREISFREI" if unit_type in KREISFREI_TYPES else "TYP_KREIS"]


def _pooled(
    data, per_unit: dict[tuple[str, str], tuple[float, float]]
) -> dict[tuple[str, str], tuple[float, float]]:
    """(numerator, denominator) per unit × quarter → the same per area × quarter (units, NRW, unit type)."""
    pooled: dict[tuple[str, str], list[float]] = {}
    for (ags, quartal), (numerator, denominator) in per_unit.items():
        for area in _areas(data, ags):
            sums = pooled.setdefault((area, quartal), [0.0, 0.0])
            sums[0] += numerator
            sums[1] += denominator
    return {key: (sums[0], sums[1]) for key, sums in pooled.items()}


def _assert_matches(
    published: pd.DataFrame, kpi: str, expected: dict[tuple, float], breakdown: str = ""
) -> None:
    assert expected, f"{kpi} {breakdown}: nothing to compare"
    rows = published[(published.kpi_id == kpi) & (published.aufschluesselung == breakdown)]
    actual = {(row.gebiet, row.quartal): row.wert for row in rows.itertuples()}
    assert set(actual) >= set(expected), (
        f"{kpi} {breakdown}: missing {sorted(set(expected) - set(actual))[:5]}"
    )
    mismatches = []
    for key, value in expected.items():
        got = actual[key]
        if value is None or (isinstance(value, float) and np.isnan(value)):
            if not (got is None or pd.isna(got)):
                mismatches.append((key, value, got))
        elif got is None or pd.isna(got) or not np.isclose(got, value, rtol=1e-9, atol=1e-9):
            mismatches.append((key, value, got))
    assert not mismatches, f"{kpi} {breakdown}: {len(mismatches)} differences, e.g. {mismatches[:5]}"


def _ratio(numerator: float, denominator: float, factor: float = 1.0) -> float | None:
    return None if denominator == 0 else factor * numerator / denominator


def test_first_kpis_have_rows_for_every_delivered_unit_quarter_and_nrw(independent, published_kpis):
    for kpi in FIRST_KPIS:
        totals = published_kpis[(published_kpis.kpi_id == kpi) & (published_kpis.aufschluesselung == "")]
        present = set(zip(totals.gebiet, totals.quartal, strict=True))
        for ags, quartal in independent["delivered"]:
            assert (ags, quartal) in present, (kpi, ags, quartal)
            assert ("NRW", quartal) in present, (kpi, quartal)


def test_k01_new_cases_per_100000(independent, published_kpis):
    cases = independent["cases"]
    per_unit = {}
    for ags, quartal in independent["delivered"]:
        q = Quarter.parse(quartal)
        new = ((cases.ags == ags) & (cases.aufnahme_am >= q.start) & (cases.aufnahme_am <= q.end)).sum()
        per_unit[(ags, quartal)] = (float(new), float(independent["units"].loc[ags, "einwohner_zustaendig"]))
    expected = {key: _ratio(n, d, 100_000) for key, (n, d) in _pooled(independent, per_unit).items()}
    _assert_matches(published_kpis, "K01", expected)


def _active(cases: pd.DataFrame, ags: str, q: Quarter) -> int:
    unit = cases[cases.ags == ags]
    open_at_end = unit.abschluss_am.isna() | (unit.abschluss_am.map(lambda d: d is not None and d > q.end))
    return int(((unit.aufnahme_am <= q.end) & open_at_end).sum())


def test_k02_active_cases_and_k03_caseload(independent, published_kpis):
    cases, personal = independent["cases"], independent["personal"]
    active, caseload = {}, {}
    for ags, quartal in independent["delivered"]:
        q = Quarter.parse(quartal)
        count = _active(cases, ags, q)
        staff = personal[
            (personal.ags == ags)
            & (personal.quartal == quartal)
            & (personal.baustein == 2)
            & (personal.funktion == "CASE_MANAGEMENT")
        ].besetzt_vzae.sum()
        active[(ags, quartal)] = (float(count), 1.0)
        caseload[(ags, quartal)] = (float(count), float(staff))
    _assert_matches(published_kpis, "K02", {k: n for k, (n, _) in _pooled(independent, active).items()})
    _assert_matches(
        published_kpis, "K03", {k: _ratio(n, d) for k, (n, d) in _pooled(independent, caseload).items()}
    )


def test_k06_median_gap_and_k07_seamless_share(independent, published_kpis):
    events = independent["events"]
    changes = events[
        (events.ereignis == "RECHTSKREISWECHSEL")
        & events.leistung_ende_am.notna()
        & events.leistung_beginn_am.notna()
    ].copy()
    changes["luecke"] = [
        (begin - end).days - 1
        for begin, end in zip(changes.leistung_beginn_am, changes.leistung_ende_am, strict=True)
    ]
    changes["uebergang"] = changes.von_rechtskreis + ">" + changes.nach_rechtskreis
    gaps: dict[tuple[str, str, str], list[int]] = {}
    for ags, quartal in independent["delivered"]:
        q = Quarter.parse(quartal)
        in_quarter = changes[
            (changes.ags == ags) & changes.ereignis_am.map(lambda d, q=q: q.start <= d <= q.end)
        ]
        for area in _areas(independent, ags):
            gaps.setdefault((area, quartal, ""), []).extend(in_quarter.luecke)
            for transition, group in in_quarter.groupby("uebergang"):
                gaps.setdefault((area, quartal, f"uebergang:{transition}"), []).extend(group.luecke)
    for breakdown in {key[2] for key in gaps}:
        subset = {(a, q): values for (a, q, b), values in gaps.items() if b == breakdown}
        _assert_matches(
            published_kpis,
            "K06",
            {key: float(np.median(v)) if v else None for key, v in subset.items()},
            breakdown,
        )
        _assert_matches(
            published_kpis,
            "K07",
            {key: 100.0 * sum(g <= 0 for g in v) / len(v) if v else None for key, v in subset.items()},
            breakdown,
        )


def test_k08_goal_achievement(independent, published_kpis):
    cases = independent["cases"]
    per_unit = {}
    for ags, quartal in independent["delivered"]:
        q = Quarter.parse(quartal)
        closed = cases[
            (cases.ags == ags)
            & cases.abschluss_am.map(lambda d, q=q: d is not None and q.start <= d <= q.end)
        ]
        per_unit[(ags, quartal)] = (
            float(closed.abschlussgrund.isin(SUCCESS_REASONS).sum()),
            float(len(closed)),
        )
    _assert_matches(
        published_kpis, "K08", {k: _ratio(n, d, 100) for k, (n, d) in _pooled(independent, per_unit).items()}
    )


def test_k12_fill_rate_and_k14_spending_per_baustein(independent, published_kpis):
    personal, funds = independent["personal"], independent["finanzen"]
    for baustein in (None, 1, 2, 3):
        breakdown = "" if baustein is None else f"baustein:{baustein}"
        filled, spent = {}, {}
        for ags, quartal in independent["delivered"]:
            staff = personal[(personal.ags == ags) & (personal.quartal == quartal)]
            year = funds[
                (funds.ags == ags) & (funds.quartal == quartal) & (funds.haushaltsjahr == int(quartal[:4]))
            ]
            if baustein is not None:
                staff, year = staff[staff.baustein == baustein], year[year.baustein == baustein]
            filled[(ags, quartal)] = (staff.besetzt_vzae.sum(), staff.bewilligt_vzae.sum())
            spent[(ags, quartal)] = (year.verausgabt_eur.sum(), year.bewilligt_eur.sum())
        _assert_matches(
            published_kpis,
            "K12",
            {k: _ratio(n, d, 100) for k, (n, d) in _pooled(independent, filled).items()},
            breakdown,
        )
        _assert_matches(
            published_kpis,
            "K14",
            {k: _ratio(n, d, 100) for k, (n, d) in _pooled(independent, spent).items()},
            breakdown,
        )


def _milestone_dates(data, ags: str) -> dict[str, date | None]:
    def first(values) -> date | None:
        values = [v for v in values if v is not None and not pd.isna(v)]
        return min(values) if values else None

    personal = data["personal"][(data["personal"].ags == ags) & (data["personal"].besetzt_vzae > 0)]
    themes = data["themes"][data["themes"].ags == ags]
    return {
        **{
            f"ERSTE_STELLE_BAUSTEIN_{b}": first(personal[personal.baustein == b].besetzt_seit)
            for b in (1, 2, 3)
        },
        "ERSTER_FALL": first(data["cases"][data["cases"].ags == ags].aufnahme_am),
        "LENKUNGSGRUPPE_KONSTITUIERT": first(data["meetings"][data["meetings"].ags == ags].sitzung_am)
        if len(data["meetings"])
        else None,
        "ERSTES_THEMA_BESCHLOSSEN": first(themes.lenkungsgruppe_am),
        "ERSTE_MASSNAHME_UMGESETZT": first(themes.umgesetzt_am),
    }


def test_k24_rollout_milestones(independent, published_kpis):
    dates = {ags: _milestone_dates(independent, ags) for ags in {ags for ags, _ in independent["delivered"]}}
    per_unit_total, per_milestone = {}, {}
    for ags, quartal in independent["delivered"]:
        end = Quarter.parse(quartal).end
        reached = {name: int(day is not None and day <= end) for name, day in dates[ags].items()}
        per_unit_total[(ags, quartal)] = (float(sum(reached.values())), 1.0)
        for name, flag in reached.items():
            per_milestone.setdefault(name, {})[(ags, quartal)] = (float(flag), 1.0)
    pooled_total = _pooled(independent, per_unit_total)
    _assert_matches(
        published_kpis,
        "K24",
        {
            (area, q): n if area not in ("NRW", "TYP_KREIS", "TYP_KREISFREI") else n / d
            for (area, q), (n, d) in pooled_total.items()
        },
    )
    for name, flags in per_milestone.items():
        pooled = _pooled(independent, flags)
        _assert_matches(
            published_kpis,
            "K24",
            {
                (area, q): n if area not in ("NRW", "TYP_KREIS", "TYP_KREISFREI") else 100 * n / d
                for (area, q), (n, d) in pooled.items()
            },
            f"meilenstein:{name}",
        )
