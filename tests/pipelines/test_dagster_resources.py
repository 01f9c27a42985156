"""The dbt resource skips two handles of dagster-dbt by overriding its private methods: the overrides must
still replace something, and the version they report must be the installed dbt's."""

from __future__ import annotations

import importlib.metadata

from dagster_dbt import DbtCliResource
from packaging import version

from pipelines.config import DBT_PROJECT_DIR, dbt_executable
from pipelines.defs.resources import KimDbtCliResource, dbt_project


def test_the_overridden_methods_exist_in_dagster_dbt():
    # If an upgrade renames them, the overrides would silently stop working: this test says so instead.
    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource), f"dagster-dbt no longer has {name}; revisit KimDbtCliResource"
        assert name in vars(KimDbtCliResource)


def test_the_version_is_the_installed_dbt_core_without_a_subprocess():
    resource = KimDbtCliResource(
        project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )
    assert resource._cli_version == version.parse(importlib.metadata.version("dbt-core"))
    assert resource._initialize_dbt_core_adapter(["build"]) is None
