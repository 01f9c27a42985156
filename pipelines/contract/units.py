"""The 54 KIM units and the Gemeinden each serves, read from the dbt seeds (the one place reference data lives).

The pipeline needs the Gemeinden of a unit to check `faelle.gemeinde_ags`; the demo generator needs the same
units to simulate them. Both read them from here, so the pipeline never depends on the generator.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from pipelines.calendar import Quarter
from pipelines.config import SEEDS_DIR

# Unit types that are Kreise in the sense of the contract: cases live in their kreisangehörige Gemeinden and
# kreisangehörige Kommunen may run case management (`traeger` KREISANGEHOERIGE_KOMMUNE).
KREIS_TYPES = frozenset({"kreis", "staedteregion"})


@dataclass(frozen=True)
class Unit:
    """A KIM unit: a Kreis, a kreisfreie Stadt, the Städteregion Aachen or the city of Aachen."""

    index: int  # position in ags order; part of every random seed of the unit
    ags: str
    name: str
    typ: str
    regierungsbezirk: str
    einwohner_zustaendig: int
    gemeinde_ags: tuple[str, ...]  # Gemeinden the unit serves (8-digit AGS)
    gemeinde_einwohner: tuple[int, ...]

    @property
    def is_kreis(self) -> bool:
        return self.typ in KREIS_TYPES


def _read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def load_units() -> tuple[Unit, ...]:
    """All KIM units in AGS order with the Gemeinden each serves.

    A Kreis serves its kreisangehörige Gemeinden except those that are KIM units of their own (the city of
    Aachen `05334002` within the Städteregion `05334`); a kreisfreie Stadt and the city of Aachen serve
    themselves.
    """
    unit_rows = sorted(_read_seed("kommunen.csv"), key=lambda row: row["ags"])
    unit_codes = {row["ags"] for row in unit_rows}
    gemeinden = _read_seed("gemeinden.csv")
    units = []
    for index, row in enumerate(unit_rows):
        ags = row["ags"]
        if len(ags) == 8:
            served = [g for g in gemeinden if g["gemeinde_ags"] == ags]
        else:
            served = [g for g in gemeinden if g["kreis_ags"] == ags and g["gemeinde_ags"] not in unit_codes]
        if not served:
            raise ValueError(
                f"Für die Kommune {ags} ({row['name']}) sind in gemeinden.csv keine Gemeinden hinterlegt."
            )
        units.append(
            Unit(
                index=index,
                ags=ags,
                name=row["name"],
                typ=row["typ"],
                regierungsbezirk=row["regierungsbezirk"],
                einwohner_zustaendig=int(row["einwohner_zustaendig"]),
                gemeinde_ags=tuple(g["gemeinde_ags"] for g in served),
                gemeinde_einwohner=tuple(int(g["einwohner"]) for g in served),
            )
        )
    return tuple(units)


def served_gemeinden(ags: str) -> frozenset[str]:
    """The Gemeinden (8-digit AGS) the unit `ags` serves; empty for a code that is no KIM unit."""
    for unit in load_units():
        if unit.ags == ags:
            return frozenset(unit.gemeinde_ags)
    return frozenset()


def delivery_partition_problems(ags: str, quartal: str) -> list[str]:
    """Why `ags` / `quartal` cannot name a delivery (German; empty if it can): both become folder names.

    Only one of the 54 units and a quarter spelt exactly `JJJJ-Qn` are accepted.
    """
    problems = []
    if ags not in {unit.ags for unit in load_units()}:
        problems.append(f"„{ags}“ ist keine der 54 KIM-Kommunen (AGS wie 05111 oder 05334002 erwartet).")
    try:
        well_formed = str(Quarter.parse(quartal)) == quartal
    except ValueError:
        well_formed = False
    if not well_formed:
        problems.append(f"„{quartal}“ ist kein Berichtsquartal in der Schreibweise JJJJ-Qn (z. B. 2025-Q3).")
    return problems
