with

befunde as (
    select * from {{ source('raw', 'befunde') }}
),

final as (
    select
        paket_id,
        ags,
        berichtsquartal as quartal,
        datei,
        zeile,
        spalte,
        regel,
        meldung,
        ergebnis,
        rohwerte
    from befunde
)

select * from final
