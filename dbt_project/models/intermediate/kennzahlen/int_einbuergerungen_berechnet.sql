{#- K22 Einbürgerungen: positive naturalisation decisions (EINBUERGERUNG) of the quarter per 100,000
    inhabitants the unit serves, with Poisson intervals for the rate (exact below 10 decisions, Byar from 10).
    As for K21, only units whose package of the quarter holds Baustein-3 aggregates (aufenthalt.csv) count;
    a delivered file without an EINBUERGERUNG row counts as no decisions. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

aufenthalt as (
    select * from {{ ref('stg_aufenthalt') }}
),

kommunen as (
    select * from {{ ref('kommunen') }}
),

positiv_je_lieferung as (
    select
        aufenthalt.ags,
        aufenthalt.quartal,
        coalesce(sum(aufenthalt.entscheidungen_positiv) filter (
            where aufenthalt.verfahren = 'EINBUERGERUNG'
        ), 0) as entscheidungen_positiv
    from aufenthalt
    group by aufenthalt.ags, aufenthalt.quartal
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        sum(positiv_je_lieferung.entscheidungen_positiv) as entscheidungen_positiv,
        sum(kommunen.einwohner_zustaendig) filter (
            where positiv_je_lieferung.ags is not null
        ) as einwohner_zustaendig
    from gebietslieferungen
    inner join kommunen on gebietslieferungen.ags = kommunen.ags
    left join positiv_je_lieferung
        on
            gebietslieferungen.ags = positiv_je_lieferung.ags
            and gebietslieferungen.quartal = positiv_je_lieferung.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

final as (
    {{ kennzahl_rate('K22', 'je_gebiet', 'entscheidungen_positiv', 'einwohner_zustaendig', '100000.0') }}
)

select * from final
