-- A failing row means marts.kommunen does not hold exactly the 54 KIM units of the reference data (22 kreisfreie
-- Städte, 30 Kreise, the Städteregion Aachen and the city of Aachen), or a unit lacks its type.
with

kommunen as (
    select * from {{ ref('mart_kommunen') }}
),

je_vergleichstyp as (
    select
        count(*) as einheiten,
        count(*) filter (where vergleichstyp = 'TYP_KREISFREI') as kreisfrei,
        count(*) filter (where vergleichstyp = 'TYP_KREIS') as kreise
    from kommunen
)

select *
from je_vergleichstyp
where einheiten <> 54 or kreisfrei <> 23 or kreise <> 31
