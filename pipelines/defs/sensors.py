"""Sensors: new or corrected packages in the landing zone; a warehouse rebuild once loading has settled."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.config import get_settings
from pipelines.defs.ingestion.assets import load_run_config
from pipelines.defs.jobs import pakete_laden, warehouse_aufbauen
from pipelines.defs.partitions import is_known_partition, partition_key, partition_range, range_tags
from pipelines.ingest.load import finished_packages_in
from pipelines.ingest.packages import LandingScan, find_packages

# What a rebuild reflects: loaded rows, and the record of every package (a rejection changes the delivery
# status and findings, though no data).
RAW_LOAD_MARKERS = (dg.AssetKey("raw_tabellen"), dg.AssetKey("lieferprotokoll"))
ACTIVE_RUN_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def scan_landing_zone(landing_dir: Path) -> LandingScan:
    """The only file-system access of the landing sensor (tests point it at a temporary landing zone)."""
    return find_packages(landing_dir)


def partition_fingerprints(scan: LandingScan) -> dict[tuple[str, str], str]:
    """One hash per partition over the content hashes of all its packages (a correction changes it)."""
    ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ref in scan.packages:
        ids[(ref.ags, ref.berichtsquartal)].append(ref.paket_id)
    return {
        partition: hashlib.sha256("\n".join(sorted(paket_ids)).encode()).hexdigest()
        for partition, paket_ids in ids.items()
    }


def partitions_to_load(
    scan: LandingScan, seen: dict[str, str], finished: set[str]
) -> tuple[list[tuple[str, str]], dict[str, str], list[str]]:
    """Which partitions of the landing zone a load run must take, given the sensor's memory.

    `seen` maps "ags|quartal" to the fingerprint the sensor saw last; `finished` are the package ids the build
    database records as finished (the memory `kim build` uses too). A partition is taken when its
    fingerprint changed and not all of its packages are finished; a run that died half-way leaves its packages
    unfinished, so they are taken again. Returns the partitions, the new memory and German warnings.
    """
    seen = dict(seen)
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ref in scan.packages:
        ids[(ref.ags, ref.berichtsquartal)].add(ref.paket_id)
    todo, warnings = [], []
    for (ags, quartal), fingerprint in sorted(partition_fingerprints(scan).items()):
        key = f"{ags}|{quartal}"
        if seen.get(key) == fingerprint:
            continue
        seen[key] = fingerprint
        if not is_known_partition(ags, quartal):
            warnings.append(
                f"Lieferung {ags}/{quartal} wird nicht geladen: unbekannte Kommune oder Quartal außerhalb des "
                "Berichtszeitraums (Quartal noch nicht abgeschlossen?)."
            )
        elif not ids[(ags, quartal)] <= finished:
            todo.append((ags, quartal))
    return todo, seen, warnings


def load_request(partitions: list[tuple[str, str]], fingerprints: dict[str, str]) -> dg.RunRequest:
    """One run for all `partitions`: the partition itself, or the range holding them all.

    The run key hashes every partition with its content fingerprint, so a correction under the same name
    makes a new run; the run leaves partitions of the range whose packages are all finished alone.
    """
    config = load_run_config(only_new=True)
    if len(partitions) == 1:
        ags, quartal = partitions[0]
        return dg.RunRequest(
            run_key=f"{ags}|{quartal}:{fingerprints[f'{ags}|{quartal}'][:16]}",
            partition_key=partition_key(ags, quartal),
            run_config=config,
        )
    content = "\n".join(f"{ags}|{quartal}:{fingerprints[f'{ags}|{quartal}']}" for ags, quartal in partitions)
    return dg.RunRequest(
        run_key=f"{len(partitions)} Partitionen:{hashlib.sha256(content.encode()).hexdigest()[:16]}",
        tags=range_tags(partition_range(partitions)),
        run_config=config,
    )


@dg.sensor(
    job=pakete_laden,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Startet für neue oder korrigierte Lieferungen im Eingangsordner einen Ladelauf (mehrere "
    "Lieferungen teilen sich einen Lauf).",
)
def eingangsordner_sensor(context: dg.SensorEvaluationContext):
    settings = get_settings()
    scan = scan_landing_zone(settings.landing_dir)
    for problem in scan.problems:
        context.log.warning(problem)
    try:
        finished = finished_packages_in(settings.build_db)
    except duckdb.Error as error:
        return dg.SkipReason(
            f"Die Build-Datenbank ist gerade in Benutzung ({type(error).__name__}); nächster Versuch im "
            "nächsten Intervall."
        )
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    todo, seen, warnings = partitions_to_load(scan, seen, finished)
    for warning in warnings:
        context.log.warning(warning)
    context.update_cursor(json.dumps(seen, sort_keys=True))
    if not todo:
        return dg.SkipReason(f"Keine neuen Lieferungen in {settings.landing_dir}.")
    return [load_request(todo, seen)]


@dg.sensor(
    job=warehouse_aufbauen,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Baut und veröffentlicht das Warehouse neu, sobald neue Lieferungen geladen und alle Ladeläufe fertig sind.",
)
def warehouse_aktualisierung_sensor(context: dg.SensorEvaluationContext):
    storage_ids = [
        record.storage_id
        for marker in RAW_LOAD_MARKERS
        for record in context.instance.fetch_materializations(marker, limit=1).records
    ]
    if not storage_ids:
        return dg.SkipReason("Noch keine Lieferung geladen.")
    latest = max(storage_ids)
    if context.cursor and int(context.cursor) >= latest:
        return dg.SkipReason("Das Warehouse ist auf dem Stand der geladenen Lieferungen.")
    active = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=pakete_laden.name, statuses=ACTIVE_RUN_STATUSES), limit=1
    )
    if active:
        return dg.SkipReason("Warte, bis alle Ladeläufe abgeschlossen sind.")
    context.update_cursor(str(latest))
    return dg.RunRequest(run_key=f"warehouse:{latest}")
