{#- Written by pipelines.build.write_kpi_models_macro from models/intermediate/kennzahlen/ (every model there is a
    KPI model); `kim build` and `make manifest` rewrite it before dbt parses. Not to be edited. -#}
{% macro kennzahl_modelle() %}
    {{ return([
        'int_aktive_faelle_gezaehlt',
        'int_aufenthaltsverfestigungen_berechnet',
        'int_bearbeitungsrueckstand_berechnet',
        'int_besetzungsdauer_berechnet',
        'int_besetzungsquote_berechnet',
        'int_datenqualitaet_berechnet',
        'int_einbuergerungen_berechnet',
        'int_fallbelastung_berechnet',
        'int_fallmeilensteine_berechnet',
        'int_integrationszeit_berechnet',
        'int_kontaktabbrueche_berechnet',
        'int_kosten_je_fall_berechnet',
        'int_lenkungsgruppe_berechnet',
        'int_lieferpuenktlichkeit_berechnet',
        'int_mittelabfluss_berechnet',
        'int_nahtlose_uebergaenge_berechnet',
        'int_neuaufnahmen_berechnet',
        'int_strukturthemen_gezaehlt',
        'int_themen_beschlossen_berechnet',
        'int_themendurchlaufzeit_berechnet',
        'int_uebergaben_gezaehlt',
        'int_uebergangsluecken_berechnet',
        'int_umsetzungsquote_berechnet',
        'int_umsetzungsstand_gezaehlt',
        'int_wartezeit_berechnet',
        'int_zielerreichung_berechnet',
    ]) }}
{% endmacro %}
