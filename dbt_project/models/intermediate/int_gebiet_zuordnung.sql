{#- Membership of every unit in every area it is compared with. Each kind of area is one CTE producing
    (ags, gebiet, gebietsebene); Regierungsbezirke and peer groups are added later as further CTEs in the
    union, and every KPI model picks them up without change. -#}
with

kommunen as (
    select * from {{ ref('kommunen') }}
),

kommunentypen as (
    select * from {{ ref('kommunentypen') }}
),

vergleichsgebiete as (
    select * from {{ ref('vergleichsgebiete') }}
),

kommune_selbst as (
    select
        kommunen.ags,
        kommunen.ags as gebiet,
        'kommune' as gebietsebene
    from kommunen
),

land as (
    select
        kommunen.ags,
        vergleichsgebiete.gebiet,
        vergleichsgebiete.gebietsebene
    from kommunen
    cross join vergleichsgebiete
    where vergleichsgebiete.gebietsebene = 'land'
),

vergleichstyp as (
    select
        kommunen.ags,
        vergleichsgebiete.gebiet,
        vergleichsgebiete.gebietsebene
    from kommunen
    inner join kommunentypen on kommunen.typ = kommunentypen.typ
    inner join vergleichsgebiete on kommunentypen.vergleichstyp = vergleichsgebiete.gebiet
),

final as (
    select * from kommune_selbst
    union all
    select * from land
    union all
    select * from vergleichstyp
)

select * from final
