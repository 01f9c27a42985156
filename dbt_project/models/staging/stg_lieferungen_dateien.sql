with

lieferungen_dateien as (
    select * from {{ source('raw', 'lieferungen_dateien') }}
),

final as (
    select
        paket_id,
        datei,
        sha256,
        zeichenkodierung,
        trennzeichen,
        zeilen_geliefert,
        zeilen_geladen,
        zeilen_quarantaene
    from lieferungen_dateien
)

select * from final
