{#- Delivery status of every unit for every reporting quarter from `berichtsbeginn` to the last complete quarter
    before the build's reference date (var `stichtag`), and whether the quarter's data arrived by the deadline
    (the base of marts.lieferstatus and of K25). Both vars are read here, not in a macro, so unit tests can
    override them. -#}
{%- set stichtag_variable = var('stichtag') -%}
{%- set berichtsbeginn = var('berichtsbeginn') -%}

with

kommunen as (
    select * from {{ ref('kommunen') }}
),

lieferungen as (
    select * from {{ ref('stg_lieferungen') }}
),

stichtag as (
    select {{ reference_date(stichtag_variable) }} as stichtag
),

letztes_abgeschlossenes_quartal as (
    select cast(date_trunc('quarter', stichtag) - interval 3 month as date) as quartal_beginn
    from stichtag
),

berichtsquartale as (
    select
        cast(
            unnest(
                generate_series(
                    {{ quarter_start(quarter_label_literal(berichtsbeginn, 'berichtsbeginn')) }},
                    quartal_beginn,
                    interval 3 month
                )
            ) as date
        ) as quartal_beginn
    from letztes_abgeschlossenes_quartal
),

erwartete_lieferungen as (
    select
        kommunen.ags,
        {{ quarter_of('berichtsquartale.quartal_beginn') }} as quartal,
        berichtsquartale.quartal_beginn,
        {{ delivery_deadline(
            'cast(berichtsquartale.quartal_beginn + interval 3 month - interval 1 day as date)'
        ) }} as frist
    from kommunen
    cross join berichtsquartale
),

pakete_je_partition as (
    select
        ags,
        quartal,
        count(*) as anzahl_pakete,
        count(*) filter (where status = 'ABGELEHNT') as anzahl_abgelehnt,
        count(*) filter (where status <> 'ABGELEHNT') as anzahl_nicht_abgelehnt,
        count(*) filter (where status <> 'ABGELEHNT' and not geladen) as anzahl_ersetzt,
        min(eingegangen_am) as eingegangen_am,
        min(eingegangen_am) filter (where status <> 'ABGELEHNT') as eingegangen_nicht_abgelehnt_am
    from lieferungen
    group by ags, quartal
),

geladene_pakete as (
    select
        ags,
        quartal,
        paket_id,
        status,
        erstellt_am
    from lieferungen
    where geladen
),

mit_paketen as (
    select
        erwartete_lieferungen.ags,
        erwartete_lieferungen.quartal,
        erwartete_lieferungen.quartal_beginn,
        erwartete_lieferungen.frist,
        stichtag.stichtag,
        geladene_pakete.paket_id,
        geladene_pakete.status as status_geladenes_paket,
        geladene_pakete.erstellt_am,
        pakete_je_partition.eingegangen_am,
        cast(timezone('Europe/Berlin', pakete_je_partition.eingegangen_nicht_abgelehnt_am) as date)
            as eingangstag_nicht_abgelehnt,
        coalesce(pakete_je_partition.anzahl_pakete, 0) as anzahl_pakete,
        coalesce(pakete_je_partition.anzahl_abgelehnt, 0) as anzahl_abgelehnt,
        coalesce(pakete_je_partition.anzahl_nicht_abgelehnt, 0) as anzahl_nicht_abgelehnt,
        coalesce(pakete_je_partition.anzahl_ersetzt, 0) as anzahl_ersetzt
    from erwartete_lieferungen
    cross join stichtag
    left join pakete_je_partition
        on
            erwartete_lieferungen.ags = pakete_je_partition.ags
            and erwartete_lieferungen.quartal = pakete_je_partition.quartal
    left join geladene_pakete
        on
            erwartete_lieferungen.ags = geladene_pakete.ags
            and erwartete_lieferungen.quartal = geladene_pakete.quartal
),

mit_status as (
    select
        *,
        case
            when paket_id is not null and anzahl_ersetzt > 0 then 'KORRIGIERT'
            when paket_id is not null then status_geladenes_paket
            when anzahl_pakete > 0 and anzahl_nicht_abgelehnt = 0 then 'ABGELEHNT'
            when stichtag > frist then 'UEBERFAELLIG'
            else 'FEHLT'
        end as status
    from mit_paketen
),

mit_puenktlichkeit as (
    select
        *,
        case
            when status in ('ANGENOMMEN', 'ANGENOMMEN_MIT_HINWEISEN', 'KORRIGIERT')
                then eingangstag_nicht_abgelehnt <= frist
            when status = 'UEBERFAELLIG' then false
            when status = 'ABGELEHNT' and stichtag > frist then false
        end as fristgerecht
    from mit_status
),

final as (
    select
        ags,
        quartal,
        quartal_beginn,
        status,
        paket_id,
        status_geladenes_paket as paket_status,
        erstellt_am,
        eingegangen_am,
        frist,
        fristgerecht,
        cast(anzahl_pakete as integer) as anzahl_pakete,
        cast(anzahl_abgelehnt as integer) as anzahl_abgelehnt
    from mit_puenktlichkeit
)

select * from final
