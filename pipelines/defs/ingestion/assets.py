"""Ingestion assets per unit × quarter: archive → parse → load the raw tables of the build database."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.contract.schema import CONTRACT_FILES
from pipelines.defs.checks import RECONCILIATION_CHECK, reconcile_packages
from pipelines.defs.partitions import package_partitions
from pipelines.defs.resources import DUCKDB_WRITER_POOL, KimPaths
from pipelines.ingest.archive import archive_package
from pipelines.ingest.load import load_package
from pipelines.ingest.packages import PackageRef, packages_for_partition
from pipelines.ingest.parse import ParsedPackage, parse_package
from pipelines.ingest.pseudonyms import load_or_create_secret

INGESTION_GROUP = "eingang"
RAW_BOOKKEEPING_TABLES = ("lieferungen", "lieferungen_dateien", "befunde")
RAW_TABLE_KEYS = [dg.AssetKey(["raw", name]) for name in (*CONTRACT_FILES, *RAW_BOOKKEEPING_TABLES)]


def _partition(context: dg.AssetExecutionContext) -> tuple[str, str]:
    keys = context.partition_key.keys_by_dimension
    return keys["ags"], keys["quartal"]


@dg.asset(
    partitions_def=package_partitions,
    group_name=INGESTION_GROUP,
    kinds={"python", "file"},
)
def paket_archiv(context: dg.AssetExecutionContext, kim_paths: KimPaths) -> list[tuple[PackageRef, str]]:
    """The unit's delivered packages for the quarter, archived content-addressed and immutable."""
    ags, quartal = _partition(context)
    refs = packages_for_partition(kim_paths.landing_dir, ags, quartal)
    if not refs:
        raise dg.Failure(
            description=f"Für {ags} / {quartal} liegt im Eingangsordner {kim_paths.landing_dir} kein Paket vor."
        )
    archived = [(ref, str(archive_package(ref, kim_paths.archive_dir))) for ref in refs]
    context.add_output_metadata(
        {
            "pakete": len(archived),
            "paket_ids": ", ".join(sorted(ref.paket_id for ref, _ in archived)),
            "archiv": dg.MetadataValue.json({ref.paket_id: path for ref, path in archived}),
        }
    )
    return archived


@dg.asset(
    partitions_def=package_partitions,
    group_name=INGESTION_GROUP,
    kinds={"python", "parquet"},
)
def paket_geparst(
    context: dg.AssetExecutionContext, kim_paths: KimPaths, paket_archiv: list[tuple[PackageRef, str]]
) -> list[ParsedPackage]:
    """Every archived package read in its physical variant, typed, re-keyed and split into valid and quarantined rows."""
    secret = load_or_create_secret(kim_paths.pseudonym_secret_file)
    parsed = [
        parse_package(archive_path, ref, secret, kim_paths.staging_dir) for ref, archive_path in paket_archiv
    ]
    for package in parsed:
        context.log.info(package.summary_german())
    context.add_output_metadata(
        {
            "status": ", ".join(f"{package.paket_id[:12]}: {package.status}" for package in parsed),
            "zeilen_geliefert": sum(package.rows_delivered for package in parsed),
            "zeilen_quarantaene": sum(package.rows_quarantined for package in parsed),
        }
    )
    return parsed


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, deps=["paket_geparst"], group_name=INGESTION_GROUP, kinds={"duckdb"})
        for key in RAW_TABLE_KEYS
    ],
    ins={"paket_geparst": dg.AssetIn("paket_geparst")},
    partitions_def=package_partitions,
    check_specs=[RECONCILIATION_CHECK],
    pool=DUCKDB_WRITER_POOL,
    can_subset=False,
)
def raw_tabellen(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, paket_geparst: list[ParsedPackage]
):
    """The partition's rows in the raw tables of the build database, replaced by the package that wins it."""
    results = []
    with duckdb.get_connection() as con:
        for package in paket_geparst:
            result = load_package(con, package)
            context.log.info(result.summary_german())
            results.append(result)
        reconciliation = reconcile_packages(con, [package.paket_id for package in paket_geparst])
    loaded_rows = {}
    for result in results:
        for table, count in result.rows_by_table.items():
            loaded_rows[table] = loaded_rows.get(table, 0) + count
    for key in RAW_TABLE_KEYS:
        table = key.path[-1]
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={"zeilen_geladen": loaded_rows.get(table, 0), "pakete": len(results)},
        )
    yield reconciliation
