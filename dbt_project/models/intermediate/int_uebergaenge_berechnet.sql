with

ereignisse as (
    select * from {{ ref('int_ereignisse_dedupliziert') }}
),

rechtskreiswechsel_mit_leistungsdaten as (
    select *
    from ereignisse
    where
        ereignis = 'RECHTSKREISWECHSEL'
        and leistung_ende_am is not null
        and leistung_beginn_am is not null
),

final as (
    select
        ags,
        fall_id,
        ereignis_am,
        ereignis_quartal as quartal,
        von_rechtskreis,
        nach_rechtskreis,
        concat(von_rechtskreis, '>', nach_rechtskreis) as uebergang,
        leistung_ende_am,
        leistung_beginn_am,
        cast(leistung_beginn_am - leistung_ende_am - 1 as integer) as luecke_tage,
        leistung_beginn_am - leistung_ende_am - 1 <= 0 as nahtlos
    from rechtskreiswechsel_mit_leistungsdaten
)

select * from final
