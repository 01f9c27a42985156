"""Shared fixtures: an isolated KIM installation per test session, with one real end-to-end build.

`published_warehouse` is the real path run exactly as a user runs it: `kim generate` writes a small statewide
dataset, `kim build` loads every partition through Dagster (persistent instance, one run for all partitions), dbt
builds the marts and the warehouse is published (tests/support/session_installation.py, offline where the
machine allows). Integration and dashboard tests all read the same real snapshot; `session_cli` holds what the
two commands printed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from session_installation import SessionCli, build, environment, read

from pipelines.config import Settings, apply_offline_environment, get_settings

apply_offline_environment()


@pytest.fixture(scope="session")
def kim_session_env(tmp_path_factory) -> Settings:
    """Point every component of this session at the session installation's data, warehouse and Dagster folders.

    KIM_TESTS_INSTALLATION names an installation built beforehand (`make test` builds one for both xdist
    workers; a developer may reuse the `kim0` folder an earlier session left under pytest's basetemp); without
    it, `session_cli` builds one in a temporary folder.
    """
    reused = os.environ.get("KIM_TESTS_INSTALLATION")
    root = Path(reused) if reused else tmp_path_factory.mktemp("kim")
    patch = pytest.MonkeyPatch()
    for name, value in environment(root).items():
        patch.setenv(name, value)
    yield get_settings()
    patch.undo()


@pytest.fixture(scope="session")
def session_cli(kim_session_env: Settings) -> SessionCli:
    """`kim generate` and `kim build` for the session (see tests/support/session_installation.py)."""
    if os.environ.get("KIM_TESTS_OHNE_SITZUNG"):
        pytest.fail(
            "This test reads the session's installation, but runs in the lane of `make test` that must not build "
            "it: add its file to SESSION_TESTS in the Makefile."
        )
    root = kim_session_env.data_dir.parent
    if os.environ.get("KIM_TESTS_INSTALLATION"):
        return read(root)
    return build(root)


@pytest.fixture(scope="session")
def generated_landing(session_cli: SessionCli, kim_session_env: Settings) -> Settings:
    """The session's generated statewide dataset in its landing zone (already built: see `session_cli`)."""
    return kim_session_env


@pytest.fixture(scope="session")
def published_warehouse(session_cli: SessionCli, kim_session_env: Settings) -> Settings:
    """The session's dataset built end to end and published as `kim.duckdb`."""
    assert kim_session_env.published_db.exists(), session_cli.build
    return kim_session_env
