-- A failing row is a unit × quarter (× file) whose K26 quarantine share does not follow from the row
-- reconciliation of its loaded package in lieferungen_dateien: the total or a `datei:` row is missing, present
-- without a loaded package or file, or its numerator (quarantined rows) or denominator (delivered rows) differs
-- from the published file counts.
-- Shown in Dagster as a check of the model it is about (it reads more than one model).
{{ config(meta={'dagster': {'ref': {'name': 'kpi_werte'}}}) }}
with

dateien as (
    select * from {{ ref('lieferungen_dateien') }}
    where paket_geladen
),

lieferungen as (
    select * from {{ ref('lieferungen') }}
    where geladen
),

k26 as (
    select * from {{ ref('kpi_werte') }}
    where
        kpi_id = 'K26'
        and gebietsebene = 'kommune'
        and (aufschluesselung = '' or aufschluesselung like 'datei:%')
),

je_datei as (
    select
        ags,
        quartal,
        concat('datei:', datei) as aufschluesselung,
        zeilen_quarantaene as zaehler,
        zeilen_geliefert as nenner
    from dateien
),

je_paket as (
    select
        ags,
        quartal,
        '' as aufschluesselung,
        zeilen_quarantaene as zaehler,
        zeilen_geliefert as nenner
    from lieferungen
),

erwartet as (
    select * from je_datei
    union all
    select * from je_paket
)

select
    coalesce(erwartet.ags, k26.gebiet) as ags,
    coalesce(erwartet.quartal, k26.quartal) as quartal,
    coalesce(erwartet.aufschluesselung, k26.aufschluesselung) as aufschluesselung,
    erwartet.zaehler as zaehler_erwartet,
    erwartet.nenner as nenner_erwartet,
    k26.zaehler,
    k26.nenner
from erwartet
full outer join k26
    on
        erwartet.ags = k26.gebiet
        and erwartet.quartal = k26.quartal
        and erwartet.aufschluesselung = k26.aufschluesselung
where
    erwartet.ags is null
    or k26.gebiet is null
    or k26.zaehler <> erwartet.zaehler
    or k26.nenner <> erwartet.nenner
