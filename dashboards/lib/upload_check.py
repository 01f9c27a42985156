"""The upload page's work: check an uploaded package with the pipeline's own steps, deliver it, describe it.

`check_uploads` takes the uploaded bytes and returns everything the page shows; it never touches the landing
zone, the archive or the warehouse (`pipelines.ingest.upload.check_package` runs in a scratch folder). Only
`deliver` writes, and only a package that was checked and not rejected. Both lay the package out in a temporary
folder that is gone when they return, so nothing of an upload stays on the server beyond the landing zone.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from dashboards.lib import delivery_queries, queries, warehouse
from dashboards.lib.upload import PreparedPackage, Upload, UploadRefused, prepare_upload, upload_fingerprint
from pipelines.calendar import Quarter, quarter_range
from pipelines.config import Settings
from pipelines.contract.findings import OUTCOME_LABELS, STATUS_LABELS, Status
from pipelines.ingest.staging import ParsedPackage
from pipelines.ingest.upload import UploadCheck, UploadError, check_package, deliver_to_landing

# The first quarter the pipeline accepts a package for (its quarter partitions, `pipelines/defs/partitions.py`,
# start here; importing them would load Dagster into the dashboard).
FIRST_DELIVERY_QUARTER = Quarter(2020, 1)

FINDING_HEADERS = {
    "datei": "Datei",
    "zeile": "Zeile",
    "spalte": "Spalte",
    "regel": "Regel",
    "ergebnis": "Ergebnis",
    "meldung": "Meldung",
}


class DeliveryRefused(RuntimeError):
    """The package may not go to the landing zone; German message."""


@dataclass(frozen=True)
class UploadResult:
    """What became of one upload: refused before the check, or checked by the pipeline's steps."""

    fingerprint: str
    ags: str
    quartal: str
    package: PreparedPackage | None = None  # None if refused
    check: UploadCheck | None = None  # None if refused
    refusal: tuple[str, ...] = ()  # German reasons the upload was not checked at all

    @property
    def deliverable(self) -> bool:
        return self.check is not None and self.check.acceptable

    @property
    def status_label(self) -> str:
        """`angenommen`, `angenommen mit Hinweisen` or `abgelehnt` (as in the report)."""
        return STATUS_LABELS[self.check.package.status] if self.check else STATUS_LABELS[Status.REJECTED]


def check_uploads(
    uploads: Sequence[Upload],
    ags: str,
    quartal: str,
    settings: Settings,
    *,
    kontakt: str = "",
    now: datetime | None = None,
) -> UploadResult:
    """Make the uploaded files one package of `ags` for `quartal` and check it as the pipeline would."""
    fingerprint = upload_fingerprint(uploads, ags, quartal, kontakt)
    try:
        package = prepare_upload(uploads, ags, quartal, kontakt=kontakt, now=now)
        with tempfile.TemporaryDirectory(prefix="kim-upload-") as scratch:
            check = check_package(package.lay_out(scratch), ags, quartal, settings)
    except UploadRefused as refused:
        return UploadResult(fingerprint, ags, quartal, refusal=refused.reasons)
    except UploadError as error:
        return UploadResult(fingerprint, ags, quartal, refusal=(str(error),))
    return UploadResult(fingerprint, ags, quartal, package=package, check=check)


def deliver(result: UploadResult, settings: Settings) -> Path:
    """Hand the checked package to the landing zone, byte for byte as checked; returns where it went."""
    if result.package is None or not result.deliverable:
        raise DeliveryRefused(
            "Ein abgelehntes Paket kann nicht übergeben werden. Bitte die Gründe der Ablehnung beheben und das "
            "Paket erneut hochladen."
        )
    with tempfile.TemporaryDirectory(prefix="kim-upload-") as scratch:
        return deliver_to_landing(result.package.lay_out(scratch), result.ags, result.quartal, settings)


@dataclass(frozen=True)
class LoadedDelivery:
    """The package whose data the published warehouse holds for a unit and quarter."""

    paket_id: str
    erstellt_am: datetime | None
    eingegangen_am: datetime | None


def loaded_delivery(ags: str, quartal: str) -> LoadedDelivery | None:
    """The package loaded for `ags` and `quartal` in the published warehouse, if there is one."""
    if warehouse.current_snapshot() is None:
        return None
    try:
        packages = delivery_queries.packages(ags, quartal)
    except duckdb.Error:
        return None  # a snapshot without the delivery marts: nothing to compare with
    loaded = packages[packages["geladen"].fillna(False).astype(bool)]
    if loaded.empty:
        return None
    row = loaded.iloc[0]
    return LoadedDelivery(row["paket_id"], _moment(row["erstellt_am"]), _moment(row["eingegangen_am"]))


def replaces_loaded(result: UploadResult, loaded: LoadedDelivery) -> bool:
    """Whether the checked package, once loaded, replaces `loaded` as a correction (a later `erstellt_am`)."""
    created = result.check.package.erstellt_am if result.check else None
    if created is None or loaded.erstellt_am is None:
        return created is not None
    return created > loaded.erstellt_am


def _moment(value) -> datetime | None:
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


# --- choices -----------------------------------------------------------------------------------------------


def unit_choices() -> dict[str, str]:
    """AGS → name of every KIM unit: from the published warehouse, or the reference data if none is there."""
    if warehouse.current_snapshot() is not None:
        try:
            units = queries.units()
            if not units.empty:
                return dict(zip(units["ags"], units["name"], strict=True))
        except duckdb.Error:
            pass  # a snapshot without marts (a build that stopped early): the reference data still holds
    from pipelines.contract.units import load_units

    return {unit.ags: unit.name for unit in load_units()}


def quarter_choices(stichtag: date) -> list[str]:
    """The complete quarters a package can be delivered for, latest (the default) first."""
    last = Quarter.last_complete(stichtag)
    return [str(quarter) for quarter in reversed(quarter_range(FIRST_DELIVERY_QUARTER, last))]


# --- what the page shows -----------------------------------------------------------------------------------


def files_table(package: ParsedPackage) -> pd.DataFrame:
    """Per contract file: rows delivered, accepted and quarantined."""
    return pd.DataFrame(
        {
            "Datei": [file.name for file in package.files],
            "Zeilen geliefert": [file.rows_delivered for file in package.files],
            "übernommen": [file.rows_loaded for file in package.files],
            "in Quarantäne": [file.rows_quarantined for file in package.files],
        }
    )


def findings_table(findings: pd.DataFrame) -> pd.DataFrame:
    """Every finding with German column names and outcomes: Datei, Zeile, Spalte, Regel, Ergebnis, Meldung."""
    table = findings.loc[:, list(FINDING_HEADERS)].copy()
    table["ergebnis"] = table["ergebnis"].map(OUTCOME_LABELS)
    return table.rename(columns=FINDING_HEADERS).reset_index(drop=True)


def report_file_name(result: UploadResult) -> str:
    return f"lieferbericht_{result.ags}_{result.quartal}.md"


def findings_file_name(result: UploadResult) -> str:
    return f"befunde_{result.ags}_{result.quartal}.csv"
