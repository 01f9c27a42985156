{#- Linear trend over the last 5 quarters of every series (area, KPI, breakdown) that has a value in each of the
    5 consecutive quarters up to the quarter, tested at 99.8 % (KPIS.md). Scores t = 1..5. The test follows the
    value's random model:
    - shares with a binomial model (methode wilson): the Cochran–Armitage χ² test for trend in proportions,
      T = (Σ x_i(t_i − t̄))² / (p̄(1 − p̄) Σ n_i(t_i − t̄)²), t̄ weighted by n;
    - rates (methode poisson): the χ² test for trend in Poisson counts against expected counts E_i
      proportional to the denominator,
      T = (Σ t_i(O_i − E_i))² / (Σ E_i t_i² − (Σ E_i t_i)² / Σ E_i);
    - medians with an interval (median_ordnung, kaplan_meier): the Wald χ² of the inverse-variance weighted
      regression slope, with the standard error of each point taken from its 95 % interval;
    each compared with the χ²(1) quantile 9.5495 (99.8 %). KPIs without a random model (methode keine: full
    counts such as active cases, shares of VZÄ or euros, ratios) get the t-test of the least-squares slope over the 5 values, compared
    with t(3) = 10.215 (99.8 %). Direction from the sign of the least-squares slope of the values; the
    polarity says whether it is günstig or ungünstig. Reference areas other than peer groups get a trend as
    well; peer groups are references for units only. -#}
{% macro kpi_trends(werte_relation) -%}
with

werte as (
    select
        *,
        cast(left(quartal, 4) as integer) * 4 + cast(right(quartal, 1) as integer) as quartalsindex
    from {{ werte_relation }}
    where gebietsebene != 'peergruppe'
),

-- One row per series end and each of its last 5 quarters, t = 1..5. Sums below are ordered by t, so that
-- floating-point addition runs in the same order in every build.
punkte as (
    select
        ende.kpi_id,
        ende.gebiet,
        ende.quartal,
        ende.aufschluesselung,
        ende.polaritaet,
        ende.methode,
        cast(punkt.quartalsindex - ende.quartalsindex + 5 as double) as t,
        punkt.wert as y,
        punkt.zaehler as x,
        punkt.nenner as n,
        (punkt.ki95_oben - punkt.ki95_unten) / (2 * {{ z_value('95') }}) as se
    from werte as ende
    inner join werte as punkt
        on
            ende.kpi_id = punkt.kpi_id
            and ende.gebiet = punkt.gebiet
            and ende.aufschluesselung = punkt.aufschluesselung
            and punkt.quartalsindex between ende.quartalsindex - 4 and ende.quartalsindex
),

summen as (
    select
        kpi_id,
        gebiet,
        quartal,
        aufschluesselung,
        any_value(polaritaet) as polaritaet,
        any_value(methode) as methode,
        count(y) as punkte,
        sum(y order by t) as summe_y,
        sum(y * y order by t) as summe_yy,
        sum((t - 3) * y order by t) / 10.0 as steigung,
        bool_and(x is not null and x >= 0) as alle_x,
        bool_and(n is not null and n > 0) as alle_n,
        bool_and(se is not null and se > 0) as alle_se,
        sum(x order by t) as summe_x,
        sum(n order by t) as summe_n,
        sum(n * t order by t) as summe_nt,
        sum(n * t * t order by t) as summe_ntt,
        sum(x * t order by t) as summe_xt,
        sum(1 / (se * se) order by t) as summe_w,
        sum(t / (se * se) order by t) as summe_wt,
        sum(t * t / (se * se) order by t) as summe_wtt,
        sum(y / (se * se) order by t) as summe_wy,
        sum(t * y / (se * se) order by t) as summe_wty
    from punkte
    group by kpi_id, gebiet, quartal, aufschluesselung
),

testwahl as (
    select
        *,
        case
            when methode = 'wilson' and alle_x and alle_n then 'Cochran-Armitage (χ²)'
            when methode = 'poisson' and alle_x and alle_n then 'Poisson-Trend (χ²)'
            when methode in ('median_ordnung', 'kaplan_meier') and alle_se then 'gewichtete Regression (Wald-χ²)'
            when methode = 'keine' then 'Regression (t-Test)'
        end as trendtest
    from summen
    where punkte = 5
),

pruefgroessen as (
    select
        *,
        case
            when trendtest = 'Cochran-Armitage (χ²)' and summe_x > 0 and summe_x < summe_n
                then pow(summe_xt - summe_x * summe_nt / summe_n, 2) / (
                    (summe_x / summe_n) * (1 - summe_x / summe_n) * (summe_ntt - summe_nt * summe_nt / summe_n)
                )
            when trendtest = 'Poisson-Trend (χ²)' and summe_x > 0
                then pow(summe_xt - summe_x * summe_nt / summe_n, 2) / (
                    summe_x * (summe_ntt / summe_n - pow(summe_nt / summe_n, 2))
                )
            when trendtest = 'gewichtete Regression (Wald-χ²)'
                then pow(summe_wty - summe_wt * summe_wy / summe_w, 2) / (summe_wtt - summe_wt * summe_wt / summe_w)
            -- t² of the least-squares slope: b² Σ(t − 3)² / (residual sum of squares / 3). The sums cancel
            -- for a flat or exactly linear series, leaving rounding noise that depends on the order rows were
            -- loaded in: a slope or residual within 1e-12 of the series' own scale counts as zero.
            when trendtest = 'Regression (t-Test)' and abs(steigung) <= 1e-12 * greatest(abs(summe_y) / 5.0, 1)
                then 0.0
            when trendtest = 'Regression (t-Test)'
                then coalesce(
                    10.0 * pow(steigung, 2) / nullif(
                        case
                            when summe_yy - summe_y * summe_y / 5.0 - 10.0 * pow(steigung, 2)
                                > 1e-12 * greatest(summe_yy, 1)
                                then summe_yy - summe_y * summe_y / 5.0 - 10.0 * pow(steigung, 2)
                            else 0
                        end / 3.0,
                        0
                    ),
                    -- an exactly linear series: any slope is a trend
                    cast('infinity' as double)
                )
        end as pruefgroesse
    from testwahl
),

final as (
    select
        kpi_id,
        gebiet,
        quartal,
        aufschluesselung,
        trendtest,
        pruefgroesse,
        steigung,
        case
            when pruefgroesse is null then null
            when pruefgroesse > (case when trendtest = 'Regression (t-Test)' then 104.35 else 9.5495 end)
                then (case when steigung > 0 then 'steigend' when steigung < 0 then 'fallend' end)
            else 'kein signifikanter Trend'
        end as trend,
        polaritaet
    from pruefgroessen
)

select
    kpi_id,
    gebiet,
    quartal,
    aufschluesselung,
    trendtest,
    pruefgroesse,
    steigung,
    trend,
    case
        when trend in ('steigend', 'fallend') and polaritaet = 'neutral' then 'neutral'
        when trend in ('steigend', 'fallend') and (polaritaet = 'hoch_gut') = (trend = 'steigend') then 'günstig'
        when trend in ('steigend', 'fallend') then 'ungünstig'
    end as trendbewertung
from final
{%- endmacro %}
