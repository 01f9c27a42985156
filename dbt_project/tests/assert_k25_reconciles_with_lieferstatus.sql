-- A failing row is a unit × reporting quarter whose K25 (Lieferpünktlichkeit) does not follow from the published
-- delivery status: missing although the quarter is in lieferstatus, present for a quarter that is not, or with a
-- numerator other than the unit's quarters up to then delivered on time, or a denominator other than those
-- whose punctuality is decided. Counted here with a self-join, independently of the model's window sums.
-- Shown in Dagster as a check of the model it is about (it reads more than one model).
{{ config(meta={'dagster': {'ref': {'name': 'kpi_werte'}}}) }}
with

lieferstatus as (
    select * from {{ ref('lieferstatus') }}
),

k25 as (
    select * from {{ ref('kpi_werte') }}
    where kpi_id = 'K25' and gebietsebene = 'kommune' and aufschluesselung = ''
),

erwartet as (
    select
        bis.ags,
        bis.quartal,
        count(*) filter (where frueher.fristgerecht) as zaehler,
        count(frueher.fristgerecht) as nenner
    from lieferstatus as bis
    inner join lieferstatus as frueher
        on bis.ags = frueher.ags and bis.quartal >= frueher.quartal
    group by bis.ags, bis.quartal
)

select
    coalesce(erwartet.ags, k25.gebiet) as ags,
    coalesce(erwartet.quartal, k25.quartal) as quartal,
    erwartet.zaehler as zaehler_erwartet,
    erwartet.nenner as nenner_erwartet,
    k25.zaehler,
    k25.nenner
from erwartet
full outer join k25 on erwartet.ags = k25.gebiet and erwartet.quartal = k25.quartal
where
    erwartet.ags is null
    or k25.gebiet is null
    or k25.zaehler <> erwartet.zaehler
    or k25.nenner <> erwartet.nenner
