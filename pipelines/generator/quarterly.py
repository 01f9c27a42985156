"""What a unit reports for one quarter: the contract tables of its package, built from the unit's history.

Snapshot files show the state at quarter end: anything dated after it is not known yet (closing dates, theme
steps, occupancies). Append files hold what happened in the quarter; a small share of events reaches the
register late and is reported with the next package, but only for cases that a package of the unit has
already introduced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.calendar import Quarter
from pipelines.contract.schema import CONTRACT_FILES
from pipelines.generator.demographics import needs_text
from pipelines.generator.events import Events
from pipelines.generator.randomness import Stream, unit_rng
from pipelines.generator.simulation import UnitHistory
from pipelines.generator.steering import meetings_in_quarter
from pipelines.generator.tables import EMPTY_INT, Table, code_texts
from pipelines.generator.timeline import (
    NEVER,
    quarter_end_day,
    quarter_index,
    quarter_indices,
    quarter_start_day,
)

NOT_REPORTED = -1


@dataclass(frozen=True)
class EventReporting:
    """Per event: the running quarter it is dated in and that of the package reporting it, if any."""

    dated_quarter: np.ndarray
    package_quarter: np.ndarray

    @property
    def late(self) -> np.ndarray:
        return (self.package_quarter != NOT_REPORTED) & (self.package_quarter > self.dated_quarter)


def plan_event_reporting(
    seed: int, history: UnitHistory, first: Quarter, last: Quarter, delivered: set[Quarter]
) -> EventReporting:
    """Assign every event to the package that reports it.

    An event goes into the package of its own quarter; a share of them arrives one package late, provided that
    next package is delivered and the case was introduced by it or an earlier delivered package. Events of
    quarters without a delivered package are not reported at all.
    """
    events, cases = history.events, history.cases
    dated = quarter_indices(events.day)
    delivered_indices = np.array(sorted(quarter_index(q) for q in delivered), dtype=np.int64)
    first_index, last_index = quarter_index(first), quarter_index(last)

    # The first delivered package that lists each case (it is listed in every quarter it is open).
    opened = quarter_indices(cases.aufnahme)
    closed = quarter_indices(np.minimum(cases.abschluss, quarter_end_day(last)))
    position = np.searchsorted(delivered_indices, opened, side="left")
    padded = np.append(delivered_indices, np.iinfo(np.int64).max)
    introduced = padded[position]
    introduced = np.where(introduced <= closed, introduced, np.iinfo(np.int64).max)

    rng = unit_rng(seed, history.profile.unit.index, Stream.LATE_EVENTS)
    wants_late = rng.random(len(events)) < history.profile.late_event_share
    next_delivered = np.isin(dated + 1, delivered_indices)
    late = (
        wants_late
        & (dated >= first_index)
        & (dated + 1 <= last_index)
        & next_delivered
        & (introduced[events.case] <= dated + 1)
    )
    package = np.where(late, dated + 1, dated)
    in_range = (package >= first_index) & (package <= last_index) & np.isin(package, delivered_indices)
    return EventReporting(dated, np.where(in_range, package, NOT_REPORTED))


def faelle_table(history: UnitHistory, quarter: Quarter) -> Table:
    """Every case open at any time in the quarter, as it stands at quarter end."""
    cases = history.cases
    start, end = quarter_start_day(quarter), quarter_end_day(quarter)
    rows = np.flatnonzero((cases.aufnahme <= end) & (cases.abschluss >= start))
    closed = cases.abschluss[rows] <= end
    people = cases.people
    return Table(
        CONTRACT_FILES["faelle"],
        {
            "fall_id": cases.fall_id[rows],
            "person_id": cases.person_id[rows],
            "traeger": code_texts("traeger", cases.traeger[rows]),
            "gemeinde_ags": cases.gemeinde_ags[rows],
            "erstkontakt_am": cases.erstkontakt[rows],
            "aufnahme_am": cases.aufnahme[rows],
            "abschluss_am": np.where(closed, cases.abschluss[rows], NEVER),
            "abschlussgrund": code_texts("abschlussgrund", np.where(closed, cases.abschlussgrund[rows], -1)),
            "geburtsjahr": people.geburtsjahr[rows],
            "geschlecht": code_texts("geschlecht", people.geschlecht[rows]),
            "staatsangehoerigkeit": code_texts("staatsangehoerigkeit", people.staatsangehoerigkeit[rows]),
            "einreise_monat": people.einreise_monat[rows],
            "aufenthaltsstatus": code_texts("aufenthaltsstatus", people.aufenthaltsstatus[rows]),
            "rechtskreis": code_texts("rechtskreis", people.rechtskreis[rows]),
            "bedarfe": np.array([needs_text(int(mask)) for mask in people.bedarfe[rows]], dtype=object),
        },
    )


def ereignisse_table(history: UnitHistory, events: Events) -> Table:
    return Table(
        CONTRACT_FILES["ereignisse"],
        {
            "fall_id": history.cases.fall_id[events.case],
            "ereignis_am": events.day,
            "ereignis": code_texts("ereignis", events.kind),
            "von_rechtskreis": code_texts("rechtskreis", events.von),
            "nach_rechtskreis": code_texts("rechtskreis", events.nach),
            "leistung_ende_am": events.ende,
            "leistung_beginn_am": events.beginn,
            "stelle": code_texts("stelle", events.stelle),
        },
    )


def personal_table(history: UnitHistory, quarter: Quarter) -> Table:
    """Every position granted by quarter end, with its occupancy on that day."""
    end = quarter_end_day(quarter)
    positions = history.staffing.granted_at(end)
    occupancies = [position.occupancy_at(end) for position in positions]
    return Table(
        CONTRACT_FILES["personal"],
        {
            "stelle_id": np.array([p.stelle_id for p in positions], dtype=object),
            "baustein": np.array([p.baustein for p in positions], dtype=np.int64),
            "funktion": np.array([p.funktion for p in positions], dtype=object),
            "traeger": np.array([p.traeger for p in positions], dtype=object),
            "bewilligt_vzae": np.array([p.bewilligt_vzae for p in positions], dtype=float),
            "besetzt_vzae": np.array([o.vzae if o else 0.0 for o in occupancies], dtype=float),
            "besetzt_seit": np.array([o.start if o else NEVER for o in occupancies], dtype=np.int64),
        },
    )


def finanzen_table(history: UnitHistory, quarter: Quarter) -> Table:
    rows = history.funding.rows_at(quarter)
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    return Table(
        CONTRACT_FILES["finanzen"],
        {
            "haushaltsjahr": np.array(columns[0], dtype=np.int64),
            "baustein": np.array(columns[1], dtype=np.int64),
            "bewilligt_eur": np.array(columns[2], dtype=float),
            "abgerufen_eur": np.array(columns[3], dtype=float),
            "verausgabt_eur": np.array(columns[4], dtype=float),
        },
    )


def theme_status(lenkungsgruppe, projektgruppe, zielvereinbarung, umgesetzt, verworfen) -> np.ndarray:
    """The status each theme has given the steps known so far (consistent with its dates)."""
    return np.select(
        [
            umgesetzt < NEVER,
            zielvereinbarung < NEVER,
            projektgruppe < NEVER,
            (lenkungsgruppe < NEVER) & verworfen,
            lenkungsgruppe < NEVER,
        ],
        ["UMGESETZT", "VEREINBART", "IN_PROJEKTGRUPPE", "VERWORFEN", "PRIORISIERT"],
        "IDENTIFIZIERT",
    ).astype(object)


def strukturthemen_table(history: UnitHistory, quarter: Quarter) -> Table | None:
    """Every theme identified by quarter end with the steps known at quarter end; None before the first."""
    themes = history.themes
    end = quarter_end_day(quarter)
    rows = np.flatnonzero(themes.identifiziert <= end)
    if not len(rows):
        return None

    def known(days: np.ndarray) -> np.ndarray:
        return np.where(days[rows] <= end, days[rows], NEVER)

    lenkungsgruppe, projektgruppe = known(themes.lenkungsgruppe), known(themes.projektgruppe)
    zielvereinbarung, umgesetzt = known(themes.zielvereinbarung), known(themes.umgesetzt)
    return Table(
        CONTRACT_FILES["strukturthemen"],
        {
            "thema_id": themes.thema_id[rows],
            "titel": themes.titel[rows],
            "handlungsfeld": code_texts("bedarf", themes.handlungsfeld[rows]),
            "quelle": code_texts("quelle", themes.quelle[rows]),
            "faelle_rekonstruiert": themes.faelle_rekonstruiert[rows],
            "identifiziert_am": themes.identifiziert[rows],
            "lenkungsgruppe_am": lenkungsgruppe,
            "prioritaet": code_texts(
                "prioritaet", np.where(lenkungsgruppe < NEVER, themes.prioritaet[rows], -1)
            ),
            "projektgruppe_am": projektgruppe,
            "zielvereinbarung_am": zielvereinbarung,
            "umgesetzt_am": umgesetzt,
            "status": theme_status(
                lenkungsgruppe, projektgruppe, zielvereinbarung, umgesetzt, themes.verworfen[rows]
            ),
        },
    )


def lenkungsgruppe_table(history: UnitHistory, quarter: Quarter) -> Table | None:
    """Meetings held in the quarter; None before the group was constituted (header only after, if none)."""
    meetings = history.meetings
    if history.profile.steering.constitution_day > quarter_end_day(quarter):
        return None
    rows = meetings_in_quarter(meetings, quarter_index(quarter))
    return Table(
        CONTRACT_FILES["lenkungsgruppe"],
        {
            "sitzung_am": meetings.day[rows],
            "institutionen": meetings.institutionen[rows],
            "beschluesse": meetings.beschluesse[rows],
        },
    )


def aufenthalt_table(history: UnitHistory, quarter: Quarter) -> Table | None:
    """Baustein-3 aggregates; None before the unit has a Baustein-3 position."""
    end = quarter_end_day(quarter)
    if not any(p.baustein == 3 for p in history.staffing.granted_at(end)):
        return None
    rows = history.residence[quarter]
    return Table(
        CONTRACT_FILES["aufenthalt"],
        {
            "verfahren": np.array([r[0] for r in rows], dtype=object),
            "antraege_eingang": np.array([r[1] for r in rows], dtype=np.int64),
            "entscheidungen_positiv": np.array([r[2] for r in rows], dtype=np.int64),
            "entscheidungen_negativ": np.array([r[3] for r in rows], dtype=np.int64),
            "anhaengig_quartalsende": np.array([r[4] for r in rows], dtype=np.int64),
            "bearbeitungsdauer_median_tage": np.array(
                [EMPTY_INT if r[5] is None else r[5] for r in rows], dtype=np.int64
            ),
        },
    )


def quarter_tables(history: UnitHistory, quarter: Quarter, reporting: EventReporting) -> list[Table]:
    """The true content of the unit's package for the quarter, in contract file order."""
    events = history.events.take(np.flatnonzero(reporting.package_quarter == quarter_index(quarter)))
    tables = [
        faelle_table(history, quarter),
        ereignisse_table(history, events),
        personal_table(history, quarter),
        finanzen_table(history, quarter),
        strukturthemen_table(history, quarter),
        lenkungsgruppe_table(history, quarter),
        aufenthalt_table(history, quarter),
    ]
    return [table for table in tables if table is not None]


def superseded_original(
    seed: int, history: UnitHistory, quarter: Quarter, tables: list[Table]
) -> list[Table]:
    """The first, slightly wrong version of a corrected package.

    Closing dates of some cases closed in the quarter were not entered yet, and some events were missing;
    everything else is as in the correction. The original still conforms to the contract.
    """
    rng = unit_rng(seed, history.profile.unit.index, Stream.CORRECTION, quarter_index(quarter))
    start = quarter_start_day(quarter)
    original = []
    for table in tables:
        if table.file.name == "faelle":
            closing = table.columns["abschluss_am"]
            pending = _some(rng, np.flatnonzero((closing >= start) & (closing < NEVER)), 0.4)
            columns = dict(table.columns)
            columns["abschluss_am"] = columns["abschluss_am"].copy()
            columns["abschlussgrund"] = columns["abschlussgrund"].copy()
            columns["abschluss_am"][pending] = NEVER
            columns["abschlussgrund"][pending] = ""
            table = Table(table.file, columns)
        elif table.file.name == "ereignisse":
            dropped = _some(rng, np.arange(table.n_rows), 0.05)
            table = table.take(np.setdiff1d(np.arange(table.n_rows), dropped))
        original.append(table)
    return original


def _some(rng: np.random.Generator, candidates: np.ndarray, share: float) -> np.ndarray:
    """About `share` of the candidates, at least one if there are any."""
    if not len(candidates):
        return candidates
    count = max(1, round(share * len(candidates)))
    return np.sort(rng.choice(candidates, size=count, replace=False))
