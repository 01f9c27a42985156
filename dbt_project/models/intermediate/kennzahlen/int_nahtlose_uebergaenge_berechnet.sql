{#- K07 Nahtlose Übergänge: share of the K06 transitions without a gap (gap ≤ 0 days), with a Wilson interval;
    in total and per transition type. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

uebergaenge as (
    select * from {{ ref('int_uebergaenge_berechnet') }}
),

insgesamt as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        '' as aufschluesselung,
        count(uebergaenge.nahtlos) as anzahl,
        count(uebergaenge.nahtlos) filter (where uebergaenge.nahtlos) as anzahl_nahtlos
    from gebietslieferungen
    left join uebergaenge
        on
            gebietslieferungen.ags = uebergaenge.ags
            and gebietslieferungen.quartal = uebergaenge.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

je_uebergangsart as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        concat('uebergang:', uebergaenge.uebergang) as aufschluesselung,
        count(*) as anzahl,
        count(*) filter (where uebergaenge.nahtlos) as anzahl_nahtlos
    from gebietslieferungen
    inner join uebergaenge
        on
            gebietslieferungen.ags = uebergaenge.ags
            and gebietslieferungen.quartal = uebergaenge.quartal
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        uebergaenge.uebergang
),

alle_zeilen as (
    select * from insgesamt
    union all
    select * from je_uebergangsart
),

final as (
    select
        'K07' as kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        aufschluesselung,
        case when anzahl > 0 then 100.0 * anzahl_nahtlos / anzahl end as wert,
        cast(anzahl_nahtlos as double) as zaehler,
        cast(anzahl as double) as nenner,
        {{ wilson_percent_bound('anzahl_nahtlos', 'anzahl', 'lower') }} as ki95_unten,
        {{ wilson_percent_bound('anzahl_nahtlos', 'anzahl', 'upper') }} as ki95_oben,
        {{ wilson_percent_bound('anzahl_nahtlos', 'anzahl', 'lower', level='99.8') }} as ki998_unten,
        {{ wilson_percent_bound('anzahl_nahtlos', 'anzahl', 'upper', level='99.8') }} as ki998_oben
    from alle_zeilen
)

select * from final
