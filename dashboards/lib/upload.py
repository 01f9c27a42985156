"""An uploaded package made safe and laid out as the landing zone holds it (pure: no Streamlit, no pipeline run).

Whatever a browser sends is untrusted: a file name may carry a path, a zip may hide members that point outside
their folder, links, or a bomb that unpacks to gigabytes. Everything is checked here in memory, before a single
byte is written, and refused with a German message that says what to change. What passes becomes a
`PreparedPackage`: the bytes of one package in one of the contract's shapes, with the manifest this page wrote if
none was uploaded. `PreparedPackage.lay_out` writes it below a scratch folder as `<ags>/<quartal>.zip` or
`<ags>/<quartal>/`, the names the pipeline's discovery expects, and nowhere else.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.contract.schema import CONTRACT_FILES, CONTRACT_VERSION, MANIFEST_FILENAME
from pipelines.contract.units import delivery_partition_problems

# One package per upload. The largest unit's quarter is a few megabytes of CSV; 100 MB leaves room for
# workbooks and uncompressed exports. `server.maxUploadSize` in `.streamlit/config.toml` is the same number, so
# the server refuses a bigger file before it is even received.
MAX_UPLOAD_MB = 100
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 2**20
# A zip holds at most the seven contract files, the manifest and a few artefacts of packing tools.
MAX_ZIP_MEMBERS = 50
# Unpacked, the largest real package stays far below this; the pipeline's reader refuses single files above
# 512 MiB, and a check holds the whole package in memory.
MAX_UNPACKED_BYTES = 512 * 2**20
# CSV exports compress about 5- to 30-fold; zip bombs a thousandfold and more. Small members are exempt: a
# header-only file compresses arbitrarily well and can do no harm.
MAX_COMPRESSION_RATIO = 100
RATIO_EXEMPT_BYTES = 2**20
_READ_CHUNK_BYTES = 2**20

UPLOAD_TYPES = ("zip", "csv", "xlsx", "json")
CONTRACT_FILENAMES = tuple(file.filename for file in CONTRACT_FILES.values())
MANDATORY_FILENAMES = tuple(file.filename for file in CONTRACT_FILES.values() if file.mandatory)
OPTIONAL_FILENAMES = tuple(file.filename for file in CONTRACT_FILES.values() if not file.mandatory)
MANIFEST_SOURCE_SYSTEM = "Upload KIM-Monitor"
BERLIN = ZoneInfo("Europe/Berlin")

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# Characters no workbook name needs and some file systems or tools misread.
_UNSAFE_NAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_MAX_NAME_LENGTH = 128
_ZIP_ENCRYPTED_FLAG = 0x1
_ALLOWED_NAMES_HELP = (
    f"Erlaubt sind die Dateien des Datenvertrags ({', '.join(CONTRACT_FILENAMES)}), {MANIFEST_FILENAME}, "
    "eine Arbeitsmappe (.xlsx) oder ein ZIP-Archiv."
)


class PackageForm(StrEnum):
    """How the package was uploaded."""

    ZIP = "zip"
    CSV = "csv"
    XLSX = "xlsx"


FORM_LABELS = {
    PackageForm.ZIP: "ZIP-Archiv",
    PackageForm.CSV: "einzelne CSV-Dateien",
    PackageForm.XLSX: "Arbeitsmappe (XLSX)",
}


class UploadRefused(ValueError):
    """The upload is not checked at all; every reason is a German sentence saying what to change."""

    def __init__(self, reasons: Sequence[str]):
        self.reasons = tuple(reasons)
        super().__init__(" ".join(self.reasons))


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the browser named it."""

    name: str
    data: bytes


@dataclass(frozen=True)
class PreparedPackage:
    """One package ready to be laid out: its files (for a zip, the zip itself) and the manifest written here."""

    ags: str
    quartal: str
    form: PackageForm
    files: tuple[tuple[str, bytes], ...]  # (name, bytes); a zip package has exactly one, `<quartal>.zip`
    written_manifest: bytes | None  # the manifest this page wrote; None if the upload brought its own

    @property
    def file_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.files)

    def package_path(self, root: Path) -> Path:
        unit_dir = Path(root) / self.ags
        return unit_dir / f"{self.quartal}.zip" if self.form is PackageForm.ZIP else unit_dir / self.quartal

    def lay_out(self, root: Path | str) -> Path:
        """Write the package below `root` as `<ags>/<quartal>.zip` or `<ags>/<quartal>/`; returns its path."""
        root = Path(root).resolve()
        target = self.package_path(root)
        if self.form is PackageForm.ZIP:
            _write_inside(root, target, self.files[0][1])
        else:
            for name, data in self.files:
                _write_inside(root, target / name, data)
        return target


def prepare_upload(
    uploads: Sequence[Upload], ags: str, quartal: str, *, kontakt: str = "", now: datetime | None = None
) -> PreparedPackage:
    """The uploaded files as one package of `ags` for `quartal`, or `UploadRefused` with every reason."""
    _check_partition(ags, quartal)
    if not uploads:
        raise UploadRefused(["Es wurde keine Datei hochgeladen."])
    total = sum(len(upload.data) for upload in uploads)
    if total > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            [
                f"Die hochgeladenen Dateien sind zusammen {format_megabytes(total)} groß; erlaubt sind "
                f"höchstens {MAX_UPLOAD_MB} MB je Paket."
            ]
        )
    named = [(base_name(upload.name), upload.data) for upload in uploads]
    _check_names(named)
    created = now or datetime.now(BERLIN)
    zips = [(name, data) for name, data in named if name.lower().endswith(".zip")]
    if zips:
        ((name, data),) = zips
        return _prepare_zip(name, data, ags, quartal, kontakt, created)
    form = PackageForm.XLSX if any(name.lower().endswith(".xlsx") for name, _ in named) else PackageForm.CSV
    manifests = [data for name, data in named if name.lower() == MANIFEST_FILENAME]
    files = {name: data for name, data in named if name.lower() != MANIFEST_FILENAME}
    written = None if manifests else build_manifest(files, ags, quartal, kontakt=kontakt, created=created)
    manifest = manifests[0] if manifests else written
    return PreparedPackage(
        ags=ags,
        quartal=quartal,
        form=form,
        files=((MANIFEST_FILENAME, manifest), *sorted(files.items())),
        written_manifest=written,
    )


def build_manifest(
    files: Mapping[str, bytes], ags: str, quartal: str, *, kontakt: str = "", created: datetime
) -> bytes:
    """`manifest.json` for the given files (name → bytes), as the contract describes it (section 1)."""
    if created.tzinfo is None:
        raise ValueError("created must carry a time zone")
    document = {
        "ags": ags,
        "berichtsquartal": quartal,
        "datensatz_version": CONTRACT_VERSION,
        "erstellt_am": created.astimezone(BERLIN).isoformat(timespec="seconds"),
        "quellsystem": MANIFEST_SOURCE_SYSTEM,
        "kontakt": kontakt.strip(),
        "dateien": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def upload_fingerprint(uploads: Sequence[Upload], ags: str, quartal: str, kontakt: str = "") -> str:
    """Identity of what was asked to be checked: the same files for the same unit, quarter and contact."""
    digest = hashlib.sha256(f"{ags}\t{quartal}\t{kontakt.strip()}\n".encode())
    for upload in uploads:
        digest.update(f"{upload.name}\t{hashlib.sha256(upload.data).hexdigest()}\n".encode())
    return digest.hexdigest()


def base_name(name: str) -> str:
    """The last part of a path a browser or a crafted request may send (`C:\\x\\faelle.csv` → `faelle.csv`)."""
    return re.split(r"[/\\]", name)[-1].strip()


def format_megabytes(size: int) -> str:
    return f"{size / 2**20:.1f}".replace(".", ",") + " MB"


# --- names -------------------------------------------------------------------------------------------------


def _check_partition(ags: str, quartal: str) -> None:
    """The unit and quarter become folder names: only one of the 54 units and a well-formed quarter."""
    reasons = delivery_partition_problems(ags, quartal)
    if reasons:
        raise UploadRefused(reasons)


def _check_names(named: Sequence[tuple[str, bytes]]) -> None:
    """Every name a contract name, each once, and one shape of package."""
    reasons = []
    seen: dict[str, str] = {}
    for name, _ in named:
        kind = _kind_of(name)
        if kind is None:
            shown = _CONTROL_CHARACTERS.sub("?", name) or "(ohne Namen)"
            reasons.append(f"„{shown}“ ist kein Dateiname des Datenvertrags. {_ALLOWED_NAMES_HELP}")
            continue
        if name.lower() in seen:
            reasons.append(
                f"„{seen[name.lower()]}“ und „{name}“ sind dieselbe Datei; bitte nur einmal hochladen."
            )
        seen[name.lower()] = name
    if reasons:
        raise UploadRefused(reasons)
    kinds = [_kind_of(name) for name, _ in named]
    if "zip" in kinds and len(named) > 1:
        reasons.append(
            "Ein ZIP-Archiv ist bereits ein vollständiges Paket: bitte das ZIP-Archiv allein hochladen oder "
            "die Dateien einzeln ohne ZIP-Archiv."
        )
    elif kinds.count("xlsx") > 1:
        reasons.append("Bitte nur eine Arbeitsmappe (.xlsx) hochladen, mit einem Blatt je Datei.")
    elif "xlsx" in kinds and "csv" in kinds:
        reasons.append(
            "Bitte entweder eine Arbeitsmappe (.xlsx) oder CSV-Dateien hochladen, nicht beides in einem Paket."
        )
    elif not {"zip", "xlsx", "csv"} & set(kinds):
        reasons.append(
            f"Es wurde nur {MANIFEST_FILENAME} hochgeladen; es fehlen die Daten (CSV-Dateien, eine "
            "Arbeitsmappe oder ein ZIP-Archiv)."
        )
    if reasons:
        raise UploadRefused(reasons)


def _kind_of(name: str) -> str | None:
    """`csv`, `xlsx`, `zip` or `manifest` for an acceptable file name; None for any other name."""
    lower = name.lower()
    if lower == MANIFEST_FILENAME:
        return "manifest"
    if lower in CONTRACT_FILENAMES:
        return "csv"
    if not _is_safe_name(name):
        return None
    if lower.endswith(".xlsx") and len(lower) > len(".xlsx"):
        return "xlsx"
    if lower.endswith(".zip") and len(lower) > len(".zip"):
        return "zip"
    return None


def _is_safe_name(name: str) -> bool:
    """A plain file name: no folders, no hidden file, no control or reserved characters, not too long."""
    return (
        0 < len(name) <= _MAX_NAME_LENGTH
        and not name.startswith(".")
        and not _UNSAFE_NAME_CHARACTERS.search(name)
        and name not in {".", ".."}
    )


# --- zip archives ------------------------------------------------------------------------------------------


def _prepare_zip(
    name: str, data: bytes, ags: str, quartal: str, kontakt: str, created: datetime
) -> PreparedPackage:
    members = inspect_zip(data, name)
    if any(info.filename == MANIFEST_FILENAME for info in members):
        return PreparedPackage(
            ags, quartal, PackageForm.ZIP, ((f"{quartal}.zip", data),), written_manifest=None
        )
    # No manifest: the same files, packed again with the manifest this page writes. Directory entries and the
    # artefacts packing tools add (which the pipeline ignores) are left out.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {
            info.filename: archive.read(info)
            for info in members
            if not info.is_dir() and not _is_packing_artefact(info.filename)
        }
    manifest = build_manifest(files, ags, quartal, kontakt=kontakt, created=created)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as repacked:
        repacked.writestr(MANIFEST_FILENAME, manifest)
        for member, content in files.items():
            repacked.writestr(member, content)
    return PreparedPackage(
        ags, quartal, PackageForm.ZIP, ((f"{quartal}.zip", buffer.getvalue()),), written_manifest=manifest
    )


def inspect_zip(data: bytes, name: str = "ZIP-Archiv") -> tuple[zipfile.ZipInfo, ...]:
    """The members of a zip, after checking names, links, count, sizes and ratios without writing anything.

    Declared sizes are checked first, then every member is decompressed into nothing with a running total,
    since a crafted archive can declare sizes it does not keep.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UploadRefused([f"„{name}“ ist keine lesbare ZIP-Datei ({error}); bitte neu packen."]) from error
    with archive:
        members = tuple(archive.infolist())
        if len(members) > MAX_ZIP_MEMBERS:
            raise UploadRefused(
                [
                    f"„{name}“ enthält {len(members)} Einträge; ein Paket hat höchstens {MAX_ZIP_MEMBERS} "
                    "(die Dateien des Datenvertrags und manifest.json)."
                ]
            )
        reasons = [reason for info in members if (reason := _member_problem(info, name))]
        names = [info.filename for info in members]
        reasons += [
            f"„{name}“ enthält „{member}“ mehrfach."
            for member in sorted({n for n in names if names.count(n) > 1})
        ]
        if reasons:
            raise UploadRefused(reasons)
        declared = sum(info.file_size for info in members)
        if declared > MAX_UNPACKED_BYTES:
            raise UploadRefused([_unpacked_too_large(name, declared)])
        _decompress_bounded(archive, members, name)
    return members


def _member_problem(info: zipfile.ZipInfo, archive_name: str) -> str | None:
    member = info.filename
    shown = _CONTROL_CHARACTERS.sub("?", member)
    parts = member.split("/")
    if _CONTROL_CHARACTERS.search(member) or not member:
        return f"„{archive_name}“ enthält einen Eintrag mit unzulässigem Namen („{shown}“)."
    if "\\" in member:
        return (
            f"„{archive_name}“ enthält „{shown}“ mit einem umgekehrten Schrägstrich (\\) im Namen; bitte das "
            "Paket mit einem anderen Programm packen."
        )
    if member.startswith("/") or re.match(r"^[A-Za-z]:", member):
        return f"„{archive_name}“ enthält „{shown}“ mit einem absoluten Pfad; erlaubt sind nur Dateinamen."
    if ".." in parts:
        return (
            f"„{archive_name}“ enthält „{shown}“, das aus dem Paket heraus zeigt (..); das ist nicht erlaubt."
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"„{archive_name}“ enthält „{shown}“ als symbolische Verknüpfung; erlaubt sind nur Dateien."
    if info.flag_bits & _ZIP_ENCRYPTED_FLAG:
        return f"„{archive_name}“: „{shown}“ ist verschlüsselt; bitte ohne Passwort packen."
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_EXEMPT_BYTES and ratio > MAX_COMPRESSION_RATIO:
        return (
            f"„{archive_name}“: „{shown}“ würde entpackt {format_megabytes(info.file_size)} groß "
            f"({ratio:.0f}-fach verdichtet, erlaubt höchstens {MAX_COMPRESSION_RATIO}-fach); das ist keine "
            "Datenlieferung, sondern sieht nach einer ZIP-Bombe aus."
        )
    return None


def _decompress_bounded(archive: zipfile.ZipFile, members: Sequence[zipfile.ZipInfo], name: str) -> None:
    unpacked = 0
    for info in members:
        if info.is_dir():
            continue
        member_bytes = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_READ_CHUNK_BYTES):
                    member_bytes += len(chunk)
                    if unpacked + member_bytes > MAX_UNPACKED_BYTES:
                        raise UploadRefused([_unpacked_too_large(name, unpacked + member_bytes)])
                    if member_bytes > info.file_size:
                        raise zipfile.BadZipFile("mehr Inhalt als angegeben")
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
            raise UploadRefused(
                [f"„{name}“: „{_CONTROL_CHARACTERS.sub('?', info.filename)}“ ist beschädigt ({error})."]
            ) from error
        unpacked += member_bytes


def _unpacked_too_large(name: str, size: int) -> str:
    return (
        f"„{name}“ wäre entpackt mindestens {format_megabytes(size)} groß; erlaubt sind höchstens "
        f"{format_megabytes(MAX_UNPACKED_BYTES)}. Das ist keine Datenlieferung, sondern sieht nach einer "
        "ZIP-Bombe aus."
    )


def _is_packing_artefact(member: str) -> bool:
    """What macOS and other packers add and the pipeline's reader ignores (`__MACOSX/`, hidden files)."""
    parts = member.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts if part)


# --- writing -----------------------------------------------------------------------------------------------


def _write_inside(root: Path, target: Path, data: bytes) -> None:
    """Write `data` to `target`, which must lie below `root` (the last line of defence against a bad name)."""
    resolved = target.resolve()
    if not resolved.is_relative_to(root) or resolved == root:
        raise UploadRefused([f"„{target.name}“ würde außerhalb des Prüfordners gespeichert; abgebrochen."])
    resolved.parent.mkdir(parents=True, exist_ok=True)
    with open(resolved, "xb") as handle:
        handle.write(data)
