{#- One bound of the distribution-free confidence interval for a median: the order statistics with ranks
    r = floor(n/2 − z·√n/2) and s = ceil(1 + n/2 + z·√n/2), clamped to [1, n]. It needs no distributional
    assumption, which suits skewed day counts. sorted_values: an expression giving the n observations as an
    ascending list (e.g. list_sort(list(x))); null when n = 0. bound: 'lower' or 'upper'. -#}
{% macro median_order_statistic_bound(sorted_values, n, bound, level='95') -%}
    {%- if bound not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error("median_order_statistic_bound: bound must be 'lower' or 'upper'") }}
    {%- endif -%}
    {%- set z = z_value(level) -%}
    {%- if bound == 'lower' -%}
        {%- set rank = 'floor(' ~ n ~ ' / 2.0 - ' ~ z ~ ' * sqrt(' ~ n ~ ') / 2)' -%}
    {%- else -%}
        {%- set rank = 'ceil(1 + ' ~ n ~ ' / 2.0 + ' ~ z ~ ' * sqrt(' ~ n ~ ') / 2)' -%}
    {%- endif -%}
    case when {{ n }} > 0 then
        ({{ sorted_values }})[cast(greatest(1, least({{ n }}, {{ rank }})) as bigint)]
    end
{%- endmacro %}
