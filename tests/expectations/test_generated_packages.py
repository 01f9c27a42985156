"""Realistic input: packages of the demo generator, read by the real parser, pass every suite.

One quarter for all units is generated and four contrasting units are validated: a kreisfreie Stadt, a Kreis,
the Städteregion Aachen and the city of Aachen inside it (which the Städteregion must not claim).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from expectations import ValidationParameters, validate_package
from pipelines.calendar import Quarter
from pipelines.contract.units import served_gemeinden
from pipelines.ingest.packages import packages_for_partition
from pipelines.ingest.staging import read_valid_rows

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from kim_package_factory import DataDirs  # noqa: E402

QUARTER = "2025-Q2"
UNITS = ("05111", "05554", "05334", "05334002")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> DataDirs:
    from pipelines.generator import generate

    dirs = DataDirs.under(tmp_path_factory.mktemp("generiert"))
    generate(
        dirs.landing,
        scale=0.02,
        seed=11,
        first=Quarter(2025, 2),
        last=Quarter(2025, 2),
        stichtag=date(2026, 1, 1),
    )
    return dirs


@pytest.mark.parametrize("ags", UNITS)
def test_a_generated_package_passes_every_suite(landing, ags):
    refs = packages_for_partition(landing.landing, ags, QUARTER)
    assert refs
    for ref in refs:
        parsed = landing.parse(ref)
        staged = [file for file in parsed.files if file.staged]
        frames = {file.contract_file.name: read_valid_rows(parsed, file) for file in staged}
        assert {"faelle", "ereignisse", "personal"} <= set(frames)
        outcome = validate_package(
            frames, ValidationParameters(ags=ags, berichtsquartal=QUARTER, gemeinden=served_gemeinden(ags))
        )
        assert outcome.findings["meldung"].tolist() == []
        assert [suite.datei for suite in outcome.suites] == [file.name for file in staged]
        for suite, file in zip(outcome.suites, staged, strict=True):
            assert suite.rows_checked == file.rows_loaded
            assert (suite.failed_expectations, suite.rows_quarantined, suite.notices) == (0, 0, 0)
