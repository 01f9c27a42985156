"""The method texts built from data: one KPI of the catalogue, the structural features of the peer groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboards.lib import methodik_texte, roles


def _kpi(**overrides):
    entry = {
        "kpi_id": "K07",
        "name": "Nahtlose Übergänge",
        "definition": "Anteil der Rechtskreiswechsel ohne Lücke.",
        "einheit": "%",
        "polaritaet": "hoch_gut",
        "bereich": "Case Management",
        "unsicherheit": "Wilson-Score-Intervall (95 %)",
        "aufschluesselungen": "uebergang",
        "wertart": "anteil",
        "methode": "wilson",
        "faktor": 100.0,
        "geheimhaltung_anzahl": None,
        "geheimhaltung_fallzahl": "nenner",
    }
    entry.update(overrides)
    return next(pd.DataFrame([entry]).itertuples(index=False))


def test_a_kpi_is_explained_from_its_catalogue_entry():
    text = methodik_texte.kpi_method_text(_kpi())

    assert text.startswith("Anteil der Rechtskreiswechsel ohne Lücke.")
    assert "**Art des Werts:** Anteil in Prozent" in text
    assert "**Lesart:** höher ist günstiger" in text
    assert "**Rechenverfahren des Intervalls:** Wilson-Score-Intervall" in text
    assert "**Aufschlüsselungen:** Übergangsart (von → nach)" in text
    assert "Cochran und Armitage" in text
    assert "**Trichterdiagramm:** ja" in text
    assert "weniger als 10 Fällen" in text and "„·“" in text
    assert methodik_texte.kpi_title(_kpi()) == "K07 · Nahtlose Übergänge"


def test_kpis_without_persons_need_no_confidentiality_and_get_no_funnel():
    text = methodik_texte.kpi_method_text(
        _kpi(wertart="anteil", methode="keine", aufschluesselungen=np.nan, geheimhaltung_fallzahl=None)
    )
    assert "Keine Geheimhaltung nötig" in text
    assert "**Trichterdiagramm:** nein" in text
    assert "**Aufschlüsselungen:** nur Gesamtwert" in text
    assert "t-Test" in text


def test_confidentiality_names_the_count_behind_a_value():
    assert "„<5“" in methodik_texte.confidentiality_text("wert", None)
    behind = methodik_texte.confidentiality_text("zaehler|nenner", None)
    assert "(Zähler oder Nenner)" in behind and "k. A. (Anzahl <5)" in behind


def test_peer_group_facts_and_feature_table_come_from_the_snapshot():
    features = pd.DataFrame(
        {
            "einwohner_zustaendig": [100_000, 400_000, 1_000_000],
            "flaeche_zustaendig_km2": [1000.0, 200.0, 400.0],
            "ln_einwohner": np.log([100_000, 400_000, 1_000_000]),
            "ln_dichte": np.log([100.0, 2000.0, 2500.0]),
            "kreisfrei": [0.0, 1.0, 1.0],
            "auslaenderanteil_prozent": [np.nan] * 3,
        }
    )
    distances = pd.DataFrame({"rang": [1, 2, 1, 2, 1, 2], "distanz": [0.1, 0.5, 0.2, 0.9, 0.3, 0.7]})

    facts = methodik_texte.structure_facts(features, distances)
    assert (facts.units, facts.kreisfrei, facts.kreise) == (3, 2, 1)
    assert (facts.density_min, facts.density_max) == (100.0, 2500.0)
    assert (facts.seventh_distance_min, facts.seventh_distance_median) == (0.5, 0.7)
    assert not facts.with_foreign_share
    text = methodik_texte.peer_group_text(facts)
    assert "100.000" in text and "1.000.000" in text and "2 kreisfreie Städte" in text
    assert "derzeit fehlt er" in text

    table = methodik_texte.feature_table(features).set_index("Merkmal")
    type_row = table.loc["Typ: 1 = kreisfreie Stadt (auch Stadt Aachen), 0 = Kreis"]
    assert type_row["Mittelwert"] == "0,667"
    assert type_row["Standardabweichung"] == "0,471"  # population standard deviation, as in dbt
    assert table.loc["Ausländeranteil in Prozent", "Spannweite"] == "noch nicht für alle Kommunen eingespielt"


def test_the_page_tells_each_role_what_it_sees():
    assert "Rolle **Kommune**" in methodik_texte.role_note(roles.KOMMUNE)
    assert "nicht zur Weitergabe" in methodik_texte.role_note(roles.MINISTERIUM)


def test_funnel_caption_reports_overdispersion():
    funnel = pd.DataFrame({"phi": [1.6, 1.6], "tau2": [158.98, 158.98]})
    caption = methodik_texte.funnel_caption(funnel, name_units=False)
    assert "φ = 1,60" in caption and "τ² = 158,98" in caption and "nicht benannt" in caption
    assert "nicht erweitert" in methodik_texte.funnel_caption(funnel.assign(tau2=0.0), name_units=True)
