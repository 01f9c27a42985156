"""A package uploaded by a KI lead: checked at once with the pipeline's own steps, then handed to the landing zone.

The check runs archive → parse → contract suites exactly as the Dagster run does, but in a scratch folder:
nothing of a trial check reaches the archive, the staging cache, the case index or the warehouse. Only an
acceptable package is delivered, by moving it into the landing zone under its partition's name, where the
landing sensor picks it up. A package it replaces there is archived first, so no delivery is ever lost.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.config import Settings
from pipelines.contract.findings import Status
from pipelines.contract.packages import PackageShape
from pipelines.contract.units import delivery_partition_problems
from pipelines.ingest.archive import archive_package
from pipelines.ingest.case_index import case_index_dir
from pipelines.ingest.packages import packages_for_partition
from pipelines.ingest.parse import parse_package
from pipelines.ingest.pseudonyms import load_or_create_secret
from pipelines.ingest.report import render_report
from pipelines.ingest.staging import ParsedPackage, read_findings
from pipelines.ingest.validation import validate_parsed


class UploadError(ValueError):
    """The upload cannot be checked or delivered as it is; the message is German and says why."""


@dataclass(frozen=True)
class UploadCheck:
    """The verdict on an uploaded package, as the pipeline would reach it."""

    package: ParsedPackage
    findings: pd.DataFrame  # every finding (FINDING_COLUMNS)
    report: str  # the German report (Markdown)

    @property
    def acceptable(self) -> bool:
        return self.package.status is not Status.REJECTED


def require_partition(ags: str, quartal: str) -> None:
    """Refuse anything but one of the 54 units and a well-formed quarter: both become folder names."""
    problems = delivery_partition_problems(ags, quartal)
    if problems:
        raise UploadError(" ".join(problems))


def check_package(package_path: Path | str, ags: str, quartal: str, settings: Settings) -> UploadCheck:
    """Check the package at `package_path` (a folder or a `.zip`) as the delivery of `ags` for `quartal`.

    The path must already be laid out as a landing zone would hold it: `<root>/<ags>/<quartal>/` or
    `<root>/<ags>/<quartal>.zip`. Known cases of earlier packages come from the pipeline's case index (read
    only), so events of cases delivered before are accepted just as the pipeline will accept them.
    """
    require_partition(ags, quartal)
    package_path = Path(package_path)
    ref = next(
        (
            ref
            for ref in packages_for_partition(package_path.parent.parent, ags, quartal)
            if ref.path == package_path
        ),
        None,
    )
    if ref is None:
        raise UploadError(
            f"Unter {package_path} liegt kein Paket für {ags} / {quartal} (erwartet ein Ordner {quartal}/ oder "
            f"eine Datei {quartal}.zip im Ordner {ags}/)."
        )
    secret = load_or_create_secret(settings.pseudonym_secret_file)
    with tempfile.TemporaryDirectory(prefix="kim-upload-check-") as scratch:
        scratch = Path(scratch)
        archived = archive_package(ref, scratch / "archive")
        parsed = parse_package(archived, ref, secret, scratch / "staging")
        checked = validate_parsed(parsed, case_index_dir(settings.staging_dir), remember_cases=False).package
        findings = read_findings(checked)
        report = render_report(checked, findings)
    return UploadCheck(package=checked, findings=findings, report=report)


def deliver_to_landing(package_path: Path | str, ags: str, quartal: str, settings: Settings) -> Path:
    """Move a checked package into the landing zone as the delivery of `ags` for `quartal`; returns its path.

    A package of the same shape already there is archived before it is replaced (the sensor may not have seen
    it yet), so the earlier delivery stays in the archive whatever happens next.
    """
    require_partition(ags, quartal)
    package_path = Path(package_path)
    is_zip = package_path.is_file() and package_path.suffix.lower() == ".zip"
    unit_dir = settings.landing_dir / ags
    target = unit_dir / (f"{quartal}.zip" if is_zip else quartal)
    if target.resolve().parent != unit_dir.resolve():
        raise UploadError(f"Das Ziel {target} liegt außerhalb des Eingangsordners {settings.landing_dir}.")
    unit_dir.mkdir(parents=True, exist_ok=True)
    for existing in packages_for_partition(settings.landing_dir, ags, quartal):
        same_shape = (existing.shape is PackageShape.ZIP_CSV) == is_zip
        if same_shape:
            archive_package(existing, settings.archive_dir)
    staged = unit_dir / f".{target.name}.{secrets.token_hex(6)}.upload"
    # Plain copies, not copy2: the files' modification time is when the package was received.
    if is_zip:
        shutil.copyfile(package_path, staged)
    else:
        shutil.copytree(package_path, staged, copy_function=shutil.copyfile)
    _swap_into_place(staged, target)
    return target


def _swap_into_place(staged: Path, target: Path) -> None:
    """Replace `target` by `staged` with renames only, so the sensor never sees half a package."""
    retired = None
    if target.exists():
        retired = target.with_name(f".{target.name}.{secrets.token_hex(6)}.old")
        os.rename(target, retired)
    os.rename(staged, target)
    if retired is not None:
        if retired.is_dir():
            shutil.rmtree(retired)
        else:
            retired.unlink()
