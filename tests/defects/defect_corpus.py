"""The defect corpus tests' shared parameters: a small statewide corpus (all 54 units, two quarters).

Two quarters are the least that gives every kind of defect a partition of its own (56 kinds, one defect per
partition, about 100 partitions with exactly one clean package) and an earlier package for the event rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.calendar import Quarter

SCALE = 0.02
SEED = 20251
FIRST = Quarter(2025, 3)
LAST = Quarter(2025, 4)
STICHTAG = date(2026, 3, 1)  # after the last quarter's deadline: every package has arrived


@dataclass(frozen=True)
class Corpus:
    """A generated landing zone with its ground truth and, if generated with defects, defects.json."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def truth(self) -> dict:
        return json.loads((self.root / "ground_truth.json").read_text(encoding="utf-8"))

    @property
    def defects(self) -> list[dict]:
        return json.loads((self.root / "defects.json").read_text(encoding="utf-8"))["defekte"]

    def formats(self, ags: str) -> dict:
        return self.truth["kommunen"][ags]["formate"]


def generate_corpus(root: Path, *, defects: bool) -> Corpus:
    from pipelines.generator import generate

    generate(
        root / "landing", scale=SCALE, seed=SEED, first=FIRST, last=LAST, stichtag=STICHTAG, defects=defects
    )
    return Corpus(root)
