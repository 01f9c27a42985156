"""The page „Datenlieferung“: an uploaded package is checked by the pipeline's own steps and can be handed in.

The page runs headless (`AppTest`, which drives `st.file_uploader` since Streamlit 1.67) against the session's
published warehouse; the check-and-deliver functions behind it are also called directly. Every test that may
deliver points `KIM_DATA_DIR` at a folder of its own, so the session's shared landing zone stays as generated.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.lib import upload_check
from dashboards.lib.upload import Upload
from pipelines.config import Settings, get_settings
from pipelines.contract.findings import Status
from pipelines.contract.schema import CONTRACT_FILES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
import kim_package_factory as factory  # noqa: E402

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PAGE = "app_pages/datenlieferung.py"
RUN_TIMEOUT_SECONDS = 120
UPLOADER = "datenlieferung_dateien"
DELIVER = "datenlieferung_uebergeben"


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def clean_files() -> dict[str, bytes]:
    return factory.csv_files(factory.sample_rows())


def clean_zip() -> bytes:
    return zip_of(factory.with_manifest(clean_files()))


def without_column(column: str) -> dict[str, bytes]:
    """The clean files with one column of `faelle.csv` left out."""
    files = clean_files()
    table = list(csv.reader(io.StringIO(files["faelle.csv"].decode("utf-8")), delimiter=";"))
    position = table[0].index(column)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(
        row[:position] + row[position + 1 :] for row in table
    )
    files["faelle.csv"] = buffer.getvalue().encode("utf-8")
    return files


def with_one_invalid_case() -> tuple[dict[str, bytes], int]:
    """Twelve valid cases and one with an unknown `geschlecht`: below the 10 % rule, so it is quarantined."""
    rows = factory.sample_rows()
    template = rows["faelle"][0]
    rows["faelle"] += [{**template, "fall_id": f"KF-2025-1{index:03d}"} for index in range(10)]
    rows["faelle"].append({**template, "fall_id": "KF-2025-2000", "geschlecht": "Q"})
    line = len(rows["faelle"]) + 1  # header is line 1
    return factory.csv_files(rows), line


def local_settings(tmp_path: Path) -> Settings:
    return Settings.under(tmp_path, stichtag=date(2026, 3, 1))


@pytest.fixture
def own_landing_zone(published_warehouse, tmp_path, monkeypatch) -> Settings:
    """The published warehouse of the session, with a data folder (and landing zone) of this test's own."""
    monkeypatch.setenv("KIM_DATA_DIR", str(tmp_path / "data"))
    return get_settings()


def open_page(ags: str = factory.AGS, quartal: str = factory.QUARTER) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_SECONDS).run()
    at.switch_page(PAGE).run()
    at.selectbox(key="datenlieferung_ags").set_value(ags)
    at.selectbox(key="datenlieferung_quartal").set_value(quartal)
    return at.run()


def upload_files(at: AppTest, files: dict[str, bytes]) -> AppTest:
    at.file_uploader(key=UPLOADER).set_value(
        [(name, data, "application/octet-stream") for name, data in files.items()]
    )
    return at.run()


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


# --- the page -----------------------------------------------------------------------------------------------


def test_page_offers_every_unit_the_complete_quarters_and_the_uploader(published_warehouse):
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as connection:
        units = [
            row[0] for row in connection.execute("select ags from marts.kommunen order by ags").fetchall()
        ]

    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_SECONDS).run()
    at.switch_page(PAGE).run()

    assert not at.exception
    assert at.title[0].value == "Datenlieferung"
    assert at.selectbox(key="datenlieferung_ags").options == [
        f"{name} ({ags})" for ags, name in upload_check.unit_choices().items()
    ]
    assert list(upload_check.unit_choices()) == units
    quarters = at.selectbox(key="datenlieferung_quartal")
    assert quarters.value == "2025-Q4"  # KIM_STICHTAG 2026-03-01: the last complete quarter
    assert quarters.options[0] == "4.\N{NO-BREAK SPACE}Quartal 2025"
    assert not any("2026" in option for option in quarters.options)
    uploader = at.file_uploader(key=UPLOADER)
    assert uploader.accept_multiple_files and set(uploader.allowed_type) == {".zip", ".csv", ".xlsx", ".json"}
    assert "Noch keine Datei hochgeladen" in at.info[0].value


def test_without_a_published_warehouse_the_units_come_from_the_reference_data(tmp_path, monkeypatch):
    monkeypatch.setenv("KIM_WAREHOUSE_DIR", str(tmp_path))

    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_SECONDS).run()
    at.switch_page(PAGE).run()

    assert not at.exception
    options = at.selectbox(key="datenlieferung_ags").options
    assert len(options) == 54 and options[0] == "Düsseldorf, Stadt (05111)"


def test_a_clean_zip_is_accepted_and_delivered_byte_for_byte(own_landing_zone):
    package = clean_zip()
    at = upload_files(open_page(), {"lieferung.zip": package})

    assert not at.exception
    assert "Ergebnis: angenommen**" in at.success[0].value
    files = at.table[0].value
    assert files["Datei"].tolist() == [f"{name}.csv" for name in CONTRACT_FILES]
    rows = factory.sample_rows()
    assert files["Zeilen geliefert"].tolist() == [len(rows[name]) for name in CONTRACT_FILES]
    assert files["übernommen"].tolist() == files["Zeilen geliefert"].tolist()
    downloads = {button.proto.label: button.proto.url for button in at.get("download_button")}
    assert [label.split(" ", 1)[1] for label in downloads] == [
        "Lieferbericht herunterladen (Markdown)",
        "Alle Befunde herunterladen (CSV)",
    ]
    assert [url.rsplit(".", 1)[1] for url in downloads.values()] == ["md", "csv"]
    assert not list(own_landing_zone.landing_dir.rglob("*")), "a check alone must not deliver"

    at.button(key=DELIVER).click().run()

    assert not at.exception
    target = own_landing_zone.landing_dir / factory.AGS / f"{factory.QUARTER}.zip"
    assert target.read_bytes() == package
    confirmation = at.success[-1].value
    assert str(target) in confirmation and "make build" in confirmation and "Sensor" in confirmation
    at.run()
    assert DELIVER not in [button.key for button in at.button], "a delivered package is not offered again"
    assert at.success[-1].value == confirmation


def loaded_creation_time(settings: Settings) -> datetime:
    with duckdb.connect(str(settings.published_db), read_only=True) as connection:
        (created,) = connection.execute(
            "select erstellt_am from marts.lieferungen where ags = ? and quartal = ? and geladen",
            [factory.AGS, factory.QUARTER],
        ).fetchone()
    return created


@pytest.mark.parametrize(("offset", "replaces"), [(timedelta(days=-1), False), (timedelta(days=1), True)])
def test_the_page_says_whether_the_package_would_replace_the_loaded_delivery(
    own_landing_zone, offset, replaces
):
    created = (loaded_creation_time(own_landing_zone) + offset).isoformat()
    at = upload_files(
        open_page(), {"lieferung.zip": zip_of(factory.with_manifest(clean_files(), created=created))}
    )

    assert not at.exception
    if replaces:
        assert "ersetzt sie nach der Übergabe als Korrektur" in texts(at.info)
        assert not at.warning
    else:
        warning = texts(at.warning)
        assert "würde sie deshalb **nicht** ersetzen" in warning and "erstellt_am" in warning
    assert at.button(key=DELIVER).proto.type == "primary", "an acceptable package can still be handed in"


def test_csv_files_without_manifest_get_one_and_it_is_delivered_as_shown(own_landing_zone):
    at = upload_files(open_page(), clean_files())

    assert not at.exception
    assert "angenommen" in at.success[0].value
    note = texts(at.info)
    assert "keine `manifest.json` hochgeladen" in note and "Diese Seite hat sie erstellt" in note
    shown_manifest = at.code[0].value

    at.button(key=DELIVER).click().run()

    delivered = own_landing_zone.landing_dir / factory.AGS / factory.QUARTER
    written = at.session_state["datenlieferung_ergebnis"].package.written_manifest
    assert (delivered / "manifest.json").read_bytes() == written
    assert written.decode("utf-8").rstrip("\n") == shown_manifest
    assert sorted(path.name for path in delivered.iterdir()) == sorted(["manifest.json", *clean_files()])


def test_a_workbook_without_manifest_is_accepted(own_landing_zone):
    at = upload_files(open_page(), factory.workbook_files(factory.sample_rows()))

    assert not at.exception
    assert "angenommen" in at.success[0].value
    assert "Diese Seite hat sie erstellt" in texts(at.info)


def test_a_missing_mandatory_column_rejects_and_cannot_be_delivered(own_landing_zone):
    at = upload_files(open_page(), factory.with_manifest(without_column("person_id")))

    assert not at.exception
    assert "Ergebnis: abgelehnt" in at.error[0].value
    assert "faelle.csv: Die Pflichtspalte „person_id“ fehlt." in texts(at.markdown)
    findings = at.dataframe[0].value
    assert list(findings.columns) == ["Datei", "Zeile", "Spalte", "Regel", "Ergebnis", "Meldung"]
    rejected = findings[findings["Regel"] == "PFLICHTSPALTE_FEHLT"].iloc[0]
    assert (rejected["Datei"], rejected["Spalte"], rejected["Ergebnis"]) == (
        "faelle.csv",
        "person_id",
        "Paket abgelehnt",
    )
    assert at.button(key=DELIVER).disabled
    assert not own_landing_zone.landing_dir.exists()


def test_an_invalid_row_is_quarantined_with_its_line_column_and_rule(own_landing_zone):
    files, line = with_one_invalid_case()
    at = upload_files(open_page(), factory.with_manifest(files))

    assert not at.exception
    assert "Ergebnis: angenommen mit Hinweisen" in at.warning[0].value
    counts = at.table[0].value.set_index("Datei").loc["faelle.csv"]
    assert (counts["Zeilen geliefert"], counts["übernommen"], counts["in Quarantäne"]) == (14, 13, 1)
    findings = at.dataframe[0].value
    (finding,) = findings[findings["Regel"] == "CODELISTE"].itertuples(index=False)
    assert (finding.Datei, finding.Zeile, finding.Spalte, finding.Ergebnis) == (
        "faelle.csv",
        line,
        "geschlecht",
        "Zeile in Quarantäne",
    )
    assert "„Q“" in finding.Meldung
    assert not at.button(key=DELIVER).disabled


def test_an_unsafe_zip_is_refused_before_any_check(own_landing_zone):
    files = factory.with_manifest(clean_files())
    files["../faelle.csv"] = files.pop("faelle.csv")
    at = upload_files(open_page(), {"paket.zip": zip_of(files)})

    assert not at.exception
    assert "Ergebnis: abgelehnt" in at.error[0].value
    assert "aus dem Paket heraus" in texts(at.markdown)
    assert at.button(key=DELIVER).disabled


def test_the_check_runs_once_per_upload_not_on_every_rerun(own_landing_zone, monkeypatch):
    calls = []
    check = upload_check.check_uploads
    monkeypatch.setattr(upload_check, "check_uploads", lambda *a, **k: calls.append(1) or check(*a, **k))
    at = upload_files(open_page(), {"paket.zip": clean_zip()})

    at.text_input(key="datenlieferung_kontakt").input("").run()  # an unrelated rerun
    assert len(calls) == 1
    at.text_input(key="datenlieferung_kontakt").input("ki@example.org").run()
    assert len(calls) == 2
    assert not at.exception


# --- the functions behind it --------------------------------------------------------------------------------


def test_check_uploads_reports_every_finding_and_never_writes_to_the_data_folder(tmp_path):
    settings = local_settings(tmp_path)
    uploads = [Upload("paket.zip", zip_of(factory.with_manifest(without_column("person_id"))))]

    result = upload_check.check_uploads(uploads, factory.AGS, factory.QUARTER, settings)

    assert result.check.package.status is Status.REJECTED and not result.deliverable
    assert result.status_label == "abgelehnt"
    assert any("Pflichtspalte „person_id“" in reason for reason in result.check.package.rejection_reasons)
    assert "# Lieferbericht 05111" in result.check.report
    assert upload_check.report_file_name(result) == "lieferbericht_05111_2025-Q3.md"
    assert upload_check.findings_file_name(result) == "befunde_05111_2025-Q3.csv"
    table = upload_check.findings_table(result.check.findings)
    assert list(table.columns) == ["Datei", "Zeile", "Spalte", "Regel", "Ergebnis", "Meldung"]
    assert set(table["Ergebnis"]) == {"Paket abgelehnt"}
    missing = table[table["Regel"] == "PFLICHTFELD"]
    assert missing["Zeile"].tolist() == [2, 3, 4] and set(missing["Spalte"]) == {"person_id"}
    assert upload_check.files_table(result.check.package)["übernommen"].sum() == 0
    written = {path.relative_to(settings.data_dir).as_posix() for path in settings.data_dir.rglob("*")}
    assert written <= {".pseudonym_secret"}, written
    with pytest.raises(upload_check.DeliveryRefused, match="abgelehntes Paket"):
        upload_check.deliver(result, settings)
    assert not settings.landing_dir.exists()


def test_a_refused_upload_cannot_be_delivered(tmp_path):
    settings = local_settings(tmp_path)

    result = upload_check.check_uploads([Upload("daten.txt", b"x")], factory.AGS, factory.QUARTER, settings)

    assert result.check is None and "kein Dateiname des Datenvertrags" in result.refusal[0]
    with pytest.raises(upload_check.DeliveryRefused):
        upload_check.deliver(result, settings)


def test_only_complete_quarters_can_be_chosen():
    assert upload_check.quarter_choices(date(2026, 3, 1))[:2] == ["2025-Q4", "2025-Q3"]
    assert upload_check.quarter_choices(date(2026, 4, 1))[0] == "2026-Q1"
    assert upload_check.quarter_choices(date(2025, 12, 31))[0] == "2025-Q3"
    assert upload_check.quarter_choices(date(2025, 12, 31))[-1] == "2020-Q1"
