"""Header normalisation and the detection of columns that look like direct identifiers."""

from __future__ import annotations

import re

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")

# Normalised header names that identify a person directly. Their presence rejects the whole package: the
# warehouse must never hold personal data (contract, section 1).
IDENTIFIER_COLUMNS = frozenset(
    {
        "name",
        "vorname",
        "nachname",
        "familienname",
        "geburtsname",
        "vollstaendiger_name",
        "klientenname",
        "geburtsdatum",
        "geburtsort",
        "geb_datum",
        "adresse",
        "anschrift",
        "wohnadresse",
        "strasse",
        "hausnummer",
        "strasse_hausnummer",
        "telefon",
        "telefonnummer",
        "tel",
        "mobil",
        "handy",
        "handynummer",
        "email",
        "e_mail",
        "mail",
        "emailadresse",
        "e_mail_adresse",
        "iban",
        "bic",
        "kontonummer",
        "steuer_id",
        "steuerid",
        "steuer_identifikationsnummer",
        "steueridentifikationsnummer",
        "sozialversicherungsnummer",
        "sv_nummer",
        "rentenversicherungsnummer",
        "ausweisnummer",
        "passnummer",
        "reisepassnummer",
        "azr_nummer",
        "bamf_aktenzeichen",
        "aktenzeichen",
    }
)


def normalise_header(raw: str) -> str:
    """`Fall-ID`, `fall_id` and ` FALL ID ` all become `fall_id` (contract, physical format)."""
    text = raw.replace("\ufeff", "").strip().lower().translate(_UMLAUTS)
    return _NON_ALPHANUMERIC.sub("_", text).strip("_")


def is_identifier_column(normalised: str) -> bool:
    return normalised in IDENTIFIER_COLUMNS
