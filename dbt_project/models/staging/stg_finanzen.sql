with

finanzen as (
    select * from {{ source('raw', 'finanzen') }}
),

lieferungen as (
    select * from {{ source('raw', 'lieferungen') }}
),

finanzen_geladener_pakete as (
    select finanzen.*
    from finanzen
    where finanzen.paket_id in (
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
        haushaltsjahr,
        baustein,
        bewilligt_eur,
        abgerufen_eur,
        verausgabt_eur
    from finanzen_geladener_pakete
)

select * from final
