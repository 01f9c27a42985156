"""Case events: integration, benefit transitions, handovers and the other milestones of a case.

Events are generated for all cases at once, one vectorised block per kind of event; an event only exists if it
happens while its case is open (on or after `aufnahme_am`, not after `abschluss_am` or the horizon).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from pipelines.contract.codes import codes
from pipelines.generator.case_process import CaseProcess, sample_gaps
from pipelines.generator.cases import Cases
from pipelines.generator.demographics import code_index
from pipelines.generator.randomness import categorical
from pipelines.generator.timeline import NEVER, day_number, years

NONE = -1  # an empty code column

RECHTSKREISE = ("ASYLBLG", "SGB2", "SGB3", "SGB8", "SGB12", "KEIN_LEISTUNGSBEZUG")
# Next Rechtskreis after each one (columns as RECHTSKREISE, last column: no further change).
TRANSITIONS = {
    "ASYLBLG": (0.0, 0.70, 0.0, 0.02, 0.04, 0.06, 0.18),  # recognised: AsylbLG → SGB II
    "SGB2": (0.0, 0.0, 0.25, 0.0, 0.03, 0.22, 0.50),
    "SGB3": (0.0, 0.35, 0.0, 0.0, 0.0, 0.15, 0.50),
    "SGB8": (0.0, 0.50, 0.05, 0.0, 0.0, 0.0, 0.45),  # leaving youth welfare
    "SGB12": (0.0, 0.05, 0.0, 0.0, 0.0, 0.0, 0.95),
    "KEIN_LEISTUNGSBEZUG": (0.0, 0.35, 0.12, 0.0, 0.0, 0.0, 0.53),
}
MAX_TRANSITIONS = 4
TRANSITION_MEAN_DAYS = 60
# Where a case handed to the Regelsystem goes, by the Rechtskreis at closure.
HANDOVER_BY_RECHTSKREIS = {
    "ASYLBLG": {"SOZIALAMT": 0.5, "AUSLAENDERBEHOERDE": 0.2, "MBE": 0.25, "SONSTIGE": 0.05},
    "SGB2": {"JOBCENTER": 0.85, "MBE": 0.1, "SONSTIGE": 0.05},
    "SGB3": {"AGENTUR_FUER_ARBEIT": 0.85, "MBE": 0.1, "SONSTIGE": 0.05},
    "SGB8": {"JUGENDAMT": 0.7, "JMD": 0.3},
    "SGB12": {"SOZIALAMT": 0.85, "GESUNDHEITSAMT": 0.1, "SONSTIGE": 0.05},
    "KEIN_LEISTUNGSBEZUG": {"MBE": 0.5, "JMD": 0.2, "SONSTIGE": 0.3},
}
CITIZENSHIP_REFORM = day_number(date(2024, 6, 27))  # faster naturalisation from then on


@dataclass(frozen=True)
class Events:
    """Events of a unit's cases; codes as indices into the contract code lists, NONE / NEVER where empty."""

    case: np.ndarray  # index into Cases
    day: np.ndarray  # ereignis_am
    kind: np.ndarray  # index into codes("ereignis")
    von: np.ndarray
    nach: np.ndarray
    ende: np.ndarray
    beginn: np.ndarray
    stelle: np.ndarray

    def __len__(self) -> int:
        return len(self.day)

    def take(self, rows: np.ndarray) -> Events:
        return Events(*(getattr(self, name)[rows] for name in self.__dataclass_fields__))


class _EventBlocks:
    """Collects blocks of events and keeps only those inside their case's open period."""

    def __init__(self, cases: Cases, horizon: int) -> None:
        self._cases = cases
        self.last_day = np.minimum(cases.abschluss, horizon)
        self._blocks: list[tuple[np.ndarray, ...]] = []

    def add(
        self, case, day, kind: str | np.ndarray, *, von=NONE, nach=NONE, ende=NEVER, beginn=NEVER, stelle=NONE
    ):
        case = np.asarray(case, dtype=np.int64)
        n = len(case)
        kind_codes = code_index("ereignis", kind) if isinstance(kind, str) else kind
        columns = [case, np.asarray(day, dtype=np.int64)] + [
            np.broadcast_to(np.asarray(value, dtype=np.int64), n)
            for value in (kind_codes, von, nach, ende, beginn, stelle)
        ]
        inside = (columns[1] >= self._cases.aufnahme[case]) & (columns[1] <= self.last_day[case])
        self._blocks.append(tuple(column[inside] for column in columns))

    def during(self, rng, cases, skew: float = 1.0) -> np.ndarray:
        """A day within each case's (latent) open period; `skew` > 1 favours the early weeks."""
        length = self._cases.latent_abschluss[cases] - self._cases.aufnahme[cases]
        return self._cases.aufnahme[cases] + np.floor(length * rng.random(len(cases)) ** skew).astype(
            np.int64
        )

    def milestone(self, rng, cases_with_need, probability, kind, stelle=NONE, skew: float = 1.0):
        """Each case reaches the milestone with the probability, on a day while the case is open."""
        chosen = cases_with_need[rng.random(len(cases_with_need)) < probability]
        day = self.during(rng, chosen, skew)
        self.add(chosen, day, kind, stelle=stelle)
        return chosen, day

    def build(self) -> Events:
        columns = [np.concatenate(parts) for parts in zip(*self._blocks, strict=True)]
        events = Events(*columns)
        # One row per natural key (fall_id, ereignis, ereignis_am, von, nach, stelle), sorted by case and day.
        order = np.lexsort((events.stelle, events.nach, events.von, events.kind, events.day, events.case))
        events = events.take(order)
        keys = np.stack([events.case, events.day, events.kind, events.von, events.nach, events.stelle])
        first = np.ones(len(events), dtype=bool)
        first[1:] = np.any(keys[:, 1:] != keys[:, :-1], axis=0)
        return events.take(np.flatnonzero(first))


def _needing(cases: Cases, need: str) -> np.ndarray:
    return np.flatnonzero(cases.people.bedarfe >> code_index("bedarf", need) & 1)


def _stelle(name: str) -> int:
    return code_index("stelle", name)


def simulate_events(rng: np.random.Generator, cases: Cases, process: CaseProcess, horizon: int) -> Events:
    blocks = _EventBlocks(cases, horizon)
    intake_age = years(cases.aufnahme) - cases.people.geburtsjahr

    integrated = np.flatnonzero(cases.integration < NEVER)
    young = intake_age[integrated] < 25
    training = rng.random(len(integrated)) < np.where(young, 0.55, 0.08)
    blocks.add(
        integrated,
        cases.integration[integrated],
        np.where(training, code_index("ereignis", "AUSBILDUNG_BEGINN"), code_index("ereignis", "ARBEIT_SV")),
    )

    rechtskreis_at_close = _transitions(rng, blocks, cases, process)
    rechtskreis_at_close = _leaving_benefits(rng, blocks, cases, process, integrated, rechtskreis_at_close)

    handed_over = np.flatnonzero(
        cases.abschlussgrund == code_index("abschlussgrund", "UEBERGABE_REGELSYSTEM")
    )
    handover_table = np.zeros((len(RECHTSKREISE), len(codes("stelle"))))
    for row, name in enumerate(RECHTSKREISE):
        for stelle, weight in HANDOVER_BY_RECHTSKREIS[name].items():
            handover_table[row, _stelle(stelle)] = weight
    rows = np.array([RECHTSKREISE.index(code) for code in codes("rechtskreis")])[
        rechtskreis_at_close[handed_over]
    ]
    blocks.add(
        handed_over, cases.abschluss[handed_over], "UEBERGABE", stelle=categorical(rng, handover_table[rows])
    )

    _need_milestones(rng, blocks, cases, intake_age, rechtskreis_at_close)
    return blocks.build()


def benefit_dates(day: np.ndarray, gap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`leistung_ende_am` and `leistung_beginn_am` of transitions recorded on `day` with the given gaps.

    The event is dated when both dates are known, `max(ende + 1, beginn)`: for a seamless change (gap ≤ 0) the
    day after the old benefit ends, otherwise the day the new benefit begins.
    """
    ende = np.where(gap <= 0, day - 1, day - gap - 1)
    beginn = np.where(gap <= 0, day + gap, day)
    return ende, beginn


def _transitions(
    rng: np.random.Generator, blocks: _EventBlocks, cases: Cases, process: CaseProcess
) -> np.ndarray:
    """Chains of Rechtskreis changes before integration; returns the Rechtskreis each chain ends in.

    After integration only the change out of benefits follows (`_leaving_benefits`), so every change starts
    from the Rechtskreis the previous one ended in.
    """
    order = np.array([codes("rechtskreis").index(code) for code in RECHTSKREISE])  # RECHTSKREISE → code index
    matrix = np.array([TRANSITIONS[code] for code in RECHTSKREISE])
    position = np.array([RECHTSKREISE.index(code) for code in codes("rechtskreis")])[cases.people.rechtskreis]
    current_day = cases.aufnahme + 7
    chain_end = np.minimum(blocks.last_day, cases.integration - 1)
    active = np.ones(len(cases), dtype=bool)
    for _ in range(MAX_TRANSITIONS):
        nxt = categorical(rng, matrix[position])
        current_day = current_day + np.floor(rng.exponential(TRANSITION_MEAN_DAYS, len(cases))).astype(
            np.int64
        )
        moving = active & (nxt < len(RECHTSKREISE)) & (current_day <= chain_end)
        chosen = np.flatnonzero(moving)
        ende, beginn = benefit_dates(current_day[chosen], sample_gaps(rng, process, len(chosen)))
        blocks.add(
            chosen,
            current_day[chosen],
            "RECHTSKREISWECHSEL",
            von=order[position[chosen]],
            nach=order[nxt[chosen]],
            ende=ende,
            beginn=beginn,
        )
        position = np.where(moving, nxt, position)
        active = moving
    return order[position]


def _leaving_benefits(
    rng: np.random.Generator,
    blocks: _EventBlocks,
    cases: Cases,
    process: CaseProcess,
    integrated: np.ndarray,
    rechtskreis: np.ndarray,
) -> np.ndarray:
    """Clients who found work often leave benefits shortly after: a change into KEIN_LEISTUNGSBEZUG."""
    kein = code_index("rechtskreis", "KEIN_LEISTUNGSBEZUG")
    receiving = integrated[(rechtskreis[integrated] != kein) & (rng.random(len(integrated)) < 0.5)]
    day = cases.integration[receiving] + 14 + np.floor(rng.exponential(30, len(receiving))).astype(np.int64)
    inside = day <= blocks.last_day[receiving]
    leaving, day = receiving[inside], day[inside]
    ende, beginn = benefit_dates(day, sample_gaps(rng, process, len(leaving)))
    blocks.add(
        leaving, day, "RECHTSKREISWECHSEL", von=rechtskreis[leaving], nach=kein, ende=ende, beginn=beginn
    )
    updated = rechtskreis.copy()
    updated[leaving] = kein
    return updated


def _need_milestones(
    rng: np.random.Generator,
    blocks: _EventBlocks,
    cases: Cases,
    intake_age: np.ndarray,
    rechtskreis: np.ndarray,
) -> None:
    """Milestones of each need, and the handover of the need to the service responsible for it."""
    in_sgb2 = rechtskreis == code_index("rechtskreis", "SGB2")

    sprache = _needing(cases, "SPRACHE")
    course, course_day = blocks.milestone(rng, sprache, 0.9, "SPRACHKURS_BEGINN", skew=2.0)
    reached = rng.random(len(course)) < 0.6
    b1_case = course[reached]
    remaining = cases.latent_abschluss[b1_case] - course_day[reached]
    b1_day = course_day[reached] + np.floor(remaining * (0.4 + 0.6 * rng.random(len(b1_case)))).astype(
        np.int64
    )
    blocks.add(b1_case, b1_day, "SPRACHNIVEAU_B1")
    job_course = rng.random(len(b1_case)) < 0.45  # a Berufssprachkurs after B1
    blocks.add(
        b1_case[job_course],
        b1_day[job_course] + 20 + np.floor(rng.exponential(40, job_course.sum())),
        "SPRACHKURS_BEGINN",
    )
    counselling = sprache[rng.random(len(sprache)) < 0.5]
    stelle = np.where(intake_age[counselling] < 27, _stelle("JMD"), _stelle("MBE"))
    blocks.add(counselling, blocks.during(rng, counselling), "UEBERGABE", stelle=stelle)

    arbeit = _needing(cases, "ARBEIT")
    blocks.milestone(rng, arbeit, 0.35, "ANERKENNUNG_ABSCHLUSS")
    referred = arbeit[rng.random(len(arbeit)) < 0.7]
    stelle = np.where(in_sgb2[referred], _stelle("JOBCENTER"), _stelle("AGENTUR_FUER_ARBEIT"))
    blocks.add(referred, blocks.during(rng, referred), "UEBERGABE", stelle=stelle)
    both = referred[in_sgb2[referred] & (rng.random(len(referred)) < 0.35)]  # also to the Agentur's services
    blocks.add(both, blocks.during(rng, both), "UEBERGABE", stelle=_stelle("AGENTUR_FUER_ARBEIT"))
    blocks.milestone(rng, _needing(cases, "AUSBILDUNG"), 0.7, "UEBERGABE", _stelle("AGENTUR_FUER_ARBEIT"))

    schule = _needing(cases, "SCHULE")
    children = 1 + rng.binomial(3, 0.4, len(schule))
    for child in range(4):
        blocks.milestone(rng, schule[children > child], 0.9, "SCHULPLATZ", skew=2.0)
    blocks.milestone(rng, schule, 0.55, "UEBERGABE", _stelle("SCHULAMT"))
    kita = _needing(cases, "KITA")
    small_children = 1 + rng.binomial(2, 0.3, len(kita))
    for child in range(3):
        blocks.milestone(rng, kita[small_children > child], 0.7, "KITAPLATZ")
    blocks.milestone(rng, kita, 0.5, "UEBERGABE", _stelle("JUGENDAMT"))

    wohnen = _needing(cases, "WOHNEN")
    blocks.milestone(rng, wohnen, 0.7, "WOHNUNG")
    blocks.milestone(rng, wohnen, 0.55, "UEBERGABE", _stelle("SOZIALAMT"))
    housing_costs = wohnen[in_sgb2[wohnen] & (rng.random(len(wohnen)) < 0.4)]  # Kosten der Unterkunft
    blocks.add(housing_costs, blocks.during(rng, housing_costs), "UEBERGABE", stelle=_stelle("JOBCENTER"))

    aufenthalt = _needing(cases, "AUFENTHALT")
    blocks.milestone(rng, aufenthalt, 0.6, "AUFENTHALT_VERFESTIGT")
    blocks.milestone(rng, aufenthalt, 0.65, "UEBERGABE", _stelle("AUSLAENDERBEHOERDE"), skew=1.5)
    blocks.milestone(rng, aufenthalt, 0.25, "UEBERGABE", _stelle("MBE"))  # asylum and residence counselling
    settled = np.isin(
        cases.people.aufenthaltsstatus,
        [
            code_index("aufenthaltsstatus", s)
            for s in ("NIEDERLASSUNG", "AE_HUMANITAER", "AE_FAMILIE", "AE_ERWERB")
        ],
    )
    candidates = np.flatnonzero(settled)
    day = blocks.during(rng, candidates, skew=0.5)
    naturalised = rng.random(len(candidates)) < np.where(day >= CITIZENSHIP_REFORM, 0.12, 0.04)
    blocks.add(candidates[naturalised], day[naturalised], "EINBUERGERUNG")
    applying = np.intersect1d(aufenthalt, candidates)
    blocks.milestone(rng, applying, 0.35, "UEBERGABE", _stelle("EINBUERGERUNGSBEHOERDE"))

    gesundheit = _needing(cases, "GESUNDHEIT")
    blocks.milestone(rng, gesundheit, 0.7, "UEBERGABE", _stelle("GESUNDHEITSAMT"))
    blocks.milestone(rng, gesundheit, 0.3, "UEBERGABE", _stelle("SONSTIGE"))  # e.g. practices, counselling
    familie = _needing(cases, "FAMILIE")
    blocks.milestone(rng, familie, 0.7, "UEBERGABE", _stelle("JUGENDAMT"))
    blocks.milestone(rng, familie, 0.25, "UEBERGABE", _stelle("MBE"))
    finanzen = _needing(cases, "FINANZEN")
    helped = finanzen[rng.random(len(finanzen)) < 0.7]
    stelle = np.where(in_sgb2[helped], _stelle("JOBCENTER"), _stelle("SOZIALAMT"))
    blocks.add(helped, blocks.during(rng, helped), "UEBERGABE", stelle=stelle)
    soziales = _needing(cases, "SOZIALES")
    blocks.milestone(rng, soziales, 0.6, "UEBERGABE", _stelle("SOZIALAMT"))
    blocks.milestone(rng, soziales, 0.2, "UEBERGABE", _stelle("SONSTIGE"))
