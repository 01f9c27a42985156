{#- Funnel-plot limits for every unit cell of a share or rate with a random model (methode wilson or poisson),
    around the NRW value θ0 of the same KPI, quarter and breakdown, following Spiegelhalter (2005, Statistics in
    Medicine 24:1185–1202): the unit's standard error under θ0 from its denominator (shares:
    √(θ0(100−θ0)/n) in percent points, rates: √(θ0·faktor/n)); z-scores winsorised at their 10th and 90th
    percentile; the overdispersion φ = mean of the squared winsorised z-scores; when kφ exceeds k − 1, an
    additive random-effects variance τ² = (kφ − (k − 1)) / (Σw − Σw²/Σw) with w = 1/se², so the limits
    θ0 ± z·√(se² + τ²) widen for all units alike instead of flagging every large unit. A unit lies `oberhalb` or
    `unterhalb` of the funnel at a level when its value is beyond the limit for its denominator. Sums over units
    are ordered (by unit): summed in whatever order parallel threads deliver, floating-point sums differ in their
    last bits from run to run, and the same input must give the same table. -#}
{% macro kpi_trichter(werte_relation) -%}
with

werte as (
    select * from {{ werte_relation }}
),

land as (
    select
        kpi_id,
        quartal,
        aufschluesselung,
        wert as nrw_wert
    from werte
    where gebietsebene = 'land'
),

einheiten as (
    select
        werte.kpi_id,
        werte.gebiet,
        werte.quartal,
        werte.aufschluesselung,
        werte.wert,
        werte.nenner,
        werte.wertart,
        werte.faktor,
        land.nrw_wert,
        case
            when werte.wertart = 'anteil' then sqrt(land.nrw_wert * (100 - land.nrw_wert) / werte.nenner)
            else sqrt(land.nrw_wert * werte.faktor / werte.nenner)
        end as standardfehler
    from werte
    inner join land
        on
            werte.kpi_id = land.kpi_id
            and werte.quartal = land.quartal
            and werte.aufschluesselung = land.aufschluesselung
    where
        werte.gebietsebene = 'kommune'
        and werte.vergleichbar
        and werte.methode in ('wilson', 'poisson')
        and werte.wertart in ('anteil', 'rate')
        and werte.wert is not null
        and werte.nenner > 0
        and land.nrw_wert > 0
        and (werte.wertart = 'rate' or land.nrw_wert < 100)
),

z_werte as (
    select
        *,
        (wert - nrw_wert) / standardfehler as z_wert
    from einheiten
),

perzentile as (
    select
        kpi_id,
        quartal,
        aufschluesselung,
        quantile_cont(z_wert, 0.1) as z_p10,
        quantile_cont(z_wert, 0.9) as z_p90
    from z_werte
    group by kpi_id, quartal, aufschluesselung
),

streuung as (
    select
        z_werte.kpi_id,
        z_werte.quartal,
        z_werte.aufschluesselung,
        count(*) as anzahl_einheiten,
        avg(pow(least(greatest(z_werte.z_wert, perzentile.z_p10), perzentile.z_p90), 2) order by z_werte.gebiet)
        as phi,
        sum(1 / pow(z_werte.standardfehler, 2) order by z_werte.gebiet) as summe_w,
        sum(1 / pow(z_werte.standardfehler, 4) order by z_werte.gebiet) as summe_w2
    from z_werte
    inner join perzentile
        on
            z_werte.kpi_id = perzentile.kpi_id
            and z_werte.quartal = perzentile.quartal
            and z_werte.aufschluesselung = perzentile.aufschluesselung
    group by z_werte.kpi_id, z_werte.quartal, z_werte.aufschluesselung
),

ueberdispersion as (
    select
        *,
        case
            when anzahl_einheiten * phi > anzahl_einheiten - 1
                then (anzahl_einheiten * phi - (anzahl_einheiten - 1)) / (summe_w - summe_w2 / summe_w)
            else 0.0
        end as tau2
    from streuung
),

grenzen as (
    select
        z_werte.*,
        ueberdispersion.anzahl_einheiten,
        ueberdispersion.phi,
        ueberdispersion.tau2,
        sqrt(pow(z_werte.standardfehler, 2) + ueberdispersion.tau2) as streuung_gesamt
    from z_werte
    inner join ueberdispersion
        on
            z_werte.kpi_id = ueberdispersion.kpi_id
            and z_werte.quartal = ueberdispersion.quartal
            and z_werte.aufschluesselung = ueberdispersion.aufschluesselung
),

final as (
    select
        kpi_id,
        gebiet,
        quartal,
        aufschluesselung,
        wert,
        nenner,
        nrw_wert,
        standardfehler,
        z_wert,
        cast(anzahl_einheiten as integer) as anzahl_einheiten,
        phi,
        tau2,
        {% for stufe, z in [('95', z_value('95')), ('998', z_value('99.8'))] %}
        nrw_wert - {{ z }} * streuung_gesamt as grenze{{ stufe }}_unten,
        nrw_wert + {{ z }} * streuung_gesamt as grenze{{ stufe }}_oben,
        {% endfor %}
        {% for stufe, z in [('95', z_value('95')), ('998', z_value('99.8'))] %}
        case
            when wert > nrw_wert + {{ z }} * streuung_gesamt then 'oberhalb'
            when wert < nrw_wert - {{ z }} * streuung_gesamt then 'unterhalb'
            else 'innerhalb'
        end as lage_{{ stufe }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from grenzen
)

select * from final
{%- endmacro %}
