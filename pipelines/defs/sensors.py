"""Sensors: new or corrected packages in the landing zone; a warehouse rebuild once loading has settled."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import dagster as dg

from pipelines.config import get_settings
from pipelines.defs.jobs import pakete_laden, warehouse_aufbauen
from pipelines.defs.partitions import is_known_partition, partition_key
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


def _latest_materialization(instance: dg.DagsterInstance, asset: str, partition: str):
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition]), limit=1
    ).records
    return records[0] if records else None


def _already_processed(instance: dg.DagsterInstance, ags: str, quartal: str, scan: LandingScan) -> bool:
    """True if exactly these packages were recorded and the run got through: loaded, or all rejected.

    A run that died on the way (after archiving, before loading) does not count, so the sensor asks again.
    """
    partition = str(partition_key(ags, quartal))
    recorded = _latest_materialization(instance, "lieferprotokoll", partition)
    if recorded is None:
        return False
    metadata = recorded.asset_materialization.metadata
    expected = ", ".join(
        sorted(r.paket_id for r in scan.packages if (r.ags, r.berichtsquartal) == (ags, quartal))
    )
    if "paket_ids" not in metadata or metadata["paket_ids"].value != expected:
        return False
    if metadata["abgelehnt"].value == metadata["pakete"].value:
        return True
    loaded = _latest_materialization(instance, "raw_tabellen", partition)
    return loaded is not None and loaded.storage_id > recorded.storage_id


@dg.sensor(
    job=pakete_laden,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Startet für jede neue oder korrigierte Lieferung im Eingangsordner einen Ladelauf.",
)
def eingangsordner_sensor(context: dg.SensorEvaluationContext):
    landing_dir = get_settings().landing_dir
    scan = scan_landing_zone(landing_dir)
    for problem in scan.problems:
        context.log.warning(problem)
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    requests = []
    for (ags, quartal), fingerprint in sorted(partition_fingerprints(scan).items()):
        key = f"{ags}|{quartal}"
        if seen.get(key) == fingerprint:
            continue
        seen[key] = fingerprint
        if not is_known_partition(ags, quartal):
            context.log.warning(
                f"Lieferung {ags}/{quartal} wird nicht geladen: unbekannte Kommune oder Quartal außerhalb des "
                "Berichtszeitraums (Quartal noch nicht abgeschlossen?)."
            )
            continue
        if _already_processed(context.instance, ags, quartal, scan):
            continue
        requests.append(
            dg.RunRequest(run_key=f"{key}:{fingerprint[:16]}", partition_key=partition_key(ags, quartal))
        )
    context.update_cursor(json.dumps(seen, sort_keys=True))
    if not requests:
        return dg.SkipReason(f"Keine neuen Lieferungen in {landing_dir}.")
    return requests


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
