with

kommunen as (
    select * from {{ ref('kommunen') }}
),

kommunentypen as (
    select * from {{ ref('kommunentypen') }}
),

gemeinden as (
    select * from {{ ref('gemeinden') }}
),

gemeinden_je_kommune as (
    {#- A Gemeinde belongs to the unit that carries its own AGS (the city of Aachen) if there is one, otherwise
        to its Kreis, so the Städteregion Aachen counts its Gemeinden without the city. -#}
    select
        coalesce(eigene_einheit.ags, kreis.ags) as ags,
        count(*) as anzahl_gemeinden
    from gemeinden
    left join kommunen as eigene_einheit on gemeinden.gemeinde_ags = eigene_einheit.ags
    left join kommunen as kreis on gemeinden.kreis_ags = kreis.ags
    group by coalesce(eigene_einheit.ags, kreis.ags)
),

final as (
    select
        kommunen.ags,
        kommunen.name,
        kommunen.typ,
        kommunentypen.bezeichnung as typ_bezeichnung,
        kommunentypen.vergleichstyp,
        kommunen.regierungsbezirk,
        kommunen.einwohner,
        kommunen.einwohner_zustaendig,
        kommunen.flaeche_km2,
        kommunen.einwohner / kommunen.flaeche_km2 as einwohnerdichte,
        cast(coalesce(gemeinden_je_kommune.anzahl_gemeinden, 0) as integer) as anzahl_gemeinden
    from kommunen
    left join kommunentypen on kommunen.typ = kommunentypen.typ
    left join gemeinden_je_kommune on kommunen.ags = gemeinden_je_kommune.ags
)

select * from final
