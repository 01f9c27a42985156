with

faelle_geladener_pakete as (
    {{ rows_of_loaded_packages('faelle') }}
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
