with

faelle as (
    select * from {{ source('raw', 'faelle') }}
),

lieferungen as (
    select * from {{ source('raw', 'lieferungen') }}
),

faelle_geladener_pakete as (
    select faelle.*
    from faelle
    where faelle.paket_id in (
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
        person_id,
        traeger,
        gemeinde_ags,
        erstkontakt_am,
        aufnahme_am,
        abschluss_am,
        abschlussgrund,
        geburtsjahr,
        geschlecht,
        staatsangehoerigkeit,
        einreise_monat,
        aufenthaltsstatus,
        rechtskreis,
        string_split(bedarfe, '|') as bedarfe
    from faelle_geladener_pakete
)

select * from final
