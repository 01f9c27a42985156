"""Defects of the unit-level files — staff, funds, structural themes, steering-group meetings, Baustein 3 —
that break the contract's ranges and cross-field rules (checked by the suites in `expectations/`).

aufenthalt.csv has one row per procedure (five at most) and lenkungsgruppe.csv one per meeting of the
quarter, so a single bad row is always more than 10 % of the file: those defects reject the package.
finanzen.csv has three rows per year, so a Haushaltsjahr × Baustein delivered twice (both rows flagged) is
over 10 % as well.
"""

from __future__ import annotations

from datetime import timedelta

from pipelines.contract.findings import Outcome, Rule
from pipelines.generator.defects.model import DefectContext, DefectKind, Draft, Marks, Share
from pipelines.generator.defects.rows import day, decimal_text, number, require, rows_where

OTHER_TRAEGER = {
    "KOMMUNE": "FREIER_TRAEGER",
    "FREIER_TRAEGER": "KOMMUNE",
    "KREISANGEHOERIGE_KOMMUNE": "KOMMUNE",
}


def _position_twice(draft: Draft, ctx: DefectContext) -> Marks:
    """The same position again at the end, under another employer (two states of one position)."""
    personal = draft.table("personal")
    (row,) = ctx.pick(list(range(personal.n_rows)))
    copy = list(personal.rows[row])
    position = personal.position("traeger")
    copy[position] = OTHER_TRAEGER[copy[position]]
    return Marks(rows=[row, personal.append(copy)])


def _filled_over_granted(draft: Draft, ctx: DefectContext) -> Marks:
    personal = draft.table("personal")
    candidates = [
        row
        for row in range(personal.n_rows)
        if number(ctx, personal.get(row, "besetzt_vzae")) > 0
        and number(ctx, personal.get(row, "bewilligt_vzae")) <= 0.75
    ]
    (row,) = ctx.pick(candidates)
    granted = number(ctx, personal.get(row, "bewilligt_vzae"))
    personal.set(row, "besetzt_vzae", decimal_text(ctx, granted + 0.25))
    return Marks(rows=[row])


def _filled_without_date(draft: Draft, ctx: DefectContext) -> Marks:
    personal = draft.table("personal")
    (row,) = ctx.pick(rows_where(personal, "besetzt_vzae", lambda value: number(ctx, value) > 0))
    personal.set(row, "besetzt_seit", "")
    return Marks(rows=[row])


def _granted_over_one(draft: Draft, ctx: DefectContext) -> Marks:
    personal = draft.table("personal")
    (row,) = ctx.pick(list(range(personal.n_rows)))
    personal.set(row, "bewilligt_vzae", decimal_text(ctx, 1.5))
    return Marks(rows=[row])


def _edit_amount(column: str, source: str, factor: float):
    """A defect that sets `column` to `factor` × `source` in one row whose source amount is positive."""

    def make(draft: Draft, ctx: DefectContext) -> Marks:
        finanzen = draft.table("finanzen")
        (row,) = ctx.pick(rows_where(finanzen, source, lambda value: number(ctx, value) > 1000))
        finanzen.set(row, column, decimal_text(ctx, number(ctx, finanzen.get(row, source)) * factor))
        return Marks(rows=[row])

    return make


def _budget_line_twice(draft: Draft, ctx: DefectContext) -> Marks:
    """A supplementary grant delivered as a second row for the same year and Baustein."""
    finanzen = draft.table("finanzen")
    year = str(ctx.clean.quarter.year)
    (row,) = ctx.pick(rows_where(finanzen, "haushaltsjahr", lambda value: value == year))
    copy = list(finanzen.rows[row])
    position = finanzen.position("bewilligt_eur")
    copy[position] = decimal_text(ctx, number(ctx, copy[position]) + 25000)
    return Marks(rows=[row, finanzen.append(copy)])


def _status_ahead_of_dates(draft: Draft, ctx: DefectContext) -> Marks:
    """A theme reported as implemented although it has no implementation date (and no later step)."""
    themen = draft.table("strukturthemen")
    (row,) = ctx.pick(
        rows_where(
            themen, "status", lambda value: value in ("IDENTIFIZIERT", "PRIORISIERT", "IN_PROJEKTGRUPPE")
        )
    )
    require(themen.get(row, "umgesetzt_am") == "", "das Thema hat schon ein Umsetzungsdatum")
    themen.set(row, "status", "UMGESETZT")
    return Marks(rows=[row])


def _decided_before_identified(draft: Draft, ctx: DefectContext) -> Marks:
    themen = draft.table("strukturthemen")
    (row,) = ctx.pick(rows_where(themen, "lenkungsgruppe_am", lambda value: value != ""))
    identified = day(ctx, themen.get(row, "identifiziert_am"))
    themen.set(row, "lenkungsgruppe_am", ctx.notation.date_text(identified - timedelta(days=30)))
    return Marks(rows=[row])


def _meeting_outside_quarter(draft: Draft, ctx: DefectContext) -> Marks:
    """A meeting of the previous quarter reported again (two weeks before this quarter began)."""
    lenkungsgruppe = draft.table("lenkungsgruppe")
    (row,) = ctx.pick(list(range(lenkungsgruppe.n_rows)))
    earlier = ctx.clean.quarter.start - timedelta(days=14)
    lenkungsgruppe.set(row, "sitzung_am", ctx.notation.date_text(earlier))
    return Marks(rows=[row])


def _negative_count(draft: Draft, ctx: DefectContext) -> Marks:
    aufenthalt = draft.table("aufenthalt")
    (row,) = ctx.pick(list(range(aufenthalt.n_rows)))
    count = aufenthalt.get(row, "antraege_eingang")
    aufenthalt.set(row, "antraege_eingang", f"-{count}" if count not in ("", "0") else "-1")
    return Marks(rows=[row])


def _kind(identifier: str, description: str, rule: Rule, file: str, column: str, make, share=Share.LOW):
    return DefectKind(
        id=identifier,
        description=description,
        outcome=Outcome.ROW_QUARANTINED,
        rules=(rule,),
        file=file,
        column=column,
        make=make,
        share=share,
    )


UNIT_RULE_KINDS = (
    _kind(
        "PERSONAL_STELLE_DOPPELT",
        "personal.csv: Dieselbe Stellen-ID steht zweimal in der Datei, mit unterschiedlichem Träger; beide "
        "Zeilen gehen in Quarantäne.",
        Rule.DUPLICATE,
        "personal.csv",
        "stelle_id",
        _position_twice,
    ),
    _kind(
        "PERSONAL_BESETZT_UEBER_BEWILLIGT",
        "personal.csv: Eine Stelle ist mit 0,25 VZÄ mehr besetzt als bewilligt.",
        Rule.FILLED_OVER_GRANTED,
        "personal.csv",
        "besetzt_vzae",
        _filled_over_granted,
    ),
    _kind(
        "PERSONAL_BESETZT_OHNE_DATUM",
        "personal.csv: Eine besetzte Stelle (besetzt_vzae > 0) ohne Datum „besetzt seit“.",
        Rule.CONDITIONAL_REQUIRED,
        "personal.csv",
        "besetzt_seit",
        _filled_without_date,
    ),
    _kind(
        "PERSONAL_BEWILLIGT_UEBER_EINS",
        "personal.csv: Eine Stelle mit 1,5 bewilligten VZÄ (höchstens 1,0 je Stelle).",
        Rule.RANGE,
        "personal.csv",
        "bewilligt_vzae",
        _granted_over_one,
    ),
    _kind(
        "FINANZEN_ABGERUFEN_UEBER_BEWILLIGT",
        "finanzen.csv: Für ein Haushaltsjahr und einen Baustein sind 20 % mehr Mittel abgerufen als bewilligt.",
        Rule.AMOUNTS_INCONSISTENT,
        "finanzen.csv",
        "abgerufen_eur",
        _edit_amount("abgerufen_eur", "bewilligt_eur", 1.2),
    ),
    _kind(
        "FINANZEN_VERAUSGABT_UEBER_ABGERUFEN",
        "finanzen.csv: Verausgabt sind 25 % mehr als abgerufen (erlaubt sind höchstens 5 % mehr).",
        Rule.AMOUNTS_INCONSISTENT,
        "finanzen.csv",
        "verausgabt_eur",
        _edit_amount("verausgabt_eur", "abgerufen_eur", 1.25),
    ),
    _kind(
        "FINANZEN_BEWILLIGT_NEGATIV",
        "finanzen.csv: Ein negativer bewilligter Betrag (Vorzeichen vertauscht).",
        Rule.RANGE,
        "finanzen.csv",
        "bewilligt_eur",
        _edit_amount("bewilligt_eur", "bewilligt_eur", -1.0),
    ),
    _kind(
        "FINANZEN_JAHR_BAUSTEIN_DOPPELT",
        "finanzen.csv: Ein Haushaltsjahr und Baustein stehen zweimal in der Datei (eine Nachbewilligung als "
        "eigene Zeile); beide Zeilen sind ungültig, bei drei Zeilen je Jahr mehr als 10 % der Datei.",
        Rule.DUPLICATE,
        "finanzen.csv",
        "haushaltsjahr",
        _budget_line_twice,
        Share.ANY,
    ),
    _kind(
        "STRUKTURTHEMA_STATUS_WIDERSPRICHT_DATEN",
        "strukturthemen.csv: Ein Thema hat den Status UMGESETZT, aber kein Umsetzungsdatum.",
        Rule.THEME_STATUS,
        "strukturthemen.csv",
        "status",
        _status_ahead_of_dates,
    ),
    _kind(
        "STRUKTURTHEMA_DATEN_REIHENFOLGE",
        "strukturthemen.csv: Ein Thema ist in der Lenkungsgruppe 30 Tage vor seiner Identifizierung beraten "
        "worden.",
        Rule.DATE_ORDER,
        "strukturthemen.csv",
        "lenkungsgruppe_am",
        _decided_before_identified,
    ),
    _kind(
        "LENKUNGSGRUPPE_SITZUNG_AUSSERHALB",
        "lenkungsgruppe.csv: Eine Sitzung ist zwei Wochen vor Beginn des Berichtsquartals datiert; bei "
        "wenigen Sitzungen je Quartal mehr als 10 % der Datei.",
        Rule.PERIOD,
        "lenkungsgruppe.csv",
        "sitzung_am",
        _meeting_outside_quarter,
        Share.ANY,
    ),
    _kind(
        "AUFENTHALT_ANZAHL_NEGATIV",
        "aufenthalt.csv: Eine negative Zahl von Antragseingängen; bei höchstens fünf Verfahrensarten mehr "
        "als 10 % der Datei.",
        Rule.RANGE,
        "aufenthalt.csv",
        "antraege_eingang",
        _negative_count,
        Share.ANY,
    ),
)
