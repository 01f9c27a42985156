with

aufenthalt_geladener_pakete as (
    {{ rows_of_loaded_packages('aufenthalt') }}
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
