{#- The ministry's (unsuppressed) layer: every KPI value with the confidentiality status it has in the published
    layer (oeffentlich.kpi_werte). KPI models are unioned in int_kpi_werte_vereinigt. -#}
with

werte as (
    select * from {{ ref('int_kpi_werte_geheimhaltung_geprueft') }}
),

final as (
    select
        kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        aufschluesselung,
        wert,
        zaehler,
        nenner,
        ki95_unten,
        ki95_oben,
        ki998_unten,
        ki998_oben,
        geheimhaltung
    from werte
)

select * from final
