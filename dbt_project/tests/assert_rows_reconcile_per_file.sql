-- A failing row is a file of a package whose rows do not reconcile (contract section 3: every delivered row is
-- either loaded or quarantined, counts reconcile exactly, per file):
--   - a file of a non-rejected package whose delivered rows are not its loaded plus its quarantined rows, or
--     whose quarantined rows are not the distinct lines its ZEILE_QUARANTAENE findings name;
--   - a file of a rejected package with loaded or quarantined rows (nothing of it may be taken over);
--   - quarantine findings that name a file the package has no reconciliation row for;
--   - a package whose totals in lieferungen differ from the sums over its files.
-- Shown in Dagster as a check of the model it is about (it reads more than one model).
{{ config(meta={'dagster': {'ref': {'name': 'lieferungen_dateien'}}}) }}
with

dateien as (
    select * from {{ ref('lieferungen_dateien') }}
),

lieferungen as (
    select * from {{ ref('lieferungen') }}
),

befunde as (
    select * from {{ ref('befunde') }}
),

quarantaene_laut_befunden as (
    select
        paket_id,
        datei,
        count(distinct zeile) as zeilen
    from befunde
    where ergebnis = 'ZEILE_QUARANTAENE'
    group by paket_id, datei
),

dateiabgleich as (
    select
        coalesce(dateien.paket_id, quarantaene_laut_befunden.paket_id) as paket_id,
        coalesce(dateien.datei, quarantaene_laut_befunden.datei) as datei,
        lieferungen.status,
        dateien.zeilen_geliefert,
        dateien.zeilen_geladen,
        dateien.zeilen_quarantaene,
        dateien.zeilen_abgelehnt,
        dateien.abgeglichen,
        coalesce(quarantaene_laut_befunden.zeilen, 0) as quarantaene_laut_befunden
    from dateien
    full outer join quarantaene_laut_befunden
        on dateien.paket_id = quarantaene_laut_befunden.paket_id and dateien.datei = quarantaene_laut_befunden.datei
    left join lieferungen
        on coalesce(dateien.paket_id, quarantaene_laut_befunden.paket_id) = lieferungen.paket_id
),

dateien_nicht_abgeglichen as (
    select
        paket_id,
        datei,
        'Datei' as ebene
    from dateiabgleich
    where
        zeilen_geliefert is null
        or not abgeglichen
        or zeilen_quarantaene <> quarantaene_laut_befunden
        or (
            status <> 'ABGELEHNT'
            and (zeilen_geliefert <> zeilen_geladen + zeilen_quarantaene or zeilen_abgelehnt <> 0)
        )
        or (
            status = 'ABGELEHNT'
            and (zeilen_geladen <> 0 or zeilen_quarantaene <> 0 or zeilen_abgelehnt <> zeilen_geliefert)
        )
),

summen_je_paket as (
    select
        paket_id,
        count(*) as anzahl_dateien,
        sum(zeilen_geliefert) as zeilen_geliefert,
        sum(zeilen_geladen) as zeilen_geladen,
        sum(zeilen_quarantaene) as zeilen_quarantaene,
        sum(zeilen_abgelehnt) as zeilen_abgelehnt
    from dateien
    group by paket_id
),

pakete_nicht_abgeglichen as (
    select
        lieferungen.paket_id,
        cast(null as varchar) as datei,
        'Paket' as ebene
    from lieferungen
    left join summen_je_paket on lieferungen.paket_id = summen_je_paket.paket_id
    where
        lieferungen.anzahl_dateien <> coalesce(summen_je_paket.anzahl_dateien, 0)
        or lieferungen.zeilen_geliefert <> coalesce(summen_je_paket.zeilen_geliefert, 0)
        or lieferungen.zeilen_geladen <> coalesce(summen_je_paket.zeilen_geladen, 0)
        or lieferungen.zeilen_quarantaene <> coalesce(summen_je_paket.zeilen_quarantaene, 0)
        or lieferungen.zeilen_abgelehnt <> coalesce(summen_je_paket.zeilen_abgelehnt, 0)
)

select * from dateien_nicht_abgeglichen
union all
select * from pakete_nicht_abgeglichen
