with

katalog as (
    select * from {{ ref('kpi_katalog') }}
),

final as (
    select
        kpi_id,
        name,
        definition,
        einheit,
        polaritaet,
        bereich,
        unsicherheit,
        aufschluesselungen,
        wertart,
        methode,
        faktor,
        geheimhaltung_anzahl,
        geheimhaltung_fallzahl
    from katalog
)

select * from final
