{{ kpi_trends(ref('int_kpi_werte_geheimhaltung_geprueft')) }}
