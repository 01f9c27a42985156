"""Many packages of a quarter validated together give each package exactly what it gets validated alone.

The batch mixes packages that share every key (the same `fall_id`, `stelle_id`, … in each: uniqueness holds
per package), units with other Gemeinden, other known cases, a package breaking every rule of every file, a
clean one, one without some files and one whose file has a reader defect (a column of the wrong dtype).
"""

from __future__ import annotations

import importlib

import pandas as pd
import pytest
from expectation_frames import clean_frames, clean_rows, known_cases, parameters, pseudonym, typed_frame

from expectations import ValidationParameters, validate_package, validate_packages
from expectations.suites import SUITE_MODULES


def _rule_case_frames() -> dict[str, pd.DataFrame]:
    frames = {}
    for name in SUITE_MODULES:
        tests = importlib.import_module(f"test_suite_{name}")
        rows = clean_rows(name)
        for item in tests.CASES:
            rows += [{**tests.BASE, **changes} for changes in item.rows]
        frames[name] = typed_frame(name, rows)
    return frames


def _batch() -> list[tuple[dict[str, pd.DataFrame], ValidationParameters]]:
    broken = _rule_case_frames()
    other_unit = ValidationParameters(
        ags="05334",
        berichtsquartal=parameters().berichtsquartal,
        gemeinden=frozenset({"05334004", "05334008"}),
    )
    defect = {"faelle": broken["faelle"].assign(geschlecht=broken["faelle"]["geschlecht"].astype(object))}
    return [
        (broken, parameters(known_cases((pseudonym("aus 2024-Q4"), "2024-11-03")))),
        (clean_frames(), parameters()),
        (broken, other_unit),
        ({name: frame for name, frame in clean_frames().items() if name != "ereignisse"}, other_unit),
        (defect, parameters()),
    ]


def test_a_batch_gives_every_package_what_it_gets_alone():
    batch = _batch()
    together = validate_packages(batch)
    assert len(together) == len(batch)
    for (frames, validation), outcome in zip(batch, together, strict=True):
        alone = validate_package(frames, validation)
        pd.testing.assert_frame_equal(outcome.findings, alone.findings)
        assert outcome.suites == alone.suites
    assert len(together[0].findings) > 100  # the broken package breaks every rule
    assert together[1].findings.empty  # its keys repeat those of the others: no duplicate across packages
    # The same rows are judged by each package's unit: other Gemeinden, other findings.
    assert not together[0].findings.equals(together[2].findings)


def test_a_batch_holds_packages_of_one_quarter():
    frames = clean_frames()
    with pytest.raises(ValueError, match="one quarter"):
        validate_packages([(frames, parameters()), (frames, parameters(quarter="2025-Q4"))])
    assert validate_packages([]) == []
