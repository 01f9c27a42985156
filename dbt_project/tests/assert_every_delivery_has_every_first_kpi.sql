-- A failing row is a delivered unit × quarter (a loaded package exists) that lacks the total row of one of the
-- KPIs computed so far in kpi_werte, or a reference area × quarter that lacks it. Values may be empty; rows may
-- not. K25 exists for every reporting quarter, delivered or not: assert_k25_reconciles_with_lieferstatus.
-- Shown in Dagster as a check of the model it is about (it reads more than one model).
{{ config(meta={'dagster': {'ref': {'name': 'kpi_werte'}}}) }}
with

gebietslieferungen as (
    select distinct
        gebiet,
        quartal
    from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

kpi_werte as (
    select * from {{ ref('kpi_werte') }}
    where aufschluesselung = ''
),

erste_kennzahlen as (
    select unnest(['K01', 'K02', 'K03', 'K06', 'K07', 'K08', 'K12', 'K14', 'K24', 'K26']) as kpi_id
),

erwartet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.quartal,
        erste_kennzahlen.kpi_id
    from gebietslieferungen
    cross join erste_kennzahlen
)

select erwartet.*
from erwartet
left join kpi_werte
    on
        erwartet.gebiet = kpi_werte.gebiet
        and erwartet.quartal = kpi_werte.quartal
        and erwartet.kpi_id = kpi_werte.kpi_id
where kpi_werte.kpi_id is null
