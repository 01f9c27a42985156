{{ kpi_vergleiche(ref('int_kpi_werte_geheimhaltung_geprueft')) }}
