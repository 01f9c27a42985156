"""Simulating one unit and writing all of its packages; independent of every other unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from pipelines.calendar import Quarter, quarter_range
from pipelines.contract.codes import codes
from pipelines.generator.delivery import Delivery, DeliveryStatus
from pipelines.generator.formats import Shape, UnitFormat
from pipelines.generator.packaging import PackageSender, WrittenPackage, write_package
from pipelines.generator.profiles import UnitProfile
from pipelines.generator.quarterly import plan_event_reporting, quarter_tables, superseded_original
from pipelines.generator.simulation import simulate_unit
from pipelines.generator.tables import Table


@dataclass(frozen=True)
class UnitOutcome:
    """What was written for a unit, and what happened in its simulation (for the ground truth)."""

    ags: str
    packages: list[WrittenPackage]
    cases_simulated: int  # cases opened up to the horizon
    closures_by_reason: dict[str, int]  # closures up to the horizon
    cases_delivered: int  # distinct cases listed in any package
    events_delivered: int  # event rows of the packages that count
    events_late: int  # of which reported one package after their quarter


def generate_unit_packages(
    landing: Path,
    seed: int,
    profile: UnitProfile,
    unit_format: UnitFormat,
    deliveries: dict[Quarter, Delivery],
    first: Quarter,
    last: Quarter,
    scale: float,
) -> UnitOutcome:
    """Simulate the unit up to `last` and write every package it has delivered by the reference date."""
    history = simulate_unit(seed, profile, last, scale)
    quarters = quarter_range(first, last)
    delivered = {q for q in quarters if deliveries[q].status is DeliveryStatus.DELIVERED}
    reporting = plan_event_reporting(seed, history, first, last, delivered)
    sender = PackageSender(profile.unit.ags, unit_format.source_system, profile.contact)
    packages: list[WrittenPackage] = []

    def emit(
        quarter: Quarter,
        tables: list[Table],
        shape: Shape,
        created: datetime,
        arrival: datetime,
        *,
        correction: bool,
        superseded: bool,
    ) -> None:
        path = write_package(landing, sender, quarter, tables, shape, unit_format.csv, created, arrival)
        packages.append(
            WrittenPackage(
                path=path.relative_to(landing).as_posix(),
                ags=sender.ags,
                quarter=quarter,
                shape=shape,
                created=created,
                arrival=arrival,
                is_correction=correction,
                is_superseded=superseded,
                rows={table.file.filename: table.n_rows for table in tables},
            )
        )

    fall_ids: list[np.ndarray] = []
    for quarter in quarters:
        delivery = deliveries[quarter]
        if delivery.status is not DeliveryStatus.DELIVERED:
            continue
        tables = quarter_tables(history, quarter, reporting)
        fall_ids.append(tables[0].columns["fall_id"])
        if delivery.corrected:
            original = superseded_original(seed, history, quarter, tables)
            emit(
                quarter,
                original,
                unit_format.correction_original_shape,
                delivery.created,
                delivery.arrival,
                correction=False,
                superseded=True,
            )
            emit(
                quarter,
                tables,
                unit_format.shape,
                delivery.correction_created,
                delivery.correction_arrival,
                correction=True,
                superseded=False,
            )
        else:
            emit(
                quarter,
                tables,
                unit_format.shape,
                delivery.created,
                delivery.arrival,
                correction=False,
                superseded=False,
            )

    reported = reporting.package_quarter >= 0
    reasons = history.cases.abschlussgrund
    return UnitOutcome(
        ags=profile.unit.ags,
        packages=packages,
        cases_simulated=len(history.cases),
        closures_by_reason={
            code: int((reasons == index).sum()) for index, code in enumerate(codes("abschlussgrund"))
        },
        cases_delivered=len(np.unique(np.concatenate(fall_ids))) if fall_ids else 0,
        events_delivered=int(reported.sum()),
        events_late=int(reporting.late.sum()),
    )
