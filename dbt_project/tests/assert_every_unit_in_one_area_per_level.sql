-- A failing row is a unit that is not exactly once its own area, once in NRW and once in a unit type: it would
-- be missing from (or double-counted in) a reference value.
-- Shown in Dagster as a check of the model it is about (it reads more than one model).
{{ config(meta={'dagster': {'ref': {'name': 'int_gebiet_zuordnung'}}}) }}
with

kommunen as (
    select * from {{ ref('kommunen') }}
),

zuordnung as (
    select * from {{ ref('int_gebiet_zuordnung') }}
),

ebenen as (
    select unnest(['kommune', 'land', 'typ']) as gebietsebene
),

anzahl_je_ebene as (
    select
        kommunen.ags,
        ebenen.gebietsebene,
        count(zuordnung.gebiet) as anzahl
    from kommunen
    cross join ebenen
    left join zuordnung
        on kommunen.ags = zuordnung.ags and ebenen.gebietsebene = zuordnung.gebietsebene
    group by kommunen.ags, ebenen.gebietsebene
)

select *
from anzahl_je_ebene
where anzahl <> 1
