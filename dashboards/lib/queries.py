"""The questions the dashboards ask the warehouse, as parameterised SQL over the `marts` schema.

Values are always bound as parameters (`?`), never formatted into the SQL text. Every function returns a fresh
DataFrame (from the cache of `warehouse.query`), so callers may modify it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboards.lib.warehouse import query

UNITS_SQL = """
select
    k.ags,
    k.name,
    k.typ,
    k.typ_bezeichnung,
    k.vergleichstyp,
    coalesce(g.name, k.vergleichstyp) as vergleichstyp_name,
    k.regierungsbezirk,
    k.einwohner,
    k.einwohner_zustaendig,
    k.flaeche_km2,
    k.einwohnerdichte,
    k.anzahl_gemeinden
from marts.kommunen as k
left join marts.gebiete as g on g.gebiet = k.vergleichstyp
order by k.ags
"""

KPIS_WITH_VALUES_SQL = """
select k.kpi_id, k.name, k.definition, k.einheit, k.polaritaet, k.bereich, k.unsicherheit
from marts.kpi_katalog as k
where exists (
    select 1 from marts.kpi_werte as w where w.kpi_id = k.kpi_id and w.wert is not null
)
order by k.kpi_id
"""

AREA_NAMES_SQL = "select gebiet, gebietsebene, name from marts.gebiete order by gebiet"

AREA_TOTALS_SQL = """
select kpi_id, gebiet, quartal, wert, zaehler, nenner, ki95_unten, ki95_oben
from marts.kpi_werte
where aufschluesselung = '' and list_contains(?::varchar[], gebiet)
order by kpi_id, gebiet, quartal
"""

AREA_BREAKDOWNS_SQL = """
select kpi_id, gebiet, quartal, aufschluesselung, wert, zaehler, nenner, ki95_unten, ki95_oben
from marts.kpi_werte
where aufschluesselung <> '' and list_contains(?::varchar[], gebiet)
order by kpi_id, gebiet, quartal, aufschluesselung
"""

UNIT_QUARTERS_SQL = """
select distinct quartal
from marts.kpi_werte
where kpi_id = ? and gebietsebene = 'kommune' and aufschluesselung = '' and wert is not null
order by quartal desc
"""

UNIT_COMPARISON_SQL = """
select
    k.ags,
    k.name,
    k.vergleichstyp,
    coalesce(g.name, k.vergleichstyp) as vergleichstyp_name,
    w.wert,
    w.ki95_unten,
    w.ki95_oben,
    w.zaehler,
    w.nenner
from marts.kommunen as k
left join marts.gebiete as g on g.gebiet = k.vergleichstyp
left join marts.kpi_werte as w
    on w.gebiet = k.ags and w.kpi_id = ? and w.quartal = ? and w.aufschluesselung = ?
order by k.ags
"""

DELIVERY_STATUS_SQL = """
select s.ags, k.name, s.quartal, s.status, s.eingegangen_am, s.frist, s.fristgerecht, s.anzahl_pakete
from marts.lieferstatus as s
join marts.kommunen as k on k.ags = s.ags
order by s.ags, s.quartal
"""

UNIT_DELIVERIES_SQL = """
select quartal, status, eingegangen_am, frist, fristgerecht, anzahl_pakete
from marts.lieferstatus
where ags = ?
order by quartal desc
"""

MILESTONES_SQL = """
select meilenstein, bezeichnung, sortierung, erreicht_am
from marts.umsetzungsstand
where ags = ?
order by sortierung, meilenstein
"""


def units() -> pd.DataFrame:
    """The 54 KIM units with their facts and the name of their comparison type, in AGS order."""
    return query(UNITS_SQL)


def kpis_with_values() -> pd.DataFrame:
    """The catalogue entries of the KPIs that have at least one value, in id order."""
    return query(KPIS_WITH_VALUES_SQL)


def area_names() -> dict[str, str]:
    """Display name of every area code (`NRW` → `Nordrhein-Westfalen`, `05111` → `Düsseldorf, Stadt`)."""
    areas = query(AREA_NAMES_SQL)
    return dict(zip(areas["gebiet"], areas["name"], strict=True))


def area_totals(gebiete: Sequence[str]) -> pd.DataFrame:
    """Totals (no breakdown) of every KPI and quarter for the given areas."""
    return query(AREA_TOTALS_SQL, (list(gebiete),))


def area_breakdowns(gebiete: Sequence[str]) -> pd.DataFrame:
    """Breakdown rows (`baustein:2`, `uebergang:…`, `meilenstein:…`) of every KPI and quarter for the
    areas."""
    return query(AREA_BREAKDOWNS_SQL, (list(gebiete),))


def unit_quarters(kpi_id: str) -> list[str]:
    """Quarters in which at least one unit has a value for the KPI, latest first."""
    return query(UNIT_QUARTERS_SQL, (kpi_id,))["quartal"].tolist()


def unit_comparison(kpi_id: str, quartal: str, aufschluesselung: str = "") -> pd.DataFrame:
    """All 54 units with their value of one KPI (total, or one breakdown) in one quarter; `wert` missing where
    a unit has none."""
    return query(UNIT_COMPARISON_SQL, (kpi_id, quartal, aufschluesselung))


def delivery_status() -> pd.DataFrame:
    """Delivery status of every unit and reporting quarter, in AGS and quarter order."""
    return query(DELIVERY_STATUS_SQL)


def unit_deliveries(ags: str) -> pd.DataFrame:
    """Delivery status of one unit per reporting quarter, latest first."""
    return query(UNIT_DELIVERIES_SQL, (ags,))


def milestones(ags: str) -> pd.DataFrame:
    """The rollout milestones of one unit in their defined order, with the date each was first reached
    (missing if not yet)."""
    return query(MILESTONES_SQL, (ags,))
