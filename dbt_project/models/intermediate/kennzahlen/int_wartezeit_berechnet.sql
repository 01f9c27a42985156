{#- K04 Wartezeit: median days from the first contact to the intake into case management of the cases opened
    in the quarter, with distribution-free order-statistic intervals (95 % and 99.8 %). Reference areas take
    the median over the pooled cases of their delivering units. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

faelle as (
    select * from {{ ref('int_faelle_aktuell') }}
),

wartezeiten_der_neuaufnahmen as (
    select
        faelle.ags,
        {{ quarter_of('faelle.aufnahme_am') }} as quartal,
        cast(faelle.aufnahme_am - faelle.erstkontakt_am as integer) as wartezeit_tage
    from faelle
    where faelle.aufnahme_am is not null and faelle.erstkontakt_am is not null
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        count(wartezeiten_der_neuaufnahmen.wartezeit_tage) as anzahl,
        median(wartezeiten_der_neuaufnahmen.wartezeit_tage) as wartezeit_median,
        list_sort(
            list(wartezeiten_der_neuaufnahmen.wartezeit_tage)
            filter (where wartezeiten_der_neuaufnahmen.wartezeit_tage is not null)
        ) as wartezeiten
    from gebietslieferungen
    left join wartezeiten_der_neuaufnahmen
        on
            gebietslieferungen.ags = wartezeiten_der_neuaufnahmen.ags
            and gebietslieferungen.quartal = wartezeiten_der_neuaufnahmen.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

final as (
    {{ kennzahl_median('K04', 'je_gebiet', 'wartezeit_median', 'wartezeiten', 'anzahl') }}
)

select * from final
