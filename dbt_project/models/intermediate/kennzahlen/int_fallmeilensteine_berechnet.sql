{#- K10 Meilensteine: milestone events of the cases (event codes of the code list categories MEILENSTEIN and
    MEILENSTEIN_INTEGRATION) dated in the quarter, per 100 cases active at the quarter end (K02), in total and
    per milestone type (every type of the code list gets a row, 0 where none was reached). Exact Poisson
    interval below 10 events, Byar from 10, scaled like the rate. Not the rollout milestones of K24
    (int_meilensteine_ermittelt). -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

ereignisse as (
    select * from {{ ref('int_ereignisse_dedupliziert') }}
),

aktive_faelle as (
    select * from {{ ref('int_aktive_faelle_gezaehlt') }}
),

codelisten as (
    select * from {{ ref('codelisten') }}
),

meilensteinarten as (
    select codelisten.code as ereignis
    from codelisten
    where
        codelisten.codeliste = 'ereignis'
        and codelisten.kategorie in ('MEILENSTEIN', 'MEILENSTEIN_INTEGRATION')
),

meilensteine_je_kommune_quartal as (
    select
        ereignisse.ags,
        ereignisse.ereignis_quartal as quartal,
        ereignisse.ereignis,
        count(*) as meilensteine
    from ereignisse
    inner join meilensteinarten on ereignisse.ereignis = meilensteinarten.ereignis
    group by ereignisse.ags, ereignisse.ereignis_quartal, ereignisse.ereignis
),

je_gebiet_und_art as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        concat('ereignis:', meilensteinarten.ereignis) as aufschluesselung,
        coalesce(sum(meilensteine_je_kommune_quartal.meilensteine), 0) as meilensteine
    from gebietslieferungen
    cross join meilensteinarten
    left join meilensteine_je_kommune_quartal
        on
            gebietslieferungen.ags = meilensteine_je_kommune_quartal.ags
            and gebietslieferungen.quartal = meilensteine_je_kommune_quartal.quartal
            and meilensteinarten.ereignis = meilensteine_je_kommune_quartal.ereignis
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        meilensteinarten.ereignis
),

insgesamt as (
    select
        gebiet,
        gebietsebene,
        quartal,
        '' as aufschluesselung,
        sum(meilensteine) as meilensteine
    from je_gebiet_und_art
    group by gebiet, gebietsebene, quartal
),

alle_zeilen as (
    select * from insgesamt
    union all
    select * from je_gebiet_und_art
),

mit_aktiven_faellen as (
    select
        alle_zeilen.gebiet,
        alle_zeilen.gebietsebene,
        alle_zeilen.quartal,
        alle_zeilen.aufschluesselung,
        cast(alle_zeilen.meilensteine as bigint) as meilensteine,
        aktive_faelle.zaehler as aktive_faelle
    from alle_zeilen
    inner join aktive_faelle
        on
            alle_zeilen.gebiet = aktive_faelle.gebiet
            and alle_zeilen.quartal = aktive_faelle.quartal
            and aktive_faelle.aufschluesselung = ''
),

final as (
    {{ kennzahl_rate(
        'K10', 'mit_aktiven_faellen', 'meilensteine', 'aktive_faelle', '100.0', aufschluesselung='aufschluesselung', nur_mit_nenner=true
    ) }}
)

select * from final
