"""Resources, configured once from the shared KIM configuration (environment variables)."""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from dagster_duckdb import DuckDBResource
from packaging import version

from pipelines.config import DBT_PROJECT_DIR, Settings, dbt_executable, get_settings

# The pool every writer of the build database joins; the instance limits it to one step at a time.
DUCKDB_WRITER_POOL = "duckdb_schreiber"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Only `dagster dev` re-parses on load; `kim build` and the tests prepare the manifest beforehand.
dbt_project.prepare_if_dev()


class KimDbtCliResource(DbtCliResource):
    """dbt's CLI as Dagster runs it, without the two handles `kim build` never uses.

    - The version: dagster-dbt asks the executable (`dbt --version`, a Python start-up of about 1.5 CPU-s per
      build); the executable is this environment's (`config.dbt_executable`), so it is the installed dbt-core.
    - An adapter connection in the Dagster process (about 1.5 CPU-s), which dagster-dbt only needs to fetch row
      counts or column metadata; no asset here asks for them.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


class KimPaths(dg.ConfigurableResource):
    """Where the installation lives: the data and warehouse folders of the shared `Settings`."""

    data_dir: str
    warehouse_dir: str

    @property
    def settings(self) -> Settings:
        """Every path of the installation, from the one registry (`pipelines.config.Settings`)."""
        return replace(get_settings(), data_dir=Path(self.data_dir), warehouse_dir=Path(self.warehouse_dir))


def build_resources(*, keep_step_outputs: bool = True) -> dict[str, object]:
    settings = get_settings()
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    # dbt runs as a subprocess in dbt_project/; its profile reads the warehouse path from this variable, so it
    # must be absolute and identical to the one the ingestion writes to.
    os.environ["KIM_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    return {
        "kim_paths": KimPaths(data_dir=str(settings.data_dir), warehouse_dir=str(settings.warehouse_dir)),
        "duckdb": DuckDBResource(
            database=str(settings.build_db),
            connection_config={
                "memory_limit": os.environ.get("KIM_DUCKDB_MEMORY_LIMIT", "4GB"),
                "threads": 2,
                "autoinstall_known_extensions": False,
            },
        ),
        "dbt": KimDbtCliResource(
            project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
        ),
        "io_manager": (
            dg.FilesystemIOManager(base_dir=str(settings.dagster_home / "storage"))
            if keep_step_outputs
            else dg.InMemoryIOManager()
        ),
    }
