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
    {{ kennzahl_anteil('K07', 'alle_zeilen', 'anzahl_nahtlos', 'anzahl', aufschluesselung='aufschluesselung') }}
)

select * from final
