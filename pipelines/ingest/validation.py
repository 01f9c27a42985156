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

import pandas as pd
import pyarrow as pa

from expectations import SuiteResult, ValidationParameters, validate_packages
from pipelines.contract.findings import Status
from pipelines.contract.schema import CONTRACT_FILES
from pipelines.ingest.case_index import forget_cases, known_cases, record_cases
from pipelines.ingest.parse import quarantine_rows
from pipelines.ingest.staging import ParsedPackage, pandas_type, staged_table


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
    return validate_parsed_batch([parsed], case_index_dir, remember_cases=remember_cases)[0]


def validate_parsed_batch(
    packages: list[ParsedPackage], case_index_dir: Path | str, *, remember_cases: bool = True
) -> list[ValidatedPackage]:
    """`validate_parsed` for many packages of one reporting quarter, validated together (`validate_packages`).

    Events may refer to cases of earlier quarters only, so the case index is read for every package before
    any of the batch is recorded in it.
    """
    checkable = [package for package in packages if package.status is not Status.REJECTED]
    batch = [
        (
            frames,
            ValidationParameters(
                ags=package.ags,
                berichtsquartal=package.berichtsquartal,
                gemeinden=served_gemeinden(package.ags),
                known_cases=known_cases(case_index_dir, package.ags, package.berichtsquartal),
            ),
        )
        for package, frames in zip(checkable, _valid_rows(checkable), strict=True)
    ]
    outcomes = dict(zip((package.paket_id for package in checkable), validate_packages(batch), strict=True))
    results = []
    for package in packages:
        outcome = outcomes.get(package.paket_id) if package.status is not Status.REJECTED else None
        if outcome is None:
            results.append(ValidatedPackage(package=package, suites=()))
            continue
        checked = quarantine_rows(package, outcome.findings) if len(outcome.findings) else package
        if not remember_cases:
            pass
        elif checked.status is Status.REJECTED:
            forget_cases(case_index_dir, checked)
        else:
            record_cases(case_index_dir, checked)
        results.append(ValidatedPackage(package=checked, suites=outcome.suites))
    return results


def _valid_rows(packages: list[ParsedPackage]) -> list[dict[str, pd.DataFrame]]:
    """Each package's staged valid rows as pandas frames by contract name, as the suites read them.

    Per contract file, the Arrow tables of all packages are put together and converted once; each package's
    frame is its part, indexed from 0. Converting each package's table on its own cost about ten times as much
    CPU for a quarter's packages (pandas' fixed cost per conversion).
    """
    frames: list[dict[str, pd.DataFrame]] = [{} for _ in packages]
    for name in CONTRACT_FILES:
        owners = [
            (position, staged_table(package, file))
            for position, package in enumerate(packages)
            for file in package.files
            if file.staged and file.contract_file.name == name
        ]
        if not owners:
            continue
        try:
            whole = pa.concat_tables([table for _, table in owners]).to_pandas(types_mapper=pandas_type)
        except pa.ArrowInvalid:  # tables of different columns: each is converted on its own
            for position, table in owners:
                frames[position][name] = table.to_pandas(types_mapper=pandas_type)
            continue
        start = 0
        for position, table in owners:
            frames[position][name] = whole.iloc[start : start + table.num_rows].reset_index(drop=True)
            start += table.num_rows
    return frames
