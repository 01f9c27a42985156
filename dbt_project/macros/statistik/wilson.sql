{#- One bound of the Wilson score interval for the share successes / trials, in percent (0–100).
    Wilson keeps its coverage for small samples and for shares near 0 or 100 %, where the Wald interval fails.
    Written as centre ± half-width, both divided by (1 + z²/n); null when there are no trials.
    bound: 'lower' or 'upper'. -#}
{% macro wilson_percent_bound(successes, trials, bound, level='95') -%}
    {%- if bound not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error("wilson_percent_bound: bound must be 'lower' or 'upper'") }}
    {%- endif -%}
    {%- set z = z_value(level) -%}
    {%- set n = 'cast(' ~ trials ~ ' as double)' -%}
    {%- set p = '(cast(' ~ successes ~ ' as double) / ' ~ n ~ ')' -%}
    {%- set denominator = '(1 + ' ~ z ~ ' * ' ~ z ~ ' / ' ~ n ~ ')' -%}
    {%- set centre = '(' ~ p ~ ' + ' ~ z ~ ' * ' ~ z ~ ' / (2 * ' ~ n ~ ')) / ' ~ denominator -%}
    {%- set half_width = z ~ ' * sqrt(' ~ p ~ ' * (1 - ' ~ p ~ ') / ' ~ n ~ ' + ' ~ z ~ ' * ' ~ z
        ~ ' / (4 * ' ~ n ~ ' * ' ~ n ~ ')) / ' ~ denominator -%}
    case when {{ trials }} > 0 then
        {%- if bound == 'lower' %}
        greatest(0.0, 100 * ({{ centre }} - {{ half_width }}))
        {%- else %}
        least(100.0, 100 * ({{ centre }} + {{ half_width }}))
        {%- endif %}
    end
{%- endmacro %}
