"""Contract validation of a parsed package with the Great Expectations suites of `expectations/`.

The reader (`parse.py`) has typed every cell and quarantined what it could not read; the suites check the
contract's row rules on the typed rows (ranges, periods, cross-field rules, uniqueness, events of known cases,
Gemeinden of the unit). Their row findings are merged into the package's quarantine by `quarantine_rows`, which
recomputes the counts, the 10 % rule and the status, so a package can still be rejected here. The pipeline and
the upload page both call `validate_parsed`, so a unit sees exactly what the pipeline will decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from expectations import SuiteResult, ValidationParameters, validate_package
from pipelines.ingest.case_index import forget_cases, known_cases, record_cases
from pipelines.ingest.findings import Status
from pipelines.ingest.parse import quarantine_rows
from pipelines.ingest.staging import ParsedPackage, read_valid_rows


@dataclass(frozen=True)
class ValidatedPackage:
    package: ParsedPackage  # after quarantine; its staging holds the final valid rows and findings
    # One per delivered contract file; empty if the package was rejected before the suites could run.
    suites: tuple[SuiteResult, ...]


@cache
def served_gemeinden(ags: str) -> frozenset[str]:
    """The Gemeinden (8-digit AGS) a unit serves, from the reference data."""
    from pipelines.contract.units import load_units

    for unit in load_units():
        if unit.ags == ags:
            return frozenset(unit.gemeinde_ags)
    return frozenset()


def validate_parsed(
    parsed: ParsedPackage, case_index_dir: Path | str, *, remember_cases: bool = True
) -> ValidatedPackage:
    """Run the contract suites on the package's valid rows and quarantine what they reject.

    A package that is accepted afterwards leaves its cases in the case index (unless `remember_cases` is off,
    as for a trial check on the upload page), so later packages of the unit may report events of them.
    """
    if parsed.status is Status.REJECTED:
        return ValidatedPackage(package=parsed, suites=())
    frames = {file.contract_file.name: read_valid_rows(parsed, file) for file in parsed.files if file.staged}
    parameters = ValidationParameters(
        ags=parsed.ags,
        berichtsquartal=parsed.berichtsquartal,
        gemeinden=served_gemeinden(parsed.ags),
        known_cases=known_cases(case_index_dir, parsed.ags, parsed.berichtsquartal),
    )
    outcome = validate_package(frames, parameters)
    checked = quarantine_rows(parsed, outcome.findings) if len(outcome.findings) else parsed
    if not remember_cases:
        pass
    elif checked.status is Status.REJECTED:
        forget_cases(case_index_dir, checked)
    else:
        record_cases(case_index_dir, checked)
    return ValidatedPackage(package=checked, suites=outcome.suites)
