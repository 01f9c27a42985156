"""Fixtures of the integration tests: the session's generated packages recomputed independently of the pipeline.

`independent` reads the landing zone with the independent reader (csv module / openpyxl, formats from
ground_truth.json; no pipeline code) and applies the contract's package semantics in pandas (a correction
replaces its partition, the newest quarter mentioning a case or theme wins, events are deduplicated on their
natural key). `published_kpis` is `marts.kpi_werte` of the ministry's snapshot: every value, unsuppressed (the
published layer for KI leads and analysts is tested against it in test_confidentiality.py).
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
from package_reader import read_landing

from pipelines.config import SEEDS_DIR

EVENT_KEY = ["ags", "fall_id", "ereignis", "ereignis_am", "von_rechtskreis", "nach_rechtskreis", "stelle"]


@pytest.fixture(scope="module")
def independent(published_warehouse):
    """The generated packages, reduced to the rows the contract says count."""
    settings = published_warehouse
    truth = json.loads(settings.ground_truth_file.read_text(encoding="utf-8"))
    packages = read_landing(settings.landing_dir, truth)
    winners = {}
    for package in packages:
        key = (package.ags, str(package.quarter))
        if key not in winners or package.created > winners[key].created:
            winners[key] = package

    def frame(file: str) -> pd.DataFrame:
        rows = [
            {**row, "ags": ags, "quartal": quartal}
            for (ags, quartal), package in winners.items()
            for row in package.tables.get(file, [])
        ]
        return pd.DataFrame(rows)

    units = pd.read_csv(SEEDS_DIR / "kommunen.csv", dtype={"ags": str})
    faelle = frame("faelle")
    current_cases = faelle.sort_values("quartal").groupby(["ags", "fall_id"], as_index=False).last()
    events = frame("ereignisse").drop_duplicates(subset=EVENT_KEY)
    themes = frame("strukturthemen")
    current_themes = themes.sort_values("quartal").groupby(["ags", "thema_id"], as_index=False).last()
    return {
        "delivered": sorted(winners),
        "units": units.set_index("ags"),
        "cases": current_cases,
        "events": events,
        "personal": frame("personal"),
        "finanzen": frame("finanzen"),
        "themes": current_themes,
        "meetings": frame("lenkungsgruppe"),
    }


@pytest.fixture(scope="module")
def published_kpis(published_warehouse) -> pd.DataFrame:
    with duckdb.connect(str(published_warehouse.ministry_db), read_only=True) as con:
        return con.execute(
            "select kpi_id, gebiet, quartal, aufschluesselung, wert, zaehler, nenner, ki95_unten, ki95_oben, "
            "ki998_unten, ki998_oben from marts.kpi_werte"
        ).df()
