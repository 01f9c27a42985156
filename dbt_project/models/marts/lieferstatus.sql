with

lieferstatus as (
    select * from {{ ref('int_lieferstatus_ermittelt') }}
),

final as (
    select
        ags,
        quartal,
        status,
        paket_id,
        paket_status,
        erstellt_am,
        eingegangen_am,
        frist,
        fristgerecht,
        anzahl_pakete,
        anzahl_abgelehnt
    from lieferstatus
)

select * from final
