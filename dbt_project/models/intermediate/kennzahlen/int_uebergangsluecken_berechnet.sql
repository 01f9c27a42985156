{#- K06 Übergangslücke: median gap in days at changes of the legal benefit system (Rechtskreiswechsel) dated
    in the quarter, with an order-statistic interval; in total and per transition type. Reference areas take
    the median over the pooled transitions of their delivering units. -#}
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
        count(uebergaenge.luecke_tage) as anzahl,
        median(uebergaenge.luecke_tage) as luecke_median,
        list_sort(list(uebergaenge.luecke_tage) filter (where uebergaenge.luecke_tage is not null)) as luecken
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
        median(uebergaenge.luecke_tage) as luecke_median,
        list_sort(list(uebergaenge.luecke_tage)) as luecken
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
    {{ kennzahl_median(
        'K06', 'alle_zeilen', 'luecke_median', 'luecken', 'anzahl', aufschluesselung='aufschluesselung'
    ) }}
)

select * from final
