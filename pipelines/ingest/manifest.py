"""`manifest.json`: who delivered which quarter with which files, and whether the package matches it.

A package whose manifest is missing, malformed or inconsistent with its place in the landing zone or with its
own files is rejected as a whole (contract, sections 1 and 3.2): the manifest is the municipality's statement
of what it delivered, and the checksums are the only proof that nothing was lost or altered on the way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from pipelines.contract.findings import Rule
from pipelines.contract.schema import CONTRACT_VERSION, MANIFEST_FIELDS, MANIFEST_FILENAME
from pipelines.ingest.findings import Finding, notice, rejection
from pipelines.ingest.reading import UnreadableFileError, load_json

# A naive `erstellt_am` was written by a clock in North Rhine-Westphalia.
LOCAL_TIMEZONE = ZoneInfo("Europe/Berlin")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class Manifest:
    ags: str
    berichtsquartal: str
    datensatz_version: str
    erstellt_am: datetime  # timezone-aware
    quellsystem: str
    kontakt: str
    dateien: dict[str, str]  # file name → sha256 (lower case)


@dataclass
class ManifestCheck:
    """The manifest if it is usable, and every finding about it."""

    manifest: Manifest | None
    findings: list[Finding] = field(default_factory=list)


def check_manifest(data: bytes | None, ags: str, quarter: str) -> ManifestCheck:
    """Parse and check `manifest.json` against the package's place in the landing zone (`ags`, `quarter`)."""
    if data is None:
        return ManifestCheck(
            None, [rejection(Rule.MANIFEST_MISSING, f"Das Paket enthält keine {MANIFEST_FILENAME}.")]
        )
    try:
        document = load_json(data, MANIFEST_FILENAME)
    except UnreadableFileError as error:
        return ManifestCheck(None, [rejection(Rule.MANIFEST_INVALID, str(error))])
    if not isinstance(document, dict):
        return ManifestCheck(
            None,
            [rejection(Rule.MANIFEST_INVALID, f"{MANIFEST_FILENAME}: erwartet wird ein JSON-Objekt {{…}}.")],
        )

    findings: list[Finding] = []
    missing = [name for name in MANIFEST_FIELDS if name not in document]
    findings += [
        rejection(Rule.MANIFEST_FIELD_MISSING, f"{MANIFEST_FILENAME}: Die Angabe „{name}“ fehlt.")
        for name in missing
    ]
    for name in MANIFEST_FIELDS:
        if name in document and name != "dateien" and not isinstance(document[name], str):
            findings.append(_invalid(name, "erwartet wird ein Text in Anführungszeichen"))

    text = {name: document[name] for name in MANIFEST_FIELDS if isinstance(document.get(name), str)}
    if "ags" in text and text["ags"] != ags:
        findings.append(
            rejection(
                Rule.MANIFEST_AGS,
                f"{MANIFEST_FILENAME}: ags „{text['ags']}“ passt nicht zum Ablageort des Pakets (Kommune "
                f"{ags}).",
            )
        )
    if "berichtsquartal" in text and text["berichtsquartal"] != quarter:
        findings.append(
            rejection(
                Rule.MANIFEST_QUARTER,
                f"{MANIFEST_FILENAME}: berichtsquartal „{text['berichtsquartal']}“ passt nicht zum "
                f"Ablageort des Pakets (Quartal {quarter}).",
            )
        )
    if (
        "datensatz_version" in text
        and text["datensatz_version"].split(".")[0] != CONTRACT_VERSION.split(".")[0]
    ):
        findings.append(
            _invalid(
                "datensatz_version",
                f"Version „{text['datensatz_version']}“ wird nicht unterstützt (erwartet {CONTRACT_VERSION})",
            )
        )
    if "quellsystem" in text and not text["quellsystem"].strip():
        findings.append(_invalid("quellsystem", "die Angabe ist leer"))

    created = None
    if "erstellt_am" in text:
        created, created_findings = _creation_time(text["erstellt_am"])
        findings += created_findings

    files: dict[str, str] = {}
    if "dateien" in document:
        files, file_findings = _listed_files(document["dateien"])
        findings += file_findings

    if any(finding.rejects for finding in findings):
        return ManifestCheck(None, findings)
    manifest = Manifest(
        ags=text["ags"],
        berichtsquartal=text["berichtsquartal"],
        datensatz_version=text["datensatz_version"],
        erstellt_am=created,
        quellsystem=text["quellsystem"].strip(),
        kontakt=text["kontakt"],
        dateien=files,
    )
    return ManifestCheck(manifest, findings)


def _invalid(name: str, reason: str) -> Finding:
    return rejection(
        Rule.MANIFEST_FIELD_INVALID, f"{MANIFEST_FILENAME}: Die Angabe „{name}“ ist ungültig ({reason})."
    )


def _creation_time(value: str) -> tuple[datetime | None, list[Finding]]:
    try:
        created = datetime.fromisoformat(value.strip()) if _TIMESTAMP.match(value.strip()) else None
    except ValueError:
        created = None
    if created is None:
        return None, [_invalid("erstellt_am", f"„{value}“ ist kein Zeitpunkt wie 2025-10-20T09:12:00+02:00")]
    if created.tzinfo is None:
        return created.replace(tzinfo=LOCAL_TIMEZONE), [
            notice(
                Rule.MANIFEST_TIMEZONE,
                f"{MANIFEST_FILENAME}: „erstellt_am“ = „{value}“ hat keine Zeitzone; es wird deutsche "
                "Ortszeit angenommen.",
            )
        ]
    return created, []


def _listed_files(value: object) -> tuple[dict[str, str], list[Finding]]:
    if not isinstance(value, dict):
        return {}, [_invalid("dateien", 'erwartet wird ein Objekt {"datei.csv": "<sha256>", …}')]
    files: dict[str, str] = {}
    findings = []
    for name, checksum in value.items():
        if not isinstance(checksum, str) or not _SHA256.match(checksum):
            findings.append(
                _invalid(
                    "dateien", f"für „{name}“ ist keine SHA-256-Prüfsumme aus 64 Hexadezimalzeichen angegeben"
                )
            )
        else:
            files[name] = checksum.lower()
    return files, findings


def check_members(manifest: Manifest, members: list[str]) -> list[Finding]:
    """Every top-level file of the package is listed in the manifest, and every listed file is in the package.

    Files in subfolders are a layout error of their own and reported by the caller.
    """
    findings = []
    present = set(members)
    for name in sorted(present - set(manifest.dateien) - {MANIFEST_FILENAME}):
        if "/" not in name:
            message = f"„{name}“ ist im Paket, aber nicht in der {MANIFEST_FILENAME} aufgeführt."
            findings.append(rejection(Rule.UNLISTED_FILE, message, file=name))
    for name in sorted(set(manifest.dateien) - present):
        findings.append(
            rejection(
                Rule.LISTED_FILE_MISSING,
                f"Die {MANIFEST_FILENAME} führt „{name}“ auf, die Datei fehlt aber im Paket.",
                file=name,
            )
        )
    return findings


def checksum_finding(manifest: Manifest, name: str, data: bytes) -> tuple[str, Finding | None]:
    """The file's sha256, and a rejection if it differs from the manifest's."""
    actual = hashlib.sha256(data).hexdigest()
    expected = manifest.dateien.get(name)
    if expected is None or expected == actual:
        return actual, None
    return actual, rejection(
        Rule.CHECKSUM,
        f"{name}: Die Prüfsumme (SHA-256) stimmt nicht mit der {MANIFEST_FILENAME} überein (erwartet "
        f"{expected[:12]}…, tatsächlich {actual[:12]}…); die Datei wurde nach dem Erstellen des Manifests "
        "verändert oder unvollständig übertragen.",
        file=name,
    )
