"""Findings as the reader raises them: one about the package, a file or a column (`Finding`), and findings
tables in the shape of `raw.befunde` (row findings travel as tables).

The vocabulary (rules, outcomes, statuses, findings columns, German number formats) is the contract's:
`pipelines.contract.findings`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipelines.contract.findings import FINDING_COLUMNS, Outcome, Rule


@dataclass(frozen=True)
class Finding:
    """One finding about the package, a file or a column (row findings travel as tables instead)."""

    rule: Rule
    message: str
    outcome: Outcome
    file: str | None = None
    column: str | None = None

    @property
    def rejects(self) -> bool:
        return self.outcome is Outcome.PACKAGE_REJECTED


def rejection(rule: Rule, message: str, file: str | None = None, column: str | None = None) -> Finding:
    return Finding(rule, message, Outcome.PACKAGE_REJECTED, file, column)


def notice(rule: Rule, message: str, file: str | None = None, column: str | None = None) -> Finding:
    return Finding(rule, message, Outcome.NOTICE, file, column)


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Package- and file-level findings as a findings table (no line, no raw values)."""
    frame = pd.DataFrame(
        {
            "datei": [finding.file for finding in findings],
            "zeile": [None] * len(findings),
            "spalte": [finding.column for finding in findings],
            "regel": [str(finding.rule) for finding in findings],
            "meldung": [finding.message for finding in findings],
            "ergebnis": [str(finding.outcome) for finding in findings],
            "rohwerte": [None] * len(findings),
        }
    )
    return normalise_findings_frame(frame)


def normalise_findings_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of `raw.befunde` in order, one dtype each, so findings tables concatenate alike."""
    return pd.DataFrame(
        {
            name: pd.array(frame[name].tolist(), dtype="Int32" if name == "zeile" else "str")
            for name in FINDING_COLUMNS
        }
    )
