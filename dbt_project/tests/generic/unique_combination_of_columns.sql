{#- Fails for every combination of the given columns that occurs more than once; nulls count as equal values,
    as they do for natural keys with optional parts. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select {{ combination_of_columns | join(', ') }}, count(*) as anzahl
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
