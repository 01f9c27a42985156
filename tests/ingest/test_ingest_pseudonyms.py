"""The pseudonym secret and the HMAC re-keying."""

from __future__ import annotations

import hmac
import stat

import pandas as pd
import pytest

from pipelines.ingest.pseudonyms import (
    SECRET_BYTES,
    SECRET_ENV_VAR,
    PseudonymSecretError,
    load_or_create_secret,
    rekey,
    rekey_value,
)


@pytest.fixture(autouse=True)
def no_secret_in_environment(monkeypatch):
    monkeypatch.delenv(SECRET_ENV_VAR, raising=False)


def test_the_secret_file_is_created_once_private_and_then_reused(tmp_path):
    path = tmp_path / "daten" / ".pseudonym_secret"
    first = load_or_create_secret(path)
    assert len(first) == SECRET_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == first
    assert [entry.name for entry in path.parent.iterdir()] == [".pseudonym_secret"]


def test_the_environment_overrides_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV_VAR, "ein-langer-geheimer-schluessel")
    assert load_or_create_secret(tmp_path / ".pseudonym_secret") == b"ein-langer-geheimer-schluessel"
    assert not (tmp_path / ".pseudonym_secret").exists()


def test_a_short_secret_from_the_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV_VAR, "kurz")
    with pytest.raises(PseudonymSecretError, match="kürzer als 16 Zeichen"):
        load_or_create_secret(tmp_path / ".pseudonym_secret")


def test_an_empty_secret_file_is_an_error_not_a_new_key(tmp_path):
    path = tmp_path / ".pseudonym_secret"
    path.write_bytes(b"")
    with pytest.raises(PseudonymSecretError, match="ist leer"):
        load_or_create_secret(path)


def test_an_unreadable_secret_file_gives_a_german_error(tmp_path):
    path = tmp_path / ".pseudonym_secret"
    path.mkdir()
    with pytest.raises(PseudonymSecretError, match="kann nicht gelesen werden"):
        load_or_create_secret(path)


def test_rekey_is_hmac_sha256_over_ags_and_value():
    values = pd.Series(["KF-1", "", None, "KF-2", "KF-1"], dtype="str")
    keyed = rekey(values, "05111", b"geheim")
    expected_first = hmac.new(b"geheim", b"05111KF-1", "sha256").hexdigest()
    assert keyed.iloc[0] == expected_first == keyed.iloc[4] == rekey_value("KF-1", "05111", b"geheim")
    assert keyed.iloc[3] == hmac.new(b"geheim", b"05111KF-2", "sha256").hexdigest()
    assert keyed.iloc[1:3].isna().all()


@pytest.mark.parametrize("secret", [b"", b"k", b"x" * 64, b"y" * 65, bytes(range(256)) * 2])
def test_rekey_matches_the_standard_library_for_any_key_length(secret):
    values = pd.Series(["KF-1", "Ä-ß-2", "x" * 200], dtype="str")
    expected = [hmac.new(secret, ("05334002" + value).encode(), "sha256").hexdigest() for value in values]
    assert rekey(values, "05334002", secret).tolist() == expected


def test_the_same_pseudonym_of_two_units_gets_two_keys():
    values = pd.Series(["KF-1"], dtype="str")
    assert rekey(values, "05111", b"geheim").iloc[0] != rekey(values, "05112", b"geheim").iloc[0]
