with

zuordnung as (
    select * from {{ ref('int_gebiet_zuordnung') }}
),

kommunen as (
    select * from {{ ref('kommunen') }}
),

vergleichsgebiete as (
    select * from {{ ref('vergleichsgebiete') }}
),

kommunen_je_gebiet as (
    select
        gebiet,
        gebietsebene,
        count(*) as anzahl_kommunen
    from zuordnung
    group by gebiet, gebietsebene
),

gebietsnamen as (
    select
        ags as gebiet,
        name
    from kommunen
    union all
    select
        gebiet,
        name
    from vergleichsgebiete
),

final as (
    select
        kommunen_je_gebiet.gebiet,
        kommunen_je_gebiet.gebietsebene,
        gebietsnamen.name,
        cast(kommunen_je_gebiet.anzahl_kommunen as integer) as anzahl_kommunen
    from kommunen_je_gebiet
    left join gebietsnamen on kommunen_je_gebiet.gebiet = gebietsnamen.gebiet
)

select * from final
