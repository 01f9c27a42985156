{#- K11 Übergaben ins Regelsystem: UEBERGABE events dated in the quarter, in total and per receiving office
    (`stelle`; every office of the code list gets a row, 0 where there was none). A full count: no interval. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

ereignisse as (
    select * from {{ ref('int_ereignisse_dedupliziert') }}
),

codelisten as (
    select * from {{ ref('codelisten') }}
),

stellen as (
    select codelisten.code as stelle
    from codelisten
    where codelisten.codeliste = 'stelle'
),

uebergaben_je_kommune_quartal as (
    select
        ereignisse.ags,
        ereignisse.ereignis_quartal as quartal,
        ereignisse.stelle,
        count(*) as uebergaben
    from ereignisse
    where ereignisse.ereignis = 'UEBERGABE'
    group by ereignisse.ags, ereignisse.ereignis_quartal, ereignisse.stelle
),

insgesamt as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        '' as aufschluesselung,
        coalesce(sum(uebergaben_je_kommune_quartal.uebergaben), 0) as uebergaben
    from gebietslieferungen
    left join uebergaben_je_kommune_quartal
        on
            gebietslieferungen.ags = uebergaben_je_kommune_quartal.ags
            and gebietslieferungen.quartal = uebergaben_je_kommune_quartal.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

je_gebiet_und_stelle as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        concat('stelle:', stellen.stelle) as aufschluesselung,
        coalesce(sum(uebergaben_je_kommune_quartal.uebergaben), 0) as uebergaben
    from gebietslieferungen
    cross join stellen
    left join uebergaben_je_kommune_quartal
        on
            gebietslieferungen.ags = uebergaben_je_kommune_quartal.ags
            and gebietslieferungen.quartal = uebergaben_je_kommune_quartal.quartal
            and stellen.stelle = uebergaben_je_kommune_quartal.stelle
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        stellen.stelle
),

alle_zeilen as (
    select * from insgesamt
    union all
    select * from je_gebiet_und_stelle
),

final as (
    {{ kennzahl_zeilen(
        'K11', 'alle_zeilen', wert='cast(uebergaben as double)', zaehler='uebergaben',
        aufschluesselung='aufschluesselung'
    ) }}
)

select * from final
