"""Defects of single rows that the reader itself catches: field count, types, code lists, required fields,
lengths — and a file where so many rows break that the package is rejected.

Quarantined case rows are taken from cases without events in the package, so that no second finding (an
event of a case that is not delivered) follows from the first.
"""

from __future__ import annotations

import csv
import io

from pipelines.contract.findings import Outcome, Rule
from pipelines.generator.defects.model import DefectContext, DefectKind, Draft, Marks, Need, Share
from pipelines.generator.defects.rows import case_rows_without_events, day, milestone_event_rows, require

# Spelled out instead of coded, as a hand-kept spreadsheet would have it.
SPELLED_OUT_SEX = {"W": "weiblich", "M": "männlich", "D": "divers", "X": "keine Angabe"}


def _quoted(value: str, delimiter: str) -> str:
    """One field as the CSV writer quotes it within a row (a lone empty field would be quoted: `""`)."""
    if value == "":
        return value
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="", quoting=csv.QUOTE_MINIMAL).writerow([value])
    return buffer.getvalue()


def _delimiter_in_needs(draft: Draft, ctx: DefectContext) -> Marks:
    """The needs written with the file's delimiter instead of `|`, unquoted: the row has extra fields."""
    delimiter = ctx.clean.unit_format.csv.delimiter
    faelle = draft.table("faelle")
    candidates = [row for row in case_rows_without_events(draft) if "|" in faelle.get(row, "bedarfe")]
    (row,) = ctx.pick(candidates)
    position = faelle.position("bedarfe")
    fields = [_quoted(value, delimiter) for value in faelle.rows[row]]
    fields[position] = faelle.rows[row][position].replace("|", delimiter)
    faelle.literal_lines[row] = delimiter.join(fields)
    faelle.changed.add(row)
    return Marks(rows=[row])


def _edit_case(column: str, value_of, condition=lambda draft, row: True):
    """A defect that writes `value_of(old value, ctx)` into one case row without events."""

    def make(draft: Draft, ctx: DefectContext) -> Marks:
        faelle = draft.table("faelle")
        (row,) = ctx.pick([row for row in case_rows_without_events(draft) if condition(draft, row)])
        faelle.set(row, column, value_of(faelle.get(row, column), ctx))
        return Marks(rows=[row])

    return make


def _impossible_event_date(draft: Draft, ctx: DefectContext) -> Marks:
    ereignisse = draft.table("ereignisse")
    (row,) = ctx.pick(milestone_event_rows(draft))
    year = day(ctx, ereignisse.get(row, "ereignis_am")).year
    ereignisse.set(row, "ereignis_am", ctx.notation.impossible_date_text(year))
    return Marks(rows=[row])


def _vzae_in_words(draft: Draft, ctx: DefectContext) -> Marks:
    personal = draft.table("personal")
    (row,) = ctx.pick(list(range(personal.n_rows)))
    personal.set(row, "bewilligt_vzae", "halbe Stelle")
    return Marks(rows=[row])


def _too_long_case_id(fall_id: str, ctx: DefectContext) -> str:
    # A key concatenated by a migration from an older system.
    suffix = "".join(f"{value:02X}" for value in ctx.rng.integers(0, 256, size=24))
    long_id = f"{fall_id}-ALTVERFAHREN-{suffix}"
    require(len(long_id) > 64, "die Fall-ID wäre nicht zu lang")
    return long_id


def _many_spelled_out_sexes(draft: Draft, ctx: DefectContext) -> Marks:
    faelle = draft.table("faelle")
    require(faelle.n_rows >= 10, "zu wenige Fälle")
    rows = ctx.pick(list(range(faelle.n_rows)), faelle.n_rows // 10 + 2)
    for row in rows:
        faelle.set(row, "geschlecht", SPELLED_OUT_SEX[faelle.get(row, "geschlecht")])
    return Marks(rows=rows)


def _has_arrival_month(draft: Draft, row: int) -> bool:
    return draft.table("faelle").get(row, "einreise_monat") != ""


ROW_KINDS = (
    DefectKind(
        id="XLSX_GEBURTSJAHR_TEXT",
        description="Arbeitsmappe, Blatt „faelle“: In einer Zeile steht im Geburtsjahr „unbekannt“ statt "
        "einer Zahl.",
        outcome=Outcome.ROW_QUARANTINED,
        rules=(Rule.INTEGER,),
        file="faelle.csv",
        column="geburtsjahr",
        make=_edit_case("geburtsjahr", lambda old, ctx: "unbekannt"),
        need=Need.XLSX,
    ),
    DefectKind(
        id="FAELLE_FELDANZAHL",
        description="faelle.csv: Die Bedarfe einer Zeile sind mit dem Trennzeichen der Datei statt mit | "
        "getrennt und nicht in Anführungszeichen; die Zeile hat mehr Felder als die Kopfzeile.",
        outcome=Outcome.ROW_QUARANTINED,
        rules=(Rule.FIELD_COUNT,),
        file="faelle.csv",
        make=_delimiter_in_needs,
    ),
    DefectKind(
        id="FAELLE_CODE_UNBEKANNT",
        description="faelle.csv: Rechtskreis „SGB II“ (ausgeschrieben) statt des Codes SGB2.",
        outcome=Outcome.ROW_QUARANTINED,
        rules=(Rule.CODE_LIST,),
        file="faelle.csv",
        column="rechtskreis",
        make=_edit_case("rechtskreis", lambda old, ctx: "SGB II"),
    ),
    DefectKind(
        id="FAELLE_PFLICHTFELD_LEER",
        description="faelle.csv: In einer Zeile fehlt die Person-ID.",
        outcome=Outcome.ROW_QUARANTINED,
        rules=(Rule.REQUIRED,),
        file="faelle.csv",
        column="person_id",
        make=_edit_case("person_id", lambda old, ctx: ""),
    ),
    DefectKind(
        id="FAELLE_EINREISEMONAT_UNGUELTIG",
        description="faelle.csv: Einreisemonat „Sommer <Jahr>“ statt eines Monats.",
        outcome=Outcome.ROW_QUARANTINED,
        rules=(Rule.MONTH,),
        file="faelle.csv",
        column="einreise_monat",
        make=_edit_case("einreise_monat", lambda old, ctx: f"Sommer {old[:4]}", _has_arrival_month),
    ),
    DefectKind(
        id="FAELLE_FALL_ID_ZU_LANG",
        description="faelle.csv: Eine Fall-ID ist nach einer Datenübernahme länger als 64 Zeichen.",
        outcome=Outcome.ROW_QUARANTINED,
        rules=(Rule.LENGTH,),
        file="faelle.csv",
        column="fall_id",
        make=_edit_case("fall_id", _too_long_case_id),
    ),
    DefectKind(
        id="FAELLE_ANTEIL_UNGUELTIG",
        description="faelle.csv: In mehr als 10 % der Zeilen ist das Geschlecht ausgeschrieben („weiblich“) "
        "statt codiert; das Paket wird abgelehnt.",
        outcome=Outcome.ROW_QUARANTINED,
        rules=(Rule.CODE_LIST,),
        file="faelle.csv",
        column="geschlecht",
        make=_many_spelled_out_sexes,
        share=Share.HIGH,
    ),
    DefectKind(
        id="EREIGNIS_DATUM_UNMOEGLICH",
        description="ereignisse.csv: Ereignisdatum 31.02. (ein Tag, den es nicht gibt).",
        outcome=Outcome.ROW_QUARANTINED,
        rules=(Rule.DATE,),
        file="ereignisse.csv",
        column="ereignis_am",
        make=_impossible_event_date,
    ),
    DefectKind(
        id="PERSONAL_VZAE_TEXT",
        description="personal.csv: Bewilligte VZÄ „halbe Stelle“ statt einer Zahl.",
        outcome=Outcome.ROW_QUARANTINED,
        rules=(Rule.DECIMAL,),
        file="personal.csv",
        column="bewilligt_vzae",
        make=_vzae_in_words,
    ),
)
