with

kommunen as (
    select * from {{ ref('kommunen') }}
),

meilensteine as (
    select * from {{ ref('umsetzungsmeilensteine') }}
),

personal as (
    select * from {{ ref('stg_personal') }}
),

faelle as (
    select * from {{ ref('int_faelle_aktuell') }}
),

sitzungen as (
    select * from {{ ref('stg_lenkungsgruppe') }}
),

strukturthemen as (
    select * from {{ ref('int_strukturthemen_aktuell') }}
),

erste_besetzte_stellen as (
    select
        ags,
        concat('ERSTE_STELLE_BAUSTEIN_', baustein) as meilenstein,
        min(besetzt_seit) as erreicht_am
    from personal
    where besetzt_vzae > 0
    group by ags, baustein
),

erste_faelle as (
    select
        ags,
        'ERSTER_FALL' as meilenstein,
        min(aufnahme_am) as erreicht_am
    from faelle
    group by ags
),

-- Meetings are delivered only from the first reporting quarter on, so a group constituted earlier shows
-- itself first by a decision on a theme: the earlier of first meeting and first decision.
lenkungsgruppe_belege as (
    select
        ags,
        sitzung_am as belegt_am
    from sitzungen
    union all
    select
        ags,
        lenkungsgruppe_am as belegt_am
    from strukturthemen
    where lenkungsgruppe_am is not null
),

erste_sitzungen as (
    select
        ags,
        'LENKUNGSGRUPPE_KONSTITUIERT' as meilenstein,
        min(belegt_am) as erreicht_am
    from lenkungsgruppe_belege
    group by ags
),

erste_beschluesse as (
    select
        ags,
        'ERSTES_THEMA_BESCHLOSSEN' as meilenstein,
        min(lenkungsgruppe_am) as erreicht_am
    from strukturthemen
    group by ags
),

erste_umsetzungen as (
    select
        ags,
        'ERSTE_MASSNAHME_UMGESETZT' as meilenstein,
        min(umgesetzt_am) as erreicht_am
    from strukturthemen
    group by ags
),

erreichte_meilensteine as (
    select * from erste_besetzte_stellen
    union all
    select * from erste_faelle
    union all
    select * from erste_sitzungen
    union all
    select * from erste_beschluesse
    union all
    select * from erste_umsetzungen
),

final as (
    select
        kommunen.ags,
        meilensteine.meilenstein,
        erreichte_meilensteine.erreicht_am
    from kommunen
    cross join meilensteine
    left join erreichte_meilensteine
        on
            kommunen.ags = erreichte_meilensteine.ags
            and meilensteine.meilenstein = erreichte_meilensteine.meilenstein
)

select * from final
