"""Partitions: one per KIM unit (`ags`) × reporting quarter (`quartal`)."""

from __future__ import annotations

import csv

import dagster as dg

from pipelines.calendar import Quarter, quarter_range
from pipelines.config import SEEDS_DIR, get_settings

# Reporting under KIM starts with the programme; earlier quarters cannot be delivered.
FIRST_REPORTING_QUARTER = Quarter(2020, 1)


def _unit_codes() -> list[str]:
    with open(SEEDS_DIR / "kommunen.csv", encoding="utf-8", newline="") as handle:
        return [row["ags"] for row in csv.DictReader(handle)]


def _quarter_keys() -> list[str]:
    last = Quarter.last_complete(get_settings().stichtag)
    return [str(quarter) for quarter in quarter_range(FIRST_REPORTING_QUARTER, last)]


unit_partitions = dg.StaticPartitionsDefinition(_unit_codes())
quarter_partitions = dg.StaticPartitionsDefinition(_quarter_keys())

# Dagster orders the dimensions alphabetically in key strings: "05111|2025-Q3".
package_partitions = dg.MultiPartitionsDefinition({"ags": unit_partitions, "quartal": quarter_partitions})


def partition_key(ags: str, quartal: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"ags": ags, "quartal": quartal})


def is_known_partition(ags: str, quartal: str) -> bool:
    return ags in unit_partitions.get_partition_keys() and quartal in quarter_partitions.get_partition_keys()
