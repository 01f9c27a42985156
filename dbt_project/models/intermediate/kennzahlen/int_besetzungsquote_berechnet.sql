{#- K12 Besetzungsquote: filled as a percentage of granted full-time equivalents in the quarter's package, in
    total and per Baustein (every Baustein of the code list gets a row; no value where nothing is granted).
    VZÄ are summed as decimals so that totals are exact and zaehler/nenner read as delivered. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

personal as (
    select * from {{ ref('stg_personal') }}
),

codelisten as (
    select * from {{ ref('codelisten') }}
),

bausteine as (
    select cast(codelisten.code as integer) as baustein
    from codelisten
    where codelisten.codeliste = 'baustein'
),

vzae_je_lieferung_und_baustein as (
    select
        personal.ags,
        personal.quartal,
        personal.baustein,
        sum(cast(personal.besetzt_vzae as decimal(18, 4))) as besetzt_vzae,
        sum(cast(personal.bewilligt_vzae as decimal(18, 4))) as bewilligt_vzae
    from personal
    group by personal.ags, personal.quartal, personal.baustein
),

je_gebiet_und_baustein as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        concat('baustein:', bausteine.baustein) as aufschluesselung,
        coalesce(sum(vzae_je_lieferung_und_baustein.besetzt_vzae), 0) as besetzt_vzae,
        coalesce(sum(vzae_je_lieferung_und_baustein.bewilligt_vzae), 0) as bewilligt_vzae
    from gebietslieferungen
    cross join bausteine
    left join vzae_je_lieferung_und_baustein
        on
            gebietslieferungen.ags = vzae_je_lieferung_und_baustein.ags
            and gebietslieferungen.quartal = vzae_je_lieferung_und_baustein.quartal
            and bausteine.baustein = vzae_je_lieferung_und_baustein.baustein
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        bausteine.baustein
),

insgesamt as (
    select
        gebiet,
        gebietsebene,
        quartal,
        '' as aufschluesselung,
        sum(besetzt_vzae) as besetzt_vzae,
        sum(bewilligt_vzae) as bewilligt_vzae
    from je_gebiet_und_baustein
    group by gebiet, gebietsebene, quartal
),

alle_zeilen as (
    select * from insgesamt
    union all
    select * from je_gebiet_und_baustein
),

final as (
    {{ kennzahl_anteil(
        'K12', 'alle_zeilen', 'besetzt_vzae', 'bewilligt_vzae', aufschluesselung='aufschluesselung', intervall=none
    ) }}
)

select * from final
