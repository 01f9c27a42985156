with

strukturthemen_geladener_pakete as (
    {{ rows_of_loaded_packages('strukturthemen') }}
),

final as (
    select
        ags,
        berichtsquartal as quartal,
        {{ quarter_start('berichtsquartal') }} as quartal_beginn,
        {{ quarter_end('berichtsquartal') }} as quartal_ende,
        paket_id,
        zeile,
        thema_id,
        titel,
        handlungsfeld,
        quelle,
        faelle_rekonstruiert,
        identifiziert_am,
        lenkungsgruppe_am,
        prioritaet,
        projektgruppe_am,
        zielvereinbarung_am,
        umgesetzt_am,
        status
    from strukturthemen_geladener_pakete
)

select * from final
