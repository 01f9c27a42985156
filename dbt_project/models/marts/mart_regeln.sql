with

regeln as (
    select * from {{ ref('regeln') }}
),

final as (
    select
        regel,
        titel,
        erklaerung,
        klasse,
        sortierung
    from regeln
)

select * from final
