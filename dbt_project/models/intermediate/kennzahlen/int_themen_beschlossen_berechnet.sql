{#- K17 Themen mit Beschluss: share of the structural themes identified more than 90 days before the quarter
    end that the Lenkungsgruppe had decided by the quarter end (lenkungsgruppe_am ≤ quarter end), with Wilson
    intervals. Themes in their current state (int_strukturthemen_aktuell); a theme the Lenkungsgruppe discarded
    (VERWORFEN with a lenkungsgruppe_am) has a decision, one dropped before any decision has none. -#}
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

themen_je_lieferung as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        count(strukturthemen.thema_id) as themen_faellig,
        count(strukturthemen.thema_id) filter (
            where strukturthemen.lenkungsgruppe_am <= lieferungen.quartal_ende
        ) as themen_beschlossen
    from lieferungen
    left join strukturthemen
        on
            lieferungen.ags = strukturthemen.ags
            and date_diff('day', strukturthemen.identifiziert_am, lieferungen.quartal_ende) > 90
    group by lieferungen.ags, lieferungen.quartal
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        sum(themen_je_lieferung.themen_faellig) as themen_faellig,
        sum(themen_je_lieferung.themen_beschlossen) as themen_beschlossen
    from gebietslieferungen
    inner join themen_je_lieferung
        on
            gebietslieferungen.ags = themen_je_lieferung.ags
            and gebietslieferungen.quartal = themen_je_lieferung.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

final as (
    {{ kennzahl_anteil('K17', 'je_gebiet', 'themen_beschlossen', 'themen_faellig') }}
)

select * from final
