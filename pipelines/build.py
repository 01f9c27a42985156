"""`kim build`: materialise everything in the landing zone in-process, then rebuild and publish the warehouse."""

from __future__ import annotations

import contextlib
import logging
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.config import DBT_PROJECT_DIR, Settings, dbt_executable, get_settings
from pipelines.contract.findings import format_count

# dbt writes these itself; they never make the manifest stale.
_DBT_OUTPUT_DIRS = {"target", "logs", "dbt_packages"}
_QUIET_LOGGING = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# dbt tests on the raw sources are recorded as observations (the sources are not dbt-owned assets), about
# which dagster-dbt warns once per test; real failures are errors and still reach the summary.
_ERRORS_ONLY_LOGGING = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
# The phases of a build as its summary names them (German); dbt and publishing are measured on their steps.
PHASE_LOADING = "Laden"
PHASE_DBT = "dbt"
PHASE_PUBLISH = "Veröffentlichen"


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
    # Wall seconds of the build's phases, in order (Laden, dbt, Veröffentlichen), for the operator and the
    # benchmark; a phase that did not run is absent.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.warehouse_ok and not self.partitions_failed

    def format_german(self) -> str:
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
        lines.append(_duration_line(self.seconds, self.phases))
        return "\n".join(lines)


def _duration_line(seconds: float, phases: dict[str, float]) -> str:
    """`Dauer: 40 s (Laden 4,0 s, dbt 28,7 s, Veröffentlichen 1,3 s)`, the last line of a build's summary."""
    parts = ", ".join(f"{name} {value:.1f} s".replace(".", ",") for name, value in phases.items())
    return f"Dauer: {seconds:.0f} s" + (f" ({parts})" if parts else "")


def phases_of(summary_text: str) -> dict[str, float]:
    """The phases a build's summary reports on its `Dauer:` line (`_duration_line`), in seconds; empty if
    it names none."""
    match = re.search(r"^Dauer: \d+ s \((?P<phases>[^)]*)\)$", summary_text, flags=re.MULTILINE)
    if match is None:
        return {}
    phases = {}
    for part in match["phases"].split(", "):
        name, value, _unit = part.rsplit(" ", 2)
        phases[name] = float(value.replace(",", "."))
    return phases


# The folder of the KPI models and the macro that names them for int_kpi_werte_vereinigt (dbt project paths).
KPI_MODELS_DIR = Path("models/intermediate/kennzahlen")
KPI_MODELS_MACRO = Path("macros/kennzahl_modelle.sql")


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for path in project_dir.rglob("*"):
        if path.is_file() and not (_DBT_OUTPUT_DIRS & set(path.relative_to(project_dir).parts)):
            newest = max(newest, path.stat().st_mtime)
    return newest


def kpi_models_macro(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """The text of `macros/kennzahl_modelle.sql`: the KPI models, i.e. every model in `KPI_MODELS_DIR`.

    dbt resolves `ref()` while parsing, before it knows the project's graph, so the model that unions the KPI
    models (`int_kpi_werte_vereinigt`) cannot find them itself; this macro names them, written from the folder
    so that adding a KPI needs no list kept by hand.
    """
    models = sorted(path.stem for path in (project_dir / KPI_MODELS_DIR).glob("*.sql"))
    entries = "".join(f"        '{model}',\n" for model in models)
    return (
        f"{{#- Written by pipelines.build.write_kpi_models_macro from {KPI_MODELS_DIR}/ (every model there is a\n"
        "    KPI model); `kim build` and `make manifest` rewrite it before dbt parses. Not to be edited. -#}\n"
        "{% macro kennzahl_modelle() %}\n"
        f"    {{{{ return([\n{entries}    ]) }}}}\n"
        "{% endmacro %}\n"
    )


def write_kpi_models_macro(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """Rewrite `macros/kennzahl_modelle.sql` if the KPI models changed; whether it did."""
    target = project_dir / KPI_MODELS_MACRO
    text = kpi_models_macro(project_dir)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


def prepare_dbt_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Run `dbt parse` when the manifest is missing or older than any project file; returns the manifest.

    The list of KPI models (`write_kpi_models_macro`) is brought up to date first."""
    write_kpi_models_macro(project_dir)
    manifest = project_dir / "target" / "manifest.json"
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(project_dir):
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(project_dir)],
            cwd=project_dir,
            check=True,
        )
    return manifest


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


def _failed_partitions(result, partitions: list[tuple[str, str]]) -> list[str]:
    """The partitions a load run could not process; a run stopped only because every package was refused is
    not a failure (the rejections are recorded and nothing was loaded, by design)."""
    from pipelines.defs.checks import ACCEPTANCE_CHECK
    from pipelines.defs.ingestion.assets import FAILED_PARTITIONS

    if result.success:
        return []
    refused = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.blocking and not evaluation.passed
    ]
    failed = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        user_data = event.step_failure_data.user_failure_data
        metadata = user_data.metadata if user_data else {}
        if (
            error is not None
            and error.cls_name == "DagsterAssetCheckFailedError"
            and refused
            and all(evaluation.check_name == ACCEPTANCE_CHECK.name for evaluation in refused)
        ):
            continue
        if FAILED_PARTITIONS in metadata:
            failed += [
                f"{partition} (Lauf {result.run_id})" for partition in metadata[FAILED_PARTITIONS].value
            ]
            continue
        message = error.message.strip() if error else "unbekannter Fehler"
        failed += [f"{ags}/{quartal} (Lauf {result.run_id}: {message})" for ags, quartal in partitions]
    return failed


def run_load(job, instance, partitions: list[tuple[str, str]], *, only_new: bool = True) -> list[str]:
    """Load `partitions` in one in-process run over their range; returns the partitions that failed.

    With `only_new`, partitions of the range whose packages are all finished are left alone.
    """
    from pipelines.defs.ingestion.assets import load_run_config
    from pipelines.defs.partitions import partition_range, range_tags

    result = job.execute_in_process(
        instance=instance,
        tags=range_tags(partition_range(partitions)),
        raise_on_error=False,
        run_config={
            **_QUIET_LOGGING,
            **load_run_config(only_new=only_new),
        },
    )
    return _failed_partitions(result, partitions)


@contextlib.contextmanager
def _progress_lines(progress: Callable[[str], None]) -> Iterator[None]:
    """Show the load step's progress (`pipelines.ingest.batch.PROGRESS_LOGGER`) in 10 % steps."""
    from pipelines.ingest.batch import PROGRESS_LOGGER

    class Handler(logging.Handler):
        reported = 0

        def emit(self, record: logging.LogRecord) -> None:
            done, total = (int(value) for value in record.args)
            if done == total or done * 10 // total > self.reported * 10 // total:
                self.reported = done
                progress(f"  {done}/{total} Partitionen durchgesehen")

    logger = logging.getLogger(PROGRESS_LOGGER)
    handler, level = Handler(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def build_all(
    settings: Settings | None = None,
    *,
    instance=None,
    reprocess: bool = False,
    progress: Callable[[str], None] = print,
) -> BuildSummary:
    """Load every package partition found in the landing zone, then run dbt and publish.

    Partitions whose packages are all already recorded in the build database are skipped unless `reprocess`.
    The others are loaded in one in-process run over their range (Dagster's per-run and per-step bookkeeping
    is paid once, not per partition; each partition still gets its own materialisations and check results).
    `instance` defaults to the persistent instance in DAGSTER_HOME, so runs appear in `dagster dev`.
    """
    import dagster as dg

    from pipelines.dagster_home import ensure_dagster_home

    settings = settings or get_settings()
    started = time.perf_counter()
    prepare_dbt_manifest()
    if instance is None:
        ensure_dagster_home(settings.dagster_home)
        instance = dg.DagsterInstance.get()

    from pipelines.defs import build_definitions
    from pipelines.defs.partitions import is_known_partition
    from pipelines.defs.publication.assets import warehouse_veroeffentlicht
    from pipelines.defs.transformation.assets import kim_dbt_modelle
    from pipelines.ingest.load import finished_packages_in
    from pipelines.ingest.packages import find_packages

    defs = build_definitions(keep_step_outputs=False)
    summary = BuildSummary()
    scan = find_packages(settings.landing_dir)
    summary.landing_problems = list(scan.problems)
    by_partition: dict[tuple[str, str], set[str]] = {}
    for ref in scan.packages:
        by_partition.setdefault((ref.ags, ref.berichtsquartal), set()).add(ref.paket_id)
    summary.partitions_total = len(by_partition)
    already_loaded = set() if reprocess else finished_packages_in(settings.build_db)

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
    if todo:
        progress(f"  {len(todo)} Partitionen mit neuen Lieferungen werden in einem Lauf geladen …")
        loading_started = time.perf_counter()
        with _progress_lines(progress):
            summary.partitions_failed += run_load(
                defs.resolve_job_def("pakete_laden"), instance, todo, only_new=not reprocess
            )
        summary.phases[PHASE_LOADING] = time.perf_counter() - loading_started

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
    step_phases = {kim_dbt_modelle.op.name: PHASE_DBT, warehouse_veroeffentlicht.op.name: PHASE_PUBLISH}
    for stats in instance.get_run_step_stats(warehouse.run_id):
        if stats.step_key in step_phases and stats.start_time and stats.end_time:
            summary.phases[step_phases[stats.step_key]] = stats.end_time - stats.start_time
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
