"""The questions the page „Lieferungen & Datenqualität“ asks the warehouse, as parameterised SQL.

Values are always bound as parameters (`?`), never formatted into the SQL text; every function returns a fresh
DataFrame from the cache of `warehouse.query`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboards.lib.warehouse import query

# The marts this page reads beyond those every page needs (`warehouse.REQUIRED_TABLES`).
PAGE_TABLES = ("lieferungen", "lieferungen_dateien", "befunde", "regeln")

DELIVERY_MATRIX_SQL = """
select
    s.ags,
    k.name,
    k.regierungsbezirk,
    k.vergleichstyp,
    coalesce(g.name, k.vergleichstyp) as vergleichstyp_name,
    s.quartal,
    s.status,
    s.paket_status,
    s.eingegangen_am,
    s.frist,
    s.fristgerecht,
    s.anzahl_pakete,
    s.anzahl_abgelehnt
from marts.lieferstatus as s
join marts.kommunen as k on k.ags = s.ags
left join marts.gebiete as g on g.gebiet = k.vergleichstyp
order by s.ags, s.quartal
"""

# Every quarter of a unit that is a reporting quarter or has a package (a package may precede the reporting
# start), with its delivery status where it is a reporting quarter.
UNIT_QUARTERS_SQL = """
with quartale as (
    select quartal from marts.lieferstatus where ags = ?
    union
    select quartal from marts.lieferungen where ags = ?
)
select
    q.quartal,
    s.status,
    s.frist,
    (select count(*) from marts.lieferungen as l where l.ags = ? and l.quartal = q.quartal) as anzahl_pakete
from quartale as q
left join marts.lieferstatus as s on s.ags = ? and s.quartal = q.quartal
order by q.quartal desc
"""

PACKAGES_SQL = """
select
    paket_id, ags, kommune_name, quartal, erstellt_am, eingegangen_am, verarbeitet_am, paketform, quellsystem,
    datensatz_version, status, geladen, ersetzt, ersetzt_durch, frist, fristgerecht, anzahl_dateien,
    zeilen_geliefert, zeilen_geladen, zeilen_quarantaene, zeilen_abgelehnt, befunde_gesamt,
    befunde_paket_abgelehnt, befunde_zeile_quarantaene, befunde_hinweis, erste_ablehnung_regel,
    erste_ablehnung_meldung
from marts.lieferungen
where ags = ? and quartal = ?
order by geladen desc, erstellt_am desc nulls last, eingegangen_am desc nulls last, paket_id
"""

PACKAGE_FILES_SQL = """
select
    datei, zeichenkodierung, trennzeichen, zeilen_geliefert, zeilen_geladen, zeilen_quarantaene,
    zeilen_abgelehnt, befunde_gesamt, abgeglichen
from marts.lieferungen_dateien
where paket_id = ?
order by datei
"""

PACKAGE_FINDINGS_SQL = """
select
    befund_nr, ebene, datei, zeile, spalte, regel, regel_titel, ergebnis, meldung,
    cast(rohwerte as varchar) as rohwerte
from marts.befunde
where paket_id = ?
order by befund_nr
"""

RULES_SQL = "select regel, titel, erklaerung, klasse, sortierung from marts.regeln order by sortierung"

QUALITY_CATALOGUE_SQL = """
select kpi_id, name, definition, einheit, polaritaet, bereich, unsicherheit, aufschluesselungen
from marts.kpi_katalog
where kpi_id in ('K25', 'K26')
order by kpi_id
"""

QUALITY_VALUES_SQL = """
select kpi_id, gebiet, quartal, aufschluesselung, wert, zaehler, nenner, ki95_unten, ki95_oben
from marts.kpi_werte
where kpi_id in ('K25', 'K26') and list_contains(?::varchar[], gebiet)
order by kpi_id, gebiet, quartal, aufschluesselung
"""

MEASURE_QUARTERS_SQL = """
select distinct quartal
from marts.kpi_werte
where kpi_id = ? and aufschluesselung = ? and gebietsebene = 'kommune' and wert is not null
order by quartal desc
"""


def delivery_matrix() -> pd.DataFrame:
    """Delivery status of every unit and reporting quarter with the unit's name, Regierungsbezirk and type."""
    return query(DELIVERY_MATRIX_SQL)


def unit_quarters(ags: str) -> pd.DataFrame:
    """The unit's quarters (reporting quarters and quarters with a package), latest first, with status."""
    return query(UNIT_QUARTERS_SQL, (ags, ags, ags, ags))


def packages(ags: str, quartal: str) -> pd.DataFrame:
    """Every processed package of a unit and quarter: the loaded one first, then the latest created."""
    return query(PACKAGES_SQL, (ags, quartal))


def package_files(paket_id: str) -> pd.DataFrame:
    """Row reconciliation, encoding and delimiter of every file of a package."""
    return query(PACKAGE_FILES_SQL, (paket_id,))


def package_findings(paket_id: str) -> pd.DataFrame:
    """Every finding of a package in reading order, raw values as JSON text."""
    return query(PACKAGE_FINDINGS_SQL, (paket_id,))


def rules() -> pd.DataFrame:
    """The rule catalogue: German title, explanation and level of every rule."""
    return query(RULES_SQL)


def quality_catalogue() -> pd.DataFrame:
    """The catalogue entries of K25 and K26."""
    return query(QUALITY_CATALOGUE_SQL)


def quality_values(gebiete: Sequence[str]) -> pd.DataFrame:
    """All K25 and K26 rows (every breakdown) of the given areas."""
    return query(QUALITY_VALUES_SQL, (list(gebiete),))


def measure_quarters(kpi_id: str, aufschluesselung: str) -> list[str]:
    """Quarters in which at least one unit has a value of the KPI breakdown, latest first."""
    return query(MEASURE_QUARTERS_SQL, (kpi_id, aufschluesselung))["quartal"].tolist()
