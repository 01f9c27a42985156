"""The dbt project as assets: seeds, staging, intermediate and marts of the build database (tests as checks)."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import DUCKDB_WRITER_POOL, KimPaths, dbt_project
from pipelines.ingest.raw_tables import create_raw_schema

TRANSFORMATION_GROUP = "warehouse"


class KimDbtTranslator(DagsterDbtTranslator):
    """Asset keys `<schema>/<table>` (`raw/faelle`, `marts/kpi_werte`), mirroring the warehouse's own names."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        # `alias` is the table name in the warehouse (a mart may not share its model name with a seed).
        return dg.AssetKey(
            [dbt_resource_props["schema"], dbt_resource_props.get("alias") or dbt_resource_props["name"]]
        )

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return TRANSFORMATION_GROUP


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=KimDbtTranslator(),
    pool=DUCKDB_WRITER_POOL,
)
def kim_dbt_modelle(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource, kim_paths: KimPaths
):
    """Reference data, KPIs and delivery status built by dbt from the raw tables."""
    # Sources must exist even before the first package was ever loaded.
    with duckdb.get_connection() as con:
        create_raw_schema(con)
    # Unit tests check the SQL logic on fixed inputs, not the loaded data: they run in the test suite
    # (tests/dbt), not in every production build, where they would only cost time.
    # Every build of an installation shares one target folder (dagster-dbt would give each invocation a new
    # one, about 20 MB that nothing reads again): it keeps dbt's partial parse state, so a build parses only
    # the project files that changed, and the run results of the last build stay there for an operator.
    invocation = dbt.cli(
        # dbt's file log defaults to debug, every SQL statement of every node (12 MB per build at scale 1);
        # results and errors are info.
        ["--log-level-file", "info", "build", "--exclude-resource-type", "unit_test"],
        context=context,
        target_path=kim_paths.settings.dbt_target_dir,
    )
    yield from invocation.stream()


MART_KEYS = [key for key in kim_dbt_modelle.keys if key.path[0] in ("marts", "oeffentlich")]
