{#- K14 Mittelabfluss: funds spent as a percentage of funds granted for the Haushaltsjahr of the quarter,
    cumulative as reported in the quarter's package; in total and per Baustein. The linear pace (quarter ÷ 4)
    it is judged against is documented in the KPI catalogue. Euros are summed as decimals (exact cents). -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

finanzen as (
    select * from {{ ref('stg_finanzen') }}
),

codelisten as (
    select * from {{ ref('codelisten') }}
),

bausteine as (
    select cast(codelisten.code as integer) as baustein
    from codelisten
    where codelisten.codeliste = 'baustein'
),

mittel_des_laufenden_jahres as (
    select
        finanzen.ags,
        finanzen.quartal,
        finanzen.baustein,
        sum(cast(finanzen.verausgabt_eur as decimal(18, 2))) as verausgabt_eur,
        sum(cast(finanzen.bewilligt_eur as decimal(18, 2))) as bewilligt_eur
    from finanzen
    where finanzen.haushaltsjahr = year(finanzen.quartal_beginn)
    group by finanzen.ags, finanzen.quartal, finanzen.baustein
),

je_gebiet_und_baustein as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        concat('baustein:', bausteine.baustein) as aufschluesselung,
        coalesce(sum(mittel_des_laufenden_jahres.verausgabt_eur), 0) as verausgabt_eur,
        coalesce(sum(mittel_des_laufenden_jahres.bewilligt_eur), 0) as bewilligt_eur
    from gebietslieferungen
    cross join bausteine
    left join mittel_des_laufenden_jahres
        on
            gebietslieferungen.ags = mittel_des_laufenden_jahres.ags
            and gebietslieferungen.quartal = mittel_des_laufenden_jahres.quartal
            and bausteine.baustein = mittel_des_laufenden_jahres.baustein
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        bausteine.baustein
),

insgesamt as (
    select
        gebiet,
        gebietsebene,
        quartal,
        '' as aufschluesselung,
        sum(verausgabt_eur) as verausgabt_eur,
        sum(bewilligt_eur) as bewilligt_eur
    from je_gebiet_und_baustein
    group by gebiet, gebietsebene, quartal
),

alle_zeilen as (
    select * from insgesamt
    union all
    select * from je_gebiet_und_baustein
),

final as (
    {{ kennzahl_anteil(
        'K14', 'alle_zeilen', 'verausgabt_eur', 'bewilligt_eur', aufschluesselung='aufschluesselung', intervall=none
    ) }}
)

select * from final
