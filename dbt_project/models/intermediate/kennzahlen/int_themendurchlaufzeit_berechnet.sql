{#- K19 Durchlaufzeit Strukturthemen: Kaplan–Meier median of the days from identifiziert_am (day 0) to the
    Lenkungsgruppe's decision (abschnitt:beschluss, lenkungsgruppe_am) and to the implemented measure
    (abschnitt:umsetzung, umgesetzt_am), with Brookmeyer–Crowley intervals (Greenwood, log-log). Macros:
    macros/statistik/kaplan_meier.sql. No total row: the two sections measure different end points.

    For quarter q and a unit that delivered q: its themes (current state) identified by the quarter end; a
    date after the quarter end has not happened yet for q. A theme without the end point is censored at the
    quarter end, or at the end of the quarter of the last package that reported it if that is earlier. A
    discarded theme (status VERWORFEN) will never reach an end point it has no date for, and the contract has
    no date for the discarding: it is censored at the latest step it reached (the latest of its dates), the
    last day it is known to have been pursued, or at the quarter end if that step lies after it. So the median
    describes the themes the cycle pursues; how many are dropped is left to K17/K18. A discarded theme that
    had reached the end point (a decision, which may be the rejection, or a measure later given up) counts as
    an event. The status is the current one (the contract keeps no history of it), as for every date. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

lieferungen as (
    select * from {{ ref('int_lieferungen_geladen') }}
),

themen as (
    select * from {{ ref('int_strukturthemen_aktuell') }}
),

-- The last day a discarded theme is known to have been pursued: the latest step it reached.
themen_mit_stand as (
    select
        themen.ags,
        themen.thema_id,
        themen.identifiziert_am,
        themen.lenkungsgruppe_am,
        themen.umgesetzt_am,
        {{ quarter_end('themen.quartal_letzte_meldung') }} as bekannt_bis,
        case
            when themen.status = 'VERWORFEN'
                then greatest(
                    themen.identifiziert_am,
                    themen.lenkungsgruppe_am,
                    themen.projektgruppe_am,
                    themen.zielvereinbarung_am,
                    themen.umgesetzt_am
                )
        end as verworfen_nach
    from themen
),

-- One row per theme and section, with the date the section's end point was reached (null: not yet).
abschnitte as (
    select
        themen_mit_stand.ags,
        themen_mit_stand.thema_id,
        themen_mit_stand.identifiziert_am,
        themen_mit_stand.bekannt_bis,
        themen_mit_stand.verworfen_nach,
        'beschluss' as abschnitt,
        themen_mit_stand.lenkungsgruppe_am as erreicht_am
    from themen_mit_stand
    union all
    select
        themen_mit_stand.ags,
        themen_mit_stand.thema_id,
        themen_mit_stand.identifiziert_am,
        themen_mit_stand.bekannt_bis,
        themen_mit_stand.verworfen_nach,
        'umsetzung' as abschnitt,
        themen_mit_stand.umgesetzt_am as erreicht_am
    from themen_mit_stand
),

-- One row per delivered unit × quarter × theme identified by the quarter end × section.
beobachtungen as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        abschnitte.abschnitt,
        abschnitte.identifiziert_am,
        abschnitte.erreicht_am,
        coalesce(abschnitte.erreicht_am <= lieferungen.quartal_ende, false) as erreicht,
        least(lieferungen.quartal_ende, abschnitte.bekannt_bis, abschnitte.verworfen_nach) as beobachtet_bis
    from lieferungen
    inner join abschnitte
        on
            lieferungen.ags = abschnitte.ags
            and lieferungen.quartal_ende >= abschnitte.identifiziert_am
),

zeiten_je_kommune as (
    select
        ags,
        quartal,
        abschnitt,
        case
            when erreicht then date_diff('day', identifiziert_am, erreicht_am)
            else date_diff('day', identifiziert_am, beobachtet_bis)
        end as tage,
        count(*) filter (where erreicht) as ereignisse,
        count(*) filter (where not erreicht) as zensiert
    from beobachtungen
    group by all
),

zeiten_je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.quartal,
        zeiten_je_kommune.abschnitt,
        zeiten_je_kommune.tage,
        sum(zeiten_je_kommune.ereignisse) as ereignisse,
        sum(zeiten_je_kommune.zensiert) as zensiert
    from gebietslieferungen
    inner join zeiten_je_kommune
        on
            gebietslieferungen.ags = zeiten_je_kommune.ags
            and gebietslieferungen.quartal = zeiten_je_kommune.quartal
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.quartal,
        zeiten_je_kommune.abschnitt,
        zeiten_je_kommune.tage
),

kurven as (
    {{ kaplan_meier_curve('zeiten_je_gebiet', ['gebiet', 'quartal', 'abschnitt']) }}
),

schaetzungen as (
    {{ kaplan_meier_summary('zeiten_je_gebiet', 'kurven', ['gebiet', 'quartal', 'abschnitt']) }}
),

abschnittsnamen as (
    select unnest(['beschluss', 'umsetzung']) as abschnitt
),

gebiete_quartale_abschnitte as (
    select distinct
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        abschnittsnamen.abschnitt
    from gebietslieferungen
    cross join abschnittsnamen
),

mit_schaetzung as (
    select
        gebiete_quartale_abschnitte.gebiet,
        gebiete_quartale_abschnitte.gebietsebene,
        gebiete_quartale_abschnitte.quartal,
        concat('abschnitt:', gebiete_quartale_abschnitte.abschnitt) as aufschluesselung,
        schaetzungen.median_tage,
        coalesce(schaetzungen.ereignisse, 0) as ereignisse,
        coalesce(schaetzungen.faelle, 0) as faelle,
        schaetzungen.median_ki95_unten,
        schaetzungen.median_ki95_oben,
        schaetzungen.median_ki998_unten,
        schaetzungen.median_ki998_oben
    from gebiete_quartale_abschnitte
    left join schaetzungen
        on
            gebiete_quartale_abschnitte.gebiet = schaetzungen.gebiet
            and gebiete_quartale_abschnitte.quartal = schaetzungen.quartal
            and gebiete_quartale_abschnitte.abschnitt = schaetzungen.abschnitt
),

final as (
    {{ kennzahl_zeilen(
        'K19', 'mit_schaetzung',
        wert='cast(median_tage as double)', zaehler='ereignisse', nenner='faelle',
        aufschluesselung='aufschluesselung',
        grenzen={
            'ki95_unten': 'cast(median_ki95_unten as double)',
            'ki95_oben': 'cast(median_ki95_oben as double)',
            'ki998_unten': 'cast(median_ki998_unten as double)',
            'ki998_oben': 'cast(median_ki998_oben as double)',
        }
    ) }}
)

select * from final
