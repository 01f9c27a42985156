{#- Fails for every non-null value that is not a code of the named list in the seed codelisten, so the seed
    stays the one place where the contract's codes are defined. -#}
{% test code_in_codelist(model, column_name, code_list) %}
    select {{ column_name }} as code, count(*) as anzahl
    from {{ model }}
    where {{ column_name }} is not null
      and cast({{ column_name }} as varchar) not in (
        select code from {{ ref('codelisten') }} where codeliste = '{{ code_list }}'
      )
    group by {{ column_name }}
{% endtest %}
