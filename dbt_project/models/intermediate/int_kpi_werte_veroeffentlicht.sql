{#- The published (confidential) layer of kpi_werte, for KI leads and analysts. A unit cell marked secret in
    int_kpi_werte_geheimhaltung_geprueft loses its value, counts and interval. A reference area of a KPI whose
    cells are added up (shares, rates, counts, ratios) is recomputed from the visible cells of its member units
    only, so that an area minus its visible members is 0 and never a hidden unit; its status says
    `bereinigt` when a member cell was left out. Medians are not sums: an area keeps its median and interval
    (they do not reveal a member), but loses its counts when a member is hidden. Areas whose own basis is too
    small stay hidden like unit cells. Kaplan–Meier rows of persons never publish their counts: the cases in a moving
    8-quarter window differ from one quarter to the next by new cases, which would reveal a hidden K01. Cells
    of KPIs without persons behind them pass unchanged. -#}
with

werte as (
    select * from {{ ref('int_kpi_werte_geheimhaltung_geprueft') }}
),

gebietslieferungen as (
    select * from {{ ref('int_lieferungen_gebieten_zugeordnet') }}
),

kommunenwerte as (
    select * from werte
    where gebietsebene = 'kommune'
),

-- Member cells of every reference-area cell (the same kpi, quarter and breakdown of its delivering units).
mitgliedszellen as (
    select
        gebietslieferungen.gebiet,
        kommunenwerte.gebiet as ags,
        kommunenwerte.kpi_id,
        kommunenwerte.quartal,
        kommunenwerte.aufschluesselung,
        kommunenwerte.geheimhaltung != 'offen' as geheim,
        kommunenwerte.wertart,
        -- whether this cell's summed values are whole numbers a plain sum adds exactly (see below)
        (kommunenwerte.wertart != 'anzahl' or {{ is_exact_summand('kommunenwerte.wert') }})
        and {{ is_exact_summand('kommunenwerte.zaehler') }}
        and {{ is_exact_summand('kommunenwerte.nenner') }} as exakt_summierbar,
        kommunenwerte.wert,
        kommunenwerte.zaehler,
        kommunenwerte.nenner
    from kommunenwerte
    inner join gebietslieferungen
        on
            kommunenwerte.gebiet = gebietslieferungen.ags
            and kommunenwerte.quartal = gebietslieferungen.quartal
            and gebietslieferungen.gebietsebene != 'kommune'
),

-- Visible sums of every reference-area cell. Floating-point sums (VZÄ, euros) must not depend on the order in
-- which parallel threads deliver rows, so they are added in ags order; but an ordered aggregate costs several
-- times a plain one, and most cells are counts whose sum is exact in any order. Every group is therefore summed
-- plainly first, and only the groups whose plain sum might depend on the order are summed again in ags order.
-- The member value is only read for counts (wertart `anzahl`): a member cell has the same kpi_id and breakdown,
-- hence the same wertart, as its area cell, and summing the other values would only send more groups down the
-- ordered path for a sum nobody reads.
summen_in_beliebiger_reihenfolge as (
    select
        gebiet,
        kpi_id,
        quartal,
        aufschluesselung,
        bool_or(geheim) as mitglied_geheim,
        sum(wert) filter (where not geheim and wertart = 'anzahl') as wert,
        sum(zaehler) filter (where not geheim) as zaehler,
        sum(nenner) filter (where not geheim) as nenner,
        bool_and(exakt_summierbar) and count(*) <= {{ max_exact_summands() }} as reihenfolge_egal
    from mitgliedszellen
    group by gebiet, kpi_id, quartal, aufschluesselung
),

summen_in_ags_reihenfolge as (
    select
        mitgliedszellen.gebiet,
        mitgliedszellen.kpi_id,
        mitgliedszellen.quartal,
        mitgliedszellen.aufschluesselung,
        sum(mitgliedszellen.wert order by mitgliedszellen.ags) filter (
            where not mitgliedszellen.geheim and mitgliedszellen.wertart = 'anzahl'
        ) as wert,
        sum(mitgliedszellen.zaehler order by mitgliedszellen.ags) filter (
            where not mitgliedszellen.geheim
        ) as zaehler,
        sum(mitgliedszellen.nenner order by mitgliedszellen.ags) filter (
            where not mitgliedszellen.geheim
        ) as nenner
    from mitgliedszellen
    inner join summen_in_beliebiger_reihenfolge
        on
            mitgliedszellen.gebiet = summen_in_beliebiger_reihenfolge.gebiet
            and mitgliedszellen.kpi_id = summen_in_beliebiger_reihenfolge.kpi_id
            and mitgliedszellen.quartal = summen_in_beliebiger_reihenfolge.quartal
            and mitgliedszellen.aufschluesselung = summen_in_beliebiger_reihenfolge.aufschluesselung
            and not summen_in_beliebiger_reihenfolge.reihenfolge_egal
    group by
        mitgliedszellen.gebiet,
        mitgliedszellen.kpi_id,
        mitgliedszellen.quartal,
        mitgliedszellen.aufschluesselung
),

sichtbare_summen as (
    select
        summen_in_beliebiger_reihenfolge.gebiet,
        summen_in_beliebiger_reihenfolge.kpi_id,
        summen_in_beliebiger_reihenfolge.quartal,
        summen_in_beliebiger_reihenfolge.aufschluesselung,
        summen_in_beliebiger_reihenfolge.mitglied_geheim,
        case
            when summen_in_beliebiger_reihenfolge.reihenfolge_egal then summen_in_beliebiger_reihenfolge.wert
            else summen_in_ags_reihenfolge.wert
        end as wert,
        case
            when summen_in_beliebiger_reihenfolge.reihenfolge_egal then summen_in_beliebiger_reihenfolge.zaehler
            else summen_in_ags_reihenfolge.zaehler
        end as zaehler,
        case
            when summen_in_beliebiger_reihenfolge.reihenfolge_egal then summen_in_beliebiger_reihenfolge.nenner
            else summen_in_ags_reihenfolge.nenner
        end as nenner
    from summen_in_beliebiger_reihenfolge
    left join summen_in_ags_reihenfolge
        on
            summen_in_beliebiger_reihenfolge.gebiet = summen_in_ags_reihenfolge.gebiet
            and summen_in_beliebiger_reihenfolge.kpi_id = summen_in_ags_reihenfolge.kpi_id
            and summen_in_beliebiger_reihenfolge.quartal = summen_in_ags_reihenfolge.quartal
            and summen_in_beliebiger_reihenfolge.aufschluesselung = summen_in_ags_reihenfolge.aufschluesselung
),

gebietswerte as (
    select
        werte.*,
        coalesce(sichtbare_summen.mitglied_geheim, false) as mitglied_geheim,
        sichtbare_summen.wert as sichtbar_wert,
        coalesce(sichtbare_summen.zaehler, 0) as sichtbar_zaehler,
        coalesce(sichtbare_summen.nenner, 0) as sichtbar_nenner,
        -- a Kaplan–Meier share (K05 within 365 days) is an estimate over a curve, not a sum of counts
        werte.summenzahl is not null
        and werte.wertart in ('anteil', 'rate', 'anzahl', 'verhaeltnis')
        and werte.methode != 'kaplan_meier' as wird_summiert
    from werte
    left join sichtbare_summen
        on
            werte.gebiet = sichtbare_summen.gebiet
            and werte.kpi_id = sichtbare_summen.kpi_id
            and werte.quartal = sichtbare_summen.quartal
            and werte.aufschluesselung = sichtbare_summen.aufschluesselung
    where werte.gebietsebene != 'kommune'
),

neu_summierte_gebiete as (
    select
        kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        aufschluesselung,
        case
            when wertart = 'anzahl' then coalesce(sichtbar_wert, 0)
            when sichtbar_nenner > 0 then faktor * sichtbar_zaehler / sichtbar_nenner
        end as wert,
        case when zaehler is not null then sichtbar_zaehler end as zaehler,
        case when nenner is not null then sichtbar_nenner end as nenner,
        case
            when methode = 'wilson'
                then {{ wilson_percent_bound('sichtbar_zaehler', 'sichtbar_nenner', 'lower') }}
            when methode = 'poisson' and sichtbar_nenner > 0
                then faktor * {{ poisson_count_bound('sichtbar_zaehler', 'lower') }} / sichtbar_nenner
        end as ki95_unten,
        case
            when methode = 'wilson'
                then {{ wilson_percent_bound('sichtbar_zaehler', 'sichtbar_nenner', 'upper') }}
            when methode = 'poisson' and sichtbar_nenner > 0
                then faktor * {{ poisson_count_bound('sichtbar_zaehler', 'upper') }} / sichtbar_nenner
        end as ki95_oben,
        case
            when methode = 'wilson'
                then {{ wilson_percent_bound('sichtbar_zaehler', 'sichtbar_nenner', 'lower', level='99.8') }}
            when methode = 'poisson' and sichtbar_nenner > 0
                then faktor * {{ poisson_count_bound('sichtbar_zaehler', 'lower', level='99.8') }} / sichtbar_nenner
        end as ki998_unten,
        case
            when methode = 'wilson'
                then {{ wilson_percent_bound('sichtbar_zaehler', 'sichtbar_nenner', 'upper', level='99.8') }}
            when methode = 'poisson' and sichtbar_nenner > 0
                then faktor * {{ poisson_count_bound('sichtbar_zaehler', 'upper', level='99.8') }} / sichtbar_nenner
        end as ki998_oben,
        case when mitglied_geheim then 'bereinigt' else 'offen' end as geheimhaltung,
        polaritaet,
        wertart,
        methode,
        faktor,
        vergleichbar
    from gebietswerte
    where wird_summiert
),

uebrige_gebiete as (
    select
        kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        aufschluesselung,
        case when geheimhaltung = 'offen' then wert end as wert,
        case
            when
                geheimhaltung = 'offen' and not mitglied_geheim and (methode != 'kaplan_meier' or summenzahl is null)
                then zaehler
        end
            as zaehler,
        case
            when
                geheimhaltung = 'offen' and not mitglied_geheim and (methode != 'kaplan_meier' or summenzahl is null)
                then nenner
        end
            as nenner,
        case when geheimhaltung = 'offen' then ki95_unten end as ki95_unten,
        case when geheimhaltung = 'offen' then ki95_oben end as ki95_oben,
        case when geheimhaltung = 'offen' then ki998_unten end as ki998_unten,
        case when geheimhaltung = 'offen' then ki998_oben end as ki998_oben,
        case when geheimhaltung = 'offen' and mitglied_geheim then 'bereinigt' else geheimhaltung end
            as geheimhaltung,
        polaritaet,
        wertart,
        methode,
        faktor,
        vergleichbar
    from gebietswerte
    where not wird_summiert
),

kommunen as (
    select
        kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        aufschluesselung,
        case when geheimhaltung = 'offen' then wert end as wert,
        case when geheimhaltung = 'offen' and (methode != 'kaplan_meier' or summenzahl is null) then zaehler end
            as zaehler,
        case when geheimhaltung = 'offen' and (methode != 'kaplan_meier' or summenzahl is null) then nenner end
            as nenner,
        case when geheimhaltung = 'offen' then ki95_unten end as ki95_unten,
        case when geheimhaltung = 'offen' then ki95_oben end as ki95_oben,
        case when geheimhaltung = 'offen' then ki998_unten end as ki998_unten,
        case when geheimhaltung = 'offen' then ki998_oben end as ki998_oben,
        geheimhaltung,
        polaritaet,
        wertart,
        methode,
        faktor,
        vergleichbar
    from kommunenwerte
),

final as (
    select * from kommunen
    union all
    select * from neu_summierte_gebiete
    union all
    select * from uebrige_gebiete
)

select * from final
