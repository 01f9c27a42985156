"""The Dagster code location, one module per concern (partitions, resources, assets, checks, sensors, jobs)."""

from __future__ import annotations

import dagster as dg


def build_definitions(*, keep_step_outputs: bool = True) -> dg.Definitions:
    """All assets, jobs and sensors with resources configured from the current environment.

    `keep_step_outputs=False` hands step outputs on in memory instead of pickling them into DAGSTER_HOME: for
    `kim build`, whose in-process runs never re-execute a single step. Runs of `dagster dev` keep them, so a
    run can be re-executed from a failed step.
    """
    from pipelines.defs.ingestion.assets import RAW_TABLE_SPECS, pakete_verarbeiten
    from pipelines.defs.jobs import pakete_laden, warehouse_aufbauen
    from pipelines.defs.publication.assets import warehouse_veroeffentlicht
    from pipelines.defs.resources import build_resources
    from pipelines.defs.sensors import eingangsordner_sensor, warehouse_aktualisierung_sensor
    from pipelines.defs.transformation.assets import kim_dbt_modelle

    return dg.Definitions(
        assets=[
            pakete_verarbeiten,
            *RAW_TABLE_SPECS,
            kim_dbt_modelle,
            warehouse_veroeffentlicht,
        ],
        jobs=[pakete_laden, warehouse_aufbauen],
        sensors=[eingangsordner_sensor, warehouse_aktualisierung_sensor],
        resources=build_resources(keep_step_outputs=keep_step_outputs),
        # One process per run, steps in sequence: the build database has one writer, and the multiprocess
        # executor costs seconds of start-up per run for no gain here.
        executor=dg.in_process_executor,
    )
