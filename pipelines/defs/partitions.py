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


def partition_of(key: str) -> tuple[str, str]:
    """(ags, quartal) of a partition key string such as "05111|2025-Q3"."""
    ags, quartal = str(key).split("|")
    return ags, quartal


def partition_range(partitions: list[tuple[str, str]]) -> dg.PartitionKeyRange:
    """The smallest range (units × quarters, a rectangle) that holds all `partitions`: one run for all of them.

    A run over the range processes only the partitions in it that have unfinished packages; the others are
    left alone (see `pipelines.defs.ingestion.assets`).
    """
    units, quarters = unit_partitions.get_partition_keys(), quarter_partitions.get_partition_keys()
    first_unit = min((units.index(ags) for ags, _ in partitions))
    last_unit = max((units.index(ags) for ags, _ in partitions))
    first_quarter = min((quarters.index(quartal) for _, quartal in partitions))
    last_quarter = max((quarters.index(quartal) for _, quartal in partitions))
    return dg.PartitionKeyRange(
        start=str(partition_key(units[first_unit], quarters[first_quarter])),
        end=str(partition_key(units[last_unit], quarters[last_quarter])),
    )


def range_tags(key_range: dg.PartitionKeyRange) -> dict[str, str]:
    """The run tags that make a run cover `key_range` (what a single-run backfill sets)."""
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    return {ASSET_PARTITION_RANGE_START_TAG: key_range.start, ASSET_PARTITION_RANGE_END_TAG: key_range.end}


def is_known_partition(ags: str, quartal: str) -> bool:
    return ags in unit_partitions.get_partition_keys() and quartal in quarter_partitions.get_partition_keys()
