"""Ingestion assets per unit × quarter: archive → parse → check against the contract → record → load."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.contract.schema import CONTRACT_FILES
from pipelines.defs.checks import (
    ACCEPTANCE_CHECK,
    CONTRACT_SUITE_CHECKS,
    RECONCILIATION_CHECK,
    acceptance_result,
    contract_suite_results,
    reconcile_packages,
)
from pipelines.defs.partitions import package_partitions
from pipelines.defs.resources import DUCKDB_WRITER_POOL, KimPaths
from pipelines.ingest.archive import archive_package
from pipelines.ingest.findings import Status
from pipelines.ingest.load import load_partition, record_package
from pipelines.ingest.packages import PackageRef, packages_for_partition
from pipelines.ingest.parse import ParsedPackage, parse_package
from pipelines.ingest.pseudonyms import load_or_create_secret
from pipelines.ingest.report import report_dir, write_report
from pipelines.ingest.validation import validate_parsed

INGESTION_GROUP = "eingang"
RAW_BOOKKEEPING_TABLES = ("lieferungen", "lieferungen_dateien", "befunde")


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
    """Every archived package read in its physical variant, typed, re-keyed, split into valid and quarantined rows."""
    secret = load_or_create_secret(kim_paths.pseudonym_secret_file)
    parsed = [
        parse_package(archive_path, ref, secret, kim_paths.staging_dir) for ref, archive_path in paket_archiv
    ]
    context.add_output_metadata(
        {
            "zusammenfassung": "\n".join(package.summary_german() for package in parsed),
            "status": ", ".join(f"{package.paket_id[:12]}: {package.status}" for package in parsed),
            "zeilen_geliefert": sum(package.rows_delivered for package in parsed),
            "zeilen_quarantaene": sum(package.rows_quarantined for package in parsed),
        }
    )
    return parsed


@dg.asset(
    partitions_def=package_partitions,
    group_name=INGESTION_GROUP,
    kinds={"python", "great_expectations"},
    check_specs=CONTRACT_SUITE_CHECKS,
)
def paket_geprueft(
    context: dg.AssetExecutionContext, kim_paths: KimPaths, paket_geparst: list[ParsedPackage]
):
    """Every parsed package checked against the contract's GX suites, bad rows quarantined, German report written."""
    validated = [validate_parsed(package, kim_paths.case_index_dir) for package in paket_geparst]
    reports = [write_report(item.package, kim_paths.reports_dir) for item in validated]
    yield dg.Output(
        [item.package for item in validated],
        metadata={
            "zusammenfassung": "\n".join(item.package.summary_german() for item in validated),
            "status": ", ".join(f"{item.package.paket_id[:12]}: {item.package.status}" for item in validated),
            "zeilen_quarantaene": sum(item.package.rows_quarantined for item in validated),
            "berichte": dg.MetadataValue.json([str(report.markdown) for report in reports]),
        },
    )
    yield from contract_suite_results(validated)


@dg.asset(
    partitions_def=package_partitions,
    group_name=INGESTION_GROUP,
    kinds={"duckdb"},
    check_specs=[ACCEPTANCE_CHECK],
    pool=DUCKDB_WRITER_POOL,
)
def lieferprotokoll(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    kim_paths: KimPaths,
    paket_geprueft: list[ParsedPackage],
):
    """Each checked package recorded with status, counts, findings and report (rejected ones too)."""
    with duckdb.get_connection() as con:
        for package in paket_geprueft:
            report = report_dir(kim_paths.reports_dir, package) / f"{package.paket_id}.md"
            record_package(con, package, report.read_text(encoding="utf-8"))
    yield dg.Output(
        paket_geprueft,
        metadata={
            "pakete": len(paket_geprueft),
            "paket_ids": ", ".join(sorted(package.paket_id for package in paket_geprueft)),
            "abgelehnt": sum(package.status is Status.REJECTED for package in paket_geprueft),
        },
    )
    # Blocking: a partition none of whose packages is acceptable loads nothing, and the run says so.
    yield acceptance_result(paket_geprueft)


@dg.asset(
    partitions_def=package_partitions,
    group_name=INGESTION_GROUP,
    kinds={"duckdb"},
    check_specs=[RECONCILIATION_CHECK],
    pool=DUCKDB_WRITER_POOL,
)
def raw_tabellen(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, lieferprotokoll: list[ParsedPackage]
):
    """The partition's rows in the `raw` schema of the build database, replaced by the package that wins it."""
    with duckdb.get_connection() as con:
        results = load_partition(con, lieferprotokoll)
        reconciliation = reconcile_packages(con, [package.paket_id for package in lieferprotokoll])
    loaded_rows: dict[str, int] = {}
    for result in results:
        for table, count in result.rows_by_table.items():
            loaded_rows[table] = loaded_rows.get(table, 0) + count
    yield dg.Output(
        None,
        metadata={
            "pakete": len(lieferprotokoll),
            "zusammenfassung": "\n".join(result.summary_german() for result in results),
            **{f"zeilen_{table}": count for table, count in sorted(loaded_rows.items())},
        },
    )
    yield reconciliation


# The tables of the `raw` schema as dbt sees them (its sources). They are written only by `raw_tabellen`, in
# one step per partition; declaring them as specs downstream of it keeps the lineage to every dbt model while
# each partition run records one materialisation instead of ten (Dagster's event log dominated run time).
RAW_TABLE_SPECS = [
    dg.AssetSpec(
        ["raw", table],
        deps=[writer],
        group_name=INGESTION_GROUP,
        kinds={"duckdb"},
        description=f"Rohtabelle raw.{table} der Build-Datenbank; geschrieben von {writer.key.to_user_string()}.",
    )
    for writer, tables in ((raw_tabellen, CONTRACT_FILES), (lieferprotokoll, RAW_BOOKKEEPING_TABLES))
    for table in tables
]
