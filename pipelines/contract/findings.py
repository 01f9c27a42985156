"""The vocabulary of findings: rule ids, what a finding caused, a package's status, the findings columns.

Declared once for everyone who speaks it: the reader and the validators that raise findings
(`pipelines/ingest`, `expectations/`), the defect generator that provokes them, the dashboards that show them
and the dbt models that group by them (`raw.befunde`, `raw.lieferungen`). Rule ids are stable; messages are
German and name the file, line and column so the delivering unit can fix its export, with numbers in German
notation (`format_count`, `format_percent`) and delivered values quoted (`quote`).
"""

from __future__ import annotations

import csv
from enum import StrEnum
from functools import cache

from pipelines.config import SEEDS_DIR


class Outcome(StrEnum):
    """What a finding caused (`raw.befunde.ergebnis`)."""

    PACKAGE_REJECTED = "PAKET_ABGELEHNT"
    ROW_QUARANTINED = "ZEILE_QUARANTAENE"
    NOTICE = "HINWEIS"


class Status(StrEnum):
    """Processing status of a package (`raw.lieferungen.status`)."""

    ACCEPTED = "ANGENOMMEN"
    ACCEPTED_WITH_NOTICES = "ANGENOMMEN_MIT_HINWEISEN"
    REJECTED = "ABGELEHNT"


class Rule(StrEnum):
    """Stable rule ids (`raw.befunde.regel`)."""

    # The package as a whole.
    PACKAGE_UNREADABLE = "PAKET_UNLESBAR"
    MANIFEST_MISSING = "MANIFEST_FEHLT"
    MANIFEST_INVALID = "MANIFEST_UNGUELTIG"
    MANIFEST_FIELD_MISSING = "MANIFEST_FELD_FEHLT"
    MANIFEST_FIELD_INVALID = "MANIFEST_FELD_UNGUELTIG"
    MANIFEST_AGS = "MANIFEST_AGS"
    MANIFEST_QUARTER = "MANIFEST_QUARTAL"
    MANIFEST_TIMEZONE = "MANIFEST_ZEITZONE"
    LISTED_FILE_MISSING = "DATEI_FEHLT_IM_PAKET"
    CHECKSUM = "PRUEFSUMME"
    UNLISTED_FILE = "DATEI_NICHT_IM_MANIFEST"
    UNKNOWN_FILE = "DATEI_UNBEKANNT"
    DUPLICATE_FILE = "DATEI_DOPPELT"
    PACKAGE_LAYOUT = "PAKETAUFBAU"
    MANDATORY_FILE_MISSING = "PFLICHTDATEI_FEHLT"
    # One file.
    FILE_UNREADABLE = "DATEI_UNLESBAR"
    FILE_TOO_LARGE = "DATEI_ZU_GROSS"
    DUPLICATE_COLUMN = "SPALTE_DOPPELT"
    IDENTIFIER_COLUMN = "IDENTIFIKATOR_SPALTE"
    MANDATORY_COLUMN_MISSING = "PFLICHTSPALTE_FEHLT"
    OPTIONAL_COLUMN_MISSING = "SPALTE_FEHLT"
    UNKNOWN_COLUMN = "SPALTE_UNBEKANNT"
    UNKNOWN_SHEET = "BLATT_UNBEKANNT"
    TOO_MANY_INVALID_ROWS = "ANTEIL_UNGUELTIG"
    # One row or cell.
    FIELD_COUNT = "FELDANZAHL"
    REQUIRED = "PFLICHTFELD"
    DATE = "TYP_DATUM"
    MONTH = "TYP_MONAT"
    INTEGER = "TYP_GANZZAHL"
    DECIMAL = "TYP_DEZIMAL"
    CODE_LIST = "CODELISTE"
    LENGTH = "LAENGE"
    # Contract rules checked by the Great Expectations suites (`expectations/`) on the typed rows.
    COLUMN_TYPE = "TYP_SPALTE"  # a typed column is not of its contract type (a reader defect, never data)
    RANGE = "WERTEBEREICH"  # value outside its range (0 < VZÄ ≤ 1, amounts ≥ 0, 1930 ≤ Geburtsjahr ≤ …)
    PERIOD = "ZEITRAUM"  # a date outside the allowed period (after quarter end, meeting outside the quarter)
    DATE_ORDER = "DATUM_REIHENFOLGE"  # dates out of order (Erstkontakt ≤ Aufnahme ≤ Abschluss, theme chain …)
    CONDITIONAL_REQUIRED = (
        "BEDINGTE_ANGABE"  # required iff another field (Abschlussgrund iff Abschlussdatum …)
    )
    SAME_RECHTSKREIS = "RECHTSKREIS_GLEICH"  # a Rechtskreiswechsel from a Rechtskreis to itself
    FILLED_OVER_GRANTED = "BESETZT_UEBER_BEWILLIGT"  # besetzt_vzae > bewilligt_vzae
    AMOUNTS_INCONSISTENT = "BETRAEGE_INKONSISTENT"  # abgerufen > bewilligt, verausgabt > abgerufen × 1,05
    THEME_STATUS = "THEMENSTATUS"  # a theme's status contradicts its dates
    DUPLICATE = "DUPLIKAT"  # a key delivered more than once in one file
    UNKNOWN_CASE = "FALL_UNBEKANNT"  # an event of a case in no faelle.csv of this or an earlier package
    FOREIGN_GEMEINDE = "GEMEINDE_FREMD"  # gemeinde_ags is not a Gemeinde of the delivering unit


# German names of a package's status and of what a finding caused, for reports, downloads and pages.
STATUS_LABELS = {
    Status.ACCEPTED: "angenommen",
    Status.ACCEPTED_WITH_NOTICES: "angenommen mit Hinweisen",
    Status.REJECTED: "abgelehnt",
}
OUTCOME_LABELS = {
    Outcome.PACKAGE_REJECTED: "Paket abgelehnt",
    Outcome.ROW_QUARANTINED: "Zeile in Quarantäne",
    Outcome.NOTICE: "Hinweis",
}


@cache
def rule_titles() -> dict[str, str]:
    """The German title of every rule id, from the seed the warehouse's `marts.regeln` is built from."""
    with open(SEEDS_DIR / "regeln.csv", encoding="utf-8", newline="") as handle:
        return {row["regel"]: row["titel"] for row in csv.DictReader(handle)}


# Columns of a findings table, in the order of `raw.befunde` after its lineage columns.
FINDING_COLUMNS = ("datei", "zeile", "spalte", "regel", "meldung", "ergebnis", "rohwerte")


def format_count(number: int) -> str:
    """`12345` → `12.345` (German thousands separator)."""
    return f"{number:,}".replace(",", ".")


def format_percent(share: float) -> str:
    """`0.1234` → `12,3 %`."""
    return f"{share * 100:.1f}".replace(".", ",") + " %"


def quote(value: str, limit: int = 60) -> str:
    """A delivered value in German quotation marks, shortened so a message stays one readable line."""
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return f"„{text}“"
