{#- Every finding numbered within its package in reading order: package-level findings first, then file-level
    ones, then row findings by file, line, column and rule. The number is the finding's stable key (raw.befunde
    has none) and decides which rejection reason is a package's first. -#}
with

befunde as (
    select * from {{ ref('stg_befunde') }}
),

mit_ebene as (
    select
        *,
        case
            when datei is null then 'Paket'
            when zeile is null then 'Datei'
            else 'Zeile'
        end as ebene
    from befunde
),

nummeriert as (
    select
        *,
        row_number() over (
            partition by paket_id
            order by
                case ebene when 'Paket' then 1 when 'Datei' then 2 else 3 end,
                datei nulls first,
                zeile nulls first,
                spalte nulls first,
                regel,
                meldung
        ) as befund_nr
    from mit_ebene
),

final as (
    select
        paket_id,
        cast(befund_nr as integer) as befund_nr,
        ags,
        quartal,
        ebene,
        datei,
        zeile,
        spalte,
        regel,
        meldung,
        ergebnis,
        rohwerte
    from nummeriert
)

select * from final
