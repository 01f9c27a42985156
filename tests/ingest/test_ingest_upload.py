"""An uploaded package: checked in a scratch folder, delivered into the landing zone, nothing outside it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from kim_package_factory import AGS, QUARTER, csv_files, sample_rows, with_manifest, write_folder, write_zip

from pipelines.config import Settings
from pipelines.contract.findings import Status
from pipelines.ingest.archive import archive_path_for
from pipelines.ingest.packages import packages_for_partition
from pipelines.ingest.upload import UploadError, check_package, deliver_to_landing


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.under(tmp_path, stichtag=date(2026, 1, 15))


@pytest.fixture
def uploaded(tmp_path: Path) -> Path:
    """A clean package as the upload page lays it out in its own scratch folder."""
    return write_folder(tmp_path / "upload", with_manifest(csv_files(sample_rows())))


def test_a_clean_package_is_acceptable_and_the_check_leaves_no_trace(settings, uploaded):
    check = check_package(uploaded, AGS, QUARTER, settings)

    assert check.acceptable
    assert check.package.status in {Status.ACCEPTED, Status.ACCEPTED_WITH_NOTICES}
    assert check.report.startswith(f"# Lieferbericht {AGS}")
    for folder in (settings.archive_dir, settings.staging_dir, settings.landing_dir):
        assert not folder.exists() or not any(folder.rglob("*.parquet")), folder


def test_delivery_moves_the_package_under_its_partition_name(settings, uploaded):
    target = deliver_to_landing(uploaded, AGS, QUARTER, settings)

    assert target == settings.landing_dir / AGS / QUARTER
    refs = packages_for_partition(settings.landing_dir, AGS, QUARTER)
    assert [ref.path for ref in refs] == [target]
    assert not [path for path in (settings.landing_dir / AGS).iterdir() if path.name.startswith(".")]


def test_a_replaced_delivery_stays_in_the_archive(settings, uploaded, tmp_path):
    earlier = write_zip(tmp_path / "earlier", with_manifest(csv_files(sample_rows())))
    deliver_to_landing(earlier, AGS, QUARTER, settings)
    (earlier_ref,) = packages_for_partition(settings.landing_dir, AGS, QUARTER)
    rows = sample_rows()
    rows["lenkungsgruppe"][0]["beschluesse"] = "9"
    corrected = write_zip(tmp_path / "corrected", with_manifest(csv_files(rows)))

    target = deliver_to_landing(corrected, AGS, QUARTER, settings)

    assert target.read_bytes() == corrected.read_bytes()
    assert archive_path_for(earlier_ref.paket_id, settings.archive_dir).exists()


@pytest.mark.parametrize(
    ("ags", "quartal", "expected"),
    [
        ("../..", QUARTER, "keine der 54 KIM-Kommunen"),
        ("99999", QUARTER, "keine der 54 KIM-Kommunen"),
        (AGS, "../2025-Q3", "kein Berichtsquartal"),
        (AGS, " 2025-Q3", "kein Berichtsquartal"),
        (AGS, "2025-Q5", "kein Berichtsquartal"),
    ],
)
def test_only_a_known_unit_and_a_well_formed_quarter_are_accepted(settings, uploaded, ags, quartal, expected):
    for step in (check_package, deliver_to_landing):
        with pytest.raises(UploadError, match=expected):
            step(uploaded, ags, quartal, settings)
    assert not settings.landing_dir.exists()
