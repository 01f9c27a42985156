{#- The shape every KPI model ends in, so that int_kpi_werte_vereinigt can union them:
    kpi_id, gebiet, gebietsebene, quartal, aufschluesselung, wert, zaehler, nenner and the bounds of the 95 % and
    99.8 % intervals (ki95_unten, ki95_oben, ki998_unten, ki998_oben), numerator, denominator and bounds double.

    A KPI model computes one row per area, quarter (and breakdown) in its CTEs and ends with
        final as ({{ kennzahl_anteil('K09', 'je_gebiet', 'kontaktabbrueche', 'abschluesse') }})
    - kennzahl_anteil: the share of zaehler in nenner in percent, with Wilson intervals (intervall=none: without);
    - kennzahl_rate: zaehler, a count, per `faktor` units of nenner (100000.0: per 100,000 inhabitants), with
      Poisson intervals for the count; nur_mit_nenner: value and bounds only where nenner > 0;
    - kennzahl_zeilen: any other value (a count, a ratio, a median); its bounds are given as SQL (grenzen: a
      dict with the four bound columns as keys) or there are none.
    quelle is the CTE the rows are selected from, with the columns gebiet, gebietsebene and quartal.
    int_kpi_werte_vereinigt unions every model of models/intermediate/kennzahlen/ (kennzahl_modelle(), written
    from that folder by `pipelines.build.write_kpi_models_macro`); the catalogue seed describes each KPI. -#}

{% macro kennzahl_zeilen(
    kpi_id, quelle, wert, zaehler, nenner=none, aufschluesselung="''", grenzen=none
) -%}
    {%- set bounds = ['ki95_unten', 'ki95_oben', 'ki998_unten', 'ki998_oben'] -%}
    {%- if grenzen is not none and (grenzen | list | sort) != (bounds | sort) -%}
        {{ exceptions.raise_compiler_error("kennzahl_zeilen: grenzen needs exactly the keys " ~ bounds) }}
    {%- endif -%}
    select
        '{{ kpi_id }}' as kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        {{ aufschluesselung }} as aufschluesselung,
        {{ wert }} as wert,
        cast({{ zaehler }} as double) as zaehler,
        cast({{ nenner if nenner is not none else 'null' }} as double) as nenner,
        {%- for bound in bounds %}
        {{ grenzen[bound] if grenzen is not none else 'cast(null as double)' }} as {{ bound }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ quelle }}
{%- endmacro %}


{% macro kennzahl_anteil(kpi_id, quelle, zaehler, nenner, aufschluesselung="''", intervall='wilson') -%}
    {%- if intervall not in ('wilson', none) -%}
        {{ exceptions.raise_compiler_error("kennzahl_anteil: intervall is 'wilson' or none") }}
    {%- endif -%}
    {%- set grenzen = none -%}
    {%- if intervall == 'wilson' -%}
        {%- set grenzen = {
            'ki95_unten': wilson_percent_bound(zaehler, nenner, 'lower'),
            'ki95_oben': wilson_percent_bound(zaehler, nenner, 'upper'),
            'ki998_unten': wilson_percent_bound(zaehler, nenner, 'lower', level='99.8'),
            'ki998_oben': wilson_percent_bound(zaehler, nenner, 'upper', level='99.8'),
        } -%}
    {%- endif -%}
    {{ kennzahl_zeilen(
        kpi_id, quelle,
        wert='case when ' ~ nenner ~ ' > 0 then 100.0 * ' ~ zaehler ~ ' / ' ~ nenner ~ ' end',
        zaehler=zaehler, nenner=nenner, aufschluesselung=aufschluesselung, grenzen=grenzen
    ) }}
{%- endmacro %}


{% macro kennzahl_rate(kpi_id, quelle, zaehler, nenner, faktor, aufschluesselung="''", nur_mit_nenner=false) -%}
    {%- set grenzen = {} -%}
    {%- for bound, richtung, level in [
        ('ki95_unten', 'lower', '95'), ('ki95_oben', 'upper', '95'),
        ('ki998_unten', 'lower', '99.8'), ('ki998_oben', 'upper', '99.8')
    ] -%}
        {%- set rate = faktor ~ ' * ' ~ poisson_count_bound(zaehler, richtung, level=level) ~ ' / ' ~ nenner -%}
        {%- do grenzen.update({bound: kennzahl_nur_mit_nenner(rate, nenner) if nur_mit_nenner else rate}) -%}
    {%- endfor -%}
    {%- set wert = faktor ~ ' * ' ~ zaehler ~ ' / ' ~ nenner -%}
    {{ kennzahl_zeilen(
        kpi_id, quelle,
        wert=kennzahl_nur_mit_nenner(wert, nenner) if nur_mit_nenner else wert,
        zaehler=zaehler, nenner=nenner, aufschluesselung=aufschluesselung, grenzen=grenzen
    ) }}
{%- endmacro %}


{% macro kennzahl_nur_mit_nenner(ausdruck, nenner) -%}
    case when {{ nenner }} > 0 then {{ ausdruck }} end
{%- endmacro %}


{#- A median of `werte` (a list per row, `anzahl` of them) with its distribution-free order-statistic intervals
    (median_order_statistic_bound). -#}
{% macro kennzahl_median(kpi_id, quelle, wert, werte, anzahl, aufschluesselung="''") -%}
    {%- set grenzen = {} -%}
    {%- for bound, richtung, level in [
        ('ki95_unten', 'lower', '95'), ('ki95_oben', 'upper', '95'),
        ('ki998_unten', 'lower', '99.8'), ('ki998_oben', 'upper', '99.8')
    ] -%}
        {%- set grenze = median_order_statistic_bound(werte, anzahl, richtung, level=level) -%}
        {%- do grenzen.update({bound: 'cast(' ~ grenze ~ ' as double)'}) -%}
    {%- endfor -%}
    {{ kennzahl_zeilen(
        kpi_id, quelle, wert='cast(' ~ wert ~ ' as double)', zaehler=anzahl, aufschluesselung=aufschluesselung,
        grenzen=grenzen
    ) }}
{%- endmacro %}
