with

neuaufnahmen as (
    select * from {{ ref('int_neuaufnahmen_berechnet') }}
),

aktive_faelle as (
    select * from {{ ref('int_aktive_faelle_gezaehlt') }}
),

fallbelastung as (
    select * from {{ ref('int_fallbelastung_berechnet') }}
),

uebergangsluecken as (
    select * from {{ ref('int_uebergangsluecken_berechnet') }}
),

nahtlose_uebergaenge as (
    select * from {{ ref('int_nahtlose_uebergaenge_berechnet') }}
),

zielerreichung as (
    select * from {{ ref('int_zielerreichung_berechnet') }}
),

besetzungsquote as (
    select * from {{ ref('int_besetzungsquote_berechnet') }}
),

mittelabfluss as (
    select * from {{ ref('int_mittelabfluss_berechnet') }}
),

umsetzungsstand as (
    select * from {{ ref('int_umsetzungsstand_gezaehlt') }}
),

lieferpuenktlichkeit as (
    select * from {{ ref('int_lieferpuenktlichkeit_berechnet') }}
),

datenqualitaet as (
    select * from {{ ref('int_datenqualitaet_berechnet') }}
),

alle_kennzahlen as (
    select * from neuaufnahmen
    union all by name
    select * from aktive_faelle
    union all by name
    select * from fallbelastung
    union all by name
    select * from uebergangsluecken
    union all by name
    select * from nahtlose_uebergaenge
    union all by name
    select * from zielerreichung
    union all by name
    select * from besetzungsquote
    union all by name
    select * from mittelabfluss
    union all by name
    select * from umsetzungsstand
    union all by name
    select * from lieferpuenktlichkeit
    union all by name
    select * from datenqualitaet
),

final as (
    select
        kpi_id,
        gebiet,
        gebietsebene,
        quartal,
        aufschluesselung,
        cast(wert as double) as wert,
        cast(zaehler as double) as zaehler,
        cast(nenner as double) as nenner,
        cast(ki95_unten as double) as ki95_unten,
        cast(ki95_oben as double) as ki95_oben
    from alle_kennzahlen
)

select * from final
