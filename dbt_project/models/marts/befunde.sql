with

befunde as (
    select * from {{ ref('int_befunde_nummeriert') }}
),

lieferungen as (
    select * from {{ ref('stg_lieferungen') }}
),

kommunen as (
    select * from {{ ref('kommunen') }}
),

regeln as (
    select * from {{ ref('regeln') }}
),

final as (
    select
        befunde.paket_id,
        befunde.befund_nr,
        lieferungen.ags,
        kommunen.name as kommune_name,
        lieferungen.quartal,
        lieferungen.erstellt_am as paket_erstellt_am,
        lieferungen.eingegangen_am as paket_eingegangen_am,
        lieferungen.status as paket_status,
        lieferungen.geladen as paket_geladen,
        befunde.ebene,
        befunde.datei,
        befunde.zeile,
        befunde.spalte,
        befunde.regel,
        coalesce(regeln.titel, befunde.regel) as regel_titel,
        regeln.klasse as regel_klasse,
        befunde.meldung,
        befunde.ergebnis,
        befunde.rohwerte
    from befunde
    inner join lieferungen on befunde.paket_id = lieferungen.paket_id
    left join kommunen on lieferungen.ags = kommunen.ags
    left join regeln on befunde.regel = regeln.regel
)

select * from final
