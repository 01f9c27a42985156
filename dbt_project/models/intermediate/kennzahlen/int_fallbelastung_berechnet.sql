{#- K03 Fallbelastung: active cases (K02) per filled case-management full-time equivalent of Baustein 2 in the
    quarter's package; no value where no such position is filled. VZÄ are summed as decimals so that totals
    are exact (0.1 + 0.2 = 0.3) and zaehler/nenner read as delivered. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

aktive_faelle as (
    select * from {{ ref('int_aktive_faelle_gezaehlt') }}
),

personal as (
    select * from {{ ref('stg_personal') }}
),

case_management_vzae_je_lieferung as (
    select
        personal.ags,
        personal.quartal,
        sum(cast(personal.besetzt_vzae as decimal(18, 4))) as besetzt_vzae
    from personal
    where personal.baustein = 2 and personal.funktion = 'CASE_MANAGEMENT'
    group by personal.ags, personal.quartal
),

case_management_vzae_je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.quartal,
        coalesce(sum(case_management_vzae_je_lieferung.besetzt_vzae), 0) as besetzt_vzae
    from gebietslieferungen
    left join case_management_vzae_je_lieferung
        on
            gebietslieferungen.ags = case_management_vzae_je_lieferung.ags
            and gebietslieferungen.quartal = case_management_vzae_je_lieferung.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.quartal
),

je_gebiet as (
    select
        aktive_faelle.gebiet,
        aktive_faelle.gebietsebene,
        aktive_faelle.quartal,
        aktive_faelle.zaehler as faelle,
        case_management_vzae_je_gebiet.besetzt_vzae
    from aktive_faelle
    inner join case_management_vzae_je_gebiet
        on
            aktive_faelle.gebiet = case_management_vzae_je_gebiet.gebiet
            and aktive_faelle.quartal = case_management_vzae_je_gebiet.quartal
    where aktive_faelle.aufschluesselung = ''
),

final as (
    {{ kennzahl_zeilen(
        'K03', 'je_gebiet',
        wert='case when besetzt_vzae > 0 then faelle / besetzt_vzae end', zaehler='faelle', nenner='besetzt_vzae'
    ) }}
)

select * from final
