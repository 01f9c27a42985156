{#- The published layer of kpi_werte (KI leads, analysts): secret cells without values, reference areas from
    visible cells only (int_kpi_werte_veroeffentlicht). Same columns as marts.kpi_werte. -#}
{{ config(alias='kpi_werte') }}
with

werte as (
    select * from {{ ref('int_kpi_werte_veroeffentlicht') }}
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
