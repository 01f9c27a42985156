with

ereignisse as (
    select * from {{ ref('stg_ereignisse') }}
),

ereignisse_nach_aktualitaet as (
    select
        ereignisse.*,
        row_number() over (
            partition by
                ereignisse.ags,
                ereignisse.fall_id,
                ereignisse.ereignis,
                ereignisse.ereignis_am,
                ereignisse.von_rechtskreis,
                ereignisse.nach_rechtskreis,
                ereignisse.stelle
            order by ereignisse.quartal_beginn desc, ereignisse.zeile asc
        ) as aktualitaet_rang,
        count(*) over (
            partition by
                ereignisse.ags,
                ereignisse.fall_id,
                ereignisse.ereignis,
                ereignisse.ereignis_am,
                ereignisse.von_rechtskreis,
                ereignisse.nach_rechtskreis,
                ereignisse.stelle
        ) as anzahl_meldungen
    from ereignisse
),

final as (
    select
        ags,
        fall_id,
        ereignis,
        ereignis_am,
        {{ quarter_of('ereignis_am') }} as ereignis_quartal,
        von_rechtskreis,
        nach_rechtskreis,
        stelle,
        leistung_ende_am,
        leistung_beginn_am,
        quartal as quartal_letzte_meldung,
        paket_id,
        anzahl_meldungen
    from ereignisse_nach_aktualitaet
    where aktualitaet_rang = 1
)

select * from final
