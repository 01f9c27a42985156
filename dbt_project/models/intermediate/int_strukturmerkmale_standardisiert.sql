{#- The structural features peer groups are built on, per unit, raw and standardised over the 54 units:
    log population served, log population density of the area served, the unit type (1 = counts with the
    kreisfreie Städte) and, when an operator has loaded it for every unit, the foreign-resident share. Logs,
    because population and density span two orders of magnitude and a difference should mean the same ratio
    everywhere; z-scores (population standard deviation), so that every feature weighs the same. -#}
with

kommunen as (
    select * from {{ ref('kommunen') }}
),

kommunentypen as (
    select * from {{ ref('kommunentypen') }}
),

auslaenderanteil as (
    select * from {{ ref('auslaenderanteil') }}
),

-- A unit's area minus the areas of units with their own KI inside it (the city of Aachen in the Städteregion).
flaeche_zustaendig as (
    select
        kommunen.ags,
        kommunen.flaeche_km2 - coalesce(sum(eingeschlossen.flaeche_km2), 0) as flaeche_km2
    from kommunen
    left join kommunen as eingeschlossen
        on
            starts_with(eingeschlossen.ags, kommunen.ags)  -- noqa: ST09
            and kommunen.ags != eingeschlossen.ags
    group by kommunen.ags, kommunen.flaeche_km2
),

auslaenderanteil_vollstaendig as (
    select count(*) = (select count(*) from kommunen) as vollstaendig
    from auslaenderanteil
),

merkmale as (
    select
        kommunen.ags,
        kommunen.einwohner_zustaendig,
        flaeche_zustaendig.flaeche_km2 as flaeche_zustaendig_km2,
        ln(kommunen.einwohner_zustaendig) as ln_einwohner,
        ln(kommunen.einwohner_zustaendig / flaeche_zustaendig.flaeche_km2) as ln_dichte,
        cast(case when kommunentypen.vergleichstyp = 'TYP_KREISFREI' then 1 else 0 end as double) as kreisfrei,
        case
            when (select auslaenderanteil_vollstaendig.vollstaendig from auslaenderanteil_vollstaendig)
                then auslaenderanteil.auslaenderanteil_prozent
        end as auslaenderanteil_prozent
    from kommunen
    inner join flaeche_zustaendig on kommunen.ags = flaeche_zustaendig.ags
    inner join kommunentypen on kommunen.typ = kommunentypen.typ
    left join auslaenderanteil on kommunen.ags = auslaenderanteil.ags
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
        -- rounded to 12 decimals, so that sums of floating-point noise cannot reorder tied peers
        round((ln_einwohner - avg(ln_einwohner) over ()) / stddev_pop(ln_einwohner) over (), 12) as z_einwohner,
        round((ln_dichte - avg(ln_dichte) over ()) / stddev_pop(ln_dichte) over (), 12) as z_dichte,
        round((kreisfrei - avg(kreisfrei) over ()) / stddev_pop(kreisfrei) over (), 12) as z_kreisfrei,
        round(
            (auslaenderanteil_prozent - avg(auslaenderanteil_prozent) over ())
            / nullif(stddev_pop(auslaenderanteil_prozent) over (), 0),
            12
        ) as z_auslaenderanteil
    from merkmale
)

select * from final
