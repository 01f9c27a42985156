{#- K15 Kosten je Fall: Baustein-2 (case management) funds spent in the Haushaltsjahr up to the quarter end, as
    reported cumulatively in the quarter's package, per case active at any time in that year up to the quarter
    end. A package without a Baustein-2 row for the year (finanzen.csv is optional) gives no value and adds
    neither euros nor cases to its reference areas: a missing report is not zero spending. Euros are summed as
    decimals (exact cents). A full count: no interval. -#}
with

lieferungen as (
    select * from {{ ref('int_lieferungen_geladen') }}
),

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

finanzen as (
    select * from {{ ref('stg_finanzen') }}
),

faelle as (
    select * from {{ ref('int_faelle_aktuell') }}
),

case_management_ausgaben_je_lieferung as (
    select
        finanzen.ags,
        finanzen.quartal,
        sum(cast(finanzen.verausgabt_eur as decimal(18, 2))) as verausgabt_eur
    from finanzen
    where finanzen.haushaltsjahr = year(finanzen.quartal_beginn) and finanzen.baustein = 2
    group by finanzen.ags, finanzen.quartal
),

im_jahr_aktive_faelle_je_lieferung as (
    select
        lieferungen.ags,
        lieferungen.quartal,
        count(faelle.fall_id) as faelle_aktiv_im_jahr
    from lieferungen
    left join faelle
        on
            lieferungen.ags = faelle.ags
            and lieferungen.quartal_ende >= faelle.aufnahme_am
            and (
                faelle.abschluss_am is null
                or make_date(year(lieferungen.quartal_beginn), 1, 1) <= faelle.abschluss_am
            )
    group by lieferungen.ags, lieferungen.quartal
),

je_lieferung as (
    select
        im_jahr_aktive_faelle_je_lieferung.ags,
        im_jahr_aktive_faelle_je_lieferung.quartal,
        case_management_ausgaben_je_lieferung.verausgabt_eur,
        case
            when case_management_ausgaben_je_lieferung.verausgabt_eur is not null
                then im_jahr_aktive_faelle_je_lieferung.faelle_aktiv_im_jahr
        end as faelle_aktiv_im_jahr
    from im_jahr_aktive_faelle_je_lieferung
    left join case_management_ausgaben_je_lieferung
        on
            im_jahr_aktive_faelle_je_lieferung.ags = case_management_ausgaben_je_lieferung.ags
            and im_jahr_aktive_faelle_je_lieferung.quartal = case_management_ausgaben_je_lieferung.quartal
),

je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        sum(je_lieferung.verausgabt_eur) as verausgabt_eur,
        sum(je_lieferung.faelle_aktiv_im_jahr) as faelle_aktiv_im_jahr
    from gebietslieferungen
    inner join je_lieferung
        on
            gebietslieferungen.ags = je_lieferung.ags
            and gebietslieferungen.quartal = je_lieferung.quartal
    group by gebietslieferungen.gebiet, gebietslieferungen.gebietsebene, gebietslieferungen.quartal
),

final as (
    {{ kennzahl_zeilen(
        'K15', 'je_gebiet',
        wert='case when faelle_aktiv_im_jahr > 0 then cast(verausgabt_eur as double) / faelle_aktiv_im_jahr end',
        zaehler='verausgabt_eur', nenner='faelle_aktiv_im_jahr'
    ) }}
)

select * from final
