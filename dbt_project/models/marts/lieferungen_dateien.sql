{#- Every file of every processed package with its row reconciliation: delivered = loaded + quarantined for an
    accepted package, delivered = rejected for a rejected one, and the quarantined rows are exactly the lines
    its findings put into quarantine. -#}
with

dateien as (
    select * from {{ ref('stg_lieferungen_dateien') }}
),

lieferungen as (
    select * from {{ ref('stg_lieferungen') }}
),

befunde as (
    select * from {{ ref('int_befunde_nummeriert') }}
),

befunde_je_datei as (
    select
        paket_id,
        datei,
        count(*) as befunde_gesamt,
        count(distinct zeile) filter (where ergebnis = 'ZEILE_QUARANTAENE') as quarantaene_zeilen_laut_befunden
    from befunde
    where datei is not null
    group by paket_id, datei
),

mit_abgelehnten_zeilen as (
    select
        dateien.*,
        lieferungen.ags,
        lieferungen.quartal,
        lieferungen.status as paket_status,
        lieferungen.geladen as paket_geladen,
        case when lieferungen.status = 'ABGELEHNT' then dateien.zeilen_geliefert else 0 end as zeilen_abgelehnt,
        coalesce(befunde_je_datei.befunde_gesamt, 0) as befunde_gesamt,
        coalesce(befunde_je_datei.quarantaene_zeilen_laut_befunden, 0) as quarantaene_zeilen_laut_befunden
    from dateien
    inner join lieferungen on dateien.paket_id = lieferungen.paket_id
    left join befunde_je_datei
        on dateien.paket_id = befunde_je_datei.paket_id and dateien.datei = befunde_je_datei.datei
),

final as (
    select
        paket_id,
        datei,
        ags,
        quartal,
        paket_status,
        paket_geladen,
        sha256,
        zeichenkodierung,
        trennzeichen,
        zeilen_geliefert,
        zeilen_geladen,
        zeilen_quarantaene,
        cast(zeilen_abgelehnt as integer) as zeilen_abgelehnt,
        cast(befunde_gesamt as integer) as befunde_gesamt,
        zeilen_geliefert = zeilen_geladen + zeilen_quarantaene + zeilen_abgelehnt
        and zeilen_quarantaene = quarantaene_zeilen_laut_befunden
        and (paket_status <> 'ABGELEHNT' or zeilen_geladen + zeilen_quarantaene = 0) as abgeglichen
    from mit_abgelehnten_zeilen
)

select * from final
