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
    select
        'K17' as kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        '' as aufschluesselung,
        case when themen_faellig > 0 then 100.0 * themen_beschlossen / themen_faellig end as wert,
        cast(themen_beschlossen as double) as zaehler,
        cast(themen_faellig as double) as nenner,
        {{ wilson_percent_bound('themen_beschlossen', 'themen_faellig', 'lower') }} as ki95_unten,
        {{ wilson_percent_bound('themen_beschlossen', 'themen_faellig', 'upper') }} as ki95_oben,
        {{ wilson_percent_bound('themen_beschlossen', 'themen_faellig', 'lower', level='99.8') }} as ki998_unten,
        {{ wilson_percent_bound('themen_beschlossen', 'themen_faellig', 'upper', level='99.8') }} as ki998_oben
    from je_gebiet
)

select * from final
