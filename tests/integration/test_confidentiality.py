"""Statistical confidentiality: the published snapshot keeps small numbers secret, and an attacker who knows
how the published tables hang together cannot recover them.

The attacker reads only `kim.duckdb` (plus public reference data) and tries every relation between published
numbers the warehouse has: a total minus the visible cells of its breakdown, a reference area minus its
visible member units, the same count published under two KPIs, and the stocks and flows of one unit over
consecutive quarters (active cases, new cases, closures, cases active in the year). A hidden cell counts as
recovered when the relations leave a single possible value and that value is the true one (from the
ministry's snapshot). What the attacker knows about a hidden cell is what the Methodik page documents:
`anzahl_unter_5` lies in 1–4, `fallzahl_unter_10` rests on 1–9 cases, and a cell hidden so that no sum reveals
another (`sekundaer`) is no primary cell: in a breakdown at least 5 (or 10 cases).
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines.calendar import Quarter

HIDDEN = ("anzahl_unter_5", "fallzahl_unter_10", "sekundaer")


@pytest.fixture(scope="module")
def layers(published_warehouse):
    """(public, ministry) kpi_werte and the public catalogue."""
    columns = "kpi_id, gebiet, gebietsebene, quartal, aufschluesselung, wert, zaehler, nenner, geheimhaltung"
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as con:
        public = con.execute(f"select {columns}, ki95_unten, ki95_oben from marts.kpi_werte").df()
        catalogue = con.execute("select * from marts.kpi_katalog").df().set_index("kpi_id")
    with duckdb.connect(str(published_warehouse.ministry_db), read_only=True) as con:
        ministry = con.execute(f"select {columns} from marts.kpi_werte").df()
    return public, ministry, catalogue


def _additive_column(catalogue: pd.DataFrame, kpi: str) -> str | None:
    rules = catalogue.loc[kpi]
    if isinstance(rules.geheimhaltung_anzahl, str):
        return rules.geheimhaltung_anzahl.split("|")[0]
    if isinstance(rules.geheimhaltung_fallzahl, str):
        return rules.geheimhaltung_fallzahl
    return None


def _attacker_bounds(status: str, breakdown: str, has_basis_rule: bool) -> tuple[float, float]:
    primary_max = 9 if has_basis_rule else 4
    if status in ("anzahl_unter_5", "fallzahl_unter_10"):
        return 1.0, float(primary_max)
    if breakdown:
        return float(primary_max + 1), math.inf
    return 0.0, math.inf


def _single_value(low: float, high: float) -> float | None:
    """The only whole number in [low, high], if there is exactly one."""
    first, last = math.ceil(low - 1e-9), math.floor(high + 1e-9)
    return float(first) if first == last else None


def test_the_public_snapshot_holds_only_marts_and_reference_data(published_warehouse):
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as con:
        schemas = {
            row[0]
            for row in con.execute("select distinct table_schema from information_schema.tables").fetchall()
        }
    assert schemas == {"marts", "referenz"}


def test_hidden_cells_carry_no_value_in_the_public_snapshot(layers):
    public, ministry, _ = layers
    hidden = public[public.geheimhaltung.isin(HIDDEN)]
    assert len(hidden), "the session's small dataset must contain secret cells, or nothing is tested"
    assert hidden[["wert", "zaehler", "nenner", "ki95_unten", "ki95_oben"]].isna().all().all()
    # the same cells are marked in the ministry's layer, which keeps their values
    keys = ["kpi_id", "gebiet", "quartal", "aufschluesselung"]
    merged = hidden.merge(ministry, on=keys, suffixes=("", "_ministerium"))
    assert len(merged) == len(hidden)
    assert (merged.geheimhaltung == merged.geheimhaltung_ministerium).all()


def test_a_total_minus_visible_breakdown_cells_recovers_nothing(layers):
    public, ministry, catalogue = layers
    columns = {kpi: _additive_column(catalogue, kpi) for kpi in catalogue.index}
    basis_rule = {kpi: isinstance(catalogue.loc[kpi].geheimhaltung_fallzahl, str) for kpi in catalogue.index}
    truth = {
        (row.kpi_id, row.gebiet, row.quartal, row.aufschluesselung): getattr(row, columns[row.kpi_id])
        for row in ministry[
            (ministry.gebietsebene == "kommune") & ministry.kpi_id.map(columns).notna()
        ].itertuples()
    }
    # unit quarter of a KPI → its total (status, value) and its breakdown cells by dimension
    groups: dict[tuple, dict] = {}
    units = public[(public.gebietsebene == "kommune") & public.kpi_id.map(columns).notna()]
    for row in units.itertuples(index=False):
        group = groups.setdefault((row.kpi_id, row.gebiet, row.quartal), {"total": None, "cells": {}})
        value = getattr(row, columns[row.kpi_id])
        if row.aufschluesselung == "":
            group["total"] = (row.geheimhaltung, value)
        elif not row.aufschluesselung.startswith("kennzahl:"):
            dimension = row.aufschluesselung.split(":")[0]
            group["cells"].setdefault(dimension, []).append((row.aufschluesselung, row.geheimhaltung, value))
    recovered, attacked = [], 0
    for (kpi, gebiet, quartal), group in groups.items():
        if group["total"] is None or group["total"][0] in HIDDEN:
            continue
        for cells in group["cells"].values():
            hidden = [cell for cell in cells if cell[1] in HIDDEN]
            if not hidden:
                continue
            attacked += 1
            rest = group["total"][1] - sum(cell[2] for cell in cells if cell[1] not in HIDDEN)
            bounds = [_attacker_bounds(status, breakdown, basis_rule[kpi]) for breakdown, status, _ in hidden]
            for i, (breakdown, _, _) in enumerate(hidden):
                others_low = sum(low for j, (low, _) in enumerate(bounds) if j != i)
                others_high = sum(high for j, (_, high) in enumerate(bounds) if j != i)
                value = _single_value(
                    max(bounds[i][0], rest - others_high), min(bounds[i][1], rest - others_low)
                )
                if value is not None and np.isclose(value, truth[(kpi, gebiet, quartal, breakdown)]):
                    recovered.append((kpi, gebiet, quartal, breakdown, value))
    assert attacked, "no unit quarter with a hidden breakdown cell: the attack was never tried"
    assert not recovered, (
        f"{len(recovered)} of the hidden cells in {attacked} groups recovered, e.g. {recovered[:5]}"
    )


def test_a_reference_area_minus_its_visible_units_recovers_nothing(layers, published_warehouse):
    """An area with exactly one hidden member unit: area minus the visible members would be that unit."""
    public, ministry, catalogue = layers
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as con:
        membership = con.execute(
            "select ags, gebiet from marts.peergruppen "
            "union all select k.ags, 'NRW' from marts.kommunen k "
            "union all select k.ags, v.gebiet from marts.kommunen k join referenz.vergleichsgebiete v "
            "on k.regierungsbezirk = v.regierungsbezirk "
            "union all select k.ags, t.vergleichstyp from marts.kommunen k join referenz.kommunentypen t using (typ)"
        ).df()
    columns = {kpi: _additive_column(catalogue, kpi) for kpi in catalogue.index}
    keys = ["kpi_id", "quartal", "aufschluesselung"]

    def additive(frame: pd.DataFrame) -> pd.Series:
        column = frame.kpi_id.map(columns)
        return np.select(
            [column == "wert", column == "zaehler", column == "nenner"],
            [frame.wert, frame.zaehler, frame.nenner],
            np.nan,
        )

    public = public[public.kpi_id.map(columns).notna()].assign(zahl=lambda f: additive(f))
    truth = ministry[ministry.kpi_id.map(columns).notna()].assign(wahr=lambda f: additive(f))
    units = public[public.gebietsebene == "kommune"].merge(
        truth[["kpi_id", "gebiet", "quartal", "aufschluesselung", "wahr"]], on=[*keys, "gebiet"]
    )
    units = units.assign(geheim=units.geheimhaltung.isin(HIDDEN)).rename(columns={"gebiet": "ags"})
    areas = public[(public.gebietsebene != "kommune") & public.zahl.notna()][[*keys, "gebiet", "zahl"]]
    cells = areas.merge(membership, on="gebiet").merge(
        units[[*keys, "ags", "geheim", "zahl", "wahr"]], on=[*keys, "ags"], suffixes=("_gebiet", "")
    )
    cells = cells.assign(
        sichtbar=cells.zahl.where(~cells.geheim, 0.0), wahr_versteckt=cells.wahr.where(cells.geheim, 0.0)
    )
    grouped = cells.groupby([*keys, "gebiet"]).agg(
        gebiet_zahl=("zahl_gebiet", "first"),
        versteckt=("geheim", "sum"),
        sichtbar=("sichtbar", "sum"),
        wahr=("wahr_versteckt", "sum"),
    )
    attacked = grouped[grouped.versteckt == 1]
    assert len(attacked), "no reference area with exactly one hidden member: the attack was never tried"
    recovered = attacked[np.isclose(attacked.gebiet_zahl - attacked.sichtbar, attacked.wahr)]
    assert recovered.empty, (
        f"{len(recovered)} of {len(attacked)} attacks recovered a unit's cell:\n{recovered.head()}"
    )


@pytest.mark.parametrize(
    ("first", "first_column", "second", "second_column"),
    [
        ("K02", "wert", "K03", "zaehler"),
        ("K02", "wert", "K10", "nenner"),
        ("K06", "zaehler", "K07", "nenner"),
        ("K08", "nenner", "K09", "nenner"),
    ],
)
def test_a_count_published_under_two_kpis_is_hidden_under_both(
    layers, first, first_column, second, second_column
):
    """Where one KPI hides a count because of that count (it is small, or hidden to protect another), no other
    KPI may show the same number."""
    public, ministry, catalogue = layers
    keys = ["gebiet", "quartal", "aufschluesselung"]
    shared = ministry[ministry.kpi_id.isin([first, second]) & (ministry.gebietsebene == "kommune")]
    truth = {
        (row.kpi_id, row.gebiet, row.quartal, row.aufschluesselung, column): getattr(row, column)
        for row in shared.itertuples(index=False)
        for column in (first_column, second_column)
    }

    def cells(kpi: str) -> pd.DataFrame:
        rows = public[(public.kpi_id == kpi) & (public.gebietsebene == "kommune")]
        return rows if first == "K06" else rows[rows.aufschluesselung == ""]

    def secret(kpi: str, column: str, status: str, key: tuple) -> bool:
        """Whether the hidden cell's secret is this column: it made the cell primary, or it is the count a
        secondary cell hides."""
        if status == "sekundaer":
            return _additive_column(catalogue, kpi) == column
        value = truth[(kpi, *key, column)]
        top = 9 if status == "fallzahl_unter_10" else 4
        return 1 <= value <= top

    pairs = cells(first).merge(cells(second), on=keys, suffixes=("_a", "_b"))
    assert len(pairs), f"{first} and {second} share no unit cells"
    leaks = []
    for row in pairs.itertuples(index=False):
        key = (row.gebiet, row.quartal, row.aufschluesselung)
        shown_b, shown_a = getattr(row, f"{second_column}_b"), getattr(row, f"{first_column}_a")
        if (
            row.geheimhaltung_a in HIDDEN
            and secret(first, first_column, row.geheimhaltung_a, key)
            and pd.notna(shown_b)
        ):
            leaks.append((first, *key))
        if (
            row.geheimhaltung_b in HIDDEN
            and secret(second, second_column, row.geheimhaltung_b, key)
            and pd.notna(shown_a)
        ):
            leaks.append((second, *key))
    assert not leaks, f"{len(leaks)} cells revealed by the other KPI, e.g. {leaks[:5]}"


def test_stocks_and_flows_of_a_unit_do_not_reveal_its_new_cases(layers):
    """K01(q) = K02(q) − K02(q−1) + closures(q); and the cases active in a year (K15's denominator) grow by each
    quarter's new cases, starting from the cases active at the end of the previous year."""
    public, ministry, _ = layers
    units = public[(public.gebietsebene == "kommune") & (public.aufschluesselung == "")]
    value = units.set_index(["kpi_id", "gebiet", "quartal"])
    truth = ministry[(ministry.gebietsebene == "kommune") & (ministry.aufschluesselung == "")].set_index(
        ["kpi_id", "gebiet", "quartal"]
    )

    def known(kpi: str, gebiet: str, quartal: str, column: str) -> float | None:
        key = (kpi, gebiet, quartal)
        if key not in value.index or pd.isna(value.loc[key, column]):
            return None
        return float(value.loc[key, column])

    hidden = units[(units.kpi_id == "K01") & units.geheimhaltung.isin(HIDDEN)]
    assert len(hidden), "no hidden count of new cases in the session's data: nothing is tested"
    recovered = []
    for cell in hidden.itertuples(index=False):
        quarter = Quarter.parse(cell.quartal)
        previous = str(quarter.previous())
        true = truth.loc[("K01", cell.gebiet, cell.quartal), "zaehler"]
        guesses = []
        stock_now, stock_before = (
            known("K02", cell.gebiet, cell.quartal, "wert"),
            known("K02", cell.gebiet, previous, "wert"),
        )
        closures = known("K08", cell.gebiet, cell.quartal, "nenner")
        if stock_now is not None and stock_before is not None:
            change = stock_now - stock_before
            if closures is not None:
                guesses.append(change + closures)
            elif max(1.0, change) >= 4:  # closures unknown but ≥ 0, and the count is at most 4
                guesses.append(4.0)
        year_now = known("K15", cell.gebiet, cell.quartal, "nenner")
        year_before = (
            known("K15", cell.gebiet, previous, "nenner")
            if quarter.number > 1
            else known("K02", cell.gebiet, previous, "wert")
        )
        if year_now is not None and year_before is not None:
            guesses.append(year_now - year_before)
        recovered += [(cell.gebiet, cell.quartal, guess) for guess in guesses if np.isclose(guess, true)]
    assert not recovered, (
        f"{len(recovered)} of {len(hidden)} hidden counts of new cases recovered: {recovered[:5]}"
    )


def test_kaplan_meier_rows_publish_no_counts_of_persons(layers):
    public, _, _ = layers
    km = public[public.kpi_id == "K05"]
    assert len(km) and km.zaehler.isna().all() and km.nenner.isna().all()
