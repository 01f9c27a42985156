"""Where and when a defect package goes: which partitions may host one, its shape and its two timestamps.

A defect package shares its partition with the partition's only clean package and takes the place the clean
package leaves free (a zip next to a folder, a folder next to a zip). Its manifest `erstellt_am` and arrival
put it before the clean package (a flawed delivery the clean one corrects) or after it (a rejected
correction), always after the quarter's end and by the reference date.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

import numpy as np

from pipelines.generator.defects.model import Need, Placement
from pipelines.generator.delivery import BERLIN
from pipelines.generator.formats import Shape
from pipelines.generator.packaging import WrittenPackage

# The corrected delivery of a flawed one comes a few days later; a rejected correction within two weeks.
EARLIER_DAYS = (1, 4)
LATER_DAYS = (1, 14)
# A second delivery of the same package, e.g. uploaded again by a colleague the same day.
SAME_PACKAGE_DELAY = timedelta(hours=2)


def single_packages(packages: list[WrittenPackage]) -> list[WrittenPackage]:
    """Packages that are their partition's only one: neither corrected nor superseded nor next to another."""
    by_partition: dict[tuple[str, str], list[WrittenPackage]] = defaultdict(list)
    for package in packages:
        by_partition[package.ags, str(package.quarter)].append(package)
    return sorted(
        (
            only
            for (only, *others) in by_partition.values()
            if not others and not only.is_correction and not only.is_superseded
        ),
        key=lambda package: package.path,
    )


def defect_shape(need: Need, clean_shape: Shape) -> Shape | None:
    """The shape of the defect package, or None if the partition's free place cannot hold it."""
    folder = clean_shape in (Shape.FOLDER_CSV, Shape.FOLDER_XLSX)
    if need is Need.XLSX:
        return None if folder else Shape.FOLDER_XLSX
    if need is Need.ZIP:
        return Shape.ZIP_CSV if folder else None
    if need is Need.COPY and clean_shape is Shape.FOLDER_XLSX:
        return None
    return Shape.ZIP_CSV if folder else Shape.FOLDER_CSV


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=BERLIN)


def _whole_seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def defect_moments(
    placement: Placement, clean: WrittenPackage, rng: np.random.Generator, stichtag: date
) -> tuple[datetime, datetime] | None:
    """`erstellt_am` and arrival of the defect package, or None if they do not fit into the calendar."""
    if placement is Placement.SAME:
        arrival = clean.arrival + SAME_PACKAGE_DELAY
        return (clean.created, arrival) if arrival < _end_of(stichtag) else None
    gap = timedelta(days=int(rng.integers(*EARLIER_DAYS if placement is Placement.EARLIER else LATER_DAYS)))
    gap += timedelta(minutes=int(rng.integers(0, 3 * 60)))
    writing = timedelta(minutes=int(rng.integers(10, 240)))  # manifest written shortly before sending
    if placement is Placement.EARLIER:
        earliest = _end_of(clean.quarter.end) + timedelta(hours=8)
        arrival = clean.arrival - gap
        created = arrival - writing
        # The clean manifest was written at most five hours before its arrival, this one a day earlier.
        if created < earliest or created >= clean.created:
            return None
        return _whole_seconds(created), _whole_seconds(arrival)
    latest = _end_of(stichtag) - timedelta(hours=1)
    arrival = min(clean.arrival + gap, latest)
    created = max(arrival - writing, clean.created + (arrival - clean.created) / 2)
    if arrival - clean.arrival < timedelta(hours=1):
        return None
    return _whole_seconds(created), _whole_seconds(arrival)
