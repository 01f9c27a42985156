with

strukturthemen as (
    select * from {{ source('raw', 'strukturthemen') }}
),

lieferungen as (
    select * from {{ source('raw', 'lieferungen') }}
),

strukturthemen_geladener_pakete as (
    select strukturthemen.*
    from strukturthemen
    where strukturthemen.paket_id in (
        select lieferungen.paket_id from lieferungen
        where lieferungen.geladen
    )
),

final as (
    select
        ags,
        berichtsquartal as quartal,
        {{ quarter_start('berichtsquartal') }} as quartal_beginn,
        {{ quarter_end('berichtsquartal') }} as quartal_ende,
        paket_id,
        zeile,
        thema_id,
        titel,
        handlungsfeld,
        quelle,
        faelle_rekonstruiert,
        identifiziert_am,
        lenkungsgruppe_am,
        prioritaet,
        projektgruppe_am,
        zielvereinbarung_am,
        umgesetzt_am,
        status
    from strukturthemen_geladener_pakete
)

select * from final
