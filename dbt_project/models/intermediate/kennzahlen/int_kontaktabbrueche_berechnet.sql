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
    {{ kennzahl_anteil('K09', 'je_gebiet', 'kontaktabbrueche', 'abschluesse') }}
)

select * from final
