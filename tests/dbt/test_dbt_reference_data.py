"""Seeds and project settings the SQL relies on, checked against their independent sources."""

from __future__ import annotations

import csv

import pytest
import yaml
from scipy.stats import chi2

from pipelines.calendar import DELIVERY_DEADLINE_DAYS
from pipelines.config import DBT_PROJECT_DIR, SEEDS_DIR


def _seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(("level", "alpha"), [("95", 0.05), ("998", 0.002)])
def test_poisson_exakt_matches_chi_square_limits(level, alpha):
    rows = _seed("poisson_exakt.csv")
    assert [int(row["anzahl"]) for row in rows] == list(range(10))
    for row in rows:
        count = int(row["anzahl"])
        lower = 0.0 if count == 0 else chi2.ppf(alpha / 2, 2 * count) / 2
        upper = chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
        assert float(row[f"ki{level}_unten"]) == pytest.approx(lower, abs=1e-9), count
        assert float(row[f"ki{level}_oben"]) == pytest.approx(upper, abs=1e-9), count


def test_kpi_katalog_is_complete_and_german():
    rows = _seed("kpi_katalog.csv")
    assert [row["kpi_id"] for row in rows] == [f"K{number:02d}" for number in range(1, 27)]
    assert {row["polaritaet"] for row in rows} == {"hoch_gut", "niedrig_gut", "neutral"}
    for row in rows:
        for field in ("name", "definition", "einheit", "bereich", "unsicherheit"):
            assert row[field].strip(), (row["kpi_id"], field)
    by_id = {row["kpi_id"]: row for row in rows}
    assert by_id["K06"]["name"] == "Übergangslücke"
    assert "25 %" in by_id["K14"]["definition"]  # the linear pace is documented
    assert by_id["K24"]["aufschluesselungen"] == "meilenstein"


def test_delivery_deadline_var_matches_the_calendar():
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["vars"]["lieferfrist_tage"] == DELIVERY_DEADLINE_DAYS


def test_every_milestone_and_comparison_type_is_named():
    meilensteine = _seed("umsetzungsmeilensteine.csv")
    assert [row["sortierung"] for row in meilensteine] == [str(number) for number in range(1, 8)]
    typen = {row["typ"]: row["vergleichstyp"] for row in _seed("kommunentypen.csv")}
    assert {row["typ"] for row in _seed("kommunen.csv")} == set(typen)
    assert typen["kreisangehoerige_stadt_mit_ki"] == "TYP_KREISFREI"
    assert typen["staedteregion"] == "TYP_KREIS"


def test_regeln_names_exactly_the_rules_of_the_ingestion():
    """Every rule id the pipeline can write into raw.befunde has a German title and explanation, and the seed
    lists no rule the pipeline does not know (a renamed rule would leave findings without a title)."""
    from pipelines.contract.findings import Rule

    rows = _seed("regeln.csv")
    seeded = [row["regel"] for row in rows]
    assert len(seeded) == len(set(seeded))
    assert set(seeded) - {str(rule) for rule in Rule} == set(), (
        "rules in regeln.csv the pipeline does not know"
    )
    assert {str(rule) for rule in Rule} - set(seeded) == set(), "rules of findings.Rule missing in regeln.csv"
    assert sorted(int(row["sortierung"]) for row in rows) == list(range(1, len(rows) + 1))
    for row in rows:
        assert row["klasse"] in {"Paket", "Datei", "Zeile"}, row["regel"]
        assert row["titel"].strip() and len(row["titel"]) <= 60, row["regel"]
        assert row["erklaerung"].strip().endswith("."), row["regel"]


def test_k25_and_k26_definitions_name_their_rules():
    by_id = {row["kpi_id"]: row for row in _seed("kpi_katalog.csv")}
    assert "45. Tag" in by_id["K25"]["definition"] and "abgelehnt" in by_id["K25"]["definition"]
    assert by_id["K26"]["aufschluesselungen"] == "datei|kennzahl|feld"
    for key in ("datei:", "kennzahl:ausfuellgrad", "feld:"):
        assert key in by_id["K26"]["definition"], key
