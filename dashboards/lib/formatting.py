"""German presentation of numbers, quarters, dates, codes and colours for the dashboards.

Every string a user reads passes through here, so `1.234,5`, `12,3 %`, `3. Quartal 2025` and the colour of a
change look the same on every page, in every table and every chart.
"""

from __future__ import annotations

import csv
import math
import re
from datetime import date, datetime
from functools import cache
from typing import Any

import pandas as pd

from pipelines.calendar import Quarter
from pipelines.config import SEEDS_DIR
from pipelines.contract.findings import OUTCOME_LABELS
from pipelines.contract.packages import PACKAGE_SHAPE_LABELS

MISSING = "–"
"""Shown for a value that is absent: not delivered, not computable, or suppressed for confidentiality."""

_SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})
_PERCENT_UNITS = frozenset({"%", "prozent", "anteil in %", "anteil (%)"})
_COUNT_UNITS = frozenset({"anzahl"})
_MAX_UNIT_BESIDE_VALUE = 8
_RANGE_NOTE = re.compile(r"\s*\([^)]*\)")

PLOTLY_SEPARATORS = ",."
"""Plotly's `layout.separators`: decimal comma, thousands dot."""


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas' NA and NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(value: Any, decimals: int = 0) -> str:
    """`1234.5` → `1.234,5` (German separators; `–` when missing)."""
    if is_missing(value):
        return MISSING
    number = round(float(value), decimals)
    if number == 0:
        number = 0.0  # never print "-0"
    return f"{number:,.{decimals}f}".translate(_SWAP_SEPARATORS)


def is_percentage(einheit: str | None) -> bool:
    """Whether a catalogue unit denotes a percentage stored as 0–100."""
    return (einheit or "").strip().lower() in _PERCENT_UNITS


def is_count(einheit: str | None) -> bool:
    return (einheit or "").strip().lower() in _COUNT_UNITS


def decimals_for(value: Any, einheit: str | None) -> int:
    """Precision that neither hides differences nor invents any: percentages one decimal, whole numbers none,
    large amounts none, small fractions two."""
    if is_percentage(einheit):
        return 1
    if is_missing(value):
        return 0
    magnitude = abs(float(value))
    if math.isclose(magnitude, round(magnitude), abs_tol=1e-9) or magnitude >= 1000:
        return 0
    return 2 if magnitude < 1 else 1


def unit_suffix(einheit: str | None) -> str:
    """What follows a number: ` %` for percentages, nothing for plain counts, else ` <unit>` without a range
    note (`Meilensteine (0–7)` → ` Meilensteine`)."""
    if is_percentage(einheit):
        return " %"
    if not einheit or is_count(einheit):
        return ""
    return f" {_RANGE_NOTE.sub('', einheit).strip()}"


def unit_fits_beside_value(einheit: str | None) -> bool:
    """Whether the unit is short enough to follow a number in a metric tile (`%`, `Tage`, `Fälle`); longer
    units (`je 100.000 Einwohner`) belong in the label instead."""
    return len(unit_suffix(einheit).strip()) <= _MAX_UNIT_BESIDE_VALUE


def format_percent(value: Any, decimals: int = 1) -> str:
    """`12.34` (stored 0–100) → `12,3 %`."""
    if is_missing(value):
        return MISSING
    return f"{format_number(value, decimals)} %"


def format_value(value: Any, einheit: str | None, *, with_unit: bool = True) -> str:
    """A KPI value in its catalogue unit: `12,3 %`, `1.234`, `35,2 Fälle je VZÄ`, `–`.

    Percentages keep their `%` even with `with_unit=False`: a bare `57,8` would read as a count."""
    if is_missing(value):
        return MISSING
    suffix = unit_suffix(einheit) if with_unit or is_percentage(einheit) else ""
    return format_number(value, decimals_for(value, einheit)) + suffix


def format_delta(delta: Any, einheit: str | None, *, with_unit: bool = True) -> str:
    """A change between two values: `+1,2 Pp.` for percentages (always), `-3 Tage`, `±0`.

    Negative changes start with an ASCII `-`, which Streamlit's `st.metric` reads as a decrease.
    """
    if is_missing(delta):
        return MISSING
    decimals = decimals_for(delta, einheit)
    suffix = unit_suffix(einheit) if with_unit else ""
    if is_percentage(einheit):
        suffix = " Pp."
    if round(float(delta), decimals) == 0:
        return f"±{format_number(0, decimals)}{suffix}"
    sign = "+" if delta > 0 else ""
    return f"{sign}{format_number(delta, decimals)}{suffix}"


def format_interval(lower: Any, upper: Any, einheit: str | None) -> str:
    """A 95 % interval: `41,2–48,9 %`, or `-3 bis 5 Tage` when a bound is negative (a dash would read as a
    second minus); `–` unless both bounds are present."""
    if is_missing(lower) or is_missing(upper):
        return MISSING
    decimals = max(decimals_for(lower, einheit), decimals_for(upper, einheit))
    separator = " bis " if min(float(lower), float(upper)) < 0 else "–"
    return (
        f"{format_number(lower, decimals)}{separator}{format_number(upper, decimals)}{unit_suffix(einheit)}"
    )


def format_quarter(quartal: str) -> str:
    """`2025-Q3` → `3. Quartal 2025`, with a no-break space after `3.`: typographically right, and Markdown
    (which `st.table` applies to cells) does not mistake it for a numbered list."""
    quarter = Quarter.parse(quartal)
    return f"{quarter.number}.\N{NO-BREAK SPACE}Quartal {quarter.year}"


def format_quarter_short(quartal: str) -> str:
    """`2025-Q3` → `Q3/2025` (chart axes)."""
    quarter = Quarter.parse(quartal)
    return f"Q{quarter.number}/{quarter.year}"


def format_date(value: Any) -> str:
    """A date or timestamp → `20.10.2025`; `–` when missing."""
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime | pd.Timestamp):
        value = value.date()
    return value.strftime("%d.%m.%Y")


def format_timestamp(value: datetime) -> str:
    """`21.11.2025, 13:40 Uhr`."""
    return value.strftime("%d.%m.%Y, %H:%M Uhr")


# --- codes --------------------------------------------------------------------------------------------------

RECHTSKREIS_SHORT_LABELS = {
    "ASYLBLG": "AsylbLG",
    "SGB2": "SGB II",
    "SGB3": "SGB III",
    "SGB8": "SGB VIII",
    "SGB12": "SGB XII",
    "KEIN_LEISTUNGSBEZUG": "kein Leistungsbezug",
}

# Breakdown dimensions of `kpi_werte` whose values are codes of a contract code list (seed `codelisten.csv`).
_BREAKDOWN_CODE_LISTS = {
    "baustein": "baustein",
    "stelle": "stelle",
    "ereignis": "ereignis",
    "verfahren": "verfahren",
    "institution": "institution",
    "handlungsfeld": "bedarf",
    "quelle": "quelle",
}
_BREAKDOWN_DIMENSION_LABELS = {
    "uebergang": "Übergang",
    "meilenstein": "Meilenstein",
    "kennzahl": "Kennzahl",
    "abschnitt": "Abschnitt",
    "datei": "Datei",
}
# What each breakdown dimension of the catalogue (`kpi_katalog.aufschluesselungen`) splits a KPI by.
_BREAKDOWN_DIMENSION_NAMES = {
    "baustein": "Baustein",
    "stelle": "Stelle des Regelsystems",
    "ereignis": "Art des Meilensteins",
    "verfahren": "Verfahren",
    "institution": "Institution",
    "handlungsfeld": "Handlungsfeld",
    "quelle": "Quelle",
    "uebergang": "Übergangsart (von → nach)",
    "meilenstein": "Meilenstein der Umsetzung",
    "kennzahl": "Teilkennzahl",
    "abschnitt": "Abschnitt",
    "datei": "Datei",
    "feld": "Feld",
}
# Sub-measures named by `kennzahl:<code>` breakdowns.
_MEASURE_LABELS = {"ausfuellgrad": "Ausfüllgrad optionaler Felder"}
# Optional contract fields whose fill rate K26 reports (`feld:<file>.<column>`).
FIELD_LABELS = {
    "gemeinde_ags": "Wohngemeinde",
    "einreise_monat": "Einreisemonat",
    "leistung_ende_am": "Letzter Leistungstag",
    "leistung_beginn_am": "Erster Leistungstag",
    "bearbeitungsdauer_median_tage": "Bearbeitungsdauer (Median)",
}


@cache
def _code_labels() -> dict[tuple[str, str], str]:
    """German label of every code of every contract code list, from the seed that defines them."""
    with open(SEEDS_DIR / "codelisten.csv", encoding="utf-8", newline="") as handle:
        return {(row["codeliste"], row["code"]): row["bezeichnung"] for row in csv.DictReader(handle)}


def code_label(code_list: str, code: str) -> str:
    """`code_label("stelle", "JOBCENTER")` → `Jobcenter`; unknown codes are made readable."""
    return _code_labels().get((code_list, code), _readable_code(code))


def _readable_code(code: str) -> str:
    """`ERSTER_FALL` → `Erster Fall`: a fallback for codes without a label here."""
    return " ".join(word.capitalize() for word in code.split("_") if word)


def format_rechtskreis(code: str) -> str:
    return RECHTSKREIS_SHORT_LABELS.get(code, _readable_code(code))


def format_breakdown_dimension(dimension: str) -> str:
    """A breakdown dimension of the catalogue: `uebergang` → `Übergangsart (von → nach)`."""
    return _BREAKDOWN_DIMENSION_NAMES.get(dimension, _readable_code(dimension))


def format_breakdown(aufschluesselung: str) -> str:
    """A breakdown key of `kpi_werte` for people: `baustein:2` → `Baustein 2: Case Management`,
    `uebergang:ASYLBLG>SGB2` → `AsylbLG → SGB II`, `stelle:JOBCENTER` → `Jobcenter`, `''` → `Insgesamt`."""
    if not aufschluesselung:
        return "Insgesamt"
    dimension, _, value = aufschluesselung.partition(":")
    if dimension in _BREAKDOWN_CODE_LISTS:
        return code_label(_BREAKDOWN_CODE_LISTS[dimension], value)
    if dimension == "uebergang":
        source, _, target = value.partition(">")
        return f"{format_rechtskreis(source)} → {format_rechtskreis(target)}"
    # K26 Datenqualität: a file's quarantine share, the fill rate of all or of one optional field.
    if dimension == "datei":
        return f"In Quarantäne: {value}"
    if dimension == "kennzahl" and value in _MEASURE_LABELS:
        return _MEASURE_LABELS[value]
    if dimension == "feld":
        file, _, column = value.partition(".")
        return f"Ausgefüllt: {FIELD_LABELS.get(column, _readable_code(column))} ({file}.csv)"
    label = _BREAKDOWN_DIMENSION_LABELS.get(dimension, _readable_code(dimension))
    return f"{label}: {_readable_code(value)}" if value else label


# --- delivery status ----------------------------------------------------------------------------------------

DELIVERY_STATUS_ORDER = (
    "ANGENOMMEN",
    "ANGENOMMEN_MIT_HINWEISEN",
    "KORRIGIERT",
    "ABGELEHNT",
    "UEBERFAELLIG",
    "FEHLT",
)
DELIVERY_STATUS_LABELS = {
    "ANGENOMMEN": "Angenommen",
    "ANGENOMMEN_MIT_HINWEISEN": "Angenommen mit Hinweisen",
    "KORRIGIERT": "Korrigiert",
    "ABGELEHNT": "Abgelehnt",
    "UEBERFAELLIG": "Überfällig",
    "FEHLT": "Fehlt (Frist läuft)",
}
DELIVERY_STATUS_COLOURS = {
    "ANGENOMMEN": "#2e7d32",
    "ANGENOMMEN_MIT_HINWEISEN": "#9ccc65",
    "KORRIGIERT": "#1e88e5",
    "ABGELEHNT": "#c62828",
    "UEBERFAELLIG": "#ef6c00",
    "FEHLT": "#cfd8dc",
}


def format_delivery_status(status: str) -> str:
    """A delivery status of a unit and quarter, or the processing status of one package (`ANGENOMMEN`, …)."""
    return DELIVERY_STATUS_LABELS.get(status, _readable_code(status))


# --- packages and findings ----------------------------------------------------------------------------------

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 mit BOM",
    "cp1252": "Windows-1252",
    "xlsx": "Excel-Arbeitsmappe",
}
DELIMITER_LABELS = {";": "Semikolon", ",": "Komma", "\t": "Tabulator"}


def format_outcome(ergebnis: str) -> str:
    """What a finding caused: `ZEILE_QUARANTAENE` → `Zeile in Quarantäne`."""
    return OUTCOME_LABELS.get(ergebnis, _readable_code(ergebnis))


def format_package_shape(paketform: str) -> str:
    return PACKAGE_SHAPE_LABELS.get(paketform, _readable_code(paketform))


def format_encoding(zeichenkodierung: Any) -> str:
    if is_missing(zeichenkodierung):
        return MISSING
    return ENCODING_LABELS.get(str(zeichenkodierung), str(zeichenkodierung))


def format_delimiter(trennzeichen: Any) -> str:
    """`;` → `Semikolon`; `–` for a workbook, which has none."""
    if is_missing(trennzeichen) or trennzeichen == "":
        return MISSING
    return DELIMITER_LABELS.get(str(trennzeichen), f"„{trennzeichen}“")


def format_yes_no(value: Any) -> str:
    """`True` → `ja`, `False` → `nein`, missing → `–`."""
    if is_missing(value):
        return MISSING
    return "ja" if bool(value) else "nein"


def format_moment(value: Any) -> str:
    """A timestamp → `20.10.2025, 09:12 Uhr` (in the time zone it comes in; the warehouse reads German
    time); `–` when missing."""
    if is_missing(value):
        return MISSING
    return format_timestamp(value)


# --- polarity -----------------------------------------------------------------------------------------------

POLARITY_LABELS = {
    "hoch_gut": "höher ist günstiger",
    "niedrig_gut": "niedriger ist günstiger",
    "neutral": "ohne Wertung",
}

_POLARITY_DELTA_COLOURS = {"hoch_gut": "normal", "niedrig_gut": "inverse"}
_POLARITY_COLOUR_SCALES = {
    # Dark always means "more favourable" for KPIs with a direction; neutral KPIs show magnitude only.
    "hoch_gut": "Teal",
    "niedrig_gut": "Teal_r",
    "neutral": "Blues",
}


def delta_colour(polaritaet: str | None) -> str:
    """`st.metric(delta_color=…)`: an increase is green when higher is better, red when lower is better,
    grey for neutral KPIs."""
    return _POLARITY_DELTA_COLOURS.get(polaritaet or "", "off")


def polarity_colour_scale(polaritaet: str | None) -> str:
    """Plotly colour scale for a map of a KPI, oriented so that darker is more favourable."""
    return _POLARITY_COLOUR_SCALES.get(polaritaet or "", _POLARITY_COLOUR_SCALES["neutral"])


def format_polarity(polaritaet: str | None) -> str:
    return POLARITY_LABELS.get(polaritaet or "", POLARITY_LABELS["neutral"])


# --- statistical confidentiality ----------------------------------------------------------------------------

HIDDEN_STATUSES = ("anzahl_unter_5", "fallzahl_unter_10", "sekundaer")
"""`kpi_werte.geheimhaltung` of a cell whose value the published layer keeps secret."""
ADJUSTED_STATUS = "bereinigt"
"""A reference area recomputed in the published layer without the hidden cells of its units."""
ADJUSTED_MARK = "¹"
"""Footnote mark after the value of a reference area that is `bereinigt`."""

SUPPRESSION_LEGEND = {
    "<5": "eine Anzahl von 1 bis 4",
    "k. A. (Anzahl <5)": "der Wert beruht auf einer Anzahl von 1 bis 4 und wird nicht gezeigt",
    "k. A. (unter 10 Fällen)": (
        "ein Anteil oder Median über weniger als 10 Fälle; Wert und Intervall werden nicht gezeigt"
    ),
    "·": (
        "gesperrt (sekundäre Geheimhaltung): verborgen, damit sich ein anderer verborgener Wert nicht aus "
        "Summen oder Differenzen zurückrechnen lässt"
    ),
}
SUPPRESSION_STATUS_LABELS = {
    "offen": "offen",
    "anzahl_unter_5": "Anzahl unter 5",
    "fallzahl_unter_10": "unter 10 Fällen",
    "sekundaer": "sekundär gesperrt",
    "bereinigt": "bereinigt",
}


def is_hidden(geheimhaltung: Any) -> bool:
    """Whether the published layer keeps the cell's value secret."""
    return not is_missing(geheimhaltung) and str(geheimhaltung) in HIDDEN_STATUSES


def format_suppressed(geheimhaltung: Any, count_column: Any = "wert") -> str:
    """What a hidden cell shows instead of its value: `<5` for a count of 1–4 (`k. A. (Anzahl <5)` when the
    count is the numerator behind a rate or median), `k. A. (unter 10 Fällen)` for a share or median over fewer
    than 10 cases, `·` for a secondary suppression; `–` for anything else.

    `count_column` is the catalogue's `geheimhaltung_anzahl` (`wert`, `zaehler`, `zaehler|nenner`)."""
    status = "" if is_missing(geheimhaltung) else str(geheimhaltung)
    if status == "anzahl_unter_5":
        return "<5" if is_missing(count_column) or str(count_column) == "wert" else "k. A. (Anzahl <5)"
    if status == "fallzahl_unter_10":
        return "k. A. (unter 10 Fällen)"
    if status == "sekundaer":
        return "·"
    return MISSING


def format_cell_value(value: Any, einheit: str | None, geheimhaltung: Any, count_column: Any = "wert") -> str:
    """A KPI value as a table shows it: the number where there is one (the ministry sees hidden cells with
    their values), else the mark of its confidentiality status, else `–`."""
    if not is_missing(value):
        return format_value(value, einheit)
    return format_suppressed(geheimhaltung, count_column) if is_hidden(geheimhaltung) else MISSING


def format_published_as(geheimhaltung: Any, count_column: Any = "wert") -> str:
    """For the ministry: how the published layer shows a cell (`veröffentlicht als <5`), empty if unchanged."""
    if is_hidden(geheimhaltung):
        return f"veröffentlicht als {format_suppressed(geheimhaltung, count_column)}"
    return ""


# --- comparisons and trends ---------------------------------------------------------------------------------

FAVOURABLE = "günstig"
UNFAVOURABLE = "ungünstig"
NEUTRAL = "neutral"
# Colour-blind safe (Okabe–Ito bluish green and vermillion, darkened for text contrast on white), always
# together with a symbol and a word, never colour alone.
TONE_COLOURS = {FAVOURABLE: "#00785a", UNFAVOURABLE: "#b34700", NEUTRAL: "#5f6b73"}
TONE_BACKGROUNDS = {FAVOURABLE: "#e0f2ec", UNFAVOURABLE: "#fbe9df", NEUTRAL: "#eef1f3"}

_COMPARISON_TONES = {
    "besser": FAVOURABLE,
    "schlechter": UNFAVOURABLE,
    "ähnlich": NEUTRAL,
    "höher": NEUTRAL,
    "niedriger": NEUTRAL,
}
_COMPARISON_SYMBOLS = {"besser": "✓", "schlechter": "✗", "ähnlich": "≈", "höher": "↑", "niedriger": "↓"}
_DIFFERENT = frozenset({"besser", "schlechter", "höher", "niedriger"})
FULL_COUNT_SIGNIFICANCE = "ohne Intervall (Vollerhebung)"

_TREND_SYMBOLS = {"steigend": "↗", "fallend": "↘", "kein signifikanter Trend": "→"}


def comparison_tone(bewertung: Any) -> str | None:
    """`günstig`, `ungünstig` or `neutral` for a result of `kpi_vergleiche`; None when there is none."""
    return None if is_missing(bewertung) else _COMPARISON_TONES.get(str(bewertung), NEUTRAL)


def is_strong_difference(bewertung_998: Any) -> bool:
    """Whether the unit differs from the reference at the stricter 99.8 % level, too."""
    return not is_missing(bewertung_998) and str(bewertung_998) in _DIFFERENT


def format_comparison(bewertung_95: Any, bewertung_998: Any = None, signifikanz: Any = None) -> str:
    """A comparison with a reference in words and a symbol: `✓ besser (95 %)`, `✓✓ besser (99,8 %)`,
    `≈ ähnlich`, `↑ höher (Vollerhebung)`; `–` when the unit or the reference has no value."""
    if is_missing(bewertung_95):
        return MISSING
    result = str(bewertung_95)
    symbol = _COMPARISON_SYMBOLS.get(result, "")
    if result not in _DIFFERENT:
        return f"{symbol} {result}".strip()
    if not is_missing(signifikanz) and str(signifikanz) == FULL_COUNT_SIGNIFICANCE:
        return f"{symbol} {result} (Vollerhebung)"
    if is_strong_difference(bewertung_998):
        return f"{symbol * 2} {result} (99,8 %)"
    return f"{symbol} {result} (95 %)"


def trend_tone(trendbewertung: Any, trend: Any = None) -> str | None:
    """Tone of a trend: `günstig`/`ungünstig` by polarity, `neutral` for neutral KPIs and for no trend."""
    if is_missing(trend) and is_missing(trendbewertung):
        return None
    if is_missing(trendbewertung):
        return NEUTRAL
    return str(trendbewertung) if str(trendbewertung) in TONE_COLOURS else NEUTRAL


def format_trend(trend: Any, trendbewertung: Any = None) -> str:
    """A trend over the last 5 quarters: `↗ steigend (günstig)`, `↘ fallend (ungünstig)`, `↗ steigend` for
    neutral KPIs, `→ kein signifikanter Trend`; `–` without a test (fewer than 5 quarters with a value)."""
    if is_missing(trend):
        return MISSING
    text = f"{_TREND_SYMBOLS.get(str(trend), '')} {trend}".strip()
    if not is_missing(trendbewertung) and str(trendbewertung) in (FAVOURABLE, UNFAVOURABLE):
        text += f" ({trendbewertung})"
    return text


def tone_css(tone: str | None) -> str:
    """CSS for a table cell of the given tone (text colour and a light background); empty for none."""
    if tone is None:
        return ""
    weight = "font-weight: 600; " if tone != NEUTRAL else ""
    return f"{weight}color: {TONE_COLOURS[tone]}; background-color: {TONE_BACKGROUNDS[tone]}"


def format_funnel_position(lage_95: Any, lage_998: Any = None) -> str:
    """Where a unit lies in a funnel plot: `oberhalb der 99,8-%-Grenzen`, `unterhalb der 95-%-Grenzen (innerhalb
    der 99,8-%-Grenzen)`, `innerhalb der 95-%-Grenzen`; `–` without a position."""
    if is_missing(lage_95):
        return MISSING
    if not is_missing(lage_998) and lage_998 != "innerhalb":
        return f"{lage_998} der 99,8-%-Grenzen"
    if lage_95 != "innerhalb":
        return f"{lage_95} der 95-%-Grenzen (innerhalb der 99,8-%-Grenzen)"
    return "innerhalb der 95-%-Grenzen"
