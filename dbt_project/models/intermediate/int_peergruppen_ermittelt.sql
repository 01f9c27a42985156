{#- Every unit's peer group: the 7 other units nearest to it by Euclidean distance over the standardised
    structural features (int_strukturmerkmale_standardisiert). The foreign-resident share counts only when it
    is loaded for every unit (its z-score is then non-null for all). Ties in distance are broken by the AGS, so
    the groups are reproducible from the reference data alone. Peer groups are not symmetric: B may be among
    A's peers without A being among B's. -#}
with

merkmale as (
    select * from {{ ref('int_strukturmerkmale_standardisiert') }}
),

abstaende as (
    select
        kommune.ags,
        nachbar.ags as peer_ags,
        sqrt(
            pow(kommune.z_einwohner - nachbar.z_einwohner, 2)
            + pow(kommune.z_dichte - nachbar.z_dichte, 2)
            + pow(kommune.z_kreisfrei - nachbar.z_kreisfrei, 2)
            + coalesce(pow(kommune.z_auslaenderanteil - nachbar.z_auslaenderanteil, 2), 0)
        ) as distanz
    from merkmale as kommune
    inner join merkmale as nachbar on kommune.ags != nachbar.ags
),

gerankt as (
    select
        ags,
        peer_ags,
        distanz,
        row_number() over (partition by ags order by distanz, peer_ags) as rang
    from abstaende
),

final as (
    select
        ags,
        peer_ags,
        cast(rang as integer) as rang,
        distanz
    from gerankt
    where rang <= 7
)

select * from final
