{#- K23 Bearbeitungsrückstand: procedures pending at the quarter end divided by the decisions of the quarter
    (positive + negative), i.e. how many quarters clearing the backlog would take at the current pace; in
    total (all procedures of the code list) and per procedure. zaehler = pending, nenner = decisions; no value
    without decisions. As for K21, only units whose package of the quarter holds Baustein-3 aggregates
    (aufenthalt.csv) count; a procedure row missing from a delivered file counts as nothing pending and no
    decisions. No interval (full count). -#}
with

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

aufenthalt as (
    select * from {{ ref('stg_aufenthalt') }}
),

codelisten as (
    select * from {{ ref('codelisten') }}
),

verfahren as (
    select codelisten.code as verfahren
    from codelisten
    where codelisten.codeliste = 'verfahren'
),

aufschluesselungen as (
    select '' as aufschluesselung
    union all
    select concat('verfahren:', verfahren.verfahren) as aufschluesselung
    from verfahren
),

meldende_lieferungen as (
    select distinct
        aufenthalt.ags,
        aufenthalt.quartal
    from aufenthalt
),

verfahren_je_lieferung as (
    select
        meldende_lieferungen.ags,
        meldende_lieferungen.quartal,
        concat('verfahren:', verfahren.verfahren) as aufschluesselung,
        coalesce(sum(aufenthalt.anhaengig_quartalsende), 0) as anhaengig,
        coalesce(sum(aufenthalt.entscheidungen_positiv + aufenthalt.entscheidungen_negativ), 0) as entscheidungen
    from meldende_lieferungen
    cross join verfahren
    left join aufenthalt
        on
            meldende_lieferungen.ags = aufenthalt.ags
            and meldende_lieferungen.quartal = aufenthalt.quartal
            and verfahren.verfahren = aufenthalt.verfahren
    group by meldende_lieferungen.ags, meldende_lieferungen.quartal, verfahren.verfahren
),

insgesamt_je_lieferung as (
    select
        verfahren_je_lieferung.ags,
        verfahren_je_lieferung.quartal,
        '' as aufschluesselung,
        sum(verfahren_je_lieferung.anhaengig) as anhaengig,
        sum(verfahren_je_lieferung.entscheidungen) as entscheidungen
    from verfahren_je_lieferung
    group by verfahren_je_lieferung.ags, verfahren_je_lieferung.quartal
),

alle_zeilen_je_lieferung as (
    select * from insgesamt_je_lieferung
    union all
    select * from verfahren_je_lieferung
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        aufschluesselungen.aufschluesselung,
        sum(alle_zeilen_je_lieferung.anhaengig) as anhaengig,
        sum(alle_zeilen_je_lieferung.entscheidungen) as entscheidungen
    from gebietslieferungen
    cross join aufschluesselungen
    left join alle_zeilen_je_lieferung
        on
            gebietslieferungen.ags = alle_zeilen_je_lieferung.ags
            and gebietslieferungen.quartal = alle_zeilen_je_lieferung.quartal
            and aufschluesselungen.aufschluesselung = alle_zeilen_je_lieferung.aufschluesselung
    group by
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        aufschluesselungen.aufschluesselung
),

final as (
    {{ kennzahl_zeilen(
        'K23', 'je_gebiet',
        wert='case when entscheidungen > 0 then 1.0 * anhaengig / entscheidungen end',
        zaehler='anhaengig', nenner='entscheidungen', aufschluesselung='aufschluesselung'
    ) }}
)

select * from final
