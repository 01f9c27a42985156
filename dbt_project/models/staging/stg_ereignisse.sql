with

ereignisse as (
    select * from {{ source('raw', 'ereignisse') }}
),

lieferungen as (
    select * from {{ source('raw', 'lieferungen') }}
),

ereignisse_geladener_pakete as (
    select ereignisse.*
    from ereignisse
    where ereignisse.paket_id in (
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
        fall_id,
        ereignis_am,
        ereignis,
        von_rechtskreis,
        nach_rechtskreis,
        leistung_ende_am,
        leistung_beginn_am,
        stelle
    from ereignisse_geladener_pakete
)

select * from final
