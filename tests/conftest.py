"""Shared fixtures: an isolated KIM installation per test session, with one real end-to-end build.

`published_warehouse` runs the real path once per session — the demo generator writes a small statewide
dataset, Dagster loads every partition in-process, dbt builds the marts and the warehouse is published — so
integration and dashboard tests all read the same real snapshot.
"""

from __future__ import annotations

import pytest

from pipelines.calendar import Quarter
from pipelines.config import Settings, apply_offline_environment, get_settings

apply_offline_environment()

# Small but complete: all 54 units over six quarters, a reference date after the last deadline.
TEST_SCALE = 0.03
TEST_SEED = 20251
TEST_FIRST_QUARTER = Quarter(2024, 3)
TEST_LAST_QUARTER = Quarter(2025, 4)
TEST_STICHTAG = "2026-03-01"


@pytest.fixture(scope="session")
def kim_session_env(tmp_path_factory) -> Settings:
    """Point every component of this session at a temporary data, warehouse and Dagster directory."""
    root = tmp_path_factory.mktemp("kim")
    patch = pytest.MonkeyPatch()
    patch.setenv("KIM_DATA_DIR", str(root / "data"))
    patch.setenv("KIM_WAREHOUSE_DIR", str(root / "warehouse"))
    patch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    patch.setenv("KIM_STICHTAG", TEST_STICHTAG)
    patch.setenv("KIM_BERICHTSBEGINN", str(TEST_FIRST_QUARTER))
    yield get_settings()
    patch.undo()


@pytest.fixture(scope="session")
def generated_landing(kim_session_env: Settings) -> Settings:
    """A small generated statewide dataset in the session's landing zone."""
    from pipelines.generator import generate

    generate(
        kim_session_env.landing_dir,
        scale=TEST_SCALE,
        seed=TEST_SEED,
        first=TEST_FIRST_QUARTER,
        last=TEST_LAST_QUARTER,
    )
    return kim_session_env


@pytest.fixture(scope="session")
def published_warehouse(generated_landing: Settings) -> Settings:
    """The session's dataset built end to end and published as `kim.duckdb`."""
    import dagster as dg

    from pipelines.build import build_all

    summary = build_all(generated_landing, instance=dg.DagsterInstance.ephemeral(), progress=lambda _: None)
    assert summary.ok, summary.format_german()
    assert generated_landing.published_db.exists()
    return generated_landing
