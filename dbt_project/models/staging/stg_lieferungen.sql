with

lieferungen as (
    select * from {{ source('raw', 'lieferungen') }}
),

final as (
    select
        paket_id,
        ags,
        berichtsquartal as quartal,
        {{ quarter_start('berichtsquartal') }} as quartal_beginn,
        {{ quarter_end('berichtsquartal') }} as quartal_ende,
        erstellt_am,
        eingegangen_am,
        verarbeitet_am,
        paketform,
        quellsystem,
        datensatz_version,
        archiv_pfad,
        status,
        geladen
    from lieferungen
)

select * from final
