"""What a generator run produced, for the `kim generate` output and for tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def german_number(value: float, decimals: int = 0) -> str:
    """`1234567.8` → `1.234.567,8`."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@dataclass(frozen=True)
class GenerationSummary:
    out_dir: Path
    ground_truth_file: Path
    first_quarter: str
    last_quarter: str
    units: int
    packages: int  # package files/folders written, superseded originals included
    cases: int  # distinct cases in the landing zone
    events: int  # event rows in the packages that count (superseded originals excluded)
    rows_per_file: dict[str, int]  # data rows per contract file over all written packages
    corrections: int
    late: int
    missing: int
    outstanding: int  # would arrive after the reference date, so not written
    seconds: float
    defect_packages: int = 0  # flawed packages of the defect corpus (`--defects`), not counted in `packages`
    defect_kinds: int = 0
    defects_file: Path | None = None

    def format_german(self) -> str:
        rows = " · ".join(f"{name} {german_number(count)}" for name, count in self.rows_per_file.items())
        return "\n".join(
            [
                f"Demodaten erzeugt in {german_number(self.seconds, 1)} s: {german_number(self.packages)} "
                f"Lieferpakete von {self.units} Kommunen für {self.first_quarter} bis {self.last_quarter}.",
                f"Eingangsordner: {self.out_dir}",
                f"Fälle: {german_number(self.cases)} · Ereignisse: {german_number(self.events)}",
                f"Zeilen je Datei: {rows}",
                f"Korrekturen: {self.corrections} · verspätete Lieferungen: {self.late} · "
                f"fehlende Lieferungen: {self.missing} · noch nicht eingegangen: {self.outstanding}",
                f"Referenzwerte (nur für Tests): {self.ground_truth_file}",
                *self._defect_lines(),
            ]
        )

    def _defect_lines(self) -> list[str]:
        if self.defects_file is None:
            return []
        return [
            f"Fehlerkorpus: {german_number(self.defect_packages)} fehlerhafte Lieferpakete "
            f"({self.defect_kinds} Fehlerarten) neben den sauberen Paketen.",
            f"Erwartete Befunde (nur für Tests): {self.defects_file}",
        ]
