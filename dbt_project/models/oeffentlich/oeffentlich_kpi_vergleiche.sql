{{ config(alias='kpi_vergleiche') }}
{{ kpi_vergleiche(ref('int_kpi_werte_veroeffentlicht')) }}
