{{ config(alias='kpi_trichter') }}
{{ kpi_trichter(ref('int_kpi_werte_veroeffentlicht')) }}
