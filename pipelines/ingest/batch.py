"""One pass over many partitions (unit × quarter): archive → parse → validate → report → record and load.

`process_partitions` is the one function that processes packages; the Dagster load asset, `kim build` (through
it) and the tests call it. It holds one DuckDB connection for the whole batch and stores the partitions of a
quarter in one transaction (`store_partitions`, set-based), so a crash leaves every partition either fully
stored or untouched; if that transaction fails, each partition is stored in its own to isolate the error. Partitions
are processed quarter by quarter: an event may refer to a case delivered in an earlier quarter of the same unit,
whose package must have been checked first (`case_index.py`); the packages of one quarter are validated
together.

A partition is skipped when it has no package in the landing zone, or when every one of its packages is already
finished in the build database (`finished_package_ids`, the memory shared with the landing sensor) unless
`reprocess` is set. A partition whose processing raises is reported with its German error and the batch goes
on; nothing of it is stored.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from pipelines.config import Settings
from pipelines.contract.findings import Status
from pipelines.ingest.archive import PackageChangedError, archive_package
from pipelines.ingest.load import (
    LoadResult,
    StagingMissingError,
    finished_package_ids,
    store_partition,
    store_partitions,
)
from pipelines.ingest.packages import packages_for_partition
from pipelines.ingest.parse import outcome_of, parse_packages
from pipelines.ingest.pseudonyms import load_or_create_secret
from pipelines.ingest.raw_tables import create_raw_schema
from pipelines.ingest.report import ReportFiles, write_report
from pipelines.ingest.staging import ParsedPackage
from pipelines.ingest.validation import ValidatedPackage, validate_parsed, validate_parsed_batch

# Runs of at least this many partitions parse the next quarter in PARSE_WORKERS other processes meanwhile.
PARSE_AHEAD_FROM_PARTITIONS = 20
PARSE_WORKERS = max(1, min(2, (os.cpu_count() or 1)) - 1)
# Errors whose message is written for the unit or the operator (German) and needs no explanation.
GERMAN_ERRORS = (PackageChangedError, StagingMissingError)
# Progress of a batch (partitions looked at, of how many), for `kim build` to show while the Dagster step runs.
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

    Quarter by quarter: the packages of all units of a quarter are archived and parsed, validated together in
    one Great Expectations run per contract file (`validate_parsed_batch`), then each partition is reported
    and the quarter's partitions are stored in one transaction; in larger runs the next quarter is parsed in
    another process meanwhile.
    Logs the partitions looked at so far (skipped ones included) and their total to `PROGRESS_LOGGER`.
    """
    progress = logging.getLogger(PROGRESS_LOGGER)
    create_raw_schema(con)
    finished = set() if reprocess else finished_package_ids(con)
    secret = load_or_create_secret(settings.pseudonym_secret_file)
    by_quarter: dict[str, list[str]] = {}
    for ags, quartal in sorted(set(partitions)):
        by_quarter.setdefault(quartal, []).append(ags)
    done, total = 0, sum(len(units) for units in by_quarter.values())
    work = []
    for quartal in sorted(by_quarter):
        todo = []
        for ags in by_quarter[quartal]:
            refs = packages_for_partition(settings.landing_dir, ags, quartal)
            if refs and not {ref.paket_id for ref in refs} <= finished:
                todo.append((ags, refs))
        work.append((quartal, todo))
    parse_ahead = sum(len(todo) for _, todo in work) >= PARSE_AHEAD_FROM_PARTITIONS
    for quartal, outcomes in _parsed_quarters(settings, secret, work, parse_ahead):
        parsed: dict[str, tuple[dict[str, str], list[ParsedPackage]]] = {}
        for ags, outcome in outcomes.items():
            if isinstance(outcome, Exception):
                yield PartitionResult(ags=ags, quartal=quartal, error=_german(outcome))
            else:
                parsed[ags] = outcome
        validated = _validate_quarter(
            settings, [package for _, packages in parsed.values() for package in packages]
        )
        yield from _store_quarter(con, settings, quartal, parsed, validated)
        done += len(by_quarter[quartal])
        progress.info("%d/%d", done, total)


def _parsed_quarters(settings: Settings, secret: bytes, work: list, parse_ahead: bool) -> Iterator[tuple]:
    """Each quarter's partitions archived and parsed: (quartal, {ags: (archive, packages) or the error}).

    With `parse_ahead`, the next quarter is archived and parsed in another process while the caller validates
    and stores this one (parsing is about a third of the work and needs nothing of the others; the case index
    and the build database are touched only by the caller). Small runs parse in this process: starting a
    worker costs seconds of imports.
    """
    if not parse_ahead:
        for quartal, todo in work:
            yield quartal, _per_partition(outcome_of(_archive_and_parse, settings, secret, todo), todo)
        return
    # spawn, not fork: the caller holds DuckDB and Dagster state that must not be duplicated into a child.
    with ProcessPoolExecutor(PARSE_WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:

        def submit(todo):
            return pool.submit(_archive_and_parse, settings, secret, todo)

        pending = submit(work[0][1]) if work else None
        for index, (quartal, todo) in enumerate(work):
            current, pending = pending, submit(work[index + 1][1]) if index + 1 < len(work) else None
            yield quartal, _per_partition(outcome_of(current.result), todo)


def _per_partition(outcomes: dict | Exception, todo: list) -> dict:
    """A quarter's outcomes by partition; an error of the whole quarter (a worker that died) is each one's."""
    return outcomes if isinstance(outcomes, dict) else dict.fromkeys((ags for ags, _ in todo), outcomes)


def _german(error: Exception) -> str:
    """The error of a partition as the run reports it: our own errors are German already, others are named."""
    if isinstance(error, GERMAN_ERRORS):
        return str(error)
    return f"Unerwarteter Fehler bei der Verarbeitung ({type(error).__name__}): {error}"


def _archive_and_parse(settings: Settings, secret: bytes, todo: list) -> dict:
    """The partitions of `todo` (one quarter's: [(ags, refs)]) archived, and their packages parsed together
    (`parse_packages`): {ags: (archive paths by paket_id, packages)}, or the error that stopped the partition."""
    outcomes: dict = {}
    to_parse = []
    for ags, refs in todo:
        archived = outcome_of(_archive, settings, refs)
        if isinstance(archived, Exception):
            outcomes[ags] = archived
            continue
        outcomes[ags] = ({paket_id: str(path) for paket_id, path in archived.items()}, [])
        to_parse += [(ags, archived[ref.paket_id], ref) for ref in refs]
    parsed = parse_packages([(path, ref) for _, path, ref in to_parse], secret, settings.staging_dir)
    for (ags, _, _), package in zip(to_parse, parsed, strict=True):
        if isinstance(outcomes[ags], Exception):
            continue
        if isinstance(package, Exception):
            outcomes[ags] = package
        else:
            outcomes[ags][1].append(package)
    return outcomes


def _archive(settings: Settings, refs) -> dict:
    return {ref.paket_id: archive_package(ref, settings.archive_dir) for ref in refs}


def _validate_quarter(
    settings: Settings, packages: list[ParsedPackage]
) -> dict[str, ValidatedPackage | Exception]:
    """Every package of the quarter validated in one batch; if the batch fails, each package on its own, so
    an error stays with the package that caused it."""
    try:
        validated = validate_parsed_batch(packages, settings.case_index_dir)
        return {item.package.paket_id: item for item in validated}
    except Exception:  # noqa: BLE001 - isolated below
        results: dict[str, ValidatedPackage | Exception] = {}
        for package in packages:
            try:
                results[package.paket_id] = validate_parsed(package, settings.case_index_dir)
            except Exception as error:  # noqa: BLE001 - raised again when its partition is stored
                results[package.paket_id] = error
        return results


def _store_quarter(
    con, settings: Settings, quartal: str, parsed: dict, validated: dict
) -> Iterator[PartitionResult]:
    """Report and store the quarter's parsed partitions ({ags: (archive, packages)}); one result each.

    All partitions are stored in one transaction (`store_partitions`); if that fails, each partition is
    stored in its own (`store_partition`), so an error stays with the partition that caused it.
    """
    ready: dict[str, tuple] = {}
    failed: dict[str, Exception] = {}
    for ags, (archive, packages) in parsed.items():
        try:
            items = [validated[package.paket_id] for package in packages]
            for item in items:
                if isinstance(item, Exception):
                    raise item
            reports = tuple(write_report(item.package, settings.reports_dir) for item in items)
            ready[ags] = (archive, items, reports)
        except Exception as error:  # noqa: BLE001 - reported per partition, the batch goes on
            failed[ags] = error

    def batch_of(ags: str) -> tuple[list[ParsedPackage], dict[str, str]]:
        _, items, reports = ready[ags]
        return [item.package for item in items], {
            item.package.paket_id: report.text for item, report in zip(items, reports, strict=True)
        }

    try:
        loads = dict(zip(ready, store_partitions(con, [batch_of(ags) for ags in ready]), strict=True))
    except Exception:  # noqa: BLE001 - isolated below
        loads = {}
        for ags in ready:
            try:
                loads[ags] = store_partition(con, *batch_of(ags))
            except Exception as error:  # noqa: BLE001 - reported per partition, the batch goes on
                failed[ags] = error
    for ags in parsed:
        if ags in failed:
            yield PartitionResult(ags=ags, quartal=quartal, error=_german(failed[ags]))
            continue
        archive, items, reports = ready[ags]
        # The rows are stored: the result keeps the packages' descriptions only (a run keeps all its results).
        yield PartitionResult(
            ags=ags,
            quartal=quartal,
            validated=tuple(replace(item, package=item.package.without_rows()) for item in items),
            archive=archive,
            reports=reports,
            loads=tuple(loads[ags]),
        )
