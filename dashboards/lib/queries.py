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

CATALOGUE_COLUMNS = """
    k.kpi_id,
    k.name,
    k.definition,
    k.einheit,
    k.polaritaet,
    k.bereich,
    k.unsicherheit,
    k.aufschluesselungen,
    k.wertart,
    k.methode,
    k.faktor,
    k.geheimhaltung_anzahl,
    k.geheimhaltung_fallzahl
"""

CATALOGUE_SQL = f"select {CATALOGUE_COLUMNS} from marts.kpi_katalog as k order by k.kpi_id"

KPIS_WITH_VALUES_SQL = f"""
select {CATALOGUE_COLUMNS}
from marts.kpi_katalog as k
where exists (
    select 1 from marts.kpi_werte as w where w.kpi_id = k.kpi_id and w.wert is not null
)
order by k.kpi_id
"""

AREA_NAMES_SQL = "select gebiet, gebietsebene, name from marts.gebiete order by gebiet"

AREA_TOTALS_SQL = """
select kpi_id, gebiet, quartal, wert, zaehler, nenner, ki95_unten, ki95_oben, ki998_unten, ki998_oben, geheimhaltung
from marts.kpi_werte
where aufschluesselung = '' and list_contains(?::varchar[], gebiet)
order by kpi_id, gebiet, quartal
"""

AREA_BREAKDOWNS_SQL = """
select kpi_id, gebiet, quartal, aufschluesselung, wert, zaehler, nenner, ki95_unten, ki95_oben, geheimhaltung
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

UNIT_REFERENCES_SQL = """
select distinct v.referenzebene, v.referenzgebiet, coalesce(g.name, v.referenzgebiet) as name
from marts.kpi_vergleiche as v
left join marts.gebiete as g on g.gebiet = v.referenzgebiet
where v.gebiet = ?
order by v.referenzebene
"""

UNIT_COMPARISONS_SQL = """
select
    kpi_id,
    quartal,
    referenzebene,
    referenzgebiet,
    referenzquartal,
    wert,
    referenzwert,
    bewertung_95,
    bewertung_998,
    signifikanz
from marts.kpi_vergleiche
where gebiet = ? and referenzebene = ? and aufschluesselung = ''
order by kpi_id, quartal
"""

AREA_TRENDS_SQL = """
select kpi_id, quartal, trendtest, pruefgroesse, steigung, trend, trendbewertung
from marts.kpi_trends
where gebiet = ? and aufschluesselung = ''
order by kpi_id, quartal
"""

PEER_GROUP_SQL = """
with mitglieder as (
    select ags as peer_ags, 0 as rang, 0.0 as distanz from marts.kommunen where ags = ?
    union all
    select peer_ags, rang, distanz from marts.peergruppen where ags = ?
)
select
    m.rang,
    m.peer_ags as ags,
    k.name,
    k.typ_bezeichnung,
    s.einwohner_zustaendig,
    s.flaeche_zustaendig_km2,
    s.einwohner_zustaendig / nullif(s.flaeche_zustaendig_km2, 0) as einwohnerdichte,
    s.auslaenderanteil_prozent,
    m.distanz
from mitglieder as m
join marts.kommunen as k on k.ags = m.peer_ags
left join marts.strukturmerkmale as s on s.ags = m.peer_ags
order by m.rang
"""

FUNNEL_QUARTERS_SQL = """
select distinct kpi_id, quartal
from marts.kpi_trichter
where aufschluesselung = ''
order by kpi_id, quartal desc
"""

FUNNEL_SQL = """
select
    t.gebiet as ags,
    k.name,
    t.wert,
    t.nenner,
    t.nrw_wert,
    t.standardfehler,
    t.z_wert,
    t.anzahl_einheiten,
    t.phi,
    t.tau2,
    t.grenze95_unten,
    t.grenze95_oben,
    t.grenze998_unten,
    t.grenze998_oben,
    t.lage_95,
    t.lage_998
from marts.kpi_trichter as t
join marts.kommunen as k on k.ags = t.gebiet
where t.kpi_id = ? and t.quartal = ? and t.aufschluesselung = ?
order by t.gebiet
"""

STRUCTURAL_FEATURES_SQL = """
select
    s.ags,
    k.name,
    s.einwohner_zustaendig,
    s.flaeche_zustaendig_km2,
    s.ln_einwohner,
    s.ln_dichte,
    s.kreisfrei,
    s.auslaenderanteil_prozent,
    s.z_einwohner,
    s.z_dichte,
    s.z_kreisfrei,
    s.z_auslaenderanteil
from marts.strukturmerkmale as s
join marts.kommunen as k on k.ags = s.ags
order by s.ags
"""

PEER_DISTANCES_SQL = "select ags, peer_ags, rang, distanz from marts.peergruppen order by ags, rang"

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


def catalogue() -> pd.DataFrame:
    """The whole KPI catalogue, also the KPIs without any value yet, in id order."""
    return query(CATALOGUE_SQL)


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


def unit_references(ags: str) -> pd.DataFrame:
    """The reference areas a unit is compared with (`referenzebene`, `referenzgebiet`, `name`), as
    `kpi_vergleiche` holds them; empty for a unit without any value."""
    return query(UNIT_REFERENCES_SQL, (ags,))


def unit_comparisons(ags: str, referenzebene: str) -> pd.DataFrame:
    """The comparison of every total of a unit with one kind of reference, per KPI and quarter."""
    return query(UNIT_COMPARISONS_SQL, (ags, referenzebene))


def area_trends(gebiet: str) -> pd.DataFrame:
    """The 5-quarter trend test of every total of an area, per KPI and quarter (the end of the series)."""
    return query(AREA_TRENDS_SQL, (gebiet,))


def peer_group(ags: str) -> pd.DataFrame:
    """The unit itself (rank 0) and the 7 units of its peer group with their structural features."""
    return query(PEER_GROUP_SQL, (ags, ags))


def funnel_quarters() -> dict[str, list[str]]:
    """Per KPI with funnel limits, its quarters (totals only), latest first."""
    rows = query(FUNNEL_QUARTERS_SQL)
    return {kpi_id: group["quartal"].tolist() for kpi_id, group in rows.groupby("kpi_id", sort=True)}


def funnel(kpi_id: str, quartal: str, aufschluesselung: str = "") -> pd.DataFrame:
    """The funnel-plot rows (value, denominator, limits) of every unit for one KPI and quarter."""
    return query(FUNNEL_SQL, (kpi_id, quartal, aufschluesselung))


def structural_features() -> pd.DataFrame:
    """The structural features of every unit from which the peer groups are computed."""
    return query(STRUCTURAL_FEATURES_SQL)


def peer_distances() -> pd.DataFrame:
    """Every unit's 7 peers with rank and standardised distance."""
    return query(PEER_DISTANCES_SQL)


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
