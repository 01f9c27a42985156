"""Re-keying of the municipalities' pseudonyms with the warehouse's secret HMAC key.

The warehouse never stores a `fall_id` or `person_id` as delivered: it stores
`hex(HMAC-SHA256(secret, ags || pseudonym))` (contract, section 3.6). The unit's AGS is part of the message,
so two units that happen to use the same pseudonym never collide, and nobody without the secret can link a
stored value back to the municipality's own records.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipelines.ingest.files import publish_once

SECRET_ENV_VAR = "KIM_PSEUDONYM_SECRET"
SECRET_BYTES = 32
MIN_ENV_SECRET_LENGTH = 16
_SHA256_BLOCK = 64


class PseudonymSecretError(RuntimeError):
    """The secret cannot be obtained; the message is German and says what to do."""


def load_or_create_secret(path: Path | str) -> bytes:
    """The HMAC secret: `KIM_PSEUDONYM_SECRET` if set, else the secret file (created on first use, 0600)."""
    from_env = os.environ.get(SECRET_ENV_VAR)
    if from_env is not None:
        if len(from_env) < MIN_ENV_SECRET_LENGTH:
            raise PseudonymSecretError(
                f"Die Umgebungsvariable {SECRET_ENV_VAR} ist gesetzt, aber kürzer als "
                f"{MIN_ENV_SECRET_LENGTH} Zeichen; ein so kurzer Schlüssel schützt die Pseudonyme nicht. "
                "Bitte einen langen Zufallswert setzen oder die Variable entfernen (dann wird die "
                "Schlüsseldatei verwendet)."
            )
        return from_env.encode("utf-8")
    path = Path(path)
    if not path.exists():
        _create_secret_file(path)
    try:
        secret = path.read_bytes()
    except OSError as error:
        raise PseudonymSecretError(
            f"Die Schlüsseldatei für Pseudonyme {path} kann nicht gelesen werden ({error.strerror}). Bitte "
            f"Zugriffsrechte prüfen oder den Schlüssel über {SECRET_ENV_VAR} setzen."
        ) from error
    if not secret:
        raise PseudonymSecretError(
            f"Die Schlüsseldatei für Pseudonyme {path} ist leer. Ohne den ursprünglichen Schlüssel passen "
            "neu geladene Pseudonyme nicht mehr zu den bisherigen; bitte die Datei aus der Sicherung "
            "wiederherstellen."
        )
    return secret


def _create_secret_file(path: Path) -> None:
    """Write a fresh random secret without ever exposing a partial or world-readable file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(SECRET_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            publish_once(temporary, path)  # never replaces a secret another process created meanwhile
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as error:
        raise PseudonymSecretError(
            f"Die Schlüsseldatei für Pseudonyme {path} kann nicht angelegt werden ({error.strerror}). "
            f"Bitte Zugriffsrechte des Datenverzeichnisses prüfen oder den Schlüssel über {SECRET_ENV_VAR} "
            "setzen."
        ) from error


def rekey(values: pd.Series, ags: str, secret: bytes) -> pd.Series:
    """Each non-empty value replaced by `hex(HMAC-SHA256(secret, ags + value))`; missing values stay missing.

    Pseudonyms repeat (a person's cases, a case's events), so each distinct value is hashed once. HMAC has no
    vectorised implementation; the loop over distinct values calls only hashlib's C methods, on hash states
    that already absorbed the key pads and the AGS (RFC 2104), which halves the cost of `hmac.new` per value.
    """
    codes, uniques = pd.factorize(values.where(values != ""), use_na_sentinel=True)
    inner_start, outer_start = _keyed_states(secret, ags)
    known = _remembered(secret, ags)
    digests = []
    for value in uniques.tolist():
        digest = known.get(value)
        if digest is None:
            inner = inner_start.copy()
            inner.update(value.encode("utf-8"))
            outer = outer_start.copy()
            outer.update(inner.digest())
            digest = known[value] = outer.hexdigest()
        digests.append(digest)
    indices = pa.array(codes, mask=codes < 0)
    rekeyed = pa.array(digests, type=pa.string()).take(indices)
    return pd.Series(pd.array(rekeyed, dtype="str"), index=values.index, name=values.name)


# Pseudonyms already re-keyed in this process, per secret and unit: an open case and its person come again in
# every quarter's package, so a run over the history hashes most of them once instead of once per quarter.
# Bounded: past the limit (about 80 MB) the memory starts afresh.
_REMEMBERED: dict[tuple[bytes, str], dict[str, str]] = {}
_REMEMBERED_LIMIT = 400_000


def _remembered(secret: bytes, ags: str) -> dict[str, str]:
    if sum(len(digests) for digests in _REMEMBERED.values()) > _REMEMBERED_LIMIT:
        _REMEMBERED.clear()
    return _REMEMBERED.setdefault((secret, ags), {})


def rekey_value(value: str, ags: str, secret: bytes) -> str:
    """One value re-keyed exactly like `rekey` does it (for single raw values kept with quarantined rows)."""
    if not value:
        return value
    return hmac.new(secret, (ags + value).encode("utf-8"), "sha256").hexdigest()


def _keyed_states(secret: bytes, ags: str):
    """SHA-256 states after `key XOR ipad` + AGS and after `key XOR opad` (RFC 2104, block size 64)."""
    key = hashlib.sha256(secret).digest() if len(secret) > _SHA256_BLOCK else secret
    key = key.ljust(_SHA256_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
    inner.update(ags.encode("utf-8"))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))
    return inner, outer
