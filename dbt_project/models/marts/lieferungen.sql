{#- Every processed package with what became of it: its status, whether its rows are the partition's data
    (geladen) or were replaced by a correction (ersetzt), whether it arrived by the deadline, its row counts per
    outcome and its findings per outcome, and the first reason it was rejected for. -#}
with

lieferungen as (
    select * from {{ ref('stg_lieferungen') }}
),

kommunen as (
    select * from {{ ref('kommunen') }}
),

dateien as (
    select * from {{ ref('stg_lieferungen_dateien') }}
),

befunde as (
    select * from {{ ref('int_befunde_nummeriert') }}
),

geladene_pakete as (
    select
        ags,
        quartal,
        paket_id
    from lieferungen
    where geladen
),

zeilen_je_paket as (
    select
        paket_id,
        count(*) as anzahl_dateien,
        sum(zeilen_geliefert) as zeilen_geliefert,
        sum(zeilen_geladen) as zeilen_geladen,
        sum(zeilen_quarantaene) as zeilen_quarantaene
    from dateien
    group by paket_id
),

befunde_je_paket as (
    select
        paket_id,
        count(*) as befunde_gesamt,
        count(*) filter (where ergebnis = 'PAKET_ABGELEHNT') as befunde_paket_abgelehnt,
        count(*) filter (where ergebnis = 'ZEILE_QUARANTAENE') as befunde_zeile_quarantaene,
        count(*) filter (where ergebnis = 'HINWEIS') as befunde_hinweis
    from befunde
    group by paket_id
),

erste_ablehnungen as (
    select
        paket_id,
        regel,
        meldung
    from befunde
    where ergebnis = 'PAKET_ABGELEHNT'
    qualify row_number() over (partition by paket_id order by befund_nr) = 1
),

mit_frist as (
    select
        lieferungen.*,
        {{ delivery_deadline('lieferungen.quartal_ende') }} as frist,
        cast(timezone('Europe/Berlin', lieferungen.eingegangen_am) as date) as eingangstag
    from lieferungen
),

final as (
    select
        mit_frist.paket_id,
        mit_frist.ags,
        kommunen.name as kommune_name,
        mit_frist.quartal,
        mit_frist.erstellt_am,
        mit_frist.eingegangen_am,
        mit_frist.verarbeitet_am,
        mit_frist.paketform,
        mit_frist.quellsystem,
        mit_frist.datensatz_version,
        mit_frist.status,
        mit_frist.geladen,
        mit_frist.status <> 'ABGELEHNT' and not mit_frist.geladen as ersetzt,
        case
            when mit_frist.status <> 'ABGELEHNT' and not mit_frist.geladen then geladene_pakete.paket_id
        end as ersetzt_durch,
        mit_frist.frist,
        mit_frist.eingangstag <= mit_frist.frist as fristgerecht,
        cast(coalesce(zeilen_je_paket.anzahl_dateien, 0) as integer) as anzahl_dateien,
        cast(coalesce(zeilen_je_paket.zeilen_geliefert, 0) as integer) as zeilen_geliefert,
        cast(coalesce(zeilen_je_paket.zeilen_geladen, 0) as integer) as zeilen_geladen,
        cast(coalesce(zeilen_je_paket.zeilen_quarantaene, 0) as integer) as zeilen_quarantaene,
        cast(
            case when mit_frist.status = 'ABGELEHNT' then coalesce(zeilen_je_paket.zeilen_geliefert, 0) else 0 end
            as integer
        ) as zeilen_abgelehnt,
        cast(coalesce(befunde_je_paket.befunde_gesamt, 0) as integer) as befunde_gesamt,
        cast(coalesce(befunde_je_paket.befunde_paket_abgelehnt, 0) as integer) as befunde_paket_abgelehnt,
        cast(coalesce(befunde_je_paket.befunde_zeile_quarantaene, 0) as integer) as befunde_zeile_quarantaene,
        cast(coalesce(befunde_je_paket.befunde_hinweis, 0) as integer) as befunde_hinweis,
        erste_ablehnungen.regel as erste_ablehnung_regel,
        erste_ablehnungen.meldung as erste_ablehnung_meldung
    from mit_frist
    left join kommunen on mit_frist.ags = kommunen.ags
    left join geladene_pakete
        on mit_frist.ags = geladene_pakete.ags and mit_frist.quartal = geladene_pakete.quartal
    left join zeilen_je_paket on mit_frist.paket_id = zeilen_je_paket.paket_id
    left join befunde_je_paket on mit_frist.paket_id = befunde_je_paket.paket_id
    left join erste_ablehnungen on mit_frist.paket_id = erste_ablehnungen.paket_id
)

select * from final
