"""One pass over many partitions (unit × quarter): archive → parse → validate → report → record and load.

`process_partitions` is the one function that processes packages; the Dagster load asset, `kim build` (through
it) and the tests call it. It holds one DuckDB connection for the whole batch and stores each partition in one
transaction (`store_partition`), so a crash leaves every partition either fully stored or untouched. Partitions
are processed in the order (unit, quarter): an event may refer to a case delivered in an earlier quarter of the
same unit, whose package must have been checked first (`case_index.py`).

A partition is skipped when it has no package in the landing zone, or when every one of its packages is already
finished in the build database (`finished_package_ids`, the memory shared with the landing sensor) unless
`reprocess` is set. A partition whose processing raises is reported with its German error and the batch goes
on; nothing of it is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pipelines.config import Settings
from pipelines.ingest.archive import archive_package
from pipelines.ingest.findings import Status
from pipelines.ingest.load import LoadResult, finished_package_ids, store_partition
from pipelines.ingest.packages import packages_for_partition
from pipelines.ingest.parse import parse_package
from pipelines.ingest.pseudonyms import load_or_create_secret
from pipelines.ingest.raw_tables import create_raw_schema
from pipelines.ingest.report import ReportFiles, write_report
from pipelines.ingest.staging import ParsedPackage
from pipelines.ingest.validation import ValidatedPackage, validate_parsed

# Progress of a batch ("%d" partitions looked at), for `kim build` to show while the Dagster step runs.
PROGRESS_LOGGER = "pipelines.fortschritt"


@dataclass(frozen=True)
class PartitionResult:
    """What became of one partition's packages in a batch."""

    ags: str
    quartal: str
    validated: tuple[ValidatedPackage, ...] = ()
    archive: dict[str, str] = field(default_factory=dict)  # paket_id → archive path
    reports: tuple[ReportFiles, ...] = ()
    loads: tuple[LoadResult, ...] = ()  # empty if no package of the partition is acceptable
    error: str | None = None  # German; the partition was not stored

    @property
    def packages(self) -> list[ParsedPackage]:
        return [item.package for item in self.validated]

    @property
    def acceptable(self) -> bool:
        return any(package.status is not Status.REJECTED for package in self.packages)


def process_partitions(
    con,
    settings: Settings,
    partitions: Iterable[tuple[str, str]],
    *,
    reprocess: bool = False,
) -> Iterator[PartitionResult]:
    """Process the packages of `partitions` that are not finished yet; yields one result per processed one.

    Logs the number of partitions looked at so far (skipped ones included) to `PROGRESS_LOGGER`.
    """
    progress = logging.getLogger(PROGRESS_LOGGER)
    create_raw_schema(con)
    finished = set() if reprocess else finished_package_ids(con)
    secret = load_or_create_secret(settings.pseudonym_secret_file)
    for done, (ags, quartal) in enumerate(sorted(set(partitions)), start=1):
        refs = packages_for_partition(settings.landing_dir, ags, quartal)
        if refs and not {ref.paket_id for ref in refs} <= finished:
            try:
                yield _process_partition(con, settings, secret, ags, quartal, refs)
            except Exception as error:  # noqa: BLE001 - reported per partition, the batch goes on
                yield PartitionResult(ags=ags, quartal=quartal, error=f"{type(error).__name__}: {error}")
        progress.info("%d", done)


def _process_partition(
    con, settings: Settings, secret: bytes, ags: str, quartal: str, refs
) -> PartitionResult:
    archived = {ref.paket_id: archive_package(ref, settings.archive_dir) for ref in refs}
    validated = [
        validate_parsed(
            parse_package(archived[ref.paket_id], ref, secret, settings.staging_dir), settings.case_index_dir
        )
        for ref in refs
    ]
    packages = [item.package for item in validated]
    reports = tuple(write_report(package, settings.reports_dir) for package in packages)
    loads = store_partition(
        con, packages, {p.paket_id: r.text for p, r in zip(packages, reports, strict=True)}
    )
    return PartitionResult(
        ags=ags,
        quartal=quartal,
        validated=tuple(validated),
        archive={paket_id: str(path) for paket_id, path in archived.items()},
        reports=reports,
        loads=tuple(loads),
    )
