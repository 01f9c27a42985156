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
    union all
    select
        concat('PEER_', ags) as gebiet,
        concat('Vergleichsgruppe ', name) as name  -- noqa: RF04
    from kommunen
),

-- The unit whose peers a peer group holds; the unit itself for a unit; null for fixed reference areas.
bezugskommunen as (
    select
        ags as gebiet,
        ags as bezugskommune
    from kommunen
    union all
    select
        concat('PEER_', ags) as gebiet,
        ags as bezugskommune
    from kommunen
),

final as (
    select
        kommunen_je_gebiet.gebiet,
        kommunen_je_gebiet.gebietsebene,
        gebietsnamen.name,
        cast(kommunen_je_gebiet.anzahl_kommunen as integer) as anzahl_kommunen,
        bezugskommunen.bezugskommune
    from kommunen_je_gebiet
    left join gebietsnamen on kommunen_je_gebiet.gebiet = gebietsnamen.gebiet
    left join bezugskommunen on kommunen_je_gebiet.gebiet = bezugskommunen.gebiet
)

select * from final
