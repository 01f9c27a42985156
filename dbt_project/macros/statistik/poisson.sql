{#- One confidence bound for the expected value of a Poisson count: exact (chi-square based, seed
    poisson_exakt) below 10, Byar's approximation from 10 on (at 10 within 0.2 % of the exact limits at 95 % and
    within 1.5 % at 99.8 %, less for larger counts).
    Multiply by the same factor as the count to get a bound for a rate. bound: 'lower' or 'upper'. -#}
{% macro poisson_count_bound(count, bound, level='95') -%}
    {%- if bound not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error("poisson_count_bound: bound must be 'lower' or 'upper'") }}
    {%- endif -%}
    {%- set exact_column = 'ki' ~ (level | string).replace('.', '') ~ ('_unten' if bound == 'lower' else '_oben') -%}
    {%- set z = z_value(level) -%}
    {%- set k = 'cast(' ~ count ~ ' as double)' -%}
    case
        when {{ count }} is null or {{ count }} < 0 then null
        when {{ count }} < 10 then (
            select exakt.{{ exact_column }} from {{ ref('poisson_exakt') }} as exakt
            where exakt.anzahl = {{ count }}
        )
        {%- if bound == 'lower' %}
        else {{ k }} * pow(1 - 1 / (9.0 * {{ k }}) - {{ z }} / (3 * sqrt({{ k }})), 3)
        {%- else %}
        else ({{ k }} + 1) * pow(1 - 1 / (9.0 * ({{ k }} + 1)) + {{ z }} / (3 * sqrt({{ k }} + 1)), 3)
        {%- endif %}
    end
{%- endmacro %}
