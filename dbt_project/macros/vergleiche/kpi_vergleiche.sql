{#- Every unit cell of `werte` compared with each of its references: NRW, its Regierungsbezirk, its type, its
    peer group (PEER_<ags>) and its own value four quarters earlier (vorjahr). The unit differs from a
    reference at a level when its interval at that level (95 % or 99.8 %) excludes the reference value; a KPI
    without an interval method (full count) differs whenever the values differ. A missing bound (e.g. a
    Kaplan–Meier median whose upper limit is not reached) is unbounded; 1e-9 absorbs floating-point noise of
    bounds that lie exactly on the reference (a share of 100 % against 100 %). The difference is then translated
    through the row's polarity: besser / ähnlich / schlechter, or höher / ähnlich / niedriger for neutral KPIs.
    K14 (Mittelabfluss) is better only up to the linear pace of the year (25 % per quarter), so both values are
    capped at that pace before they are compared. Used for the ministry's layer and the published layer alike,
    each on its own values. Rows whose unit value is not on the scale of an area's (kpi_varianten.vergleichbar:
    counts an area sums up, a unit's yes/no against an area's share) are compared with the previous year only. -#}
{% macro kpi_vergleiche(werte_relation) -%}
with

werte as (
    select * from {{ werte_relation }}
),

zuordnung as (
    select * from {{ ref('int_gebiet_zuordnung') }}
),

kommunen as (
    select * from {{ ref('kommunen') }}
),

referenzgebiete as (
    select
        zuordnung.ags,
        zuordnung.gebiet as referenzgebiet,
        zuordnung.gebietsebene as referenzebene
    from zuordnung
    where zuordnung.gebietsebene in ('land', 'regierungsbezirk', 'typ')
    union all
    select
        kommunen.ags,
        concat('PEER_', kommunen.ags) as referenzgebiet,
        'peergruppe' as referenzebene
    from kommunen
),

einheiten as (
    select * from werte where gebietsebene = 'kommune'
),

gebietsvergleiche as (
    select
        einheiten.*,
        referenzgebiete.referenzebene,
        referenzgebiete.referenzgebiet,
        einheiten.quartal as referenzquartal,
        referenz.wert as referenzwert
    from einheiten
    inner join referenzgebiete on einheiten.gebiet = referenzgebiete.ags and einheiten.vergleichbar
    left join werte as referenz
        on
            referenzgebiete.referenzgebiet = referenz.gebiet
            and einheiten.kpi_id = referenz.kpi_id
            and einheiten.quartal = referenz.quartal
            and einheiten.aufschluesselung = referenz.aufschluesselung
),

vorjahresvergleiche as (
    select
        einheiten.*,
        'vorjahr' as referenzebene,
        einheiten.gebiet as referenzgebiet,
        concat(cast(left(einheiten.quartal, 4) as integer) - 1, right(einheiten.quartal, 3)) as referenzquartal,
        referenz.wert as referenzwert
    from einheiten
    left join werte as referenz
        on
            einheiten.gebiet = referenz.gebiet
            and einheiten.kpi_id = referenz.kpi_id
            and einheiten.aufschluesselung = referenz.aufschluesselung
            and referenz.quartal
            = concat(cast(left(einheiten.quartal, 4) as integer) - 1, right(einheiten.quartal, 3))
),

paare as (
    select * from gebietsvergleiche
    union all by name
    select * from vorjahresvergleiche
),

-- Values on the scale they are judged on (K14 capped at the pace of the year).
bewertungsskala as (
    select
        *,
        case
            when kpi_id = 'K14' then 25.0 * cast(right(quartal, 1) as integer)
            else cast('infinity' as double)
        end as obergrenze
    from paare
),

unterschiede as (
    select
        *,
        {% for stufe in ['95', '998'] %}
        case
            when wert is null or referenzwert is null then null
            when methode = 'keine' and least(wert, obergrenze) > least(referenzwert, obergrenze) then 'hoeher'
            when methode = 'keine' and least(wert, obergrenze) < least(referenzwert, obergrenze) then 'niedriger'
            when methode = 'keine' then 'gleich'
            when least(coalesce(ki{{ stufe }}_unten, cast('-infinity' as double)), obergrenze)
                > least(referenzwert, obergrenze) + 1e-9 then 'hoeher'
            when least(coalesce(ki{{ stufe }}_oben, cast('infinity' as double)), obergrenze)
                < least(referenzwert, obergrenze) - 1e-9 then 'niedriger'
            else 'gleich'
        end as unterschied_{{ stufe }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from bewertungsskala
),

final as (
    select
        kpi_id,
        gebiet,
        quartal,
        aufschluesselung,
        referenzebene,
        referenzgebiet,
        referenzquartal,
        wert,
        ki95_unten,
        ki95_oben,
        ki998_unten,
        ki998_oben,
        referenzwert,
        polaritaet,
        methode,
        {% for stufe in ['95', '998'] %}
        case
            when unterschied_{{ stufe }} is null then null
            when unterschied_{{ stufe }} = 'gleich' then 'ähnlich'
            when polaritaet = 'neutral' and unterschied_{{ stufe }} = 'hoeher' then 'höher'
            when polaritaet = 'neutral' then 'niedriger'
            when (polaritaet = 'hoch_gut') = (unterschied_{{ stufe }} = 'hoeher') then 'besser'
            else 'schlechter'
        end as bewertung_{{ stufe }},
        {% endfor %}
        case
            when methode = 'keine' then 'ohne Intervall (Vollerhebung)'
            when unterschied_998 in ('hoeher', 'niedriger') then '99,8 %'
            when unterschied_95 in ('hoeher', 'niedriger') then '95 %'
            when unterschied_95 = 'gleich' then 'nicht signifikant'
        end as signifikanz
    from unterschiede
)

select * from final
{%- endmacro %}
