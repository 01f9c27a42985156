with

sitzungen_geladener_pakete as (
    {{ rows_of_loaded_packages('lenkungsgruppe') }}
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
