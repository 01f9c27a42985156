-- A failing row has a 95 % interval that does not contain its own value (with a tolerance for rounding), or
-- only one of its two bounds where that cannot be: the interval was computed from other data than the value.
-- A Kaplan–Meier median interval (K05, K19) may lack its upper bound, which is then not reached (unbounded).
with

kpi_werte as (
    select * from {{ ref('int_kpi_werte_vereinigt') }}
),

verletzungen as (
    select *
    from kpi_werte
    where
        (ki95_unten is null and ki95_oben is not null)
        or (ki95_unten is not null and ki95_oben is null and methode != 'kaplan_meier')
        or (
            ki95_unten is not null
            and wert is not null
            and (
                wert < ki95_unten - 1e-9 * greatest(1, abs(wert))
                or wert > coalesce(ki95_oben, cast('infinity' as double)) + 1e-9 * greatest(1, abs(wert))
            )
        )
)

select * from verletzungen
