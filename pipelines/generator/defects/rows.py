"""Finding the rows a defect can break without breaking anything else.

A defect must provoke exactly the finding it stands for. Quarantining a case row would make that case's events
in the same package "events of an unknown case" as well, so case defects pick cases without events in the
package; a date moved for one rule must not cross another rule's boundary (the quarter end, the closing date).
"""

from __future__ import annotations

from datetime import date

from pipelines.generator.defects.model import DefectContext, Draft, NotApplicable
from pipelines.generator.defects.text_tables import TextTable

MILESTONE_EXCLUDED = ("RECHTSKREISWECHSEL", "UEBERGABE")  # process events with conditional fields


def case_rows_without_events(draft: Draft) -> list[int]:
    """Rows of faelle.csv whose case has no event in the package's ereignisse.csv."""
    faelle = draft.table("faelle")
    with_events = set(draft.tables["ereignisse"].column("fall_id")) if "ereignisse" in draft.tables else set()
    return [row for row, fall_id in enumerate(faelle.column("fall_id")) if fall_id not in with_events]


def rows_where(table: TextTable, column: str, predicate) -> list[int]:
    return [row for row, value in enumerate(table.column(column)) if predicate(value)]


def open_case_rows(draft: Draft) -> list[int]:
    faelle = draft.table("faelle")
    return [row for row in case_rows_without_events(draft) if faelle.get(row, "abschluss_am") == ""]


def closed_case_rows(draft: Draft) -> list[int]:
    faelle = draft.table("faelle")
    return [row for row in case_rows_without_events(draft) if faelle.get(row, "abschluss_am") != ""]


def milestone_event_rows(draft: Draft) -> list[int]:
    """Events without conditional fields, so that changing their date or case touches one rule only."""
    return rows_where(draft.table("ereignisse"), "ereignis", lambda code: code not in MILESTONE_EXCLUDED)


def day(ctx: DefectContext, text: str) -> date:
    return ctx.notation.date(text)


def number(ctx: DefectContext, text: str) -> float:
    return ctx.notation.decimal(text)


def decimal_text(ctx: DefectContext, value: float) -> str:
    return ctx.notation.decimal_text(round(value, 2))


def require(condition: bool, reason: str) -> None:
    if not condition:
        raise NotApplicable(reason)


def event_key(table: TextTable, row: int) -> tuple[str, ...]:
    """The natural key of an event (contract: fall_id, ereignis, ereignis_am, von, nach, stelle)."""
    return tuple(
        table.get(row, column)
        for column in ("fall_id", "ereignis", "ereignis_am", "von_rechtskreis", "nach_rechtskreis", "stelle")
    )
