with

finanzen_geladener_pakete as (
    {{ rows_of_loaded_packages('finanzen') }}
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
