{#- K20 Lenkungsgruppe: the state of the steering group by the quarter end, from the delivered meetings
    (lenkungsgruppe.csv), the themes it decided and the delivered files.
    - total: coverage = % of the institution types of the code list (8) represented at management level in at
      least one meeting of the last 4 quarters (the quarter and the 3 before it); zaehler = types present,
      nenner = types (8 per unit).
    - kennzahl:konstituiert: % of the units whose group is constituted by the quarter end (a unit: 100 or 0).
    - kennzahl:sitzungen: meetings in the last 4 quarters (areas: mean per unit); zaehler = meetings,
      nenner = units.
    - institution:<code>: % of the units where the type was present in the last 4 quarters (a unit: 100 or 0).
    Meetings are those of the loaded packages: a quarter of the window without a loaded package (missing,
    rejected, not yet due, or before the first reporting quarter) contributes no meetings, so these values are
    then lower bounds. The group counts as constituted from the earliest evidence: a delivered meeting, a
    theme it decided (lenkungsgruppe_am) or a package that delivers lenkungsgruppe.csv (the contract lets a
    unit leave the file out only until the group is constituted; it then comes even without meetings).
    Full count, no interval. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

sitzungen as (
    select * from {{ ref('stg_lenkungsgruppe') }}
),

strukturthemen as (
    select * from {{ ref('int_strukturthemen_aktuell') }}
),

lieferungen_dateien as (
    select * from {{ ref('stg_lieferungen_dateien') }}
),

codelisten as (
    select * from {{ ref('codelisten') }}
),

lieferungen as (
    select distinct
        gebietslieferungen.ags,
        gebietslieferungen.quartal,
        gebietslieferungen.quartal_beginn,
        gebietslieferungen.quartal_ende,
        gebietslieferungen.paket_id
    from gebietslieferungen
),

institutionen as (
    select codelisten.code as institution
    from codelisten
    where codelisten.codeliste = 'institution'
),

belege_der_konstituierung as (
    select
        sitzungen.ags,
        sitzungen.sitzung_am as belegt_am
    from sitzungen
    union all
    select
        strukturthemen.ags,
        strukturthemen.lenkungsgruppe_am as belegt_am
    from strukturthemen
    where strukturthemen.lenkungsgruppe_am is not null
    union all
    select
        lieferungen.ags,
        lieferungen.quartal_ende as belegt_am
    from lieferungen
    inner join lieferungen_dateien on lieferungen.paket_id = lieferungen_dateien.paket_id
    where lieferungen_dateien.datei = 'lenkungsgruppe.csv'
),

konstituierung_je_kommune as (
    select
        belege_der_konstituierung.ags,
        min(belege_der_konstituierung.belegt_am) as konstituiert_spaetestens_am
    from belege_der_konstituierung
    group by belege_der_konstituierung.ags
),

sitzungen_der_letzten_4_quartale as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        sitzungen.sitzung_am,
        sitzungen.institutionen
    from lieferungen
    inner join sitzungen
        on
            lieferungen.ags = sitzungen.ags
            and cast(lieferungen.quartal_beginn - interval 9 month as date) <= sitzungen.sitzung_am
            and lieferungen.quartal_ende >= sitzungen.sitzung_am
),

vertretene_institutionen as (
    select distinct
        sitzungen_der_letzten_4_quartale.ags,
        sitzungen_der_letzten_4_quartale.quartal,
        unnest(sitzungen_der_letzten_4_quartale.institutionen) as institution
    from sitzungen_der_letzten_4_quartale
),

institutionen_je_lieferung as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        institutionen.institution,
        vertretene_institutionen.institution is not null as vertreten
    from lieferungen
    cross join institutionen
    left join vertretene_institutionen
        on
            lieferungen.ags = vertretene_institutionen.ags
            and lieferungen.quartal = vertretene_institutionen.quartal
            and institutionen.institution = vertretene_institutionen.institution
),

abdeckung_je_lieferung as (
    select
        institutionen_je_lieferung.ags,
        institutionen_je_lieferung.quartal,
        '' as aufschluesselung,
        count(*) filter (where institutionen_je_lieferung.vertreten) as zaehler,
        count(*) as nenner
    from institutionen_je_lieferung
    group by institutionen_je_lieferung.ags, institutionen_je_lieferung.quartal
),

vertretung_je_lieferung as (
    select
        institutionen_je_lieferung.ags,
        institutionen_je_lieferung.quartal,
        concat('institution:', institutionen_je_lieferung.institution) as aufschluesselung,
        cast(institutionen_je_lieferung.vertreten as integer) as zaehler,
        1 as nenner
    from institutionen_je_lieferung
),

konstituiert_je_lieferung as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        'kennzahl:konstituiert' as aufschluesselung,
        cast(
            coalesce(konstituierung_je_kommune.konstituiert_spaetestens_am <= lieferungen.quartal_ende, false)
            as integer
        ) as zaehler,
        1 as nenner
    from lieferungen
    left join konstituierung_je_kommune on lieferungen.ags = konstituierung_je_kommune.ags
),

sitzungen_je_lieferung as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        'kennzahl:sitzungen' as aufschluesselung,
        count(sitzungen_der_letzten_4_quartale.sitzung_am) as zaehler,
        1 as nenner
    from lieferungen
    left join sitzungen_der_letzten_4_quartale
        on
            lieferungen.ags = sitzungen_der_letzten_4_quartale.ags
            and lieferungen.quartal = sitzungen_der_letzten_4_quartale.quartal
    group by lieferungen.ags, lieferungen.quartal
),

alle_zeilen_je_lieferung as (
    select * from abdeckung_je_lieferung
    union all
    select * from konstituiert_je_lieferung
    union all
    select * from sitzungen_je_lieferung
    union all
    select * from vertretung_je_lieferung
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        alle_zeilen_je_lieferung.aufschluesselung,
        sum(alle_zeilen_je_lieferung.zaehler) as zaehler,
        sum(alle_zeilen_je_lieferung.nenner) as nenner
    from gebietslieferungen
    inner join alle_zeilen_je_lieferung
        on
            gebietslieferungen.ags = alle_zeilen_je_lieferung.ags
            and gebietslieferungen.quartal = alle_zeilen_je_lieferung.quartal
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        alle_zeilen_je_lieferung.aufschluesselung
),

-- meetings are a count per unit (areas: the mean per unit); everything else is a share in percent, for a unit
-- too (100 or 0), so that a unit compares with its areas on the same scale
mit_wert as (
    select
        *,
        case
            when aufschluesselung = 'kennzahl:sitzungen' then 1.0 * zaehler / nenner
            else 100.0 * zaehler / nenner
        end as wert
    from je_gebiet
),

final as (
    {{ kennzahl_zeilen(
        'K20', 'mit_wert', wert='wert', zaehler='zaehler', nenner='nenner', aufschluesselung='aufschluesselung'
    ) }}
)

select * from final
