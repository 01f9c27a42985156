"""The physical format each unit exports in: package shape, encoding, delimiter, dates, decimals, headers.

Formats are fixed per unit and drawn from the seed by allocation (not independent draws), so every variant
the contract allows occurs in every generated dataset in roughly the intended proportions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipelines.generator.randomness import Stream, allocate, statewide_rng
from pipelines.generator.reference import Unit


class Shape(StrEnum):
    """Package shapes; the values are those of `raw.lieferungen.paketform`."""

    FOLDER_CSV = "ORDNER_CSV"
    ZIP_CSV = "ZIP_CSV"
    FOLDER_XLSX = "ORDNER_XLSX"


class DateStyle(StrEnum):
    ISO = "ISO"  # 2025-07-01
    GERMAN = "DEUTSCH"  # 01.07.2025


class DecimalStyle(StrEnum):
    POINT = "PUNKT"  # 1234.50
    COMMA = "KOMMA"  # 1234,50
    GERMAN = "DEUTSCH"  # 1.234,50


class HeaderStyle(StrEnum):
    TECHNICAL = "TECHNISCH"  # fall_id
    LABELLED = "BESCHRIFTET"  # Fall-ID, Staatsangehörigkeit
    SPACED_UPPER = "GROSS_MIT_LEERZEICHEN"  # " FALL ID "


SHAPE_SHARES = {Shape.FOLDER_CSV: 0.7, Shape.ZIP_CSV: 0.2, Shape.FOLDER_XLSX: 0.1}
ENCODING_SHARES = {"utf-8": 0.5, "utf-8-sig": 0.25, "cp1252": 0.25}
DELIMITER_SHARES = {";": 0.65, ",": 0.35}
DATE_STYLE_SHARES = {DateStyle.ISO: 0.5, DateStyle.GERMAN: 0.5}
DECIMAL_STYLE_SHARES = {DecimalStyle.POINT: 0.4, DecimalStyle.COMMA: 0.3, DecimalStyle.GERMAN: 0.3}
HEADER_STYLE_SHARES = {HeaderStyle.TECHNICAL: 0.4, HeaderStyle.LABELLED: 0.35, HeaderStyle.SPACED_UPPER: 0.25}
LINE_ENDING_SHARES = {"\n": 0.6, "\r\n": 0.4}
SOURCE_SYSTEMS = (
    "KIM-Fachverfahren Rheinland 3.2",
    "CaseNet Kommunal 4.1",
    "IntegraCase 7.0",
    "Sozialplanung Kompakt 2.4",
    "Excel-Vorlage KIM NRW 1.3",
    "Eigenentwicklung (Access) 2.0",
)

# Header texts of the labelled style; each normalises back to the contract column name.
COLUMN_LABELS = {
    "fall_id": "Fall-ID",
    "person_id": "Person-ID",
    "traeger": "Träger",
    "gemeinde_ags": "Gemeinde AGS",
    "erstkontakt_am": "Erstkontakt am",
    "aufnahme_am": "Aufnahme am",
    "abschluss_am": "Abschluss am",
    "abschlussgrund": "Abschlussgrund",
    "geburtsjahr": "Geburtsjahr",
    "geschlecht": "Geschlecht",
    "staatsangehoerigkeit": "Staatsangehörigkeit",
    "einreise_monat": "Einreise (Monat)",
    "aufenthaltsstatus": "Aufenthaltsstatus",
    "rechtskreis": "Rechtskreis",
    "bedarfe": "Bedarfe",
    "ereignis_am": "Ereignis am",
    "ereignis": "Ereignis",
    "von_rechtskreis": "Von Rechtskreis",
    "nach_rechtskreis": "Nach Rechtskreis",
    "leistung_ende_am": "Leistung Ende am",
    "leistung_beginn_am": "Leistung Beginn am",
    "stelle": "Stelle",
    "stelle_id": "Stelle-ID",
    "baustein": "Baustein",
    "funktion": "Funktion",
    "bewilligt_vzae": "Bewilligt VZÄ",
    "besetzt_vzae": "Besetzt VZÄ",
    "besetzt_seit": "Besetzt seit",
    "haushaltsjahr": "Haushaltsjahr",
    "bewilligt_eur": "Bewilligt EUR",
    "abgerufen_eur": "Abgerufen EUR",
    "verausgabt_eur": "Verausgabt EUR",
    "thema_id": "Thema-ID",
    "titel": "Titel",
    "handlungsfeld": "Handlungsfeld",
    "quelle": "Quelle",
    "faelle_rekonstruiert": "Fälle rekonstruiert",
    "identifiziert_am": "Identifiziert am",
    "lenkungsgruppe_am": "Lenkungsgruppe am",
    "prioritaet": "Priorität",
    "projektgruppe_am": "Projektgruppe am",
    "zielvereinbarung_am": "Zielvereinbarung am",
    "umgesetzt_am": "Umgesetzt am",
    "status": "Status",
    "sitzung_am": "Sitzung am",
    "institutionen": "Institutionen",
    "beschluesse": "Beschlüsse",
    "verfahren": "Verfahren",
    "antraege_eingang": "Anträge Eingang",
    "entscheidungen_positiv": "Entscheidungen positiv",
    "entscheidungen_negativ": "Entscheidungen negativ",
    "anhaengig_quartalsende": "Anhängig Quartalsende",
    "bearbeitungsdauer_median_tage": "Bearbeitungsdauer Median (Tage)",
}


@dataclass(frozen=True)
class CsvFormat:
    encoding: str  # Python codec name: utf-8, utf-8-sig (with BOM), cp1252
    delimiter: str
    date_style: DateStyle
    decimal_style: DecimalStyle
    header_style: HeaderStyle
    line_ending: str

    def header(self, column: str) -> str:
        if self.header_style is HeaderStyle.LABELLED:
            return COLUMN_LABELS[column]
        if self.header_style is HeaderStyle.SPACED_UPPER:
            return f" {column.replace('_', ' ').upper()} "
        return column


@dataclass(frozen=True)
class UnitFormat:
    """How a unit exports. XLSX units still have a CSV format for the packages they send as CSV zip."""

    shape: Shape
    csv: CsvFormat
    source_system: str

    @property
    def correction_original_shape(self) -> Shape:
        """The other shape, used for the superseded original next to a correction."""
        return Shape.FOLDER_CSV if self.shape is Shape.ZIP_CSV else Shape.ZIP_CSV


def assign_formats(seed: int, units: tuple[Unit, ...]) -> dict[str, UnitFormat]:
    rng = statewide_rng(seed, Stream.FORMAT)
    n = len(units)
    shapes = allocate(rng, n, SHAPE_SHARES)
    encodings = allocate(rng, n, ENCODING_SHARES)
    delimiters = allocate(rng, n, DELIMITER_SHARES)
    date_styles = allocate(rng, n, DATE_STYLE_SHARES)
    decimal_styles = allocate(rng, n, DECIMAL_STYLE_SHARES)
    header_styles = allocate(rng, n, HEADER_STYLE_SHARES)
    line_endings = allocate(rng, n, LINE_ENDING_SHARES)
    systems = [SOURCE_SYSTEMS[i] for i in rng.integers(0, len(SOURCE_SYSTEMS), n)]
    return {
        unit.ags: UnitFormat(
            shape=Shape(shapes[i]),
            csv=CsvFormat(
                encoding=encodings[i],
                delimiter=delimiters[i],
                date_style=DateStyle(date_styles[i]),
                decimal_style=DecimalStyle(decimal_styles[i]),
                header_style=HeaderStyle(header_styles[i]),
                line_ending=line_endings[i],
            ),
            source_system=systems[i],
        )
        for i, unit in enumerate(units)
    }
