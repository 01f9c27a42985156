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
{#- `term` for t = 1..5 (`@` stands for t), joined left to right by `operator`: ((t1 + t2) + t3) + … -#}
{% macro _ueber_t(term, operator='+') -%}
    ({% for t in range(1, 6) %}{{ term | replace('@', t) }}{% if not loop.last %} {{ operator }} {% endif %}{% endfor %})
{%- endmacro %}

{% macro kpi_trends(werte_relation) -%}
with

werte as (
    select
        *,
        cast(left(quartal, 4) as integer) * 4 + cast(right(quartal, 1) as integer) as quartalsindex
    from {{ werte_relation }}
    where gebietsebene != 'peergruppe'
),

-- One row per series end with its last 5 quarters side by side (t = 1..5 oldest to newest), read with lag()
-- from one sort of each series. The sums below add their 5 terms in the order of t, so that floating-point
-- addition runs in the same order in every build.
punkte as (
    select
        kpi_id,
        gebiet,
        quartal,
        aufschluesselung,
        polaritaet,
        methode,
        quartalsindex,
        {%- for t in range(1, 6) %}
        {%- set schritt = 5 - t %}
        {%- for spalte, ausdruck in [
            ('y', 'wert'),
            ('x', 'zaehler'),
            ('n', 'nenner'),
            ('se', '(ki95_oben - ki95_unten) / (2 * ' ~ z_value('95') ~ ')'),
        ] %}
        {%- if schritt == 0 %}
        {{ ausdruck }} as {{ spalte }}{{ t }},
        {%- else %}
        lag({{ ausdruck }}, {{ schritt }}) over reihe as {{ spalte }}{{ t }},
        {%- endif %}
        {%- endfor %}
        {%- endfor %}
        lag(quartalsindex, 4) over reihe as erster_quartalsindex
    from werte
    window reihe as (partition by kpi_id, gebiet, aufschluesselung order by quartalsindex)
),

summen as (
    select
        kpi_id,
        gebiet,
        quartal,
        aufschluesselung,
        polaritaet,
        methode,
        {{ _ueber_t('(y@ is not null)::integer') }} as punkte,
        {{ _ueber_t('y@') }} as summe_y,
        {{ _ueber_t('y@ * y@') }} as summe_yy,
        {{ _ueber_t('(@::double - 3) * y@') }} / 10.0 as steigung,
        {{ _ueber_t('coalesce(x@ >= 0, false)', 'and') }} as alle_x,
        {{ _ueber_t('coalesce(n@ > 0, false)', 'and') }} as alle_n,
        {{ _ueber_t('coalesce(se@ > 0, false)', 'and') }} as alle_se,
        {{ _ueber_t('x@') }} as summe_x,
        {{ _ueber_t('n@') }} as summe_n,
        {{ _ueber_t('n@ * @::double') }} as summe_nt,
        {{ _ueber_t('n@ * @::double * @::double') }} as summe_ntt,
        {{ _ueber_t('x@ * @::double') }} as summe_xt,
        {{ _ueber_t('1 / (se@ * se@)') }} as summe_w,
        {{ _ueber_t('@::double / (se@ * se@)') }} as summe_wt,
        {{ _ueber_t('@::double * @::double / (se@ * se@)') }} as summe_wtt,
        {{ _ueber_t('y@ / (se@ * se@)') }} as summe_wy,
        {{ _ueber_t('@::double * y@ / (se@ * se@)') }} as summe_wty
    from punkte
    -- a value in each of the 5 consecutive quarters up to the series end
    where erster_quartalsindex = quartalsindex - 4
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
