-- A failing row is a reporting quarter in lieferstatus that does not list each of the 54 units exactly once,
-- or a gap between the first and the last listed quarter.
-- Shown in Dagster as a check of the model it is about (it reads more than one model).
{{ config(meta={'dagster': {'ref': {'name': 'lieferstatus'}}}) }}
with

lieferstatus as (
    select * from {{ ref('lieferstatus') }}
),

kommunen as (
    select count(*) as anzahl from {{ ref('kommunen') }}
),

je_quartal as (
    select
        quartal,
        count(*) as zeilen,
        count(distinct ags) as kommunen,
        lag({{ quarter_start('quartal') }}) over (order by quartal) as vorquartal_beginn,
        {{ quarter_start('quartal') }} as quartal_beginn
    from lieferstatus
    group by quartal
)

select je_quartal.*
from je_quartal
cross join kommunen
where
    je_quartal.zeilen <> kommunen.anzahl
    or je_quartal.kommunen <> kommunen.anzahl
    or (
        je_quartal.vorquartal_beginn is not null
        and je_quartal.vorquartal_beginn + interval 3 month <> je_quartal.quartal_beginn
    )
