"""The downloadable German report of one package, generated from the published warehouse.

Two files, as the delivering unit needs them to fix its export: every finding as a CSV for a spreadsheet
(`pipelines.ingest.report.findings_csv`, the one writer of that download) and a short Markdown summary (the
package, what became of it, its files with the row reconciliation and the findings rule by rule with the
rule's explanation). Pure functions of query results, so the report says exactly what the page shows.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboards.lib import delivery_views, formatting

MESSAGES_PER_RULE = 20
"""A summary quotes this many messages per rule and outcome; the CSV always has all findings."""


def report_basename(package: Any) -> str:
    """`lieferbericht_05111_2025-Q3_1a2b3c4d5e6f`: names both downloads of a package."""
    return f"lieferbericht_{package.ags}_{package.quartal}_{delivery_views.short_id(package.paket_id)}"


def _cell(value: Any) -> str:
    return "" if formatting.is_missing(value) else str(value)


def summary_markdown(
    package: Any,
    files: pd.DataFrame,
    findings: pd.DataFrame,
    rules: pd.DataFrame,
    *,
    published_at: str | None = None,
) -> str:
    """The German summary of one package (Markdown).

    `package` is a row of `delivery_queries.packages`, `files` and `findings` the package's rows of
    `lieferungen_dateien` and `befunde`, `rules` the rule catalogue (for each rule's explanation).
    """
    unit = package.kommune_name if not formatting.is_missing(package.kommune_name) else "unbekannte Kommune"
    quarter = formatting.format_quarter(package.quartal)
    lines = [
        f"# Lieferbericht {unit} ({package.ags}), {quarter}",
        "",
        "| | |",
        "|---|---|",
        f"| Kommune | {unit} ({package.ags}) |",
        f"| Berichtsquartal | {quarter} |",
        f"| Paket | `{package.paket_id}` ({formatting.format_package_shape(package.paketform)}) |",
        f"| Erstellt laut Manifest | {formatting.format_moment(package.erstellt_am)} |",
        f"| Eingegangen | {formatting.format_moment(package.eingegangen_am)} |",
        f"| Lieferfrist | {formatting.format_date(package.frist)} "
        f"(fristgerecht: {formatting.format_yes_no(package.fristgerecht)}) |",
        f"| Quellsystem | {_cell(package.quellsystem) or 'nicht angegeben'} |",
        f"| Ergebnis | **{formatting.format_delivery_status(package.status)}** "
        f"({delivery_views.package_role(package)}) |",
        f"| Zeilen | {formatting.format_number(package.zeilen_geliefert)} geliefert, "
        f"{formatting.format_number(package.zeilen_geladen)} übernommen, "
        f"{formatting.format_number(package.zeilen_quarantaene)} in Quarantäne, "
        f"{formatting.format_number(package.zeilen_abgelehnt)} mit dem Paket abgelehnt |",
        "",
        delivery_views.package_outcome_text(package),
        "",
    ]
    rejections = findings[(findings["ergebnis"] == "PAKET_ABGELEHNT") & (findings["ebene"] != "Zeile")]
    if len(rejections):
        lines += ["## Gründe der Ablehnung", ""]
        lines += [f"- {message}" for message in rejections["meldung"]]
        lines.append("")
    if len(files):
        lines += _files_section(files)
    lines += _findings_section(findings, rules)
    if published_at:
        lines += [
            *([""] if lines[-1] else []),
            f"Erzeugt aus dem veröffentlichten Datenstand vom {published_at}.",
        ]
    return "\n".join(lines) + "\n"


def _files_section(files: pd.DataFrame) -> list[str]:
    table = delivery_views.files_table(files)
    lines = [
        "## Dateien",
        "",
        "| " + " | ".join(table.columns) + " |",
        "|---|---|---|" + "---:|" * 5 + "---|",
    ]
    lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in table.itertuples(index=False)]
    lines.append("")
    return lines


def _findings_section(findings: pd.DataFrame, rules: pd.DataFrame) -> list[str]:
    if findings.empty:
        return ["Keine Befunde."]
    explanations = dict(zip(rules["regel"], rules["erklaerung"], strict=True))
    lines = [f"## Befunde ({formatting.format_number(len(findings))})", ""]
    for (outcome, rule), group in findings.groupby(["ergebnis", "regel"], sort=False):
        title = group["regel_titel"].iloc[0]
        lines += [
            f"### {title} – {formatting.format_outcome(outcome)} ({formatting.format_number(len(group))})",
            "",
            f"Regel `{rule}`: {explanations.get(rule, '')}".rstrip(),
            "",
        ]
        lines += [f"- {message}" for message in group["meldung"].head(MESSAGES_PER_RULE)]
        if len(group) > MESSAGES_PER_RULE:
            lines.append(
                f"- … und {formatting.format_number(len(group) - MESSAGES_PER_RULE)} weitere; alle Befunde "
                "stehen in der CSV-Datei."
            )
        lines.append("")
    return lines
