"""The page „Datenlieferung“ in a real browser: the actual upload widget, the check, the download, the delivery.

AppTest drives `st.file_uploader` without a browser; this test proves the widget itself works end to end (the
upload endpoint, `server.maxUploadSize`, the file chips) and that the page needs nothing outside localhost.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
import kim_package_factory as factory  # noqa: E402

pytestmark = pytest.mark.browser

DELIVER_LABEL = "An den Eingangsordner übergeben"
# The check imports the validation suites on first use; later ones take a second or two.
CHECK_TIMEOUT_MS = 60_000


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_identifier_column() -> dict[str, bytes]:
    """The clean files, with a column of first names added to `faelle.csv`."""
    files = factory.csv_files(factory.sample_rows())
    header, *rows = files["faelle.csv"].decode("utf-8").splitlines()
    files["faelle.csv"] = (
        "\n".join([f"{header};Vorname", *(f"{row};Max" for row in rows)]).encode("utf-8") + b"\n"
    )
    return factory.with_manifest(files)


def test_a_lead_checks_downloads_and_delivers_a_package_and_a_broken_one_is_refused(
    dashboard_server, browser, tmp_path
):
    from playwright.sync_api import expect

    page = browser.page
    clean = tmp_path / "lieferung_2025_q3.zip"
    clean.write_bytes(zip_of(factory.with_manifest(factory.csv_files(factory.sample_rows()))))
    broken = tmp_path / "lieferung_mit_namen.zip"
    broken.write_bytes(zip_of(with_identifier_column()))
    landing = dashboard_server.settings.landing_dir

    page.goto(f"{dashboard_server.url}/datenlieferung?ags={factory.AGS}")
    expect(page.get_by_role("heading", name="Datenlieferung")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("combobox", name="Kommune")).to_have_value("Düsseldorf, Stadt (05111)")
    quarter = page.get_by_role("combobox", name="Berichtsquartal")
    expect(quarter).to_have_value(re.compile(r"^4\.\s+Quartal 2025$"))  # the last complete quarter
    quarter.click()
    page.get_by_role("option", name=re.compile(r"^3\.\s+Quartal 2025$")).click()
    expect(quarter).to_have_value(re.compile(r"^3\.\s+Quartal 2025$"))

    # A clean zip: accepted, with its report to download, then handed to the landing zone.
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploader.set_input_files(clean)
    verdict = page.locator('[data-testid="stAlert"]').filter(has_text="Ergebnis:")
    expect(verdict).to_contain_text(re.compile(r"Ergebnis: angenommen\s+–\s+alle"), timeout=CHECK_TIMEOUT_MS)
    expect(page.locator('[data-testid="stTable"]')).to_contain_text("faelle.csv")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Lieferbericht herunterladen")).click()
    assert download.value.suggested_filename == "lieferbericht_05111_2025-Q3.md"
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert report.startswith("# Lieferbericht 05111") and "**angenommen**" in report
    assert not landing.exists(), "a check alone must not deliver"

    page.get_by_role("button", name=DELIVER_LABEL).click()
    expect(page.get_by_text("Übergeben.")).to_be_visible(timeout=CHECK_TIMEOUT_MS)
    delivered = landing / factory.AGS / f"{factory.QUARTER}.zip"
    assert delivered.read_bytes() == clean.read_bytes()
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Übergeben.")).to_contain_text(
        str(delivered)
    )

    # A zip with a column of first names: refused with the pipeline's German message, and not deliverable.
    page.locator('[data-testid="stFileChipDeleteBtn"]').click()
    expect(page.get_by_text("Noch keine Datei hochgeladen")).to_be_visible()
    uploader.set_input_files(broken)
    expect(verdict).to_contain_text("Ergebnis: abgelehnt", timeout=CHECK_TIMEOUT_MS)
    expect(page.get_by_text("Gründe der Ablehnung")).to_be_visible()
    reason = page.get_by_role("listitem").filter(has_text="faelle.csv, Spalte 16 „Vorname“")
    expect(reason).to_contain_text("Spalten mit direkt identifizierenden Angaben")
    expect(reason).to_contain_text("Das Paket wird abgelehnt")
    expect(page.locator('[data-testid="stDataFrame"]')).to_be_visible()  # the findings; cells: see AppTest
    expect(page.get_by_role("button", name=DELIVER_LABEL)).to_be_disabled()
    assert delivered.read_bytes() == clean.read_bytes()
    assert sorted(path.name for path in (landing / factory.AGS).iterdir()) == [f"{factory.QUARTER}.zip"]

    assert browser.outside_requests == [], "the page must need nothing outside localhost"
