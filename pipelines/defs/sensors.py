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

RAW_LOAD_MARKER = dg.AssetKey("raw_tabellen")
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


def _already_archived(instance: dg.DagsterInstance, ags: str, quartal: str, scan: LandingScan) -> bool:
    """True if the latest archive materialisation of the partition covers exactly these packages."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(
            asset_key=dg.AssetKey("paket_archiv"), asset_partitions=[str(partition_key(ags, quartal))]
        ),
        limit=1,
    ).records
    if not records:
        return False
    metadata = records[0].asset_materialization.metadata
    archived = metadata.get("paket_ids")
    expected = ", ".join(
        sorted(r.paket_id for r in scan.packages if (r.ags, r.berichtsquartal) == (ags, quartal))
    )
    return archived is not None and archived.value == expected


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
        if _already_archived(context.instance, ags, quartal, scan):
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
    records = context.instance.fetch_materializations(RAW_LOAD_MARKER, limit=1).records
    if not records:
        return dg.SkipReason("Noch keine Lieferung geladen.")
    latest = records[0].storage_id
    if context.cursor and int(context.cursor) >= latest:
        return dg.SkipReason("Das Warehouse ist auf dem Stand der geladenen Lieferungen.")
    active = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=pakete_laden.name, statuses=ACTIVE_RUN_STATUSES), limit=1
    )
    if active:
        return dg.SkipReason("Warte, bis alle Ladeläufe abgeschlossen sind.")
    context.update_cursor(str(latest))
    return dg.RunRequest(run_key=f"warehouse:{latest}")
