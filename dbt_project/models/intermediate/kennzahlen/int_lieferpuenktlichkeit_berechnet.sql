{#- K25 Lieferpünktlichkeit: per unit and reporting quarter, the share of its reporting quarters from
    `berichtsbeginn` up to that quarter whose data arrived by the deadline (lieferstatus.fristgerecht), among
    those whose punctuality is decided (deadline passed, or valid data already in). Unlike the other KPIs it
    has a row for every unit and reporting quarter, delivered or not, and a reference area pools all its member
    units: a unit that fails to deliver must count against the area, not drop out of it. -#}
with

lieferstatus as (
    select * from {{ ref('int_lieferstatus_ermittelt') }}
),

zuordnung as (
    select * from {{ ref('int_gebiet_zuordnung') }}
),

bisherige_quartale_je_kommune as (
    select
        ags,
        quartal,
        sum(case when fristgerecht then 1 else 0 end) over bis_zum_quartal as fristgerecht,
        count(fristgerecht) over bis_zum_quartal as entschieden
    from lieferstatus
    window bis_zum_quartal as (
        partition by ags order by quartal_beginn rows between unbounded preceding and current row
    )
),

je_gebiet as (
    select
        zuordnung.gebiet,
        zuordnung.gebietsebene,
        bisherige_quartale_je_kommune.quartal,
        sum(bisherige_quartale_je_kommune.fristgerecht) as fristgerecht,
        sum(bisherige_quartale_je_kommune.entschieden) as entschieden
    from bisherige_quartale_je_kommune
    inner join zuordnung on bisherige_quartale_je_kommune.ags = zuordnung.ags
    group by zuordnung.gebiet, zuordnung.gebietsebene, bisherige_quartale_je_kommune.quartal
),

final as (
    {{ kennzahl_anteil('K25', 'je_gebiet', 'fristgerecht', 'entschieden', intervall=none) }}
)

select * from final
