"""Defects of one file: its encoding, quoting, header or emptiness.

Unreadable files, identifier columns and missing mandatory columns reject the package (contract 3.2); an
unknown column is dropped with a notice, and a file with a header but no rows is a valid delivery of nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from pipelines.contract.findings import Outcome, Rule
from pipelines.generator.defects.model import DefectContext, DefectKind, Draft, Marks
from pipelines.generator.defects.rows import require
from pipelines.generator.defects.text_tables import TextTable, render_csv_table
from pipelines.generator.formats import CsvFormat, HeaderStyle

# A private-use character stands in for a byte the file's encoding cannot produce.
PLACEHOLDER = "\ue000"
UNDEFINED_IN_CP1252 = b"\x81"
# Fictitious names, as a careless export would put them next to the staff positions.
PLACEHOLDER_NAMES = (
    "Mustermann, Erika",
    "Musterfrau, Maria",
    "Beispiel, Jonas",
    "Muster, Max",
    "Probe, Lena",
)
REMARKS = ("", "", "Vertretung bis Quartalsende", "", "befristet", "")


def styled_header(fmt: CsvFormat, column: str, label: str) -> str:
    """A header text in the unit's header style, for a column the contract does not define."""
    if fmt.header_style is HeaderStyle.LABELLED:
        return label
    if fmt.header_style is HeaderStyle.SPACED_UPPER:
        return f" {column.replace('_', ' ').upper()} "
    return column


def _without_column(draft: Draft, ctx: DefectContext) -> Marks:
    draft.table("faelle").remove_column("aufnahme_am")
    return Marks()


def _birth_dates(draft: Draft, ctx: DefectContext) -> Marks:
    faelle = draft.table("faelle")
    values = []
    for year in faelle.column("geburtsjahr"):
        day = date(int(year), 1, 1) + timedelta(days=int(ctx.rng.integers(0, 365)))
        values.append(ctx.notation.date_text(day))
    faelle.add_column(styled_header(ctx.clean.unit_format.csv, "geburtsdatum", "Geburtsdatum"), values)
    return Marks()


def _staff_names(draft: Draft, ctx: DefectContext) -> Marks:
    personal = draft.table("personal")
    names = [PLACEHOLDER_NAMES[row % len(PLACEHOLDER_NAMES)] for row in range(personal.n_rows)]
    personal.add_column(styled_header(ctx.clean.unit_format.csv, "name", "Name"), names)
    return Marks()


def _remarks(draft: Draft, ctx: DefectContext) -> Marks:
    personal = draft.table("personal")
    remarks = [REMARKS[row % len(REMARKS)] for row in range(personal.n_rows)]
    personal.add_column(styled_header(ctx.clean.unit_format.csv, "bemerkung", "Bemerkung"), remarks)
    return Marks()


def _byte_of_no_encoding(draft: Draft, ctx: DefectContext) -> Marks:
    """A cp1252 file with a byte that is undefined in cp1252 (and invalid in UTF-8)."""
    require(ctx.clean.unit_format.csv.encoding == "cp1252", "die Kommune liefert nicht in Windows-1252")
    themen = draft.table("strukturthemen")
    (row,) = ctx.pick([row for row, titel in enumerate(themen.column("titel")) if " " in titel])
    themen.set(row, "titel", themen.get(row, "titel").replace(" ", " " + PLACEHOLDER, 1))
    themen.byte_patches[PLACEHOLDER] = UNDEFINED_IN_CP1252
    return Marks(message_row=row, uncountable={"strukturthemen"})


def _mixed_encoding(draft: Draft, ctx: DefectContext) -> Marks:
    """A UTF-8 file in which one title's umlaut was written in Windows-1252 (copied from another file)."""
    require(ctx.clean.unit_format.csv.encoding.startswith("utf-8"), "die Kommune liefert nicht in UTF-8")
    themen = draft.table("strukturthemen")
    titles = themen.column("titel")
    candidates = [row for row, titel in enumerate(titles) if _first_latin1_letter(titel) is not None]
    (row,) = ctx.pick(candidates)
    # The reader recognises mixed encodings by other UTF-8 umlauts in the file: the header or other titles.
    others = "".join(themen.header) + "".join(titel for index, titel in enumerate(titles) if index != row)
    require(_first_latin1_letter(others) is not None, "keine weiteren Umlaute in der Datei")
    titel = titles[row]
    letter = _first_latin1_letter(titel)
    themen.set(row, "titel", titel.replace(letter, PLACEHOLDER, 1))
    themen.byte_patches[PLACEHOLDER] = letter.encode("cp1252")
    return Marks(message_row=row, uncountable={"strukturthemen"})


def _first_latin1_letter(text: str) -> str | None:
    """The first character UTF-8 writes as 0xC3 plus one byte (ä, ö, ü, ß, é, …)."""
    return next((char for char in text if "\u00c0" <= char <= "\u00ff"), None)


def _unterminated_quote(draft: Draft, ctx: DefectContext) -> Marks:
    """An opening quote that is never closed: everything after it would be one value up to the file's end."""
    fmt = ctx.clean.unit_format.csv
    ereignisse = draft.table("ereignisse")
    require(b'"' not in render_csv_table(ereignisse, fmt)[0], "die Datei enthält schon Anführungszeichen")
    require(ereignisse.n_rows >= 3, "zu wenige Ereignisse")
    (row,) = ctx.pick(list(range(1, ereignisse.n_rows - 1)))
    values = list(ereignisse.rows[row])
    position = ereignisse.position("ereignis")
    values[position] = '"' + values[position]
    ereignisse.literal_lines[row] = fmt.delimiter.join(values)
    ereignisse.changed.add(row)
    return Marks(message_row=row, uncountable={"ereignisse"})


def _utf16(draft: Draft, ctx: DefectContext) -> Marks:
    draft.table("aufenthalt")
    draft.encodings["aufenthalt"] = "utf-16"
    return Marks(uncountable={"aufenthalt"})


def _empty_file(draft: Draft, ctx: DefectContext) -> Marks:
    draft.table("aufenthalt")
    draft.replaced_files["aufenthalt"] = b""
    return Marks(uncountable={"aufenthalt"})


def _header_only(draft: Draft, ctx: DefectContext) -> Marks:
    lenkungsgruppe: TextTable = draft.table("lenkungsgruppe")
    require(lenkungsgruppe.n_rows > 0, "keine Sitzung im Quartal, die fehlen könnte")
    lenkungsgruppe.clear_rows()
    return Marks()


FILE_KINDS = (
    DefectKind(
        id="KODIERUNG_UNGUELTIGES_BYTE",
        description="strukturthemen.csv (Windows-1252) enthält im Titel eines Themas das Byte 0x81, das weder "
        "in UTF-8 noch in Windows-1252 ein Zeichen ist.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.FILE_UNREADABLE,),
        file="strukturthemen.csv",
        make=_byte_of_no_encoding,
    ),
    DefectKind(
        id="KODIERUNG_GEMISCHT",
        description="strukturthemen.csv ist UTF-8-kodiert, ein Umlaut in einem Titel aber in Windows-1252 "
        "(aus einer anderen Datei hineinkopiert).",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.FILE_UNREADABLE,),
        file="strukturthemen.csv",
        make=_mixed_encoding,
    ),
    DefectKind(
        id="KODIERUNG_UTF16",
        description="aufenthalt.csv als UTF-16 gespeichert (Excel „Unicode-Text“).",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.FILE_UNREADABLE,),
        file="aufenthalt.csv",
        make=_utf16,
    ),
    DefectKind(
        id="ANFUEHRUNGSZEICHEN_OFFEN",
        description="ereignisse.csv: In einer Zeile beginnt ein Wert mit einem Anführungszeichen, das bis zum "
        "Dateiende nicht geschlossen wird.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.FILE_UNREADABLE,),
        file="ereignisse.csv",
        make=_unterminated_quote,
    ),
    DefectKind(
        id="DATEI_LEER",
        description="aufenthalt.csv ist leer (0 Byte, nicht einmal eine Kopfzeile).",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.FILE_UNREADABLE,),
        file="aufenthalt.csv",
        make=_empty_file,
    ),
    DefectKind(
        id="FAELLE_PFLICHTSPALTE_FEHLT",
        description="faelle.csv ohne die Pflichtspalte aufnahme_am.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.MANDATORY_COLUMN_MISSING,),
        file="faelle.csv",
        column="aufnahme_am",
        make=_without_column,
    ),
    DefectKind(
        id="FAELLE_SPALTE_GEBURTSDATUM",
        description="faelle.csv mit einer zusätzlichen Spalte Geburtsdatum (direkt identifizierende Angabe).",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.IDENTIFIER_COLUMN,),
        file="faelle.csv",
        column="geburtsdatum",
        make=_birth_dates,
    ),
    DefectKind(
        id="PERSONAL_SPALTE_NAME",
        description="personal.csv mit einer zusätzlichen Spalte Name der Stelleninhaberinnen und -inhaber.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.IDENTIFIER_COLUMN,),
        file="personal.csv",
        column="name",
        make=_staff_names,
    ),
    DefectKind(
        id="PERSONAL_SPALTE_UNBEKANNT",
        description="personal.csv mit einer zusätzlichen Spalte Bemerkung, die nicht zum Datenvertrag gehört; "
        "sie wird mit einem Hinweis verworfen, alle Zeilen werden geladen.",
        outcome=Outcome.NOTICE,
        rules=(Rule.UNKNOWN_COLUMN,),
        file="personal.csv",
        column="bemerkung",
        make=_remarks,
    ),
    DefectKind(
        id="LENKUNGSGRUPPE_NUR_KOPFZEILE",
        description="lenkungsgruppe.csv enthält nur die Kopfzeile (keine Sitzung gemeldet): eine gültige "
        "Lieferung ohne Zeilen, ohne Befund.",
        outcome=None,
        rules=(),
        file="lenkungsgruppe.csv",
        make=_header_only,
    ),
)
