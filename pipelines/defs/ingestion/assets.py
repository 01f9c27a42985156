"""Ingestion as one asset step over many partitions (unit × quarter): archive → parse → check → record → load.

A run may cover one partition (a sensor request, the UI) or a whole range of them (`kim build`, a backfill
with the single-run policy): `context.partition_keys` lists them. The step hands them to
`process_partitions`, which holds one DuckDB connection and stores each partition in one transaction. For every
partition it processed it yields what Dagster would record for a run of that partition alone: a materialisation
of `lieferprotokoll` (every package recorded, rejected ones too) and, if a package was acceptable, of
`raw_tabellen` (the partition's rows), each with the partition's own metadata, and the evaluations of the
contract, acceptance and reconciliation checks. Partitions of the range without a package in the landing zone,
or whose packages are all loaded already, are left alone and get no event.

The step fails, with a German message, when a partition could not be processed (the others are stored), or
when no partition of the run had an acceptable package (`paket_annehmbar` blocks: nothing was loaded), as a
run of one refused partition always did.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.contract.findings import Status
from pipelines.contract.schema import CONTRACT_FILES
from pipelines.defs.checks import (
    ACCEPTANCE_CHECK,
    CONTRACT_SUITE_CHECKS,
    LOAD_ASSET,
    RECONCILIATION_CHECK,
    RECORD_ASSET,
    acceptance_evaluation,
    contract_suite_evaluations,
    reconcile,
    reconciliation_evaluation,
)
from pipelines.defs.partitions import package_partitions, partition_key, partition_of
from pipelines.defs.resources import DUCKDB_WRITER_POOL, KimPaths
from pipelines.ingest.batch import PartitionResult, process_partitions
from pipelines.ingest.packages import packages_for_partition

INGESTION_GROUP = "eingang"
RAW_BOOKKEEPING_TABLES = ("lieferungen", "lieferungen_dateien", "befunde")


# Metadata key of the step failure that names the partitions which could not be processed.
FAILED_PARTITIONS = "fehlgeschlagen"


class Verarbeitung(dg.Config):
    """How a load run treats packages that are loaded already."""

    nur_neue_pakete: bool = False  # skip partitions whose packages are all finished (kim build, the sensor)


def load_run_config(*, only_new: bool) -> dict:
    """The run config of a load run (`kim build` and the landing sensor leave finished partitions alone)."""
    return {"ops": {"pakete_verarbeiten": {"config": Verarbeitung(nur_neue_pakete=only_new).model_dump()}}}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            RECORD_ASSET,
            description="Jedes Paket der Partition archiviert, gelesen, gegen den Datenvertrag geprüft und mit "
            "Status, Zählungen, Befunden und deutschem Bericht in raw.lieferungen protokolliert (abgelehnte auch).",
            kinds={"python", "great_expectations", "duckdb"},
            group_name=INGESTION_GROUP,
            skippable=True,
        ),
        dg.AssetSpec(
            LOAD_ASSET,
            deps=[RECORD_ASSET],
            description="Die Zeilen der Partition im Schema raw der Build-Datenbank, ersetzt durch das Paket, "
            "das die Partition gewinnt (die jüngste annehmbare Lieferung).",
            kinds={"duckdb"},
            group_name=INGESTION_GROUP,
            skippable=True,
        ),
    ],
    check_specs=[*CONTRACT_SUITE_CHECKS, ACCEPTANCE_CHECK, RECONCILIATION_CHECK],
    partitions_def=package_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=True,
    pool=DUCKDB_WRITER_POOL,
)
def pakete_verarbeiten(
    context: dg.AssetExecutionContext, config: Verarbeitung, duckdb: DuckDBResource, kim_paths: KimPaths
):
    """The packages of every partition of the run, from the landing zone into the build database."""
    partitions = [partition_of(key) for key in context.partition_keys]
    settings = kim_paths.settings
    stored, failed = [], []
    with duckdb.get_connection() as con:
        for result in process_partitions(con, settings, partitions, reprocess=not config.nur_neue_pakete):
            if result.error is not None:
                failed.append(result)
                continue
            stored.append(result)
            yield from _record_events(result)
        reconciled = reconcile(con, [package.paket_id for result in stored for package in result.packages])
    for result in stored:
        yield from _load_events(result, reconciled)
    # A run asked for one partition that found nothing to do: say why, unless its packages were simply loaded.
    if len(partitions) == 1 and not (stored or failed) and not _has_package(settings, *partitions[0]):
        ags, quartal = partitions[0]
        raise dg.Failure(
            description=f"Für {ags} / {quartal} liegt im Eingangsordner {settings.landing_dir} kein Paket vor."
        )
    if failed:
        raise dg.Failure(
            description="Partitionen konnten nicht verarbeitet werden (die übrigen sind gespeichert):\n"
            + "\n".join(f"{result.ags}/{result.quartal}: {result.error}" for result in failed),
            metadata={FAILED_PARTITIONS: [f"{result.ags}/{result.quartal}" for result in failed]},
        )
    # Last, so a refused partition never stops the others: blocking only if nothing of the run was acceptable.
    nothing_acceptable = not any(result.acceptable for result in stored)
    for result in stored:
        key = str(partition_key(result.ags, result.quartal))
        yield acceptance_evaluation(key, result.packages, blocks_run=nothing_acceptable)


def _has_package(settings, ags: str, quartal: str) -> bool:
    return bool(packages_for_partition(settings.landing_dir, ags, quartal))


def _record_events(result: PartitionResult):
    """What a run of this partition alone would record about its packages: the materialisation of
    `lieferprotokoll` with the partition's own metadata, and the contract checks (acceptance comes last)."""
    key = str(partition_key(result.ags, result.quartal))
    packages = result.packages
    yield dg.AssetMaterialization(
        asset_key=RECORD_ASSET,
        partition=key,
        metadata={
            "pakete": len(packages),
            "paket_ids": ", ".join(sorted(package.paket_id for package in packages)),
            "abgelehnt": sum(package.status is Status.REJECTED for package in packages),
            "zusammenfassung": "\n".join(package.summary_german() for package in packages),
            "status": ", ".join(f"{package.paket_id[:12]}: {package.status}" for package in packages),
            "zeilen_geliefert": sum(package.rows_delivered for package in packages),
            "zeilen_quarantaene": sum(package.rows_quarantined for package in packages),
            "archiv": dg.MetadataValue.json(result.archive),
            "berichte": dg.MetadataValue.json([str(report.markdown) for report in result.reports]),
        },
    )
    yield from contract_suite_evaluations(key, list(result.validated))


def _load_events(result: PartitionResult, reconciled):
    """The materialisation of `raw_tabellen` and the reconciliation check, if the partition was loaded."""
    if not result.loads:
        return
    key = str(partition_key(result.ags, result.quartal))
    loaded_rows: dict[str, int] = {}
    for load in result.loads:
        for table, count in load.rows_by_table.items():
            loaded_rows[table] = loaded_rows.get(table, 0) + count
    yield dg.AssetMaterialization(
        asset_key=LOAD_ASSET,
        partition=key,
        metadata={
            "pakete": len(result.packages),
            "zusammenfassung": "\n".join(load.summary_german() for load in result.loads),
            **{f"zeilen_{table}": count for table, count in sorted(loaded_rows.items())},
        },
    )
    yield reconciliation_evaluation(key, sorted(package.paket_id for package in result.packages), reconciled)


# The tables of the `raw` schema as dbt sees them (its sources). They are written only by the load step;
# declaring them as specs downstream of its two assets keeps the lineage to every dbt model while each partition
# records two materialisations instead of ten (Dagster's event log dominated run time).
RAW_TABLE_SPECS = [
    dg.AssetSpec(
        ["raw", table],
        deps=[writer],
        group_name=INGESTION_GROUP,
        kinds={"duckdb"},
        description=f"Rohtabelle raw.{table} der Build-Datenbank; geschrieben von {writer.to_user_string()}.",
    )
    for writer, tables in ((LOAD_ASSET, CONTRACT_FILES), (RECORD_ASSET, RAW_BOOKKEEPING_TABLES))
    for table in tables
]
