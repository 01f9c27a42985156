-- A failing row is a missing or unexpected KPI id: the catalogue must hold exactly K01 … K26.
with

katalog as (
    select kpi_id from {{ ref('mart_kpi_katalog') }}
),

nummern as (
    select unnest(range(1, 27)) as nummer
),

erwartet as (
    select printf('K%02d', nummer) as kpi_id
    from nummern
)

select coalesce(erwartet.kpi_id, katalog.kpi_id) as kpi_id
from erwartet
full outer join katalog on erwartet.kpi_id = katalog.kpi_id
where erwartet.kpi_id is null or katalog.kpi_id is null
