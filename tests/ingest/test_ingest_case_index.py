"""The case index: which cases a unit delivered in earlier quarters (for events of known cases)."""

from __future__ import annotations

from datetime import date

from kim_package_factory import SECRET, csv_files, sample_rows, with_manifest, write_folder

from pipelines.ingest.case_index import case_index_dir, forget_cases, known_cases, record_cases
from pipelines.ingest.pseudonyms import rekey_value


def _package(dirs, quarter: str, aufnahme: str = "2024-02-10"):
    rows = sample_rows()
    rows["faelle"][0]["aufnahme_am"] = aufnahme
    write_folder(dirs.landing, with_manifest(csv_files(rows), quarter=quarter), quarter=quarter)
    return dirs.parse_only_package(quarter=quarter)


def test_only_cases_of_earlier_quarters_are_known(dirs):
    index = case_index_dir(dirs.staging)
    assert known_cases(index, "05111", "2025-Q3").empty
    q2 = _package(dirs, "2025-Q2")
    q3 = _package(dirs, "2025-Q3")
    assert record_cases(index, q2).exists()
    record_cases(index, q3)

    known = known_cases(index, "05111", "2025-Q3")
    assert len(known) == 3
    assert rekey_value("KF-2024-0001", "05111", SECRET) in set(known["fall_id"])
    assert known_cases(index, "05111", "2025-Q2").empty  # its own quarter is not "earlier"
    assert len(known_cases(index, "05111", "2026-Q1")) == 3
    assert known_cases(index, "05112", "2026-Q1").empty  # another unit's cases never count


def test_the_latest_quarter_decides_a_case_intake_date_and_forgetting_removes_a_package(dirs):
    index = case_index_dir(dirs.staging)
    q1 = _package(dirs, "2025-Q1", aufnahme="2024-02-10")
    q2 = _package(dirs, "2025-Q2", aufnahme="2024-02-12")
    record_cases(index, q1)
    record_cases(index, q2)
    first_case = rekey_value("KF-2024-0001", "05111", SECRET)
    known = known_cases(index, "05111", "2025-Q3").set_index("fall_id")
    assert known.loc[first_case, "aufnahme_am"] == date(2024, 2, 12)

    forget_cases(index, q2)
    known = known_cases(index, "05111", "2025-Q3").set_index("fall_id")
    assert known.loc[first_case, "aufnahme_am"] == date(2024, 2, 10)
