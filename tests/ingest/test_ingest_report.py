"""The German report of a package: readable for the delivering unit, complete as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from kim_package_factory import csv_files, sample_rows, with_manifest, write_folder, write_zip

from pipelines.ingest import report as report_module
from pipelines.ingest.report import findings_csv, render_report, write_report
from pipelines.ingest.staging import read_findings


def test_an_accepted_package_reports_its_files_and_that_nothing_is_to_do(dirs, tmp_path):
    write_folder(dirs.landing, with_manifest(csv_files(sample_rows())))
    package = dirs.parse_only_package()
    files = write_report(package, tmp_path / "berichte")

    assert files.markdown == tmp_path / "berichte" / "05111" / "2025-Q3" / f"{package.paket_id}.md"
    text = files.markdown.read_text(encoding="utf-8")
    assert text.startswith("# Lieferbericht 05111 Düsseldorf, Stadt, 2025-Q3")
    assert "| Ergebnis | **angenommen** |" in text
    assert "Es ist nichts weiter zu tun." in text
    assert "| faelle.csv | utf-8 | Semikolon | 3 | 3 | 0 |" in text
    assert "Keine Befunde." in text


def test_a_rejected_package_names_its_reasons_and_every_finding_is_in_the_csv(dirs, tmp_path):
    rows = sample_rows()
    for row in rows["faelle"]:
        row["geschlecht"] = "?"  # every row invalid: more than 10 %
    write_zip(dirs.landing, with_manifest(csv_files(rows)))
    package = dirs.parse_only_package()
    findings = read_findings(package)
    text = render_report(package, findings)

    assert "| Ergebnis | **abgelehnt** |" in text
    assert "## Gründe der Ablehnung" in text and "sind ungültig; erlaubt sind höchstens 10,0 %" in text
    assert "Aus diesem Paket wurde nichts übernommen" in text
    assert "### CODELISTE – Paket abgelehnt (3)" in text

    exported = findings_csv(findings)
    assert exported.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == [
        "Nr", "Datei", "Zeile", "Spalte", "Regel", "Regeltitel", "Ergebnis", "Meldung", "Gelieferte Werte",
    ]  # fmt: skip
    assert len(table) == 1 + len(findings)
    assert [row[0] for row in table[1:]] == [str(number) for number in range(1, len(findings) + 1)]
    assert {row[4] for row in table[1:]} == set(findings["regel"])
    assert {row[5] for row in table[1:] if row[4] == "CODELISTE"} == {"Code nicht in der Codeliste"}


def test_long_lists_are_cut_in_the_summary_but_not_in_the_csv(dirs, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(report_module, "MESSAGES_PER_RULE", 1)
    rows = sample_rows()
    rows["faelle"] += [dict(rows["faelle"][0], fall_id=f"KF-X-{index:02d}") for index in range(30)]
    rows["faelle"][0]["geschlecht"] = "?"
    rows["faelle"][1]["geschlecht"] = "?"
    write_folder(dirs.landing, with_manifest(csv_files(rows)))
    package = dirs.parse_only_package()
    text = render_report(package)
    assert "### CODELISTE – Zeile in Quarantäne (2)" in text
    assert f"- … und 1 weitere; alle Befunde stehen in `{package.paket_id}_befunde.csv`." in text
