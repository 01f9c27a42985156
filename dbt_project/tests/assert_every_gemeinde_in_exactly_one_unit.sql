-- A failing row means the reference data do not add up: the Gemeinden counted by the units differ from the
-- Gemeinden of NRW, or the population the units serve differs from the population of NRW. Either would make
-- rates per 100,000 or the statewide pooling wrong.
-- Shown in Dagster as a check of the model it is about (it reads more than one model).
{{ config(meta={'dagster': {'ref': {'name': 'mart_kommunen'}}}) }}
with

kommunen as (
    select * from {{ ref('mart_kommunen') }}
),

gemeinden as (
    select * from {{ ref('gemeinden') }}
),

summen as (
    select
        (select sum(anzahl_gemeinden) from kommunen) as gemeinden_der_kommunen,
        (select count(*) from gemeinden) as gemeinden_nrw,
        (select sum(einwohner_zustaendig) from kommunen) as einwohner_zustaendig,
        (select sum(einwohner) from gemeinden) as einwohner_nrw
)

select *
from summen
where gemeinden_der_kommunen <> gemeinden_nrw or einwohner_zustaendig <> einwohner_nrw
