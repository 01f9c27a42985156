-- A failing row is a percentage KPI value outside 0–100 % (K25 and K26 in every breakdown, too), or a K24
-- unit value outside its range (0–7 milestones in total, 0 or 1 per milestone): a numerator larger than its
-- denominator or a mixed-up unit of measure.
-- K14 is left out on purpose: the contract lets spending exceed the drawn funds by 5 %. A tolerance of 1e-9
-- absorbs floating-point rounding (17.15 / 17.15 × 100 = 100.00000000000001).
with

kpi_werte as (
    select * from {{ ref('kpi_werte') }}
),

verletzungen as (
    select *
    from kpi_werte
    where
        wert is not null
        and (
            (kpi_id in ('K07', 'K08', 'K12', 'K25', 'K26') and (wert < -1e-9 or wert > 100 + 1e-9))
            or (kpi_id = 'K24' and aufschluesselung = '' and (wert < 0 or wert > 7))
            or (
                kpi_id = 'K24' and aufschluesselung <> '' and gebietsebene = 'kommune'
                and wert not in (0, 1)
            )
            or (
                kpi_id = 'K24' and aufschluesselung <> '' and gebietsebene <> 'kommune'
                and (wert < -1e-9 or wert > 100 + 1e-9)
            )
        )
)

select * from verletzungen
