-- A failing row has a 95 % interval that does not contain its own value (with a tolerance for rounding), or
-- only one of its two bounds: the interval was computed from other data than the value.
with

kpi_werte as (
    select * from {{ ref('kpi_werte') }}
),

verletzungen as (
    select *
    from kpi_werte
    where
        (ki95_unten is null) <> (ki95_oben is null)
        or (
            ki95_unten is not null
            and wert is not null
            and (wert < ki95_unten - 1e-9 * greatest(1, abs(wert)) or wert > ki95_oben + 1e-9 * greatest(1, abs(wert)))
        )
)

select * from verletzungen
