with

personal as (
    select * from {{ source('raw', 'personal') }}
),

lieferungen as (
    select * from {{ source('raw', 'lieferungen') }}
),

personal_geladener_pakete as (
    select personal.*
    from personal
    where personal.paket_id in (
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
        stelle_id,
        baustein,
        funktion,
        traeger,
        bewilligt_vzae,
        besetzt_vzae,
        besetzt_seit
    from personal_geladener_pakete
)

select * from final
