{#- K13 Zeit bis zur Besetzung: median days from the start of the first quarter in which a position was
    reported granted and waiting to be filled, to the day it was filled (`besetzt_seit`), over the fillings of
    the four quarters up to the quarter (a rolling year: a single quarter holds too few fillings per unit);
    in total and per Baustein. A position waits from its first report, and again after it was reported
    filled: a new `besetzt_seit` is a refilling, which waits from the first report after the last one that
    showed the previous filling (if that was the report just before, from the start of the refilling's own
    quarter). Only waits whose start the reports show count: not a wait that runs from the unit's first
    delivered package (the position may have been granted or vacant long before), nor a filling dated before
    its wait began (filled before the position was first reported). Only packages up to the quarter are used,
    so a published value does not change when packages of later quarters arrive. A full count: no interval. -#}
with

lieferungen as (
    select * from {{ ref('int_lieferungen_geladen') }}
),

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

erste_lieferungen as (
    select
        lieferungen.ags,
        min(lieferungen.quartal_beginn) as erste_lieferung_beginn
    from lieferungen
    group by lieferungen.ags
),

meldungen as (
    select
        personal.ags,
        personal.stelle_id,
        personal.quartal,
        personal.quartal_beginn,
        personal.baustein,
        case when personal.besetzt_vzae > 0 then personal.besetzt_seit end as besetzt_seit,
        personal.besetzt_vzae > 0 and personal.besetzt_seit is not null as besetzt
    from personal
    where personal.bewilligt_vzae > 0
),

meldungen_mit_wartebeginn as (
    select
        meldungen.*,
        -- Reports after the same filled report (and the next filled report itself) form one waiting run.
        coalesce(
            sum(cast(meldungen.besetzt as integer)) over (
                partition by meldungen.ags, meldungen.stelle_id
                order by meldungen.quartal_beginn
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as frueher_besetzt_gemeldet,
        row_number() over (
            partition by meldungen.ags, meldungen.stelle_id, meldungen.besetzt_seit
            order by meldungen.quartal_beginn
        ) as meldung_der_besetzung
    from meldungen
),

wartelaeufe as (
    select
        meldungen_mit_wartebeginn.*,
        min(meldungen_mit_wartebeginn.quartal_beginn) over (
            partition by
                meldungen_mit_wartebeginn.ags,
                meldungen_mit_wartebeginn.stelle_id,
                meldungen_mit_wartebeginn.frueher_besetzt_gemeldet
        ) as wartebeginn
    from meldungen_mit_wartebeginn
),

besetzungen as (
    select
        wartelaeufe.ags,
        wartelaeufe.stelle_id,
        wartelaeufe.baustein,
        wartelaeufe.quartal_beginn as erstmeldung_beginn,
        wartelaeufe.wartebeginn,
        wartelaeufe.besetzt_seit,
        cast(wartelaeufe.besetzt_seit - wartelaeufe.wartebeginn as integer) as besetzungsdauer_tage
    from wartelaeufe
    inner join erste_lieferungen on wartelaeufe.ags = erste_lieferungen.ags
    where
        wartelaeufe.besetzt
        and wartelaeufe.meldung_der_besetzung = 1
        and wartelaeufe.wartebeginn > erste_lieferungen.erste_lieferung_beginn
        and wartelaeufe.besetzt_seit >= wartelaeufe.wartebeginn
),

besetzungen_je_gebiet as (
    select
        gebietslieferungen.gebiet,
        gebietslieferungen.gebietsebene,
        gebietslieferungen.quartal,
        besetzungen.baustein,
        besetzungen.besetzungsdauer_tage
    from gebietslieferungen
    inner join besetzungen
        on
            gebietslieferungen.ags = besetzungen.ags
            and gebietslieferungen.quartal_beginn >= besetzungen.erstmeldung_beginn
            and gebietslieferungen.quartal_ende >= besetzungen.besetzt_seit
            and cast(gebietslieferungen.quartal_beginn - interval 9 month as date) <= besetzungen.besetzt_seit
),

gebiete as (
    select distinct
        gebiet,
        gebietsebene,
        quartal
    from gebietslieferungen
),

insgesamt as (
    select
        gebiete.gebiet,
        gebiete.gebietsebene,
        gebiete.quartal,
        '' as aufschluesselung,
        count(besetzungen_je_gebiet.besetzungsdauer_tage) as anzahl,
        median(besetzungen_je_gebiet.besetzungsdauer_tage) as dauer_median
    from gebiete
    left join besetzungen_je_gebiet
        on
            gebiete.gebiet = besetzungen_je_gebiet.gebiet
            and gebiete.quartal = besetzungen_je_gebiet.quartal
    group by gebiete.gebiet, gebiete.gebietsebene, gebiete.quartal
),

je_baustein as (
    select
        gebiete.gebiet,
        gebiete.gebietsebene,
        gebiete.quartal,
        concat('baustein:', bausteine.baustein) as aufschluesselung,
        count(besetzungen_je_gebiet.besetzungsdauer_tage) as anzahl,
        median(besetzungen_je_gebiet.besetzungsdauer_tage) as dauer_median
    from gebiete
    cross join bausteine
    left join besetzungen_je_gebiet
        on
            gebiete.gebiet = besetzungen_je_gebiet.gebiet
            and gebiete.quartal = besetzungen_je_gebiet.quartal
            and bausteine.baustein = besetzungen_je_gebiet.baustein
    group by gebiete.gebiet, gebiete.gebietsebene, gebiete.quartal, bausteine.baustein
),

alle_zeilen as (
    select * from insgesamt
    union all
    select * from je_baustein
),

final as (
    {{ kennzahl_zeilen(
        'K13', 'alle_zeilen', wert='cast(dauer_median as double)', zaehler='anzahl', aufschluesselung='aufschluesselung'
    ) }}
)

select * from final
