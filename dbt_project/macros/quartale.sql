{#- Reporting quarters are written `2025-Q3` everywhere (contract, raw tables, marts). These macros turn that
    label into dates and back, mirroring pipelines/calendar.py. -#}

{#- First day of the quarter named by a `YYYY-Qn` label. -#}
{% macro quarter_start(quarter_label) -%}
    make_date(cast(left({{ quarter_label }}, 4) as integer), 3 * cast(right({{ quarter_label }}, 1) as integer) - 2, 1)
{%- endmacro %}

{#- Last day of the quarter named by a `YYYY-Qn` label. -#}
{% macro quarter_end(quarter_label) -%}
    cast({{ quarter_start(quarter_label) }} + interval 3 month - interval 1 day as date)
{%- endmacro %}

{#- The `YYYY-Qn` label of the quarter containing a date. -#}
{% macro quarter_of(date_expression) -%}
    concat(year({{ date_expression }}), '-Q', quarter({{ date_expression }}))
{%- endmacro %}

{#- Last day a package counts as delivered on time: quarter end + the contract's 45 days
    (pipelines.calendar.DELIVERY_DEADLINE_DAYS; the project var `lieferfrist_tage` must match it). -#}
{% macro delivery_deadline(quarter_end_expression) -%}
    cast({{ quarter_end_expression }} + to_days({{ var('lieferfrist_tage') }}) as date)
{%- endmacro %}

{#- SQL literal for a `YYYY-Qn` label given as a project variable; stops the build with a German message when
    an operator passes something else. -#}
{% macro quarter_label_literal(quarter_label, variable_name) -%}
    {%- if not modules.re.match('^[0-9]{4}-Q[1-4]$', quarter_label | string) -%}
        {{ exceptions.raise_compiler_error(
            "Die Variable '" ~ variable_name ~ "' hat den Wert '" ~ quarter_label
            ~ "'; erwartet wird ein Berichtsquartal wie 2021-Q1.") }}
    {%- endif -%}
    '{{ quarter_label }}'
{%- endmacro %}

{#- The build's reference date ("today") as SQL: the given ISO date, or current_date when it is empty. Pass
    var('stichtag') from the model itself so unit tests can override it. -#}
{% macro reference_date(stichtag) -%}
    {%- if stichtag is none or (stichtag | string | trim) == '' -%}
        current_date
    {%- elif modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', stichtag | string | trim) -%}
        date '{{ stichtag | string | trim }}'
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "Die Variable 'stichtag' (bzw. KIM_STICHTAG) hat den Wert '" ~ stichtag
            ~ "'; erwartet wird ein Datum wie 2025-11-15 oder nichts für das heutige Datum.") }}
    {%- endif -%}
{%- endmacro %}
