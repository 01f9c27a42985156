{{ kpi_trichter(ref('int_kpi_werte_geheimhaltung_geprueft')) }}
