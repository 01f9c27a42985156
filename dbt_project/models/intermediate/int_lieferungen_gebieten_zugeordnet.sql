{#- The delivering units of every area and quarter: the base every KPI model aggregates over, so reference
    areas are computed with the same SQL as units and only from units that delivered that quarter. -#}
with

lieferungen as (
    select * from {{ ref('int_lieferungen_geladen') }}
),

zuordnung as (
    select * from {{ ref('int_gebiet_zuordnung') }}
),

final as (
    select
        zuordnung.gebiet,
        zuordnung.gebietsebene,
        lieferungen.quartal,
        lieferungen.quartal_beginn,
        lieferungen.quartal_ende,
        lieferungen.ags,
        lieferungen.paket_id
    from lieferungen
    inner join zuordnung on lieferungen.ags = zuordnung.ags
)

select * from final
