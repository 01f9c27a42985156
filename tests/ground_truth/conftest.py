"""The installation the ground-truth tests read: the generator's `ground_truth.json` next to its build.

`make grundwahrheit` generates a statewide dataset at scale 1, builds it and runs these tests on it
(KIM_GRUNDWAHRHEIT_INSTALLATION names its root); `make test` runs the same tests on the session's small
installation. Both are valid: every tolerance below is computed for the actual numbers of cases, so a small
dataset only makes the tests less powerful, never wrong. The tests read the ministry's snapshot: the truth is
compared with every estimate, including the cells the published layer keeps secret.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.config import Settings


@dataclass(frozen=True)
class GroundTruthRun:
    settings: Settings
    truth: dict

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with duckdb.connect(str(self.settings.ministry_db), read_only=True) as con:
            return con.execute(sql, params or []).df()

    def unit_truth(self, key: str) -> dict[str, float]:
        return {ags: unit[key] for ags, unit in self.truth["kommunen"].items()}


@pytest.fixture(scope="session")
def ground_truth_run(request) -> GroundTruthRun:
    root = os.environ.get("KIM_GRUNDWAHRHEIT_INSTALLATION")
    if root:
        truth = json.loads((Path(root) / "data" / "ground_truth.json").read_text(encoding="utf-8"))
        settings = Settings.under(Path(root), date.fromisoformat(truth["parameter"]["stichtag"]))
    else:
        settings = request.getfixturevalue("published_warehouse")
        truth = json.loads(settings.ground_truth_file.read_text(encoding="utf-8"))
    assert settings.ministry_db.exists(), f"no published ministry snapshot under {settings.warehouse_dir}"
    return GroundTruthRun(settings, truth)
