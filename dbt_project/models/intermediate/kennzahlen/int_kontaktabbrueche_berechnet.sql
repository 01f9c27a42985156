{#- K09 Kontaktabbrüche: share of the cases closed in the quarter whose closing reason is KONTAKTABBRUCH, with
    Wilson score intervals (95 % and 99.8 %). Reference areas pool the closures of their delivering units. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

faelle as (
    select * from {{ ref('int_faelle_aktuell') }}
),

abschluesse_je_kommune_quartal as (
    select
        faelle.ags,
        {{ quarter_of('faelle.abschluss_am') }} as quartal,
        count(*) as abschluesse,
        count(*) filter (where faelle.abschlussgrund = 'KONTAKTABBRUCH') as kontaktabbrueche
    from faelle
    where faelle.abschluss_am is not null
    group by faelle.ags, quartal
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        coalesce(sum(abschluesse_je_kommune_quartal.abschluesse), 0) as abschluesse,
        coalesce(sum(abschluesse_je_kommune_quartal.kontaktabbrueche), 0) as kontaktabbrueche
    from gebietslieferungen
    left join abschluesse_je_kommune_quartal
        on
            gebietslieferungen.ags = abschluesse_je_kommune_quartal.ags
            and gebietslieferungen.quartal = abschluesse_je_kommune_quartal.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

final as (
    select
        'K09' as kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        '' as aufschluesselung,
        case when abschluesse > 0 then 100.0 * kontaktabbrueche / abschluesse end as wert,
        cast(kontaktabbrueche as double) as zaehler,
        cast(abschluesse as double) as nenner,
        {{ wilson_percent_bound('kontaktabbrueche', 'abschluesse', 'lower') }} as ki95_unten,
        {{ wilson_percent_bound('kontaktabbrueche', 'abschluesse', 'upper') }} as ki95_oben,
        {{ wilson_percent_bound('kontaktabbrueche', 'abschluesse', 'lower', level='99.8') }} as ki998_unten,
        {{ wilson_percent_bound('kontaktabbrueche', 'abschluesse', 'upper', level='99.8') }} as ki998_oben
    from je_gebiet
)

select * from final
