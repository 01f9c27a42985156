"""Small generated datasets shared by the generator tests (each run takes about a second)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from package_reader import Package, read_landing

from pipelines.calendar import Quarter
from pipelines.generator import GenerationSummary, generate

SCALE = 0.02
SEED = 11
FIRST = Quarter(2022, 4)
LAST = Quarter(2023, 3)
# Shortly after the deadline of the last quarter: its late packages have not all arrived yet.
STICHTAG = date(2023, 11, 20)


@dataclass(frozen=True)
class Generated:
    landing: Path
    truth: dict
    summary: GenerationSummary

    def packages(self) -> list[Package]:
        return read_landing(self.landing, self.truth)


def run_generator(root: Path, **overrides) -> Generated:
    arguments = {
        "scale": SCALE,
        "seed": SEED,
        "first": FIRST,
        "last": LAST,
        "stichtag": STICHTAG,
        **overrides,
    }
    landing = root / "landing"
    summary = generate(landing, **arguments)
    truth = json.loads((root / "ground_truth.json").read_text(encoding="utf-8"))
    return Generated(landing, truth, summary)


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Generated:
    return run_generator(tmp_path_factory.mktemp("generated"))


@pytest.fixture(scope="session")
def packages(generated: Generated) -> list[Package]:
    return generated.packages()
