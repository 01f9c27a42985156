{#- Every KPI model in the shape of kpi_werte, unioned, with the properties of its row from the catalogue: value
    kind, interval method, factor, polarity, the columns statistical confidentiality looks at and whether the
    row can be compared with its references. A breakdown
    that is a measure of its own (kpi_varianten, e.g. K05 kennzahl:anteil_365) takes its properties from the
    longest matching pattern; every other row inherits those of its KPI. The KPI models are every model of
    models/intermediate/kennzahlen/ (macro kennzahl_modelle, written from that folder). -#}
{%- set modelle = kennzahl_modelle() -%}
with

{% for modell in modelle %}
    {{ modell }} as (
        select * from {{ ref(modell) }}
    ),

{% endfor -%}

katalog as (
    select * from {{ ref('kpi_katalog') }}
),

varianten as (
    select * from {{ ref('kpi_varianten') }}
),

alle_kennzahlen as (
    {% for modell in modelle %}
        select * from {{ modell }}
        {% if not loop.last %}union all by name{% endif %}
    {% endfor %}
),

werte as (
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
        cast(ki95_oben as double) as ki95_oben,
        cast(ki998_unten as double) as ki998_unten,
        cast(ki998_oben as double) as ki998_oben
    from alle_kennzahlen
),

passende_varianten as (
    select
        werte.kpi_id,
        werte.gebiet,
        werte.quartal,
        werte.aufschluesselung,
        varianten.polaritaet,
        varianten.wertart,
        varianten.methode,
        varianten.faktor,
        varianten.geheimhaltung_anzahl,
        varianten.geheimhaltung_fallzahl,
        varianten.vergleichbar
    from werte
    inner join varianten
        on
            werte.kpi_id = varianten.kpi_id
            and werte.aufschluesselung like varianten.aufschluesselung_muster
    qualify row_number() over (
        partition by werte.kpi_id, werte.gebiet, werte.quartal, werte.aufschluesselung
        order by length(varianten.aufschluesselung_muster) desc
    ) = 1
),

final as (
    select
        werte.*,
        coalesce(passende_varianten.polaritaet, katalog.polaritaet) as polaritaet,
        coalesce(passende_varianten.wertart, katalog.wertart) as wertart,
        coalesce(passende_varianten.methode, katalog.methode) as methode,
        coalesce(passende_varianten.faktor, katalog.faktor) as faktor,
        case
            when passende_varianten.kpi_id is not null then passende_varianten.geheimhaltung_anzahl
            else katalog.geheimhaltung_anzahl
        end as geheimhaltung_anzahl,
        case
            when passende_varianten.kpi_id is not null then passende_varianten.geheimhaltung_fallzahl
            else katalog.geheimhaltung_fallzahl
        end as geheimhaltung_fallzahl,
        coalesce(passende_varianten.vergleichbar, true) as vergleichbar
    from werte
    inner join katalog on werte.kpi_id = katalog.kpi_id
    left join passende_varianten
        on
            werte.kpi_id = passende_varianten.kpi_id
            and werte.gebiet = passende_varianten.gebiet
            and werte.quartal = passende_varianten.quartal
            and werte.aufschluesselung = passende_varianten.aufschluesselung
)

select * from final
