with

merkmale as (
    select * from {{ ref('int_strukturmerkmale_standardisiert') }}
),

final as (
    select
        ags,
        einwohner_zustaendig,
        flaeche_zustaendig_km2,
        ln_einwohner,
        ln_dichte,
        kreisfrei,
        auslaenderanteil_prozent,
        z_einwohner,
        z_dichte,
        z_kreisfrei,
        z_auslaenderanteil
    from merkmale
)

select * from final
