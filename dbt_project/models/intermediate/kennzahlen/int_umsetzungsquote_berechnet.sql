{#- K18 Umsetzungsquote: share of the themes prioritised by the quarter end whose measure was implemented by
    the quarter end (umgesetzt_am ≤ quarter end), with Wilson intervals. Prioritised = decided by the
    Lenkungsgruppe (lenkungsgruppe_am ≤ quarter end; the contract requires a prioritaet exactly then), except
    themes discarded without ever being implemented (status VERWORFEN, no umgesetzt_am): the Lenkungsgruppe
    rejected or dropped them, so no measure is expected. The status is the current one (the contract has no
    date for discarding), so such a theme leaves the denominator of every quarter; a measure implemented and
    given up later still counts as implemented from its umgesetzt_am. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

strukturthemen as (
    select * from {{ ref('int_strukturthemen_aktuell') }}
),

lieferungen as (
    select distinct
        gebietslieferungen.ags,
        gebietslieferungen.quartal,
        gebietslieferungen.quartal_ende
    from gebietslieferungen
),

umsetzbare_themen as (
    select
        strukturthemen.ags,
        strukturthemen.thema_id,
        strukturthemen.lenkungsgruppe_am,
        strukturthemen.umgesetzt_am
    from strukturthemen
    where
        strukturthemen.lenkungsgruppe_am is not null
        and not (strukturthemen.status = 'VERWORFEN' and strukturthemen.umgesetzt_am is null)
),

themen_je_lieferung as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        count(umsetzbare_themen.thema_id) as themen_priorisiert,
        count(umsetzbare_themen.thema_id) filter (
            where umsetzbare_themen.umgesetzt_am <= lieferungen.quartal_ende
        ) as themen_umgesetzt
    from lieferungen
    left join umsetzbare_themen
        on
            lieferungen.ags = umsetzbare_themen.ags
            and lieferungen.quartal_ende >= umsetzbare_themen.lenkungsgruppe_am
    group by lieferungen.ags, lieferungen.quartal
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        sum(themen_je_lieferung.themen_priorisiert) as themen_priorisiert,
        sum(themen_je_lieferung.themen_umgesetzt) as themen_umgesetzt
    from gebietslieferungen
    inner join themen_je_lieferung
        on
            gebietslieferungen.ags = themen_je_lieferung.ags
            and gebietslieferungen.quartal = themen_je_lieferung.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

final as (
    {{ kennzahl_anteil('K18', 'je_gebiet', 'themen_umgesetzt', 'themen_priorisiert') }}
)

select * from final
