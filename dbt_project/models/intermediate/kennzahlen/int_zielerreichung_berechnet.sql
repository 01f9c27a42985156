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
    {{ kennzahl_anteil('K08', 'je_gebiet', 'abschluesse_erfolgreich', 'abschluesse') }}
)

select * from final
