{#- For a list column (a `|`-separated code list split in staging): fails for every element that is not a code
    of the named list in the seed codelisten. -#}
{% test codes_in_codelist(model, column_name, code_list) %}
    with elements as (
        select unnest({{ column_name }}) as code
        from {{ model }}
    )

    select code, count(*) as anzahl
    from elements
    where code not in (select code from {{ ref('codelisten') }} where codeliste = '{{ code_list }}')
    group by code
{% endtest %}
