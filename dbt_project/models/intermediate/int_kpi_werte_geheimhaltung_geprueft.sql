{#- Which KPI cells the published layer must keep secret, and why (statistical confidentiality, KPIS.md):
    primary: a count of persons or cases of 1 to 4 (the catalogue's geheimhaltung_anzahl columns), or a share or
    median over fewer than 10 cases (geheimhaltung_fallzahl column);
    secondary (a): within one unit, quarter and KPI the total equals the sum of the cells of a breakdown, so a
    single hidden cell could be recovered as total minus the visible cells. Where a group holds exactly one
    primary cell, or several whose sum would pin them (all at the lowest or all at the highest possible
    value), the smallest visible cell that is large enough to blur the sum is hidden as well: at least 3 above
    the range of a primary cell, so that even an attacker who knows it is no primary cell (at least 1 above that
    range) is left with at least two values for the primary one; if there is none, the total. Secondary (b): the values that would
    reveal a hidden count of new cases through stocks and flows (see bestandsfluss_zellen). Reference areas are not protected here: in the
    published layer they are recomputed from the visible unit cells only (int_kpi_werte_veroeffentlicht), so
    that no area total minus its visible members reveals a unit. All values stay in this model; the ministry
    sees them with their status. -#}
with

werte as (
    select * from {{ ref('int_kpi_werte_vereinigt') }}
),

primaer_geprueft as (
    select
        *,
        coalesce(
            (
                geheimhaltung_anzahl = 'wert' and wert between 1 and 4
            )
            or (geheimhaltung_anzahl in ('zaehler', 'zaehler|nenner') and zaehler between 1 and 4)
            or (geheimhaltung_anzahl = 'zaehler|nenner' and nenner between 1 and 4),
            false
        ) as unter_5,
        coalesce(
            (geheimhaltung_fallzahl = 'zaehler' and zaehler between 1 and 9)
            or (geheimhaltung_fallzahl = 'nenner' and nenner between 1 and 9),
            false
        ) as unter_10,
        -- The additive count a breakdown sums up, and the range a primary cell of this KPI can lie in.
        case
            when geheimhaltung_anzahl = 'wert' then wert
            when geheimhaltung_anzahl in ('zaehler', 'zaehler|nenner') then zaehler
            when geheimhaltung_fallzahl = 'zaehler' then zaehler
            when geheimhaltung_fallzahl = 'nenner' then nenner
        end as summenzahl,
        case when geheimhaltung_fallzahl is not null then 9 else 4 end as primaer_hoechstens
    from werte
),

-- Groups of a total and the cells of one breakdown dimension, for unit rows of additive confidential KPIs.
-- `kennzahl:` rows are measures of their own (kpi_varianten), not parts of the total.
gruppenzeilen as (
    select
        kpi_id,
        gebiet,
        quartal,
        aufschluesselung,
        split_part(aufschluesselung, ':', 1) as merkmal,
        summenzahl,
        unter_5 or unter_10 as primaer,
        primaer_hoechstens
    from primaer_geprueft
    where
        gebietsebene = 'kommune'
        and summenzahl is not null
        and aufschluesselung != ''
        and not starts_with(aufschluesselung, 'kennzahl:')
),

gesamtzeilen as (
    select
        kpi_id,
        gebiet,
        quartal,
        unter_5 or unter_10 as primaer
    from primaer_geprueft
    where gebietsebene = 'kommune' and aufschluesselung = ''
),

gruppen as (
    select
        gruppenzeilen.kpi_id,
        gruppenzeilen.gebiet,
        gruppenzeilen.quartal,
        gruppenzeilen.merkmal,
        any_value(gruppenzeilen.primaer_hoechstens) as primaer_hoechstens,
        count(*) filter (where gruppenzeilen.primaer) as anzahl_primaer,
        coalesce(sum(gruppenzeilen.summenzahl) filter (where gruppenzeilen.primaer), 0) as summe_primaer,
        coalesce(any_value(gesamtzeilen.primaer), false) as gesamt_primaer
    from gruppenzeilen
    left join gesamtzeilen
        on
            gruppenzeilen.kpi_id = gesamtzeilen.kpi_id
            and gruppenzeilen.gebiet = gesamtzeilen.gebiet
            and gruppenzeilen.quartal = gesamtzeilen.quartal
    group by gruppenzeilen.kpi_id, gruppenzeilen.gebiet, gruppenzeilen.quartal, gruppenzeilen.merkmal
),

gefaehrdete_gruppen as (
    select *
    from gruppen
    where
        not gesamt_primaer
        and (
            anzahl_primaer = 1
            or (anzahl_primaer > 1 and summe_primaer in (anzahl_primaer, anzahl_primaer * primaer_hoechstens))
        )
),

-- The smallest visible cell of each endangered group that blurs the sum; ties broken by the breakdown value.
ergaenzende_zellen as (
    select
        gruppenzeilen.kpi_id,
        gruppenzeilen.gebiet,
        gruppenzeilen.quartal,
        gruppenzeilen.aufschluesselung
    from gruppenzeilen
    inner join gefaehrdete_gruppen
        on
            gruppenzeilen.kpi_id = gefaehrdete_gruppen.kpi_id
            and gruppenzeilen.gebiet = gefaehrdete_gruppen.gebiet
            and gruppenzeilen.quartal = gefaehrdete_gruppen.quartal
            and gruppenzeilen.merkmal = gefaehrdete_gruppen.merkmal
    where
        not gruppenzeilen.primaer
        and gruppenzeilen.summenzahl >= gefaehrdete_gruppen.primaer_hoechstens + 3
    qualify row_number() over (
        partition by gruppenzeilen.kpi_id, gruppenzeilen.gebiet, gruppenzeilen.quartal, gruppenzeilen.merkmal
        order by gruppenzeilen.summenzahl, gruppenzeilen.aufschluesselung
    ) = 1
),

-- Groups without such a cell hide their total instead: then no equation is left to solve.
ergaenzende_gesamtzeilen as (
    select distinct
        gefaehrdete_gruppen.kpi_id,
        gefaehrdete_gruppen.gebiet,
        gefaehrdete_gruppen.quartal,
        '' as aufschluesselung
    from gefaehrdete_gruppen
    anti join ergaenzende_zellen
        on
            gefaehrdete_gruppen.kpi_id = ergaenzende_zellen.kpi_id
            and gefaehrdete_gruppen.gebiet = ergaenzende_zellen.gebiet
            and gefaehrdete_gruppen.quartal = ergaenzende_zellen.quartal
            and gefaehrdete_gruppen.merkmal = split_part(ergaenzende_zellen.aufschluesselung, ':', 1)
),

-- A hidden count of new cases (K01) of a unit could be recovered from other values of the same unit:
-- the active cases at two quarter ends differ by the new cases minus the closures of the quarter, so the
-- closures (the denominator of K08 and K09) of that quarter are hidden; the cases active in a year (the
-- denominator of K15) grow by each quarter's new cases, so K15 is hidden from that quarter to the year's end.
neuaufnahmen_geheim as (
    select
        gebiet,
        quartal
    from primaer_geprueft
    where kpi_id = 'K01' and gebietsebene = 'kommune' and aufschluesselung = '' and unter_5
),

bestandsfluss_zellen as (
    select
        primaer_geprueft.kpi_id,
        primaer_geprueft.gebiet,
        primaer_geprueft.quartal,
        primaer_geprueft.aufschluesselung
    from primaer_geprueft
    inner join neuaufnahmen_geheim
        on
            primaer_geprueft.gebiet = neuaufnahmen_geheim.gebiet
            and (
                (
                    primaer_geprueft.kpi_id in ('K08', 'K09')
                    and primaer_geprueft.quartal = neuaufnahmen_geheim.quartal
                )
                or (
                    primaer_geprueft.kpi_id = 'K15'
                    and left(primaer_geprueft.quartal, 4) = left(neuaufnahmen_geheim.quartal, 4)
                    and primaer_geprueft.quartal >= neuaufnahmen_geheim.quartal
                )
            )
),

sekundaer as (
    select * from ergaenzende_zellen
    union
    select * from ergaenzende_gesamtzeilen
    union
    select * from bestandsfluss_zellen
),

final as (
    select
        primaer_geprueft.kpi_id,
        primaer_geprueft.gebiet,
        primaer_geprueft.gebietsebene,
        primaer_geprueft.quartal,
        primaer_geprueft.aufschluesselung,
        primaer_geprueft.wert,
        primaer_geprueft.zaehler,
        primaer_geprueft.nenner,
        primaer_geprueft.ki95_unten,
        primaer_geprueft.ki95_oben,
        primaer_geprueft.ki998_unten,
        primaer_geprueft.ki998_oben,
        case
            when primaer_geprueft.unter_5 then 'anzahl_unter_5'
            when primaer_geprueft.unter_10 then 'fallzahl_unter_10'
            when sekundaer.kpi_id is not null then 'sekundaer'
            else 'offen'
        end as geheimhaltung,
        primaer_geprueft.polaritaet,
        primaer_geprueft.wertart,
        primaer_geprueft.methode,
        primaer_geprueft.faktor,
        primaer_geprueft.vergleichbar,
        primaer_geprueft.summenzahl
    from primaer_geprueft
    left join sekundaer
        on
            primaer_geprueft.kpi_id = sekundaer.kpi_id
            and primaer_geprueft.gebiet = sekundaer.gebiet
            and primaer_geprueft.quartal = sekundaer.quartal
            and primaer_geprueft.aufschluesselung = sekundaer.aufschluesselung
)

select * from final
