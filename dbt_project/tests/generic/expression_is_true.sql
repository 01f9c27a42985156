{#- Fails for every row where the boolean SQL expression is false or null. The expression is complete on its
    own (it names its columns), so the test reads the same on a model or on one of its columns. -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
