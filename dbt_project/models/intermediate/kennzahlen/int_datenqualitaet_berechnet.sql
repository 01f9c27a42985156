{#- K26 Datenqualität of the loaded package of every delivered unit × quarter, pooled for reference areas:
    - '' (the total) and `datei:<file>`: share of the delivered rows that went into quarantine;
    - `kennzahl:ausfuellgrad` and `feld:<file>.<column>`: share of the optional fields that are filled, in
      the loaded rows. Optional fields are the contract's fields that may be empty without depending on
      another field (conditional ones such as abschluss_am or stelle are complete by rule): gemeinde_ags and
      einreise_monat of every case, the benefit dates of every Rechtskreiswechsel, and the median processing
      time of every Baustein-3 procedure with decisions in the quarter.
    Rows are counted as delivered, before events are deduplicated across packages. -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

dateien as (
    select * from {{ ref('stg_lieferungen_dateien') }}
),

faelle as (
    select * from {{ ref('stg_faelle') }}
),

ereignisse as (
    select * from {{ ref('stg_ereignisse') }}
),

aufenthalt as (
    select * from {{ ref('stg_aufenthalt') }}
),

quarantaene_insgesamt as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        '' as aufschluesselung,
        coalesce(sum(dateien.zeilen_quarantaene), 0) as zaehler,
        coalesce(sum(dateien.zeilen_geliefert), 0) as nenner
    from gebietslieferungen
    left join dateien on gebietslieferungen.paket_id = dateien.paket_id
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

quarantaene_je_datei as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        concat('datei:', dateien.datei) as aufschluesselung,
        sum(dateien.zeilen_quarantaene) as zaehler,
        sum(dateien.zeilen_geliefert) as nenner
    from gebietslieferungen
    inner join dateien on gebietslieferungen.paket_id = dateien.paket_id
    group by
        gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal, dateien.datei
),

felder_der_faelle as (
    select
        ags,
        quartal,
        unnest(['faelle.gemeinde_ags', 'faelle.einreise_monat']) as feld,
        unnest([count(gemeinde_ags), count(einreise_monat)]) as ausgefuellt,
        count(*) as anwendbar
    from faelle
    group by ags, quartal
),

felder_der_rechtskreiswechsel as (
    select
        ags,
        quartal,
        unnest(['ereignisse.leistung_ende_am', 'ereignisse.leistung_beginn_am']) as feld,
        unnest([count(leistung_ende_am), count(leistung_beginn_am)]) as ausgefuellt,
        count(*) as anwendbar
    from ereignisse
    where ereignis = 'RECHTSKREISWECHSEL'
    group by ags, quartal
),

felder_der_verfahren as (
    select
        ags,
        quartal,
        'aufenthalt.bearbeitungsdauer_median_tage' as feld,
        count(bearbeitungsdauer_median_tage) as ausgefuellt,
        count(*) as anwendbar
    from aufenthalt
    where entscheidungen_positiv + entscheidungen_negativ > 0
    group by ags, quartal
),

optionale_felder_je_lieferung as (
    select * from felder_der_faelle
    union all by name
    select * from felder_der_rechtskreiswechsel
    union all by name
    select * from felder_der_verfahren
),

ausfuellgrad_insgesamt as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        'kennzahl:ausfuellgrad' as aufschluesselung,
        coalesce(sum(optionale_felder_je_lieferung.ausgefuellt), 0) as zaehler,
        coalesce(sum(optionale_felder_je_lieferung.anwendbar), 0) as nenner
    from gebietslieferungen
    left join optionale_felder_je_lieferung
        on
            gebietslieferungen.ags = optionale_felder_je_lieferung.ags
            and gebietslieferungen.quartal = optionale_felder_je_lieferung.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

ausfuellgrad_je_feld as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        concat('feld:', optionale_felder_je_lieferung.feld) as aufschluesselung,
        sum(optionale_felder_je_lieferung.ausgefuellt) as zaehler,
        sum(optionale_felder_je_lieferung.anwendbar) as nenner
    from gebietslieferungen
    inner join optionale_felder_je_lieferung
        on
            gebietslieferungen.ags = optionale_felder_je_lieferung.ags
            and gebietslieferungen.quartal = optionale_felder_je_lieferung.quartal
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        optionale_felder_je_lieferung.feld
),

alle_zeilen as (
    select * from quarantaene_insgesamt
    union all
    select * from quarantaene_je_datei
    union all
    select * from ausfuellgrad_insgesamt
    union all
    select * from ausfuellgrad_je_feld
),

final as (
    {{ kennzahl_anteil(
        'K26', 'alle_zeilen', 'zaehler', 'nenner', aufschluesselung='aufschluesselung', intervall=none
    ) }}
)

select * from final
