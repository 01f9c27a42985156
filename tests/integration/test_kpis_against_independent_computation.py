"""Every first KPI in the published warehouse equals an independent computation on the same generated files.

The landing zone is read with the independent reader (csv module / openpyxl, formats from ground_truth.json;
no pipeline code), the contract's package semantics are applied in pandas (a correction replaces its partition,
the newest quarter mentioning a case or theme wins, events are deduplicated on their natural key), and each KPI
is recomputed from its catalogue definition for every delivered unit × quarter and for the reference areas.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from independent_kpis import areas_of, assert_matches, pooled, ratio

from pipelines.calendar import Quarter

FIRST_KPIS = ("K01", "K02", "K03", "K06", "K07", "K08", "K12", "K14", "K24")
SUCCESS_REASONS = {"ZIEL_ERREICHT", "UEBERGABE_REGELSYSTEM"}


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
    expected = {key: ratio(n, d, 100_000) for key, (n, d) in pooled(independent, per_unit).items()}
    assert_matches(published_kpis, "K01", expected)


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
    assert_matches(published_kpis, "K02", {k: n for k, (n, _) in pooled(independent, active).items()})
    assert_matches(
        published_kpis, "K03", {k: ratio(n, d) for k, (n, d) in pooled(independent, caseload).items()}
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
        for area in areas_of(independent, ags):
            gaps.setdefault((area, quartal, ""), []).extend(in_quarter.luecke)
            for transition, group in in_quarter.groupby("uebergang"):
                gaps.setdefault((area, quartal, f"uebergang:{transition}"), []).extend(group.luecke)
    for breakdown in {key[2] for key in gaps}:
        subset = {(a, q): values for (a, q, b), values in gaps.items() if b == breakdown}
        assert_matches(
            published_kpis,
            "K06",
            {key: float(np.median(v)) if v else None for key, v in subset.items()},
            breakdown,
        )
        assert_matches(
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
    assert_matches(
        published_kpis, "K08", {k: ratio(n, d, 100) for k, (n, d) in pooled(independent, per_unit).items()}
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
        assert_matches(
            published_kpis,
            "K12",
            {k: ratio(n, d, 100) for k, (n, d) in pooled(independent, filled).items()},
            breakdown,
        )
        assert_matches(
            published_kpis,
            "K14",
            {k: ratio(n, d, 100) for k, (n, d) in pooled(independent, spent).items()},
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
        # meetings before the first reporting quarter are not delivered: a decided theme dates it, too
        "LENKUNGSGRUPPE_KONSTITUIERT": first(
            [
                *(data["meetings"][data["meetings"].ags == ags].sitzung_am if len(data["meetings"]) else []),
                *themes.lenkungsgruppe_am,
            ]
        ),
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
    pooled_total = pooled(independent, per_unit_total)
    assert_matches(
        published_kpis,
        "K24",
        {
            (area, q): n if area not in ("NRW", "TYP_KREIS", "TYP_KREISFREI") else n / d
            for (area, q), (n, d) in pooled_total.items()
        },
    )
    for name, flags in per_milestone.items():
        pooled_flags = pooled(independent, flags)
        assert_matches(
            published_kpis,
            "K24",
            {
                (area, q): n if area not in ("NRW", "TYP_KREIS", "TYP_KREISFREI") else 100 * n / d
                for (area, q), (n, d) in pooled_flags.items()
            },
            f"meilenstein:{name}",
        )
