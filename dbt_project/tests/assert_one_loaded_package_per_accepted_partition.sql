-- A failing row is a unit × quarter that has an accepted package but no loaded one (or several loaded ones):
-- the ingestion left the partition in a state where its data and its delivery status would disagree.
with

lieferungen as (
    select * from {{ ref('stg_lieferungen') }}
),

je_partition as (
    select
        ags,
        quartal,
        count(*) filter (where status <> 'ABGELEHNT') as nicht_abgelehnt,
        count(*) filter (where geladen) as geladen
    from lieferungen
    group by ags, quartal
)

select *
from je_partition
where (nicht_abgelehnt > 0 and geladen <> 1) or geladen > 1
