with

personal_geladener_pakete as (
    {{ rows_of_loaded_packages('personal') }}
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
