with

ereignisse_geladener_pakete as (
    {{ rows_of_loaded_packages('ereignisse') }}
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
        ereignis_am,
        ereignis,
        von_rechtskreis,
        nach_rechtskreis,
        leistung_ende_am,
        leistung_beginn_am,
        stelle
    from ereignisse_geladener_pakete
)

select * from final
