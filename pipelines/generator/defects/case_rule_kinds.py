"""Defects of cases and events that break the contract's cross-field rules (checked by the suites in
`expectations/`): dates out of order or outside the quarter, reasons without closing dates and the reverse,
Rechtskreiswechsel and Übergaben without their details, a case twice, events of unknown cases, Gemeinden
outside the unit.
"""

from __future__ import annotations

from datetime import timedelta

from pipelines.contract.codes import codes
from pipelines.contract.findings import Outcome, Rule
from pipelines.generator.defects.model import DefectContext, DefectKind, Draft, Marks
from pipelines.generator.defects.rows import (
    case_rows_without_events,
    closed_case_rows,
    day,
    event_key,
    milestone_event_rows,
    open_case_rows,
    require,
    rows_where,
)
from pipelines.generator.defects.text_tables import TextTable


def _closed_before_intake(draft: Draft, ctx: DefectContext) -> Marks:
    """Closed the day before the intake (a date typed into the wrong field); the closure stays in the quarter."""
    faelle = draft.table("faelle")
    start = ctx.clean.quarter.start
    candidates = [
        row for row in case_rows_without_events(draft) if day(ctx, faelle.get(row, "aufnahme_am")) > start
    ]
    (row,) = ctx.pick(candidates)
    intake = day(ctx, faelle.get(row, "aufnahme_am"))
    faelle.set(row, "abschluss_am", ctx.notation.date_text(intake - timedelta(days=1)))
    if faelle.get(row, "abschlussgrund") == "":
        faelle.set(row, "abschlussgrund", "KONTAKTABBRUCH")
    return Marks(rows=[row])


def _first_contact_after_intake(draft: Draft, ctx: DefectContext) -> Marks:
    faelle = draft.table("faelle")
    end = ctx.clean.quarter.end

    def room(row: int) -> int:
        closed = faelle.get(row, "abschluss_am")
        latest = min(end, day(ctx, closed)) if closed else end
        return (latest - day(ctx, faelle.get(row, "aufnahme_am"))).days

    (row,) = ctx.pick([row for row in case_rows_without_events(draft) if room(row) >= 1])
    days = int(ctx.rng.integers(1, min(5, room(row)) + 1))
    intake = day(ctx, faelle.get(row, "aufnahme_am"))
    faelle.set(row, "erstkontakt_am", ctx.notation.date_text(intake + timedelta(days=days)))
    return Marks(rows=[row])


def _reason_without_closure(draft: Draft, ctx: DefectContext) -> Marks:
    faelle = draft.table("faelle")
    (row,) = ctx.pick(open_case_rows(draft))
    faelle.set(row, "abschlussgrund", "WEGZUG")
    return Marks(rows=[row])


def _closure_without_reason(draft: Draft, ctx: DefectContext) -> Marks:
    faelle = draft.table("faelle")
    (row,) = ctx.pick(closed_case_rows(draft))
    faelle.set(row, "abschlussgrund", "")
    return Marks(rows=[row])


def _case_twice(draft: Draft, ctx: DefectContext) -> Marks:
    """The same case again at the end of the file, with a different set of needs (two states of one case)."""
    faelle = draft.table("faelle")
    (row,) = ctx.pick(case_rows_without_events(draft))
    copy = list(faelle.rows[row])
    position = faelle.position("bedarfe")
    needs = copy[position].split("|")
    missing = [code for code in codes("bedarf") if code not in needs]
    copy[position] = "|".join([*needs, missing[0]] if missing else needs[:-1])
    added = faelle.append(copy)
    return Marks(rows=[row, added])


def _foreign_gemeinde(draft: Draft, ctx: DefectContext) -> Marks:
    faelle = draft.table("faelle")
    own = set(ctx.clean.unit.gemeinde_ags)
    others = [unit for unit in ctx.units if not own & set(unit.gemeinde_ags)]
    neighbour = min(others, key=lambda unit: (abs(unit.index - ctx.clean.unit.index), unit.index))
    (row,) = ctx.pick(case_rows_without_events(draft))
    faelle.set(row, "gemeinde_ags", neighbour.gemeinde_ags[0])
    return Marks(rows=[row])


def _born_before_1930(draft: Draft, ctx: DefectContext) -> Marks:
    faelle = draft.table("faelle")
    (row,) = ctx.pick(case_rows_without_events(draft))
    faelle.set(row, "geburtsjahr", "1925")
    return Marks(rows=[row])


def _intake_after_quarter(draft: Draft, ctx: DefectContext) -> Marks:
    """An open case whose intake date lies after the quarter the package reports (a mistyped month)."""
    faelle = draft.table("faelle")
    (row,) = ctx.pick(open_case_rows(draft))
    later = ctx.clean.quarter.end + timedelta(days=int(ctx.rng.integers(1, 21)))
    faelle.set(row, "aufnahme_am", ctx.notation.date_text(later))
    return Marks(rows=[row])


def _require_unique_event(ereignisse: TextTable, row: int) -> None:
    key = event_key(ereignisse, row)
    others = [other for other in range(ereignisse.n_rows) if other != row]
    require(all(event_key(ereignisse, other) != key for other in others), "das Ereignis gäbe es dann zweimal")


def _event_before_intake(draft: Draft, ctx: DefectContext) -> Marks:
    faelle, ereignisse = draft.table("faelle"), draft.table("ereignisse")
    intake = dict(zip(faelle.column("fall_id"), faelle.column("aufnahme_am"), strict=True))
    candidates = [row for row in milestone_event_rows(draft) if ereignisse.get(row, "fall_id") in intake]
    (row,) = ctx.pick(candidates)
    before = day(ctx, intake[ereignisse.get(row, "fall_id")]) - timedelta(days=int(ctx.rng.integers(1, 11)))
    ereignisse.set(row, "ereignis_am", ctx.notation.date_text(before))
    _require_unique_event(ereignisse, row)
    return Marks(rows=[row])


def _edit_event(code: str, edit):
    """A defect that applies `edit(table, row)` to one event of type `code`."""

    def make(draft: Draft, ctx: DefectContext) -> Marks:
        ereignisse = draft.table("ereignisse")
        (row,) = ctx.pick(rows_where(ereignisse, "ereignis", lambda value: value == code))
        edit(ereignisse, row)
        _require_unique_event(ereignisse, row)
        return Marks(rows=[row])

    return make


def _without_rechtskreise(ereignisse: TextTable, row: int) -> None:
    ereignisse.set(row, "von_rechtskreis", "")
    ereignisse.set(row, "nach_rechtskreis", "")


def _same_rechtskreis(ereignisse: TextTable, row: int) -> None:
    ereignisse.set(row, "nach_rechtskreis", ereignisse.get(row, "von_rechtskreis"))


def _without_stelle(ereignisse: TextTable, row: int) -> None:
    ereignisse.set(row, "stelle", "")


def _event_of_unknown_case(draft: Draft, ctx: DefectContext) -> Marks:
    """An event whose case id has a digit too many (a typo): no package of the unit ever delivered it."""
    ereignisse = draft.table("ereignisse")
    (row,) = ctx.pick(milestone_event_rows(draft))
    known = ctx.unit_case_ids()
    unknown = ereignisse.get(row, "fall_id") + "9"
    while unknown in known:
        unknown += "9"
    ereignisse.set(row, "fall_id", unknown)
    return Marks(rows=[row])


def _case_kind(identifier: str, description: str, rule: Rule, column: str, make) -> DefectKind:
    return DefectKind(
        id=identifier,
        description=description,
        outcome=Outcome.ROW_QUARANTINED,
        rules=(rule,),
        file="faelle.csv",
        column=column,
        make=make,
    )


def _event_kind(identifier: str, description: str, rule: Rule, column: str, make) -> DefectKind:
    return DefectKind(
        id=identifier,
        description=description,
        outcome=Outcome.ROW_QUARANTINED,
        rules=(rule,),
        file="ereignisse.csv",
        column=column,
        make=make,
    )


CASE_RULE_KINDS = (
    _case_kind(
        "FAELLE_ABSCHLUSS_VOR_AUFNAHME",
        "faelle.csv: Ein Fall ist einen Tag vor seiner Aufnahme abgeschlossen (abschluss_am < aufnahme_am).",
        Rule.DATE_ORDER,
        "abschluss_am",
        _closed_before_intake,
    ),
    _case_kind(
        "FAELLE_ERSTKONTAKT_NACH_AUFNAHME",
        "faelle.csv: Der Erstkontakt liegt einige Tage nach der Aufnahme (erstkontakt_am > aufnahme_am).",
        Rule.DATE_ORDER,
        "erstkontakt_am",
        _first_contact_after_intake,
    ),
    _case_kind(
        "FAELLE_ABSCHLUSSGRUND_OHNE_ABSCHLUSS",
        "faelle.csv: Ein offener Fall (ohne Abschlussdatum) hat einen Abschlussgrund.",
        Rule.CONDITIONAL_REQUIRED,
        "abschlussgrund",
        _reason_without_closure,
    ),
    _case_kind(
        "FAELLE_ABSCHLUSS_OHNE_ABSCHLUSSGRUND",
        "faelle.csv: Ein abgeschlossener Fall hat keinen Abschlussgrund.",
        Rule.CONDITIONAL_REQUIRED,
        "abschlussgrund",
        _closure_without_reason,
    ),
    _case_kind(
        "FAELLE_FALL_DOPPELT",
        "faelle.csv: Dieselbe Fall-ID steht zweimal in der Datei, mit unterschiedlichen Bedarfen; beide Zeilen "
        "gehen in Quarantäne.",
        Rule.DUPLICATE,
        "fall_id",
        _case_twice,
    ),
    _case_kind(
        "FAELLE_GEMEINDE_FREMD",
        "faelle.csv: Die Wohngemeinde eines Falls ist eine Gemeinde einer anderen Kommune.",
        Rule.FOREIGN_GEMEINDE,
        "gemeinde_ags",
        _foreign_gemeinde,
    ),
    _case_kind(
        "FAELLE_GEBURTSJAHR_VOR_1930",
        "faelle.csv: Geburtsjahr 1925, vor dem frühesten erlaubten Jahr 1930.",
        Rule.RANGE,
        "geburtsjahr",
        _born_before_1930,
    ),
    _case_kind(
        "FAELLE_AUFNAHME_NACH_QUARTALSENDE",
        "faelle.csv: Ein offener Fall ist erst nach dem Ende des Berichtsquartals aufgenommen.",
        Rule.PERIOD,
        "aufnahme_am",
        _intake_after_quarter,
    ),
    _event_kind(
        "EREIGNIS_VOR_AUFNAHME",
        "ereignisse.csv: Ein Ereignis ist vor der Aufnahme seines Falls datiert.",
        Rule.DATE_ORDER,
        "ereignis_am",
        _event_before_intake,
    ),
    _event_kind(
        "EREIGNIS_RECHTSKREISWECHSEL_OHNE_RECHTSKREISE",
        "ereignisse.csv: Ein Rechtskreiswechsel ohne alten und neuen Rechtskreis.",
        Rule.CONDITIONAL_REQUIRED,
        "von_rechtskreis",
        _edit_event("RECHTSKREISWECHSEL", _without_rechtskreise),
    ),
    _event_kind(
        "EREIGNIS_RECHTSKREIS_GLEICH",
        "ereignisse.csv: Ein Rechtskreiswechsel, bei dem alter und neuer Rechtskreis gleich sind.",
        Rule.SAME_RECHTSKREIS,
        "nach_rechtskreis",
        _edit_event("RECHTSKREISWECHSEL", _same_rechtskreis),
    ),
    _event_kind(
        "EREIGNIS_UEBERGABE_OHNE_STELLE",
        "ereignisse.csv: Eine Übergabe ohne die Stelle, an die übergeben wurde.",
        Rule.CONDITIONAL_REQUIRED,
        "stelle",
        _edit_event("UEBERGABE", _without_stelle),
    ),
    _event_kind(
        "EREIGNIS_FALL_UNBEKANNT",
        "ereignisse.csv: Ein Ereignis zu einer Fall-ID, die in keinem Paket der Kommune in faelle.csv "
        "vorkommt (eine Ziffer zu viel).",
        Rule.UNKNOWN_CASE,
        "fall_id",
        _event_of_unknown_case,
    ),
)
