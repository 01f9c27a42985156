{#- K08 Zielerreichung: share of the cases closed in the quarter that ended successfully (closing reasons of
    category ERFOLG in the code list: ZIEL_ERREICHT, UEBERGABE_REGELSYSTEM), with a Wilson interval. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

faelle as (
    select * from {{ ref('int_faelle_aktuell') }}
),

codelisten as (
    select * from {{ ref('codelisten') }}
),

erfolgreiche_abschlussgruende as (
    select codelisten.code as abschlussgrund
    from codelisten
    where codelisten.codeliste = 'abschlussgrund' and codelisten.kategorie = 'ERFOLG'
),

abschluesse_je_kommune_quartal as (
    select
        faelle.ags,
        {{ quarter_of('faelle.abschluss_am') }} as quartal,
        count(*) as abschluesse,
        count(*) filter (
            where faelle.abschlussgrund in (
                select erfolgreiche_abschlussgruende.abschlussgrund from erfolgreiche_abschlussgruende
            )
        ) as abschluesse_erfolgreich
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
        coalesce(sum(abschluesse_je_kommune_quartal.abschluesse_erfolgreich), 0) as abschluesse_erfolgreich
    from gebietslieferungen
    left join abschluesse_je_kommune_quartal
        on
            gebietslieferungen.ags = abschluesse_je_kommune_quartal.ags
            and gebietslieferungen.quartal = abschluesse_je_kommune_quartal.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

final as (
    select
        'K08' as kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        '' as aufschluesselung,
        case when abschluesse > 0 then 100.0 * abschluesse_erfolgreich / abschluesse end as wert,
        cast(abschluesse_erfolgreich as double) as zaehler,
        cast(abschluesse as double) as nenner,
        {{ wilson_percent_bound('abschluesse_erfolgreich', 'abschluesse', 'lower') }} as ki95_unten,
        {{ wilson_percent_bound('abschluesse_erfolgreich', 'abschluesse', 'upper') }} as ki95_oben,
        {{ wilson_percent_bound('abschluesse_erfolgreich', 'abschluesse', 'lower', level='99.8') }} as ki998_unten,
        {{ wilson_percent_bound('abschluesse_erfolgreich', 'abschluesse', 'upper', level='99.8') }} as ki998_oben
    from je_gebiet
)

select * from final
