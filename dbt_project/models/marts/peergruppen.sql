with

peergruppen as (
    select * from {{ ref('int_peergruppen_ermittelt') }}
),

final as (
    select
        concat('PEER_', ags) as gebiet,
        ags,
        peer_ags,
        rang,
        distanz
    from peergruppen
)

select * from final
