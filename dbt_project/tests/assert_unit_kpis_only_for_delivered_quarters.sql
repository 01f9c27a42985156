-- A failing row is a unit value in kpi_werte for a quarter the unit has no loaded package for: KPIs of
-- undelivered quarters would be zeros that look like data. K25 (Lieferpünktlichkeit) is about delivering and
-- exists for every reporting quarter on purpose (assert_k25_reconciles_with_lieferstatus).
-- Shown in Dagster as a check of the model it is about (it reads more than one model).
{{ config(meta={'dagster': {'ref': {'name': 'kpi_werte'}}}) }}
with

kpi_werte as (
    select * from {{ ref('kpi_werte') }}
    where gebietsebene = 'kommune' and kpi_id <> 'K25'
),

lieferungen as (
    select * from {{ ref('int_lieferungen_geladen') }}
)

select kpi_werte.*
from kpi_werte
left join lieferungen
    on kpi_werte.gebiet = lieferungen.ags and kpi_werte.quartal = lieferungen.quartal
where lieferungen.paket_id is null
