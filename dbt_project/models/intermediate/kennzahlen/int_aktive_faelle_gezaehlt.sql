{#- K02 Aktive Fälle: cases open at the quarter end (opened by then, not closed by then). -#}
with

lieferungen as (
    select * from {{ ref('int_lieferungen_geladen') }}
),

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

faelle as (
    select * from {{ ref('int_faelle_aktuell') }}
),

aktive_faelle_je_lieferung as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        count(faelle.fall_id) as aktive_faelle
    from lieferungen
    left join faelle
        on
            lieferungen.ags = faelle.ags
            and lieferungen.quartal_ende >= faelle.aufnahme_am
            and (faelle.abschluss_am is null or lieferungen.quartal_ende < faelle.abschluss_am)
    group by lieferungen.ags, lieferungen.quartal
),

aktive_faelle_je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        sum(aktive_faelle_je_lieferung.aktive_faelle) as aktive_faelle
    from gebietslieferungen
    inner join aktive_faelle_je_lieferung
        on
            gebietslieferungen.ags = aktive_faelle_je_lieferung.ags
            and gebietslieferungen.quartal = aktive_faelle_je_lieferung.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

final as (
    {{ kennzahl_zeilen(
        'K02', 'aktive_faelle_je_gebiet', wert='cast(aktive_faelle as double)', zaehler='aktive_faelle'
    ) }}
)

select * from final
