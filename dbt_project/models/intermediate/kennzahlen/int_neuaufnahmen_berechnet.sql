{#- K01 Neuaufnahmen: new cases of the quarter per 100,000 inhabitants the unit serves, with a Poisson interval
    for the rate (exact below 10 cases, Byar above). -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

faelle as (
    select * from {{ ref('int_faelle_aktuell') }}
),

kommunen as (
    select * from {{ ref('kommunen') }}
),

neuaufnahmen_je_kommune_quartal as (
    select
        faelle.ags,
        {{ quarter_of('faelle.aufnahme_am') }} as quartal,
        count(*) as neuaufnahmen
    from faelle
    group by faelle.ags, quartal
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        coalesce(sum(neuaufnahmen_je_kommune_quartal.neuaufnahmen), 0) as neuaufnahmen,
        sum(kommunen.einwohner_zustaendig) as einwohner_zustaendig
    from gebietslieferungen
    inner join kommunen on gebietslieferungen.ags = kommunen.ags
    left join neuaufnahmen_je_kommune_quartal
        on
            gebietslieferungen.ags = neuaufnahmen_je_kommune_quartal.ags
            and gebietslieferungen.quartal = neuaufnahmen_je_kommune_quartal.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

final as (
    {{ kennzahl_rate('K01', 'je_gebiet', 'neuaufnahmen', 'einwohner_zustaendig', '100000.0') }}
)

select * from final
