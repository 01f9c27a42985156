"""Publication: the read-only snapshot of the warehouse that dashboards and analysts open."""

import dagster as dg

from pipelines.defs.resources import DUCKDB_WRITER_POOL, KimPaths
from pipelines.defs.transformation.assets import MART_KEYS
from pipelines.publish import publish_warehouse


@dg.asset(
    deps=MART_KEYS,
    group_name="veroeffentlichung",
    kinds={"duckdb"},
    pool=DUCKDB_WRITER_POOL,
)
def warehouse_veroeffentlicht(context: dg.AssetExecutionContext, kim_paths: KimPaths) -> dg.MaterializeResult:
    """`kim.duckdb`: a checkpointed copy of the build database, swapped in by atomic rename."""
    result = publish_warehouse(kim_paths.build_db, kim_paths.published_db)
    context.log.info(result.summary_german())
    return dg.MaterializeResult(
        metadata={
            "pfad": dg.MetadataValue.path(str(result.path)),
            "groesse_mb": round(result.size_bytes / 1e6, 1),
            "tabellen": result.table_count,
            "kpi_werte_zeilen": result.kpi_rows,
        }
    )
