{#- Membership of every unit in every area it is compared with. Each kind of area is one CTE producing
    (ags, gebiet, gebietsebene); every KPI model picks all of them up through int_lieferungen_gebieten_zugeordnet.
    A unit belongs to NRW, its Regierungsbezirk and its type, and to the peer group of every unit that has it
    among its 7 nearest peers. The peer group PEER_<ags> holds the peers of <ags>, not <ags> itself: a unit is
    compared with its peers, and a group that contained it would pull the reference towards its own value. -#}
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

peergruppen as (
    select * from {{ ref('int_peergruppen_ermittelt') }}
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

regierungsbezirk as (
    select
        kommunen.ags,
        vergleichsgebiete.gebiet,
        vergleichsgebiete.gebietsebene
    from kommunen
    inner join vergleichsgebiete
        on
            kommunen.regierungsbezirk = vergleichsgebiete.regierungsbezirk
            and vergleichsgebiete.gebietsebene = 'regierungsbezirk'
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

peergruppe as (
    select
        peergruppen.peer_ags as ags,
        concat('PEER_', peergruppen.ags) as gebiet,
        'peergruppe' as gebietsebene
    from peergruppen
),

final as (
    select * from kommune_selbst
    union all
    select * from land
    union all
    select * from regierungsbezirk
    union all
    select * from vergleichstyp
    union all
    select * from peergruppe
)

select * from final
