{#- K16 Strukturthemen: structural themes identified by the quarter end (cumulative, the total), identified in
    the quarter (kennzahl:neu), and cumulative per Handlungsfeld and per Quelle of the code lists. Themes are
    taken in their current state (int_strukturthemen_aktuell: the newest package mentioning a theme wins) and
    dated by identifiziert_am, so a theme delivered late still counts from the quarter it was identified in;
    discarded themes (VERWORFEN) count too, they were identified. A count: wert = zaehler, no nenner, no
    interval (full count). -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

strukturthemen as (
    select * from {{ ref('int_strukturthemen_aktuell') }}
),

codelisten as (
    select * from {{ ref('codelisten') }}
),

lieferungen as (
    select distinct
        gebietslieferungen.ags,
        gebietslieferungen.quartal,
        gebietslieferungen.quartal_beginn,
        gebietslieferungen.quartal_ende
    from gebietslieferungen
),

-- every breakdown gets a row (0 where a unit has no theme of it): the total, the new themes and one row per
-- code of the code lists bedarf (Handlungsfeld) and quelle
aufschluesselungen as (
    select '' as aufschluesselung
    union all
    select 'kennzahl:neu' as aufschluesselung
    union all
    select concat('handlungsfeld:', codelisten.code) as aufschluesselung
    from codelisten
    where codelisten.codeliste = 'bedarf'
    union all
    select concat('quelle:', codelisten.code) as aufschluesselung
    from codelisten
    where codelisten.codeliste = 'quelle'
),

-- each theme once for every breakdown it belongs to
themen_je_aufschluesselung as (
    select
        strukturthemen.ags,
        strukturthemen.identifiziert_am,
        '' as aufschluesselung
    from strukturthemen
    union all
    select
        strukturthemen.ags,
        strukturthemen.identifiziert_am,
        'kennzahl:neu' as aufschluesselung
    from strukturthemen
    union all
    select
        strukturthemen.ags,
        strukturthemen.identifiziert_am,
        concat('handlungsfeld:', strukturthemen.handlungsfeld) as aufschluesselung
    from strukturthemen
    union all
    select
        strukturthemen.ags,
        strukturthemen.identifiziert_am,
        concat('quelle:', strukturthemen.quelle) as aufschluesselung
    from strukturthemen
),

themen_je_lieferung as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        aufschluesselungen.aufschluesselung,
        count(themen_je_aufschluesselung.identifiziert_am) as themen
    from lieferungen
    cross join aufschluesselungen
    left join themen_je_aufschluesselung
        on
            lieferungen.ags = themen_je_aufschluesselung.ags
            and aufschluesselungen.aufschluesselung = themen_je_aufschluesselung.aufschluesselung
            and lieferungen.quartal_ende >= themen_je_aufschluesselung.identifiziert_am
            and (
                aufschluesselungen.aufschluesselung != 'kennzahl:neu'
                or lieferungen.quartal_beginn <= themen_je_aufschluesselung.identifiziert_am
            )
    group by lieferungen.ags, lieferungen.quartal, aufschluesselungen.aufschluesselung
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        themen_je_lieferung.aufschluesselung,
        sum(themen_je_lieferung.themen) as themen
    from gebietslieferungen
    inner join themen_je_lieferung
        on
            gebietslieferungen.ags = themen_je_lieferung.ags
            and gebietslieferungen.quartal = themen_je_lieferung.quartal
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        themen_je_lieferung.aufschluesselung
),

final as (
    {{ kennzahl_zeilen(
        'K16', 'je_gebiet', wert='cast(themen as double)', zaehler='themen',
        aufschluesselung='aufschluesselung'
    ) }}
)

select * from final
