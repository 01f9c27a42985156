"""Discovery of delivered packages in the landing zone and their content identity (`paket_id`).

A package is `<landing>/<ags>/<quartal>/` (a folder of CSV files or one workbook, plus `manifest.json`) or
`<landing>/<ags>/<quartal>.zip` (contract, section 1). Everything else in the landing zone is reported as a
German problem message, never an exception: one stray file must not stop the other units' deliveries. Hidden
entries (names starting with a dot) are operating-system or upload-tool artefacts and are ignored.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipelines.calendar import Quarter
from pipelines.contract.packages import PackageShape

_AGS_PATTERN = re.compile(r"^\d{5}(\d{3})?$")
_ZIP_SUFFIX = ".zip"
_WORKBOOK_SUFFIX = ".xlsx"
_EXPECTED_LAYOUT = "erwartet <Eingangsordner>/<AGS>/<Quartal>/ oder <Eingangsordner>/<AGS>/<Quartal>.zip"


@dataclass(frozen=True)
class PackageRef:
    """A package in the landing zone: its partition, where it is, and its content hash."""

    ags: str
    berichtsquartal: str
    path: Path
    shape: PackageShape
    paket_id: str
    eingegangen_am: datetime  # newest modification time of the package's files, UTC


@dataclass
class LandingScan:
    """Everything found in the landing zone: the packages, and what is there but is not a package."""

    packages: list[PackageRef] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def find_packages(landing_dir: Path | str) -> LandingScan:
    """All packages in the landing zone, sorted by unit, quarter and path; odd entries become problems."""
    landing_dir = Path(landing_dir)
    scan = LandingScan()
    if not landing_dir.is_dir():
        scan.problems.append(f"Der Eingangsordner {landing_dir} existiert nicht.")
        return scan
    for entry in _visible_entries(landing_dir, scan):
        if not entry.is_dir():
            scan.problems.append(f"{entry}: Datei liegt direkt im Eingangsordner ({_EXPECTED_LAYOUT}).")
        elif not _AGS_PATTERN.match(entry.name):
            scan.problems.append(
                f"{entry}: „{entry.name}“ ist kein Amtlicher Gemeindeschlüssel (5 oder 8 Ziffern, z. B. "
                "05111)."
            )
        else:
            for candidate in _visible_entries(entry, scan):
                ref = _package_at(candidate, entry.name, scan)
                if ref is not None:
                    scan.packages.append(ref)
    scan.packages.sort(key=lambda ref: (ref.ags, ref.berichtsquartal, str(ref.path)))
    return scan


def packages_for_partition(landing_dir: Path | str, ags: str, quartal: Quarter | str) -> list[PackageRef]:
    """The packages of one unit and quarter: the folder, the zip, or both (a correction and its original)."""
    unit_dir = Path(landing_dir) / ags
    quarter = str(quartal)
    scan = LandingScan()
    candidates = [unit_dir / quarter]
    if unit_dir.is_dir():
        candidates += sorted(
            path
            for path in unit_dir.iterdir()
            if path.is_file()
            and path.name.lower().endswith(_ZIP_SUFFIX)
            and path.name[: -len(_ZIP_SUFFIX)] == quarter
        )
    refs = [_package_at(path, ags, scan) for path in candidates if path.exists()]
    return [ref for ref in refs if ref is not None]


def _visible_entries(directory: Path, scan: LandingScan) -> list[Path]:
    try:
        return sorted(path for path in directory.iterdir() if not path.name.startswith("."))
    except OSError as error:
        scan.problems.append(f"{directory}: Ordner kann nicht gelesen werden ({error.strerror}).")
        return []


def _package_at(path: Path, ags: str, scan: LandingScan) -> PackageRef | None:
    """The package at `<ags>/<path.name>`, or None with a problem recorded if it is not one."""
    is_zip = path.is_file() and path.name.lower().endswith(_ZIP_SUFFIX)
    quarter_text = path.name[: -len(_ZIP_SUFFIX)] if is_zip else path.name
    if not (path.is_dir() or is_zip):
        scan.problems.append(f"{path}: weder Quartalsordner noch ZIP-Datei ({_EXPECTED_LAYOUT}).")
        return None
    if not _is_quarter_name(quarter_text):
        scan.problems.append(
            f"{path}: „{quarter_text}“ ist kein Berichtsquartal in der Schreibweise JJJJ-Qn (z. B. 2025-Q3)."
        )
        return None
    try:
        if is_zip:
            return PackageRef(
                ags=ags,
                berichtsquartal=quarter_text,
                path=path,
                shape=PackageShape.ZIP_CSV,
                paket_id=file_sha256(path),
                eingegangen_am=_modified_at([path]),
            )
        files = package_files(path)
        if not files:
            scan.problems.append(f"{path}: Der Quartalsordner ist leer (Lieferung noch unvollständig?).")
            return None
        workbooks = [
            relative
            for relative in files
            if "/" not in relative and relative.lower().endswith(_WORKBOOK_SUFFIX)
        ]
        return PackageRef(
            ags=ags,
            berichtsquartal=quarter_text,
            path=path,
            shape=PackageShape.ORDNER_XLSX if workbooks else PackageShape.ORDNER_CSV,
            paket_id=folder_content_id(path, files),
            eingegangen_am=_modified_at([path / relative for relative in files]),
        )
    except OSError as error:
        scan.problems.append(f"{path}: Paket kann nicht gelesen werden ({error.strerror}).")
        return None


def _is_quarter_name(text: str) -> bool:
    try:
        return str(Quarter.parse(text)) == text
    except ValueError:
        return False


def package_files(folder: Path) -> list[str]:
    """Relative POSIX paths of every visible file below a package folder, sorted (the order of `paket_id`)."""
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            files.append(relative.as_posix())
    return sorted(files)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def folder_content_id(folder: Path, files: list[str]) -> str:
    """sha256 of `"<relative path>\\t<sha256 of the file>\\n"` for every file, sorted by path."""
    outer = hashlib.sha256()
    for relative in files:
        outer.update(f"{relative}\t{file_sha256(folder / relative)}\n".encode())
    return outer.hexdigest()


def _modified_at(paths: list[Path]) -> datetime:
    return datetime.fromtimestamp(max(path.stat().st_mtime for path in paths), tz=UTC)
