-- A failing row is a ratio KPI whose value is not its numerator over its denominator (times the catalogue's
-- scale), or that has a value without a positive denominator: the published parts must explain the value.
with

kpi_werte as (
    select * from {{ ref('kpi_werte') }}
),

erwartet as (
    select
        *,
        case
            when nenner > 0
                then
                    case kpi_id when 'K01' then 100000.0 when 'K03' then 1.0 else 100.0 end
                    * zaehler / nenner
        end as wert_erwartet
    from kpi_werte
    where kpi_id in ('K01', 'K03', 'K07', 'K08', 'K12', 'K14', 'K25', 'K26')
)

select *
from erwartet
where
    (wert is null) <> (wert_erwartet is null)
    or abs(wert - wert_erwartet) > 1e-9 * greatest(1, abs(wert_erwartet))
