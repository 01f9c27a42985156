with

faelle as (
    select * from {{ ref('stg_faelle') }}
),

faelle_nach_aktualitaet as (
    select
        faelle.*,
        row_number() over (
            partition by faelle.ags, faelle.fall_id
            order by faelle.quartal_beginn desc, faelle.zeile asc
        ) as aktualitaet_rang,
        count(*) over (partition by faelle.ags, faelle.fall_id) as anzahl_meldungen
    from faelle
),

final as (
    select
        ags,
        fall_id,
        quartal as quartal_letzte_meldung,
        paket_id,
        anzahl_meldungen,
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
        bedarfe
    from faelle_nach_aktualitaet
    where aktualitaet_rang = 1
)

select * from final
