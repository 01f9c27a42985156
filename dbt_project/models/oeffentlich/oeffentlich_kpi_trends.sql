{{ config(alias='kpi_trends') }}
{{ kpi_trends(ref('int_kpi_werte_veroeffentlicht')) }}
