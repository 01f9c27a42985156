"""The German report of one package: what was delivered, what was accepted, and every finding.

Written into the reports folder (`KIM_DATA_DIR/berichte/`) as `<ags>/<quartal>/<paket_id>.md` (readable
summary) and `<paket_id>_befunde.csv` (every finding, for a spreadsheet; `;`-separated, UTF-8 with BOM so
Excel opens it right), and stored in the warehouse with the package's bookkeeping. The delivering unit reads
it to fix its export, so it lists messages rule by rule and says what happens next."""

from __future__ import annotations

import csv
import io
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from pipelines.contract.findings import (
    OUTCOME_LABELS,
    STATUS_LABELS,
    Status,
    format_count,
    rule_titles,
)
from pipelines.contract.packages import PACKAGE_SHAPE_LABELS
from pipelines.ingest.staging import ParsedPackage, read_findings

# A readable report quotes this many messages per rule; the CSV always has all of them.
MESSAGES_PER_RULE = 50
_BERLIN = ZoneInfo("Europe/Berlin")

_NEXT_STEPS = {
    Status.ACCEPTED: "Die Lieferung wurde vollständig übernommen. Es ist nichts weiter zu tun.",
    Status.ACCEPTED_WITH_NOTICES: (
        "Die gültigen Zeilen wurden übernommen. Zeilen in Quarantäne fehlen in den Kennzahlen, bis eine "
        "korrigierte Lieferung für dasselbe Quartal (mit späterem `erstellt_am` im Manifest) sie ersetzt. "
        "Hinweise erfordern keine neue Lieferung."
    ),
    Status.REJECTED: (
        "Aus diesem Paket wurde nichts übernommen; die zuletzt angenommene Lieferung für dieses Quartal bleibt "
        "gültig. Bitte beheben Sie die Gründe der Ablehnung und liefern Sie das Paket erneut (mit späterem "
        "`erstellt_am` im Manifest)."
    ),
}


@dataclass(frozen=True)
class ReportFiles:
    markdown: Path
    findings_csv: Path
    text: str  # the Markdown report as written, recorded with the package in `raw.lieferungen`


def report_dir(reports_root: Path | str, package: ParsedPackage) -> Path:
    return Path(reports_root) / package.ags / package.berichtsquartal


@cache
def _unit_names() -> dict[str, str]:
    from pipelines.contract.units import load_units

    return {unit.ags: unit.name for unit in load_units()}


def _moment(value: datetime | None) -> str:
    if value is None:
        return "unbekannt"
    return value.astimezone(_BERLIN).strftime("%d.%m.%Y %H:%M")


def render_report(package: ParsedPackage, findings: pd.DataFrame | None = None) -> str:
    """The report as Markdown (German)."""
    findings = read_findings(package) if findings is None else findings
    unit = _unit_names().get(package.ags, "unbekannte Kommune")
    lines = [
        f"# Lieferbericht {package.ags} {unit}, {package.berichtsquartal}",
        "",
        "| | |",
        "|---|---|",
        f"| Kommune | {package.ags} {unit} |",
        f"| Berichtsquartal | {package.berichtsquartal} |",
        f"| Paket | `{package.paket_id}` ({PACKAGE_SHAPE_LABELS[package.shape]}) |",
        f"| Erstellt laut Manifest | {_moment(package.erstellt_am)} |",
        f"| Eingegangen | {_moment(package.eingegangen_am)} |",
        f"| Quellsystem | {package.quellsystem or 'nicht angegeben'} |",
        f"| Ergebnis | **{STATUS_LABELS[package.status]}** |",
        "",
        _NEXT_STEPS[package.status],
        "",
    ]
    if package.rejection_reasons:
        lines += ["## Gründe der Ablehnung", ""]
        lines += [f"- {reason}" for reason in package.rejection_reasons]
        lines.append("")
    if package.files:
        lines += [
            "## Dateien",
            "",
            "| Datei | Kodierung | Trennzeichen | Zeilen geliefert | übernommen | in Quarantäne |",
            "|---|---|---|---:|---:|---:|",
        ]
        for file in package.files:
            delimiter = {";": "Semikolon", ",": "Komma", "\t": "Tabulator"}.get(file.delimiter or "", "–")
            lines.append(
                f"| {file.name} | {file.encoding or '–'} | {delimiter} | {format_count(file.rows_delivered)} "
                f"| {format_count(file.rows_loaded)} | {format_count(file.rows_quarantined)} |"
            )
        lines.append("")
    if len(findings):
        lines += ["## Befunde", ""]
        counts = findings.groupby(["ergebnis", "regel"], sort=False).size()
        for (outcome, rule), count in counts.items():
            rule_findings = findings[(findings["ergebnis"] == outcome) & (findings["regel"] == rule)]
            lines += [f"### {rule} – {OUTCOME_LABELS[outcome]} ({format_count(int(count))})", ""]
            lines += [f"- {message}" for message in rule_findings["meldung"].head(MESSAGES_PER_RULE)]
            if count > MESSAGES_PER_RULE:
                lines.append(
                    f"- … und {format_count(int(count) - MESSAGES_PER_RULE)} weitere; alle Befunde stehen in "
                    f"`{package.paket_id}_befunde.csv`."
                )
            lines.append("")
    else:
        lines += ["Keine Befunde.", ""]
    return "\n".join(lines)


# Columns of the findings download (German), for the pipeline's report and every page that offers one.
FINDINGS_CSV_COLUMNS = (
    "Nr",
    "Datei",
    "Zeile",
    "Spalte",
    "Regel",
    "Regeltitel",
    "Ergebnis",
    "Meldung",
    "Gelieferte Werte",
)


def findings_csv(findings: pd.DataFrame) -> bytes:
    """Every finding as a `;`-separated CSV with German headers (CRLF, UTF-8 with BOM, so Excel opens it with
    umlauts intact): the one writer of the findings download, for the pipeline's report and every page.

    `findings` has the findings columns (`FINDING_COLUMNS`) in their order; its `befund_nr` (as numbered in
    the warehouse) is the number where present, else the position.
    """
    titles = rule_titles()
    numbers = findings["befund_nr"].tolist() if "befund_nr" in findings else range(1, len(findings) + 1)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(FINDINGS_CSV_COLUMNS)
    for number, row in zip(numbers, findings.itertuples(index=False), strict=True):
        writer.writerow(
            [
                int(number),
                _cell(row.datei),
                "" if pd.isna(row.zeile) else int(row.zeile),
                _cell(row.spalte),
                row.regel,
                titles.get(row.regel, row.regel),
                OUTCOME_LABELS.get(row.ergebnis, row.ergebnis),
                row.meldung,
                _cell(row.rohwerte),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _cell(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def write_report(package: ParsedPackage, reports_root: Path | str) -> ReportFiles:
    """Write (or replace) the package's report files; returns their paths."""
    findings = read_findings(package)
    target = report_dir(reports_root, package)
    target.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(
        markdown=target / f"{package.paket_id}.md",
        findings_csv=target / f"{package.paket_id}_befunde.csv",
        text=render_report(package, findings),
    )
    _write_atomically(files.markdown, files.text.encode("utf-8"))
    _write_atomically(files.findings_csv, findings_csv(findings))
    return files


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
