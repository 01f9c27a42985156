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
    select
        'K01' as kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        '' as aufschluesselung,
        100000.0 * neuaufnahmen / einwohner_zustaendig as wert,
        cast(neuaufnahmen as double) as zaehler,
        cast(einwohner_zustaendig as double) as nenner,
        100000.0 * {{ poisson_count_bound('neuaufnahmen', 'lower') }}
        / einwohner_zustaendig as ki95_unten,
        100000.0 * {{ poisson_count_bound('neuaufnahmen', 'upper') }}
        / einwohner_zustaendig as ki95_oben,
        100000.0 * {{ poisson_count_bound('neuaufnahmen', 'lower', level='99.8') }}
        / einwohner_zustaendig as ki998_unten,
        100000.0 * {{ poisson_count_bound('neuaufnahmen', 'upper', level='99.8') }}
        / einwohner_zustaendig as ki998_oben
    from je_gebiet
)

select * from final
