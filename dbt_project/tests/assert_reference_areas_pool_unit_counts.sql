-- A failing row is a reference-area value whose numerator or denominator is not the sum over the units that
-- belong to the area (and have a row for that quarter and breakdown): areas must be pooled from the same facts
-- as the units, never computed from other data or averaged.
-- Shown in Dagster as a check of the model it is about (it reads more than one model).
{{ config(meta={'dagster': {'ref': {'name': 'kpi_werte'}}}) }}
with

kpi_werte as (
    select * from {{ ref('kpi_werte') }}
),

zuordnung as (
    select * from {{ ref('int_gebiet_zuordnung') }}
    where gebietsebene <> 'kommune'
),

summen_der_kommunen as (
    select
        kpi_werte.kpi_id,
        zuordnung.gebiet,
        kpi_werte.quartal,
        kpi_werte.aufschluesselung,
        sum(kpi_werte.zaehler) as zaehler,
        sum(kpi_werte.nenner) as nenner
    from kpi_werte
    inner join zuordnung on kpi_werte.gebiet = zuordnung.ags
    where kpi_werte.gebietsebene = 'kommune'
    group by kpi_werte.kpi_id, zuordnung.gebiet, kpi_werte.quartal, kpi_werte.aufschluesselung
),

vergleichsgebiete as (
    select * from kpi_werte
    where gebietsebene <> 'kommune'
)

select
    vergleichsgebiete.*,
    summen_der_kommunen.zaehler as zaehler_summe,
    summen_der_kommunen.nenner as nenner_summe
from vergleichsgebiete
left join summen_der_kommunen
    on
        vergleichsgebiete.kpi_id = summen_der_kommunen.kpi_id
        and vergleichsgebiete.gebiet = summen_der_kommunen.gebiet
        and vergleichsgebiete.quartal = summen_der_kommunen.quartal
        and vergleichsgebiete.aufschluesselung = summen_der_kommunen.aufschluesselung
where
    abs(coalesce(vergleichsgebiete.zaehler, 0) - coalesce(summen_der_kommunen.zaehler, 0))
    > 1e-6 * greatest(1, abs(coalesce(vergleichsgebiete.zaehler, 0)))
    or abs(coalesce(vergleichsgebiete.nenner, 0) - coalesce(summen_der_kommunen.nenner, 0))
    > 1e-6 * greatest(1, abs(coalesce(vergleichsgebiete.nenner, 0)))
