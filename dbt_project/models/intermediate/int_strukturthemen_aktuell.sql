with

strukturthemen as (
    select * from {{ ref('stg_strukturthemen') }}
),

themen_nach_aktualitaet as (
    select
        strukturthemen.*,
        row_number() over (
            partition by strukturthemen.ags, strukturthemen.thema_id
            order by strukturthemen.quartal_beginn desc, strukturthemen.zeile asc
        ) as aktualitaet_rang
    from strukturthemen
),

final as (
    select
        ags,
        thema_id,
        quartal as quartal_letzte_meldung,
        paket_id,
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
    from themen_nach_aktualitaet
    where aktualitaet_rang = 1
)

select * from final
