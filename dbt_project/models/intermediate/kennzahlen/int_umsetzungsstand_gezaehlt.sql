{#- K24 Umsetzungsstand per quarter: milestones reached by the quarter end. A unit gets the number reached (0–7)
    and per milestone 1 or 0; a reference area gets the mean number over its delivering units and per milestone
    the percentage of them that reached it. zaehler/nenner: milestones reached (total) or units that reached it
    (per milestone) over the delivering units. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

meilensteine as (
    select * from {{ ref('int_meilensteine_ermittelt') }}
),

meilensteine_je_lieferung as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        gebietslieferungen.ags,
        meilensteine.meilenstein,
        coalesce(meilensteine.erreicht_am <= gebietslieferungen.quartal_ende, false) as erreicht
    from gebietslieferungen
    inner join meilensteine on gebietslieferungen.ags = meilensteine.ags
),

insgesamt as (
    select
        gebiet,
        gebietsebene,
        quartal,
        '' as aufschluesselung,
        count(*) filter (where erreicht) as erreicht,
        count(distinct ags) as kommunen
    from meilensteine_je_lieferung
    group by gebiet, gebietsebene, quartal
),

je_meilenstein as (
    select
        gebiet,
        gebietsebene,
        quartal,
        concat('meilenstein:', meilenstein) as aufschluesselung,
        count(*) filter (where erreicht) as erreicht,
        count(*) as kommunen
    from meilensteine_je_lieferung
    group by gebiet, gebietsebene, quartal, meilenstein
),

insgesamt_als_mittelwert as (
    select
        *,
        cast(erreicht as double) / kommunen as wert
    from insgesamt
),

je_meilenstein_als_anteil as (
    select
        *,
        case when gebietsebene = 'kommune' then 1.0 else 100.0 end * erreicht / kommunen as wert
    from je_meilenstein
),

alle_zeilen as (
    select * from insgesamt_als_mittelwert
    union all
    select * from je_meilenstein_als_anteil
),

final as (
    {{ kennzahl_zeilen(
        'K24', 'alle_zeilen', wert='wert', zaehler='erreicht', nenner='kommunen',
        aufschluesselung='aufschluesselung'
    ) }}
)

select * from final
