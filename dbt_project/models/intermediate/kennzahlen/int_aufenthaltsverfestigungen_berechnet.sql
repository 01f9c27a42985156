{#- K21 Aufenthaltsverfestigungen: positive decisions of the quarter on residence permits that consolidate a
    stay (§ 25a, § 25b, § 104c AufenthG and Niederlassungserlaubnis) per 100,000 inhabitants the unit serves,
    in total and per procedure, with Poisson intervals for the rate (exact below 10 decisions, Byar from 10).
    Only units whose package of the quarter holds Baustein-3 aggregates (aufenthalt.csv) count: the contract
    lets a unit without a Baustein-3 position leave the file out, and its decisions are unknown rather than
    none, so such a unit has no value and adds neither decisions nor inhabitants to its areas. A procedure
    row missing from a delivered file counts as no decisions. -#}
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

codelisten as (
    select * from {{ ref('codelisten') }}
),

verfestigende_verfahren as (
    select codelisten.code as verfahren
    from codelisten
    where
        codelisten.codeliste = 'verfahren'
        and codelisten.code in ('P25A', 'P25B', 'P104C', 'NIEDERLASSUNG')
),

aufschluesselungen as (
    select '' as aufschluesselung
    union all
    select concat('verfahren:', verfestigende_verfahren.verfahren) as aufschluesselung
    from verfestigende_verfahren
),

meldende_lieferungen as (
    select distinct
        aufenthalt.ags,
        aufenthalt.quartal
    from aufenthalt
),

positiv_je_lieferung_und_verfahren as (
    select
        meldende_lieferungen.ags,
        meldende_lieferungen.quartal,
        concat('verfahren:', verfestigende_verfahren.verfahren) as aufschluesselung,
        coalesce(sum(aufenthalt.entscheidungen_positiv), 0) as entscheidungen_positiv
    from meldende_lieferungen
    cross join verfestigende_verfahren
    left join aufenthalt
        on
            meldende_lieferungen.ags = aufenthalt.ags
            and meldende_lieferungen.quartal = aufenthalt.quartal
            and verfestigende_verfahren.verfahren = aufenthalt.verfahren
    group by meldende_lieferungen.ags, meldende_lieferungen.quartal, verfestigende_verfahren.verfahren
),

positiv_je_lieferung as (
    select
        positiv_je_lieferung_und_verfahren.ags,
        positiv_je_lieferung_und_verfahren.quartal,
        '' as aufschluesselung,
        sum(positiv_je_lieferung_und_verfahren.entscheidungen_positiv) as entscheidungen_positiv
    from positiv_je_lieferung_und_verfahren
    group by positiv_je_lieferung_und_verfahren.ags, positiv_je_lieferung_und_verfahren.quartal
),

alle_zeilen_je_lieferung as (
    select * from positiv_je_lieferung
    union all
    select * from positiv_je_lieferung_und_verfahren
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        aufschluesselungen.aufschluesselung,
        sum(alle_zeilen_je_lieferung.entscheidungen_positiv) as entscheidungen_positiv,
        sum(kommunen.einwohner_zustaendig) filter (
            where alle_zeilen_je_lieferung.ags is not null
        ) as einwohner_zustaendig
    from gebietslieferungen
    cross join aufschluesselungen
    inner join kommunen on gebietslieferungen.ags = kommunen.ags
    left join alle_zeilen_je_lieferung
        on
            gebietslieferungen.ags = alle_zeilen_je_lieferung.ags
            and gebietslieferungen.quartal = alle_zeilen_je_lieferung.quartal
            and aufschluesselungen.aufschluesselung = alle_zeilen_je_lieferung.aufschluesselung
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        aufschluesselungen.aufschluesselung
),

final as (
    {{ kennzahl_rate(
        'K21', 'je_gebiet', 'entscheidungen_positiv', 'einwohner_zustaendig', '100000.0',
        aufschluesselung='aufschluesselung'
    ) }}
)

select * from final
