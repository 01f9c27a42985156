"""The upload page's safety and layout module (`dashboards/lib/upload.py`): pure functions, no server.

Every refusal is checked by its German message; every accepted upload is laid out and then found by the
pipeline's own discovery, and every manifest this page writes passes the pipeline's own manifest check.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import sys
import tomllib
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dashboards.lib import upload
from dashboards.lib.upload import PackageForm, Upload, UploadRefused, prepare_upload
from pipelines.contract.packages import PackageShape
from pipelines.contract.schema import CONTRACT_VERSION
from pipelines.ingest.manifest import check_manifest, check_members
from pipelines.ingest.packages import packages_for_partition

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
import kim_package_factory as factory  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2025, 10, 20, 9, 12, tzinfo=ZoneInfo("Europe/Berlin"))


def csv_uploads(**renamed: str) -> list[Upload]:
    """The factory's valid CSV files as separate uploads; `renamed` maps a contract name to an upload name."""
    files = factory.csv_files(factory.sample_rows())
    return [Upload(renamed.get(name, name), data) for name, data in files.items()]


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_with_entry(info: zipfile.ZipInfo, data: bytes = b"x") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("faelle.csv", b"fall_id\n")
        archive.writestr(info, data)
    return buffer.getvalue()


def refusal(uploads: list[Upload]) -> str:
    with pytest.raises(UploadRefused) as caught:
        prepare_upload(uploads, factory.AGS, factory.QUARTER, now=NOW)
    assert caught.value.reasons
    return " ".join(caught.value.reasons)


def prepare(uploads: list[Upload], **options) -> upload.PreparedPackage:
    return prepare_upload(uploads, factory.AGS, factory.QUARTER, now=NOW, **options)


# --- file names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sent, kept",
    [
        ("../../etc/faelle.csv", "faelle.csv"),
        ("C:\\Users\\ki\\Export\\faelle.csv", "faelle.csv"),
        ("/tmp/x/FAELLE.CSV", "FAELLE.CSV"),
    ],
)
def test_names_are_reduced_to_their_base_name_and_written_inside_the_scratch_folder(tmp_path, sent, kept):
    package = prepare(csv_uploads(**{"faelle.csv": sent}))

    assert kept in package.file_names
    path = package.lay_out(tmp_path / "scratch")
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(
        Path("scratch", factory.AGS, factory.QUARTER, name) for name in package.file_names
    )
    assert path == (tmp_path / "scratch" / factory.AGS / factory.QUARTER).resolve()


@pytest.mark.parametrize(
    "name",
    [
        "daten.txt",
        "faelle_2025.csv",
        "fälle.csv",
        ".versteckt.xlsx",
        "kim.xlsm",
        "..",
        "",
        "faelle.csv\x00.zip",
    ],
)
def test_names_outside_the_contract_are_refused(name):
    message = refusal([*csv_uploads(), Upload(name, b"x")])

    assert "ist kein Dateiname des Datenvertrags" in message and "faelle.csv" in message


def test_the_same_file_twice_is_refused():
    message = refusal([*csv_uploads(), Upload("FAELLE.csv", b"fall_id\n")])

    assert "„faelle.csv“ und „FAELLE.csv“ sind dieselbe Datei" in message


@pytest.mark.parametrize(
    "uploads, expected",
    [
        ([Upload("a.xlsx", b"x"), Upload("b.xlsx", b"x")], "nur eine Arbeitsmappe"),
        ([Upload("a.xlsx", b"x"), Upload("faelle.csv", b"x")], "nicht beides"),
        ([Upload("paket.zip", b"x"), Upload("faelle.csv", b"x")], "ZIP-Archiv allein"),
        ([Upload("manifest.json", b"{}")], "es fehlen die Daten"),
        ([], "keine Datei"),
    ],
)
def test_mixed_or_empty_uploads_are_refused(uploads, expected):
    assert expected in refusal(uploads)


@pytest.mark.parametrize("ags, quartal", [("../05111", "2025-Q3"), ("05111", "2025-Q5"), ("05111", "../x")])
def test_unit_and_quarter_must_be_well_formed_folder_names(ags, quartal):
    with pytest.raises(UploadRefused):
        prepare_upload(csv_uploads(), ags, quartal, now=NOW)


def test_an_oversized_upload_is_refused_before_anything_else():
    too_big = Upload("faelle.csv", b"\0" * (upload.MAX_UPLOAD_BYTES - 10))
    message = refusal([too_big, Upload("ereignisse.csv", b"\0" * 11)])

    assert "100,0 MB" in message and f"höchstens {upload.MAX_UPLOAD_MB} MB" in message


def test_server_upload_limit_is_the_pages_limit():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))

    assert config["server"]["maxUploadSize"] == upload.MAX_UPLOAD_MB


# --- zip archives -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "member, expected",
    [
        ("../faelle.csv", "aus dem Paket heraus"),
        ("daten/../../faelle.csv", "aus dem Paket heraus"),
        ("/etc/faelle.csv", "absoluten Pfad"),
        ("C:/Export/faelle.csv", "absoluten Pfad"),
        ("..\\faelle.csv", "umgekehrten Schrägstrich"),
        ("faelle\x07.csv", "unzulässigem Namen"),
    ],
)
def test_zip_members_pointing_elsewhere_are_refused(member, expected):
    message = refusal([Upload("paket.zip", zip_bytes({"manifest.json": b"{}", member: b"fall_id\n"}))])

    assert expected in message


def test_a_symlink_member_is_refused():
    link = zipfile.ZipInfo("faelle_link.csv")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16

    message = refusal([Upload("paket.zip", zip_with_entry(link, b"/etc/passwd"))])

    assert "symbolische Verknüpfung" in message


def test_an_encrypted_member_is_refused():
    # zipfile cannot encrypt: set the "encrypted" flag in the local and the central header of the one member.
    encrypted = bytearray(zip_bytes({"ereignisse.csv": b"fall_id\n"}))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        encrypted[encrypted.find(signature) + flags_at] |= 0x1

    assert "verschlüsselt" in refusal([Upload("paket.zip", bytes(encrypted))])


def test_a_bomb_by_compression_ratio_is_refused():
    bomb = zip_bytes({"faelle.csv": b"0" * (upload.RATIO_EXEMPT_BYTES + 1)})
    assert len(bomb) * upload.MAX_COMPRESSION_RATIO < upload.RATIO_EXEMPT_BYTES  # the premise of this test

    message = refusal([Upload("paket.zip", bomb)])

    assert "ZIP-Bombe" in message and "-fach verdichtet" in message


def test_a_small_member_may_compress_well():
    header_only = zip_bytes({"manifest.json": b"{}", "lenkungsgruppe.csv": b"sitzung_am;" * 10_000})

    assert prepare([Upload("paket.zip", header_only)]).form is PackageForm.ZIP


def test_a_bomb_by_total_size_is_refused(monkeypatch):
    monkeypatch.setattr(upload, "MAX_UNPACKED_BYTES", 3 * 2**20)
    members = {f"teil_{index}.csv": os.urandom(2**20) for index in range(4)}  # incompressible: ratio ~1

    message = refusal([Upload("paket.zip", zip_bytes(members, zipfile.ZIP_STORED))])

    assert "wäre entpackt mindestens 4,0 MB groß" in message and "höchstens 3,0 MB" in message


def test_a_member_holding_more_than_it_declares_is_refused():
    honest = zip_bytes({"faelle.csv": os.urandom(50_000)}, zipfile.ZIP_STORED)
    # Declare 1,000 bytes in both the local and the central header: the archive now lies about its size.
    lying = bytearray(honest)
    local, central = lying.find(b"PK\x03\x04"), lying.find(b"PK\x01\x02")
    lying[local + 22 : local + 26] = (1000).to_bytes(4, "little")
    lying[central + 24 : central + 28] = (1000).to_bytes(4, "little")

    assert "ist beschädigt" in refusal([Upload("paket.zip", bytes(lying))])


def test_too_many_members_are_refused():
    members = {f"datei_{index}.csv": b"x" for index in range(upload.MAX_ZIP_MEMBERS + 1)}

    message = refusal([Upload("paket.zip", zip_bytes(members))])

    assert (
        f"{upload.MAX_ZIP_MEMBERS + 1} Einträge" in message
        and f"höchstens {upload.MAX_ZIP_MEMBERS}" in message
    )


def test_a_member_twice_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning):
        archive.writestr("faelle.csv", b"a")
        archive.writestr("faelle.csv", b"b")

    assert "„faelle.csv“ mehrfach" in refusal([Upload("paket.zip", buffer.getvalue())])


def test_a_file_that_is_no_zip_is_refused():
    assert "keine lesbare ZIP-Datei" in refusal([Upload("paket.zip", b"PK but not really")])


# --- packages and their manifest ----------------------------------------------------------------------------


def test_a_zip_with_its_manifest_is_kept_byte_for_byte(tmp_path):
    data = zip_bytes(factory.with_manifest(factory.csv_files(factory.sample_rows())))

    package = prepare([Upload("Lieferung Q3.zip", data)])

    assert package.written_manifest is None
    path = package.lay_out(tmp_path)
    assert path.read_bytes() == data
    (ref,) = packages_for_partition(tmp_path, factory.AGS, factory.QUARTER)
    assert (ref.path, ref.shape) == (path, PackageShape.ZIP_CSV)


def test_a_zip_without_manifest_is_packed_again_with_one(tmp_path):
    files = factory.csv_files(factory.sample_rows())
    data = zip_bytes({**files, "__MACOSX/._faelle.csv": b"\0", "daten/": b""})

    package = prepare([Upload("paket.zip", data)], kontakt=" ki@example.org ")

    with zipfile.ZipFile(package.lay_out(tmp_path)) as archive:
        assert sorted(archive.namelist()) == sorted(["manifest.json", *files])
        assert archive.read("manifest.json") == package.written_manifest
        assert all(archive.read(name) == content for name, content in files.items())
    assert_manifest_passes_the_pipeline_check(package.written_manifest, sorted(files))
    assert json.loads(package.written_manifest)["kontakt"] == "ki@example.org"


@pytest.mark.parametrize(
    "files, shape",
    [
        (factory.csv_files(factory.sample_rows()), PackageShape.ORDNER_CSV),
        (factory.workbook_files(factory.sample_rows()), PackageShape.ORDNER_XLSX),
    ],
    ids=["csv", "xlsx"],
)
def test_files_without_manifest_get_one_written_by_the_page(tmp_path, files, shape):
    package = prepare([Upload(name, data) for name, data in files.items()])

    assert package.written_manifest is not None
    path = package.lay_out(tmp_path)
    assert (path / "manifest.json").read_bytes() == package.written_manifest
    assert all((path / name).read_bytes() == data for name, data in files.items())
    (ref,) = packages_for_partition(tmp_path, factory.AGS, factory.QUARTER)
    assert (ref.path, ref.shape) == (path, shape)
    assert_manifest_passes_the_pipeline_check(package.written_manifest, sorted(files))


def test_an_uploaded_manifest_is_kept_as_delivered(tmp_path):
    files = factory.csv_files(factory.sample_rows())
    delivered = factory.manifest_bytes(files, ags="05112")  # wrong unit: for the pipeline to find, not here

    package = prepare([Upload("Manifest.JSON", delivered), *[Upload(n, d) for n, d in files.items()]])

    assert package.written_manifest is None
    assert (package.lay_out(tmp_path) / "manifest.json").read_bytes() == delivered


def test_the_written_manifest_follows_the_contract():
    files = {"faelle.csv": b"a", "ereignisse.csv": b"b"}

    document = json.loads(
        upload.build_manifest(
            files, "05334002", "2025-Q4", created=datetime(2026, 1, 15, 8, 0, tzinfo=ZoneInfo("UTC"))
        )
    )

    assert document == {
        "ags": "05334002",
        "berichtsquartal": "2025-Q4",
        "datensatz_version": CONTRACT_VERSION,
        "erstellt_am": "2026-01-15T09:00:00+01:00",  # German time, with its offset
        "quellsystem": "Upload KIM-Monitor",
        "kontakt": "",
        "dateien": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }


def test_the_manifest_is_written_now_in_german_time_by_default():
    package = prepare_upload(csv_uploads(), factory.AGS, factory.QUARTER)

    created = datetime.fromisoformat(json.loads(package.written_manifest)["erstellt_am"])
    assert created.utcoffset() == datetime.now(ZoneInfo("Europe/Berlin")).utcoffset()
    assert abs((datetime.now(ZoneInfo("UTC")) - created).total_seconds()) < 60


def test_a_manifest_needs_a_time_zone():
    with pytest.raises(ValueError):
        upload.build_manifest({}, factory.AGS, factory.QUARTER, created=datetime(2025, 10, 20, 9, 0))


def test_the_fingerprint_changes_with_files_unit_quarter_and_contact():
    uploads = csv_uploads()
    base = upload.upload_fingerprint(uploads, factory.AGS, factory.QUARTER)

    assert upload.upload_fingerprint(list(uploads), factory.AGS, factory.QUARTER) == base
    assert upload.upload_fingerprint(uploads[:-1], factory.AGS, factory.QUARTER) != base
    assert upload.upload_fingerprint(uploads, "05112", factory.QUARTER) != base
    assert upload.upload_fingerprint(uploads, factory.AGS, "2025-Q2") != base
    assert upload.upload_fingerprint(uploads, factory.AGS, factory.QUARTER, "ki@example.org") != base


def assert_manifest_passes_the_pipeline_check(manifest: bytes, members: list[str]) -> None:
    check = check_manifest(manifest, factory.AGS, factory.QUARTER)
    assert check.manifest is not None and not check.findings, check.findings
    assert not check_members(check.manifest, ["manifest.json", *members])
