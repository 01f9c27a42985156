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
    """`kim.duckdb` (published layer) and `kim_ministerium.duckdb` (everything), swapped in by atomic rename."""
    ministry, public = publish_warehouse(
        kim_paths.settings.build_db, kim_paths.settings.published_db, kim_paths.settings.ministry_db
    )
    for result in (ministry, public):
        context.log.info(result.summary_german())
    return dg.MaterializeResult(
        metadata={
            "pfad": dg.MetadataValue.path(str(public.path)),
            "pfad_ministerium": dg.MetadataValue.path(str(ministry.path)),
            "groesse_mb": round(public.size_bytes / 1e6, 1),
            "groesse_ministerium_mb": round(ministry.size_bytes / 1e6, 1),
            "tabellen": public.table_count,
            "kpi_werte_zeilen": public.kpi_rows,
        }
    )
