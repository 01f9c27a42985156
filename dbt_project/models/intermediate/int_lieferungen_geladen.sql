with

lieferungen as (
    select * from {{ ref('stg_lieferungen') }}
),

final as (
    select
        ags,
        quartal,
        quartal_beginn,
        quartal_ende,
        paket_id,
        status
    from lieferungen
    where geladen
)

select * from final
