-- A failing row is a file of an accepted package whose delivered rows are not exactly its loaded plus its
-- quarantined rows: a delivered row was lost (contract section 3).
-- Shown in Dagster as a check of the model it is about (it reads more than one model).
{{ config(meta={'dagster': {'ref': {'name': 'stg_lieferungen_dateien'}}}) }}
with

lieferungen as (
    select * from {{ ref('stg_lieferungen') }}
),

dateien as (
    select * from {{ ref('stg_lieferungen_dateien') }}
)

select dateien.*
from dateien
inner join lieferungen on dateien.paket_id = lieferungen.paket_id
where
    lieferungen.status <> 'ABGELEHNT'
    and dateien.zeilen_geliefert <> dateien.zeilen_geladen + dateien.zeilen_quarantaene
