{#- The rows of a raw contract table that belong to the package currently loaded for their partition. A raw
    table only ever holds the winning package's rows (the loader replaces partitions), so this filter guards
    against a half-written partition rather than selecting among versions; staging models use it so no model
    downstream can see rows of a replaced or rejected package. -#}
{% macro rows_of_loaded_packages(table) -%}
    select delivered.*
    from {{ source('raw', table) }} as delivered
    where delivered.paket_id in (
        select lieferungen.paket_id
        from {{ source('raw', 'lieferungen') }} as lieferungen
        where lieferungen.geladen
    )
{%- endmacro %}
