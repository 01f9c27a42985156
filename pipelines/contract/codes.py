"""Code lists of the contract, read from the dbt seeds so that one file defines them for Python and SQL."""

from __future__ import annotations

import csv
from functools import cache

from pipelines.config import SEEDS_DIR


@cache
def code_lists() -> dict[str, tuple[str, ...]]:
    """Every code list of the contract by name (`rechtskreis`, `ereignis`, …), codes in their documented order."""
    lists: dict[str, list[tuple[int, str]]] = {}
    with open(SEEDS_DIR / "codelisten.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            lists.setdefault(row["codeliste"], []).append((int(row["sortierung"]), row["code"]))
    with open(SEEDS_DIR / "staatsangehoerigkeiten.csv", encoding="utf-8", newline="") as handle:
        lists["staatsangehoerigkeit"] = [(i, row["code"]) for i, row in enumerate(csv.DictReader(handle))]
    return {name: tuple(code for _, code in sorted(entries)) for name, entries in lists.items()}


@cache
def code_categories(code_list: str) -> dict[str, str]:
    """The `kategorie` attribute of each code of one list (e.g. which events are integration milestones)."""
    with open(SEEDS_DIR / "codelisten.csv", encoding="utf-8", newline="") as handle:
        return {
            row["code"]: row["kategorie"] for row in csv.DictReader(handle) if row["codeliste"] == code_list
        }


def codes(code_list: str) -> tuple[str, ...]:
    return code_lists()[code_list]
