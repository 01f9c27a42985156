"""Shared fixtures: an isolated KIM installation per test session, with one real end-to-end build.

`published_warehouse` runs the real path once per session exactly as a user does: `kim generate` writes a
small statewide dataset, `kim build` loads every partition through Dagster (persistent instance, two worker
processes), dbt builds the marts and the warehouse is published. Both commands run as subprocesses and, where
the machine allows it (root, util-linux `unshare`), in a network namespace without any network, which proves
that nothing in generation, ingestion, dbt or publication needs the internet. Integration and dashboard tests
all read the same real snapshot; `session_cli` holds what the two commands printed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from kim_cli import offline_prefix, run_kim

from pipelines.calendar import Quarter
from pipelines.config import Settings, apply_offline_environment, get_settings

apply_offline_environment()

# Small but complete: all 54 units over a year of quarters, a reference date after the last deadline. Each
# partition costs ~1 s of the session's build whatever its size, so the quarters, not the scale, set its time.
TEST_SCALE = 0.03
TEST_SEED = 20251
TEST_FIRST_QUARTER = Quarter(2025, 1)
TEST_LAST_QUARTER = Quarter(2025, 4)
TEST_STICHTAG = "2026-03-01"


@dataclass(frozen=True)
class SessionCli:
    """What `kim generate` and `kim build` printed for the session's installation, and whether offline."""

    generate: str
    build: str
    offline: bool


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
def session_cli(kim_session_env: Settings) -> SessionCli:
    """`kim generate` and `kim build` run once for the session, offline where the machine allows it."""
    if os.environ.get("KIM_TESTS_OHNE_SITZUNG"):
        pytest.fail(
            "This test reads the session's installation, but runs in the lane of `make test` that must not build "
            "it: add its file to SESSION_TESTS in the Makefile."
        )
    offline = bool(offline_prefix())
    generated = run_kim(
        "generate",
        "--scale",
        str(TEST_SCALE),
        "--seed",
        str(TEST_SEED),
        "--from",
        str(TEST_FIRST_QUARTER),
        "--to",
        str(TEST_LAST_QUARTER),
        offline=offline,
    )
    built = run_kim("build", offline=offline)
    return SessionCli(generate=generated, build=built, offline=offline)


@pytest.fixture(scope="session")
def generated_landing(session_cli: SessionCli, kim_session_env: Settings) -> Settings:
    """The session's generated statewide dataset in its landing zone (already built: see `session_cli`)."""
    return kim_session_env


@pytest.fixture(scope="session")
def published_warehouse(session_cli: SessionCli, kim_session_env: Settings) -> Settings:
    """The session's dataset built end to end and published as `kim.duckdb`."""
    assert kim_session_env.published_db.exists(), session_cli.build
    return kim_session_env
