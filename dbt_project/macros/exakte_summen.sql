{#- Summing doubles in a different order can change the last bits of the result, so a sum over rows that
    parallel threads deliver in any order is only reproducible when no addition rounds. That is guaranteed
    when every term is a whole number below 2^40 in magnitude and a group has at most 2^13 terms: every
    partial sum is then an integer below 2^53, which a double holds exactly. These two helpers state that
    condition, so a model can use a plain sum() where it holds and the much slower ordered
    sum(… order by …) only where it does not. NaN and infinity are not exact summands. -#}
{% macro is_exact_summand(column) -%}
    ({{ column }} is null or ({{ column }} = trunc({{ column }}) and abs({{ column }}) < 1099511627776))
{%- endmacro %}

{% macro max_exact_summands() -%}
    8192
{%- endmacro %}
