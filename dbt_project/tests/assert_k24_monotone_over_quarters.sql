-- A failing row is a unit whose number of reached milestones (K24) drops from one delivered quarter to a later
-- one: milestones are first-reached dates and can never be lost.
with

umsetzungsstand as (
    select * from {{ ref('kpi_werte') }}
    where kpi_id = 'K24' and aufschluesselung = '' and gebietsebene = 'kommune'
),

mit_vorquartal as (
    select
        gebiet,
        quartal,
        wert,
        lag(wert) over (partition by gebiet order by quartal) as wert_vorher
    from umsetzungsstand
)

select *
from mit_vorquartal
where wert < wert_vorher
