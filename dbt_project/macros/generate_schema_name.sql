{#- Custom schemas are used as named (staging, intermediate, marts, referenz) instead of dbt's default
    "<target schema>_<custom schema>", so analysts and dashboards find stable schema names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
