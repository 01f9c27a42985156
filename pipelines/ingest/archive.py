"""The archive: every delivered package kept once, as delivered, under its content hash, never changed.

`archive/<paket_id[:2]>/<paket_id>.zip`. A zip package is copied byte for byte; a folder package is zipped
deterministically (sorted entries, fixed timestamps and permissions), so archiving the same folder twice gives
the same bytes. Files are written under a temporary name and published with a hard link, which never replaces
an existing archive entry, then made read-only. While copying, the content hash is recomputed: a package that
changed since discovery is not archived under the old id.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from pathlib import Path

from pipelines.contract.packages import PackageShape
from pipelines.ingest.files import publish_once
from pipelines.ingest.packages import PackageRef, package_files

_CHUNK_BYTES = 1 << 20
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_ZIP_FILE_MODE = 0o100644 << 16
_ZIP_UNIX_SYSTEM = 3
_READ_ONLY = 0o444


class PackageChangedError(RuntimeError):
    """The package in the landing zone is not (any more) the one that was discovered; German message."""


def archive_path_for(paket_id: str, archive_dir: Path | str) -> Path:
    return Path(archive_dir) / paket_id[:2] / f"{paket_id}.zip"


def archive_package(ref: PackageRef, archive_dir: Path | str) -> Path:
    """The package's archive file, written if it is not archived yet (an existing one is never touched)."""
    target = archive_path_for(ref.paket_id, archive_dir)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    try:
        with open(temporary, "xb") as handle:
            write = _copy_file if ref.shape is PackageShape.ZIP_CSV else _zip_folder
            content_id = write(ref.path, handle)
            handle.flush()
            os.fsync(handle.fileno())
        if content_id != ref.paket_id:
            raise PackageChangedError(
                f"Das Paket {ref.path} hat sich seit der Erkennung geändert (Inhalt {content_id[:12]}… "
                f"statt {ref.paket_id[:12]}…); es wird beim nächsten Durchlauf mit seinem neuen Inhalt "
                "verarbeitet."
            )
        os.chmod(temporary, _READ_ONLY)
        publish_once(temporary, target)  # if archived concurrently: same id, same content, kept
    except FileNotFoundError as error:
        raise PackageChangedError(
            f"Das Paket {ref.path} ist nicht mehr vollständig im Eingangsordner vorhanden ({error.filename})."
        ) from error
    finally:
        temporary.unlink(missing_ok=True)
    return target


def _copy_file(source: Path, handle) -> str:
    digest = hashlib.sha256()
    with open(source, "rb") as reader:
        while chunk := reader.read(_CHUNK_BYTES):
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest()


def _zip_folder(folder: Path, handle) -> str:
    """Zip the folder deterministically; returns its content id (same definition as `folder_content_id`)."""
    outer = hashlib.sha256()
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for relative in package_files(folder):
            source = folder / relative
            info = zipfile.ZipInfo(relative, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _ZIP_FILE_MODE
            info.create_system = _ZIP_UNIX_SYSTEM
            digest = hashlib.sha256()
            large = source.stat().st_size >= zipfile.ZIP64_LIMIT
            with open(source, "rb") as reader, archive.open(info, "w", force_zip64=large) as writer:
                while chunk := reader.read(_CHUNK_BYTES):
                    digest.update(chunk)
                    writer.write(chunk)
            outer.update(f"{relative}\t{digest.hexdigest()}\n".encode())
    return outer.hexdigest()
