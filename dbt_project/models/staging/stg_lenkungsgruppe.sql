with

lenkungsgruppe as (
    select * from {{ source('raw', 'lenkungsgruppe') }}
),

lieferungen as (
    select * from {{ source('raw', 'lieferungen') }}
),

sitzungen_geladener_pakete as (
    select lenkungsgruppe.*
    from lenkungsgruppe
    where lenkungsgruppe.paket_id in (
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
        sitzung_am,
        string_split(institutionen, '|') as institutionen,
        beschluesse
    from sitzungen_geladener_pakete
)

select * from final
