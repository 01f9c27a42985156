{#- Two-sided standard normal quantile for the confidence levels the KPI catalogue uses: 95 % (the interval in
    kpi_werte) and 99.8 % (the second significance level). -#}
{% macro z_value(level='95') -%}
    {%- set quantiles = {'95': '1.959963984540054', '99.8': '3.090232306167813'} -%}
    {%- if level | string not in quantiles -%}
        {{ exceptions.raise_compiler_error("Unknown confidence level '" ~ level ~ "'; use '95' or '99.8'.") }}
    {%- endif -%}
    cast({{ quantiles[level | string] }} as double)
{%- endmacro %}
