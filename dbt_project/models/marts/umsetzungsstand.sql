with

meilensteine_je_kommune as (
    select * from {{ ref('int_meilensteine_ermittelt') }}
),

meilensteine as (
    select * from {{ ref('umsetzungsmeilensteine') }}
),

final as (
    select
        meilensteine_je_kommune.ags,
        meilensteine_je_kommune.meilenstein,
        meilensteine.bezeichnung,
        meilensteine.sortierung,
        meilensteine_je_kommune.erreicht_am,
        case
            when meilensteine_je_kommune.erreicht_am is not null
                then {{ quarter_of('meilensteine_je_kommune.erreicht_am') }}
        end as erreicht_quartal
    from meilensteine_je_kommune
    inner join meilensteine on meilensteine_je_kommune.meilenstein = meilensteine.meilenstein
)

select * from final
