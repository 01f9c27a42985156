with

aufenthalt as (
    select * from {{ source('raw', 'aufenthalt') }}
),

lieferungen as (
    select * from {{ source('raw', 'lieferungen') }}
),

aufenthalt_geladener_pakete as (
    select aufenthalt.*
    from aufenthalt
    where aufenthalt.paket_id in (
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
        verfahren,
        antraege_eingang,
        entscheidungen_positiv,
        entscheidungen_negativ,
        anhaengig_quartalsende,
        bearbeitungsdauer_median_tage
    from aufenthalt_geladener_pakete
)

select * from final
