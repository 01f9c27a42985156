"""`kim build`: materialise everything in the landing zone in-process, then rebuild and publish the warehouse."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb

from pipelines.config import DBT_PROJECT_DIR, Settings, dbt_executable, get_settings

# dbt writes these itself; they never make the manifest stale.
_DBT_OUTPUT_DIRS = {"target", "logs", "dbt_packages"}
_QUIET_LOGGING = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# dbt tests on the raw sources are recorded as observations (the sources are not dbt-owned assets), about
# which dagster-dbt warns once per test; real failures are errors and still reach the summary.
_ERRORS_ONLY_LOGGING = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
DEFAULT_WORKERS = min(2, os.cpu_count() or 1)


@dataclass
class BuildSummary:
    partitions_total: int = 0
    partitions_skipped: int = 0
    partitions_failed: list[str] = field(default_factory=list)
    landing_problems: list[str] = field(default_factory=list)
    packages: dict[str, int] = field(default_factory=dict)
    rows_loaded: int = 0
    rows_quarantined: int = 0
    warehouse_ok: bool = False
    published_db: Path | None = None
    transform_log: Path | None = None
    warehouse_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.warehouse_ok and not self.partitions_failed

    def format_german(self) -> str:
        from pipelines.ingest.findings import format_count  # pandas: not at `kim --help`

        lines = [
            f"Partitionen (Kommune × Quartal): {self.partitions_total}, davon unverändert übersprungen: "
            f"{self.partitions_skipped}, fehlgeschlagen: {len(self.partitions_failed)}",
            "Pakete nach Status: "
            + (", ".join(f"{status} {count}" for status, count in sorted(self.packages.items())) or "keine"),
            f"Zeilen geladen: {format_count(self.rows_loaded)}, in Quarantäne: "
            f"{format_count(self.rows_quarantined)}",
        ]
        lines += [f"Hinweis Eingangsordner: {problem}" for problem in self.landing_problems]
        lines += [f"Fehlgeschlagen: {partition}" for partition in self.partitions_failed]
        if self.warehouse_ok:
            lines.append(f"Warehouse veröffentlicht: {self.published_db}")
        else:
            lines.append(
                "Warehouse NICHT veröffentlicht (siehe Fehlermeldungen oben); der letzte Stand bleibt gültig."
            )
        lines.append(f"Dauer: {self.seconds:.0f} s")
        return "\n".join(lines)


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for path in project_dir.rglob("*"):
        if path.is_file() and not (_DBT_OUTPUT_DIRS & set(path.relative_to(project_dir).parts)):
            newest = max(newest, path.stat().st_mtime)
    return newest


def prepare_dbt_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Run `dbt parse` when the manifest is missing or older than any project file; returns the manifest."""
    manifest = project_dir / "target" / "manifest.json"
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(project_dir):
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(project_dir)],
            cwd=project_dir,
            check=True,
        )
    return manifest


def _finished_package_ids(build_db: Path) -> set[str]:
    """Packages whose processing completed: rejected and recorded, or recorded and their partition assigned.

    A package recorded by a run that was killed before its rows were loaded is not finished, so the next
    build processes it again.
    """
    if not build_db.exists():
        return set()
    with duckdb.connect(str(build_db), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'lieferungen'"
        ).fetchone()[0]
        if not exists:
            return set()
        columns = {row[0] for row in con.execute("describe raw.lieferungen").fetchall()}
        if "zugeordnet" not in columns:
            return set()
        finished = con.execute(
            "select paket_id from raw.lieferungen where status = 'ABGELEHNT' or zugeordnet"
        ).fetchall()
        return {row[0] for row in finished}


def _collect_totals(build_db: Path, summary: BuildSummary) -> None:
    with duckdb.connect(str(build_db), read_only=True) as con:
        summary.packages = dict(
            con.execute("select status, count(*) from raw.lieferungen group by 1").fetchall()
        )
        loaded, quarantined = con.execute(
            "select coalesce(sum(zeilen_geladen), 0), coalesce(sum(zeilen_quarantaene), 0) "
            "from raw.lieferungen_dateien join raw.lieferungen using (paket_id) where geladen"
        ).fetchone()
        summary.rows_loaded, summary.rows_quarantined = int(loaded), int(quarantined)


def _stopped_by_rejection(result) -> bool:
    """True if the run's only failure is the blocking acceptance check: the delivery was refused, by design."""
    from pipelines.defs.checks import ACCEPTANCE_CHECK

    failures = result.get_step_failure_events()
    refused = any(
        evaluation.check_name == ACCEPTANCE_CHECK.name and not evaluation.passed
        for evaluation in result.get_asset_check_evaluations()
    )
    return (
        refused
        and bool(failures)
        and all(
            event.step_key == ACCEPTANCE_CHECK.asset_key.to_user_string()
            and event.step_failure_data.error is not None
            and event.step_failure_data.error.cls_name == "DagsterAssetCheckFailedError"
            for event in failures
        )
    )


def _run_partitions(job, instance, partitions: list[tuple[str, str]]) -> list[str]:
    """Materialise each partition with one in-process run; returns the partitions whose run failed.

    A run stopped because no package of the partition is acceptable did its job (the rejection is recorded
    and nothing was loaded); it is not a failure.
    """
    from pipelines.defs.partitions import partition_key

    failed = []
    for ags, quartal in partitions:
        result = job.execute_in_process(
            partition_key=partition_key(ags, quartal),
            instance=instance,
            raise_on_error=False,
            run_config=_QUIET_LOGGING,
        )
        if not result.success and not _stopped_by_rejection(result):
            failed.append(f"{ags}/{quartal} (Lauf {result.run_id})")
    return failed


@cache
def _worker_load_job():
    from pipelines.defs import build_definitions

    return build_definitions(keep_step_outputs=False).resolve_job_def("pakete_laden")


def _load_in_worker(partitions: list[tuple[str, str]]) -> list[str]:
    """Entry point of a worker process: same job, persistent instance from DAGSTER_HOME (inherited env)."""
    import dagster as dg

    return _run_partitions(_worker_load_job(), dg.DagsterInstance.get(), partitions)


def build_all(
    settings: Settings | None = None,
    *,
    instance=None,
    reprocess: bool = False,
    workers: int = DEFAULT_WORKERS,
    progress: Callable[[str], None] = print,
) -> BuildSummary:
    """Load every package partition found in the landing zone, then run dbt and publish.

    Partitions whose packages are all already recorded in the build database are skipped unless `reprocess`.
    `instance` defaults to the persistent instance in DAGSTER_HOME, so runs appear in `dagster dev`. With the
    persistent instance, `workers` processes run partitions in parallel: parsing is CPU-bound and each run
    costs Dagster bookkeeping, while the short DuckDB load steps take turns on the single-writer lock
    (DuckDBResource retries a locked file with backoff; the `duckdb_schreiber` pool guards `dagster dev`).
    Workers read the configuration from the environment, like every other component.
    """
    import dagster as dg

    from pipelines.dagster_home import ensure_dagster_home

    settings = settings or get_settings()
    started = time.perf_counter()
    prepare_dbt_manifest()
    if instance is None:
        ensure_dagster_home(settings.dagster_home)
        instance = dg.DagsterInstance.get()
    else:
        workers = 1  # an explicit (e.g. ephemeral) instance cannot be shared with other processes

    from pipelines.defs import build_definitions
    from pipelines.defs.partitions import is_known_partition
    from pipelines.ingest.packages import find_packages

    defs = build_definitions(keep_step_outputs=False)
    summary = BuildSummary()
    scan = find_packages(settings.landing_dir)
    summary.landing_problems = list(scan.problems)
    by_partition: dict[tuple[str, str], set[str]] = {}
    for ref in scan.packages:
        by_partition.setdefault((ref.ags, ref.berichtsquartal), set()).add(ref.paket_id)
    summary.partitions_total = len(by_partition)
    already_loaded = set() if reprocess else _finished_package_ids(settings.build_db)

    todo = []
    for (ags, quartal), paket_ids in sorted(by_partition.items()):
        if not is_known_partition(ags, quartal):
            summary.landing_problems.append(
                f"{ags}/{quartal}: unbekannte Kommune oder Quartal außerhalb des Berichtszeitraums – nicht geladen."
            )
        elif paket_ids <= already_loaded:
            summary.partitions_skipped += 1
        else:
            todo.append((ags, quartal))
    # One batch per unit, its quarters in order: an event may refer to a case delivered in an earlier quarter
    # of the same unit, so that quarter must have been checked first (see pipelines/ingest/case_index.py).
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for ags, quartal in todo:
        by_unit.setdefault(ags, []).append((ags, quartal))
    batches = list(by_unit.values())
    done, reported = 0, 0

    def report(count: int) -> None:
        nonlocal done, reported
        done += count
        if done == len(todo) or done * 10 // len(todo) > reported * 10 // len(todo):
            reported = done
            progress(f"  {done}/{len(todo)} Partitionen geladen")

    if workers <= 1 or len(batches) <= 1:
        load_job = defs.resolve_job_def("pakete_laden")
        for batch in batches:
            summary.partitions_failed += _run_partitions(load_job, instance, batch)
            report(len(batch))
    else:
        # spawn, not fork: the parent has DuckDB and Dagster state that must not be duplicated into children.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(_load_in_worker, batch): len(batch) for batch in batches}
            for future in as_completed(futures):
                summary.partitions_failed += future.result()
                report(futures[future])

    progress("  dbt baut Kennzahlen und veröffentlicht das Warehouse …")
    # dagster-dbt re-emits dbt's whole log on stdout; keep it in a file so the summary stays short.
    log_dir = settings.dagster_home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    summary.transform_log = log_dir / f"warehouse_aufbauen_{time.strftime('%Y%m%d_%H%M%S')}.log"
    with open(summary.transform_log, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        warehouse = defs.resolve_job_def("warehouse_aufbauen").execute_in_process(
            instance=instance, raise_on_error=False, run_config=_ERRORS_ONLY_LOGGING
        )
    summary.warehouse_ok = warehouse.success
    summary.warehouse_errors = [
        event.step_failure_data.error.message.strip()
        for event in warehouse.get_step_failure_events()
        if event.step_failure_data.error
    ]
    if settings.build_db.exists():
        _collect_totals(settings.build_db, summary)
    summary.published_db = settings.published_db if warehouse.success else None
    summary.seconds = time.perf_counter() - started
    return summary
