{#- Kaplan–Meier estimation in SQL for the time-to-event KPIs (K05 Zeit bis zur Integration, K19 Durchlaufzeit
    Strukturthemen). The conventions are those of statsmodels' SurvfuncRight (tests/integration checks them
    against it); R's survfit(conf.type = "log-log") agrees except where S is exactly 0.5 over a stretch of
    time, where R takes the stretch's midpoint for the median and its bounds:
    - the input is one row per estimate (e.g. area × quarter × breakdown) and distinct time t, with the number of
      events d and of censorings c at t, so pooling many units costs one row per distinct day, not per case;
    - at a tied time events come before censorings: a case censored at t is still at risk at t, so the risk set
      is n(t) = Σ (d + c) over the times ≥ t;
    - S(t) = Π (1 − d/n) over the event times ≤ t; Greenwood: Var S(t) = S(t)² · Σ d / (n (n − d)) over the
      same times. Once every case at risk had the event, S is 0 and the variance undefined (null).
    - pointwise intervals for S(t) use the log-log transform θ = ln(−ln S), whose standard error is
      √Σ / |ln S|; they stay inside (0, 1).
    - the median is the first event time with S(t) < 0.5 (statsmodels' SurvfuncRight.quantile, the strict
      inequality SAS uses). S that is mathematically 0.5 can come out a rounding error below it; values within
      1e-10 of 0.5 count as 0.5, so the result does not depend on the order of floating-point operations;
    - the median's interval is Brookmeyer–Crowley: the event times whose pointwise log-log interval contains
      0.5; lower bound = the first of them, upper bound = the event time after the last of them, null when
      the last of them is the last event time (not reached); both null when there is none. This is
      statsmodels' SurvfuncRight.quantile_ci(0.5, alpha, method="cloglog"). -#}

{#- A query (to use as a CTE body) with the curve at the distinct event times of each partition of
    `relation`: columns `partition_by`, tage, ereignisse, unter_risiko (n), ueberleben (S after t), greenwood
    (Σ d/(n(n−d)) up to t, null once S = 0) and naechste_ereigniszeit (the next event time, null after the
    last). `relation` holds one row per partition and distinct time, with the events and censorings at that
    time; only the risk sets need the censoring-only times, so they are dropped before the curve is built. -#}
{% macro kaplan_meier_curve(relation, partition_by, time='tage', events='ereignisse', censored='zensiert') -%}
    {%- set partition = partition_by | join(', ') -%}
    select
        {{ partition }},
        tage,
        ereignisse,
        unter_risiko,
        case when not ausgestorben then ueberleben else 0.0 end as ueberleben,
        case when not ausgestorben then greenwood_summe end as greenwood,
        naechste_ereigniszeit
    from (
        select
            {{ partition }},
            tage,
            ereignisse,
            unter_risiko,
            product(1.0 - cast(ereignisse as double) / unter_risiko) over bis_hier as ueberleben,
            sum(
                case
                    when unter_risiko > ereignisse
                        then cast(ereignisse as double) / (cast(unter_risiko as double) * (unter_risiko - ereignisse))
                    else 0.0
                end
            ) over bis_hier as greenwood_summe,
            bool_or(ereignisse >= unter_risiko) over bis_hier as ausgestorben,
            lead(tage) over (partition by {{ partition }} order by tage) as naechste_ereigniszeit
        from (
            select
                {{ partition }},
                {{ time }} as tage,
                {{ events }} as ereignisse,
                sum({{ events }} + {{ censored }}) over (
                    partition by {{ partition }} order by {{ time }} desc
                    rows between unbounded preceding and current row
                ) as unter_risiko
            from {{ relation }}
        ) as risikomengen
        where ereignisse > 0
        window bis_hier as (
            partition by {{ partition }} order by tage rows between unbounded preceding and current row
        )
    ) as kurve
{%- endmacro %}

{#- True when the pointwise log-log interval of S(t) at `level` contains `target` (a survival probability,
    0.5 for the median); false where the interval is undefined (S = 0 or 1). -#}
{% macro km_loglog_contains(survival, greenwood, target, level='95') -%}
    case
        when {{ survival }} > 0 and {{ survival }} < 1 and {{ greenwood }} > 0
            then abs(ln(-ln({{ survival }})) - ln(-ln(cast({{ target }} as double))))
            <= {{ z_value(level) }} * sqrt({{ greenwood }}) / (-ln({{ survival }}))
        else false
    end
{%- endmacro %}

{#- One bound of the pointwise log-log interval of S(t): S^exp(±z·√Σ/|ln S|); null where it is undefined
    (S = 0 or 1, or no variance). bound: 'lower' or 'upper'. -#}
{% macro km_loglog_bound(survival, greenwood, bound, level='95') -%}
    {%- if bound not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error("km_loglog_bound: bound must be 'lower' or 'upper'") }}
    {%- endif -%}
    case
        when {{ survival }} > 0 and {{ survival }} < 1 and {{ greenwood }} > 0
            then pow(
                {{ survival }},
                exp({{ '' if bound == 'lower' else '-' }}{{ z_value(level) }} * sqrt({{ greenwood }}) / (-ln({{ survival }})))
            )
    end
{%- endmacro %}

{#- A query (to use as a CTE body) summarising each partition of `relation` (the counts given to
    kaplan_meier_curve) with its `curve`, one row per partition: faelle (every case: the risk set at time 0),
    ereignisse, median_tage and its Brookmeyer–Crowley bounds median_ki95_unten/_oben, median_ki998_unten/_oben
    (each null where not reached; both null where no event time's interval contains 0.5). With at_days, also
    ereignisse_bis (events up to that day), the survival at that day ueberleben_bei with greenwood_bei, and its
    pointwise log-log bounds ueberleben_bei_ki95_unten/_oben, ueberleben_bei_ki998_unten/_oben. S(at_days) is
    only estimated within the follow-up: null when no case was observed that long, which also drops a curve
    that fell to 0 before because the last case still at risk had the event (a 0 resting on that one case). -#}
{% macro kaplan_meier_summary(relation, curve, partition_by, at_days=none, time='tage', events='ereignisse',
    censored='zensiert') -%}
    {%- set levels = {'95': 'ki95', '99.8': 'ki998'} -%}
    select
        {%- for column in partition_by %}
        faelle.{{ column }},
        {%- endfor %}
        faelle.faelle,
        faelle.ereignisse,
        kurve.median_tage,
        {%- for level, name in levels.items() %}
        kurve.median_{{ name }}_unten,
        kurve.median_{{ name }}_oben,
        {%- endfor %}
        {%- if at_days is not none %}
        coalesce(kurve.ereignisse_bis, 0) as ereignisse_bis,
        case when faelle.letzte_zeit >= {{ at_days }} then coalesce(kurve.ueberleben_bei, 1.0) end as ueberleben_bei,
        coalesce(kurve.greenwood_bei, 0.0) as greenwood_bei,
        {%- for level, name in levels.items() %}
        {%- set survival = 'case when faelle.letzte_zeit >= ' ~ at_days ~ ' then kurve.ueberleben_bei end' %}
        {{ km_loglog_bound(survival, 'kurve.greenwood_bei', 'lower', level) }} as ueberleben_bei_{{ name }}_unten,
        {{ km_loglog_bound(survival, 'kurve.greenwood_bei', 'upper', level) }} as ueberleben_bei_{{ name }}_oben,
        {%- endfor %}
        {%- endif %}
        faelle.letzte_zeit
    from (
        select
            {{ partition_by | join(', ') }},
            sum({{ events }} + {{ censored }}) as faelle,
            sum({{ events }}) as ereignisse,
            max({{ time }}) as letzte_zeit
        from {{ relation }}
        group by {{ partition_by | join(', ') }}
    ) as faelle
    left join (
        select
            {{ partition_by | join(', ') }},
            {%- if at_days is not none %}
            sum(ereignisse) filter (where tage <= {{ at_days }}) as ereignisse_bis,
            min(ueberleben) filter (where tage <= {{ at_days }}) as ueberleben_bei,
            max(greenwood) filter (where tage <= {{ at_days }}) as greenwood_bei,
            {%- endif %}
            {%- for level, name in levels.items() %}
            min(tage) filter (
                where {{ km_loglog_contains('ueberleben', 'greenwood', 0.5, level) }}
            ) as median_{{ name }}_unten,
            arg_max_null(naechste_ereigniszeit, tage) filter (
                where {{ km_loglog_contains('ueberleben', 'greenwood', 0.5, level) }}
            ) as median_{{ name }}_oben,
            {%- endfor %}
            min(tage) filter (where ueberleben < 0.5 - 1e-10) as median_tage
        from {{ curve }}
        group by {{ partition_by | join(', ') }}
    ) as kurve
        on
        {%- for column in partition_by %}
            {{ 'and ' if not loop.first }}faelle.{{ column }} = kurve.{{ column }}
        {%- endfor %}
{%- endmacro %}
