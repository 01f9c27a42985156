"""Fixtures of the ingestion tests: a temporary KIM data directory per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from kim_package_factory import DataDirs


@pytest.fixture
def dirs(tmp_path: Path) -> DataDirs:
    return DataDirs.under(tmp_path)
