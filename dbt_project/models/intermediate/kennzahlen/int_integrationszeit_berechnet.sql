{#- K05 Zeit bis zur Integration: Kaplan–Meier median of the days from intake (aufnahme_am, day 0) to the first
    ARBEIT_SV or AUSBILDUNG_BEGINN, over the cases opened in the 8 quarters up to the quarter, with
    Brookmeyer–Crowley intervals (Greenwood, log-log); plus the KM share integrated within 365 days
    (kennzahl:anteil_365) with its pointwise log-log interval. Macros: macros/statistik/kaplan_meier.sql.

    Which cases, for quarter q and a unit that delivered q: its cases (current state) opened in q or the 7
    quarters before, in a quarter the unit has a loaded package for. Every case opened in a delivered quarter
    is in that quarter's package; a case opened in a quarter without a package is only known if it was still
    open later, and such survivors would bias the times upwards (left truncation), so those quarters are left
    out. Follow-up for q ends at the quarter end, at abschluss_am if the case closed by then, and, for a case
    still open in the last package that reported it, at the end of that package's quarter (nothing is known
    of it after that: its later packages are missing). An integration counts for q if it is dated by the
    quarter end and not after the closure; one dated before aufnahme_am (possible only when a later package
    moved the intake date) counts at day 0. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

lieferungen as (
    select * from {{ ref('int_lieferungen_geladen') }}
),

faelle as (
    select * from {{ ref('int_faelle_aktuell') }}
),

ereignisse as (
    select * from {{ ref('int_ereignisse_dedupliziert') }}
),

erste_integration as (
    select
        ereignisse.ags,
        ereignisse.fall_id,
        min(ereignisse.ereignis_am) as integration_am
    from ereignisse
    where ereignisse.ereignis in ('ARBEIT_SV', 'AUSBILDUNG_BEGINN')
    group by ereignisse.ags, ereignisse.fall_id
),

faelle_aus_gelieferten_quartalen as (
    select
        faelle.ags,
        faelle.fall_id,
        faelle.aufnahme_am,
        faelle.abschluss_am,
        {{ quarter_end('faelle.quartal_letzte_meldung') }} as bekannt_bis,
        erste_integration.integration_am
    from faelle
    inner join lieferungen
        on
            faelle.ags = lieferungen.ags
            and {{ quarter_of('faelle.aufnahme_am') }} = lieferungen.quartal
    left join erste_integration
        on
            faelle.ags = erste_integration.ags
            and faelle.fall_id = erste_integration.fall_id
),

-- One row per delivered unit × quarter × case of its 8-quarter window.
beobachtungen as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        faelle_aus_gelieferten_quartalen.aufnahme_am,
        faelle_aus_gelieferten_quartalen.integration_am,
        coalesce(
            faelle_aus_gelieferten_quartalen.integration_am <= least(
                lieferungen.quartal_ende,
                coalesce(faelle_aus_gelieferten_quartalen.abschluss_am, lieferungen.quartal_ende)
            ),
            false
        ) as integriert,
        least(
            lieferungen.quartal_ende,
            coalesce(faelle_aus_gelieferten_quartalen.abschluss_am, faelle_aus_gelieferten_quartalen.bekannt_bis)
        ) as beobachtet_bis
    from lieferungen
    inner join faelle_aus_gelieferten_quartalen
        on
            lieferungen.ags = faelle_aus_gelieferten_quartalen.ags
            and faelle_aus_gelieferten_quartalen.aufnahme_am
            between cast(lieferungen.quartal_beginn - interval 21 month as date) and lieferungen.quartal_ende
),

zeiten_je_kommune as (
    select
        ags,
        quartal,
        case
            when integriert then greatest(0, date_diff('day', aufnahme_am, integration_am))
            else date_diff('day', aufnahme_am, beobachtet_bis)
        end as tage,
        count(*) filter (where integriert) as ereignisse,
        count(*) filter (where not integriert) as zensiert
    from beobachtungen
    group by all
),

zeiten_je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.quartal,
        zeiten_je_kommune.tage,
        sum(zeiten_je_kommune.ereignisse) as ereignisse,
        sum(zeiten_je_kommune.zensiert) as zensiert
    from gebietslieferungen
    inner join zeiten_je_kommune
        on
            gebietslieferungen.ags = zeiten_je_kommune.ags
            and gebietslieferungen.quartal = zeiten_je_kommune.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.quartal, zeiten_je_kommune.tage
),

kurven as (
    {{ kaplan_meier_curve('zeiten_je_gebiet', ['gebiet', 'quartal']) }}
),

schaetzungen as (
    {{ kaplan_meier_summary('zeiten_je_gebiet', 'kurven', ['gebiet', 'quartal'], at_days=365) }}
),

gebiete_quartale as (
    select distinct
        gebiet,
        gebietsebene,
        quartal
    from gebietslieferungen
),

mit_schaetzung as (
    select
        gebiete_quartale.gebiet,
        gebiete_quartale.gebietsebene,
        gebiete_quartale.quartal,
        schaetzungen.faelle,
        schaetzungen.ereignisse,
        schaetzungen.median_tage,
        schaetzungen.median_ki95_unten,
        schaetzungen.median_ki95_oben,
        schaetzungen.median_ki998_unten,
        schaetzungen.median_ki998_oben,
        schaetzungen.ereignisse_bis,
        schaetzungen.ueberleben_bei,
        schaetzungen.ueberleben_bei_ki95_unten,
        schaetzungen.ueberleben_bei_ki95_oben,
        schaetzungen.ueberleben_bei_ki998_unten,
        schaetzungen.ueberleben_bei_ki998_oben
    from gebiete_quartale
    left join schaetzungen
        on
            gebiete_quartale.gebiet = schaetzungen.gebiet
            and gebiete_quartale.quartal = schaetzungen.quartal
),

median_zeilen as (
    select
        gebiet,
        gebietsebene,
        quartal,
        '' as aufschluesselung,
        median_tage as wert,
        coalesce(ereignisse, 0) as zaehler,
        coalesce(faelle, 0) as nenner,
        median_ki95_unten as ki95_unten,
        median_ki95_oben as ki95_oben,
        median_ki998_unten as ki998_unten,
        median_ki998_oben as ki998_oben
    from mit_schaetzung
),

-- Share integrated within 365 days = 1 − S(365); the bounds swap (a low survival is a high share).
anteil_zeilen as (
    select
        gebiet,
        gebietsebene,
        quartal,
        'kennzahl:anteil_365' as aufschluesselung,
        100 * (1 - ueberleben_bei) as wert,
        coalesce(ereignisse_bis, 0) as zaehler,
        coalesce(faelle, 0) as nenner,
        100 * (1 - ueberleben_bei_ki95_oben) as ki95_unten,
        100 * (1 - ueberleben_bei_ki95_unten) as ki95_oben,
        100 * (1 - ueberleben_bei_ki998_oben) as ki998_unten,
        100 * (1 - ueberleben_bei_ki998_unten) as ki998_oben
    from mit_schaetzung
),

alle_zeilen as (
    select * from median_zeilen
    union all
    select * from anteil_zeilen
),

final as (
    {{ kennzahl_zeilen(
        'K05', 'alle_zeilen', wert='cast(wert as double)', zaehler='zaehler', nenner='nenner', aufschluesselung='aufschluesselung',
        grenzen={
            'ki95_unten': 'cast(ki95_unten as double)',
            'ki95_oben': 'cast(ki95_oben as double)',
            'ki998_unten': 'cast(ki998_unten as double)',
            'ki998_oben': 'cast(ki998_oben as double)',
        }
    ) }}
)

select * from final
