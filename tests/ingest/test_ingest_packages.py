"""Discovery in the landing zone, package identity, and the content-addressed, read-only archive."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from datetime import UTC, datetime

import pytest
from kim_package_factory import csv_files, sample_rows, with_manifest, workbook_files, write_folder, write_zip

from pipelines.contract.packages import PackageShape
from pipelines.ingest.archive import PackageChangedError, archive_package, archive_path_for
from pipelines.ingest.files import publish_once
from pipelines.ingest.packages import find_packages, packages_for_partition


def test_every_shape_is_found_with_its_partition(dirs):
    folder = write_folder(dirs.landing, with_manifest(csv_files(sample_rows())))
    archive = write_zip(
        dirs.landing, with_manifest(csv_files(sample_rows())), ags="05334002", quarter="2025-Q2"
    )
    workbook = write_folder(dirs.landing, with_manifest(workbook_files(sample_rows())), ags="05112")
    scan = find_packages(dirs.landing)
    assert scan.problems == []
    assert [(ref.ags, ref.berichtsquartal, ref.shape, ref.path) for ref in scan.packages] == [
        ("05111", "2025-Q3", PackageShape.ORDNER_CSV, folder),
        ("05112", "2025-Q3", PackageShape.ORDNER_XLSX, workbook),
        ("05334002", "2025-Q2", PackageShape.ZIP_CSV, archive),
    ]


def test_stray_items_are_problems_and_hidden_ones_are_ignored(dirs):
    write_folder(dirs.landing, with_manifest(csv_files(sample_rows())))
    (dirs.landing / "liesmich.txt").write_text("x")
    (dirs.landing / ".DS_Store").write_text("x")
    (dirs.landing / "Düsseldorf").mkdir()
    (dirs.landing / "05111" / "2025-Q5").mkdir()
    (dirs.landing / "05111" / "2025-q4.zip").write_bytes(b"PK")
    (dirs.landing / "05111" / "notiz.pdf").write_bytes(b"%PDF")
    (dirs.landing / "05111" / "2025-Q4").mkdir()
    (dirs.landing / "05111" / "2025-Q4" / ".upload.part").write_text("x")
    (dirs.landing / "05111" / ".hidden").mkdir()
    scan = find_packages(dirs.landing)
    assert [ref.path for ref in scan.packages] == [dirs.landing / "05111" / "2025-Q3"]
    unit = dirs.landing / "05111"
    assert scan.problems == [
        f"{unit / '2025-Q4'}: Der Quartalsordner ist leer (Lieferung noch unvollständig?).",
        f"{unit / '2025-Q5'}: „2025-Q5“ ist kein Berichtsquartal in der Schreibweise JJJJ-Qn (z. B. "
        "2025-Q3).",
        f"{unit / '2025-q4.zip'}: „2025-q4“ ist kein Berichtsquartal in der Schreibweise JJJJ-Qn (z. B. "
        "2025-Q3).",
        f"{unit / 'notiz.pdf'}: weder Quartalsordner noch ZIP-Datei (erwartet "
        "<Eingangsordner>/<AGS>/<Quartal>/ oder <Eingangsordner>/<AGS>/<Quartal>.zip).",
        f"{dirs.landing / 'Düsseldorf'}: „Düsseldorf“ ist kein Amtlicher Gemeindeschlüssel (5 oder 8 "
        "Ziffern, z. B. 05111).",
        f"{dirs.landing / 'liesmich.txt'}: Datei liegt direkt im Eingangsordner (erwartet "
        "<Eingangsordner>/<AGS>/<Quartal>/ oder <Eingangsordner>/<AGS>/<Quartal>.zip).",
    ]


def test_a_missing_landing_zone_is_a_problem_not_a_crash(dirs):
    scan = find_packages(dirs.landing)
    assert scan.packages == []
    assert scan.problems == [f"Der Eingangsordner {dirs.landing} existiert nicht."]


def test_a_folder_and_a_zip_of_one_partition_are_both_returned(dirs):
    write_folder(dirs.landing, with_manifest(csv_files(sample_rows())))
    write_zip(dirs.landing, with_manifest(csv_files(sample_rows()), created="2025-11-02T08:00:00+01:00"))
    write_folder(dirs.landing, with_manifest(csv_files(sample_rows())), quarter="2025-Q2")
    refs = packages_for_partition(dirs.landing, "05111", "2025-Q3")
    assert sorted(ref.shape for ref in refs) == [PackageShape.ORDNER_CSV, PackageShape.ZIP_CSV]
    assert packages_for_partition(dirs.landing, "05999", "2025-Q3") == []


def test_package_identity_is_the_documented_content_hash(dirs):
    files = with_manifest(csv_files(sample_rows()))
    folder = write_folder(dirs.landing, files)
    zipped = write_zip(dirs.landing, files, quarter="2025-Q2")
    expected_folder_id = hashlib.sha256(
        "".join(f"{name}\t{hashlib.sha256(files[name]).hexdigest()}\n" for name in sorted(files)).encode()
    ).hexdigest()
    refs = {ref.path: ref for ref in find_packages(dirs.landing).packages}
    assert refs[folder].paket_id == expected_folder_id
    assert refs[zipped].paket_id == hashlib.sha256(zipped.read_bytes()).hexdigest()


def test_received_time_is_the_newest_file_modification(dirs):
    folder = write_folder(dirs.landing, with_manifest(csv_files(sample_rows())))
    os.utime(folder / "faelle.csv", (1_760_000_000, 1_760_000_000))
    for path in folder.iterdir():
        if path.name != "faelle.csv":
            os.utime(path, (1_700_000_000, 1_700_000_000))
    ref = dirs.only_package()
    assert ref.eingegangen_am == datetime.fromtimestamp(1_760_000_000, tz=UTC)


def test_changed_content_changes_the_identity(dirs):
    folder = write_folder(dirs.landing, with_manifest(csv_files(sample_rows())))
    before = dirs.only_package().paket_id
    (folder / "notiz.txt").write_text("neu")
    assert dirs.only_package().paket_id != before


def test_a_zip_is_archived_byte_for_byte_under_its_hash(dirs):
    zipped = write_zip(dirs.landing, with_manifest(csv_files(sample_rows())))
    ref = dirs.only_package()
    target = archive_package(ref, dirs.archive)
    assert target == dirs.archive / ref.paket_id[:2] / f"{ref.paket_id}.zip"
    assert target.read_bytes() == zipped.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert [path.name for path in target.parent.iterdir()] == [target.name]


def test_a_folder_is_archived_deterministically_with_its_files(dirs, tmp_path):
    files = with_manifest(csv_files(sample_rows()))
    write_folder(dirs.landing, files)
    ref = dirs.only_package()
    first = archive_package(ref, dirs.archive)
    second = archive_package(ref, tmp_path / "another_archive")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert sorted(archive.namelist()) == sorted(files)
        assert all(archive.read(name) == data for name, data in files.items())
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_archiving_again_keeps_the_existing_file_untouched(dirs):
    write_folder(dirs.landing, with_manifest(csv_files(sample_rows())))
    ref = dirs.only_package()
    target = archive_package(ref, dirs.archive)
    before = target.stat()
    assert archive_package(ref, dirs.archive) == target
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (
        before.st_ino,
        before.st_mtime_ns,
        before.st_size,
    )


def test_a_package_changed_after_discovery_is_not_archived_under_the_old_id(dirs):
    folder = write_folder(dirs.landing, with_manifest(csv_files(sample_rows())))
    ref = dirs.only_package()
    (folder / "faelle.csv").write_bytes(b"fall_id;person_id\n")
    with pytest.raises(PackageChangedError, match="hat sich seit der Erkennung geändert"):
        archive_package(ref, dirs.archive)
    assert not archive_path_for(ref.paket_id, dirs.archive).exists()
    assert list(archive_path_for(ref.paket_id, dirs.archive).parent.iterdir()) == []


def test_publishing_never_replaces_an_existing_file(tmp_path):
    target = tmp_path / "ziel"
    first, second = tmp_path / "eins.tmp", tmp_path / "zwei.tmp"
    first.write_bytes(b"zuerst")
    second.write_bytes(b"danach")
    assert publish_once(first, target) is True
    assert publish_once(second, target) is False
    assert target.read_bytes() == b"zuerst"
