"""The KIM steering cycle of a unit: Lenkungsgruppe meetings and the structural themes they decide on.

Practitioners identify cross-case themes from case reconstruction; the Lenkungsgruppe (constituted at a
unit-specific date between 2021 and 2023) decides and prioritises them at its meetings; Projektgruppen draft
target agreements, which the Lenkungsgruppe approves, and the partners implement the measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from pipelines.contract.codes import codes
from pipelines.generator.demographics import code_index
from pipelines.generator.randomness import pick_one
from pipelines.generator.reference import Unit
from pipelines.generator.timeline import NEVER, day_number, next_workday, quarter_indices, years

THEMES_FROM = day_number(date(2021, 1, 1))
CONSTITUTION_YEARS = (2021, 2022, 2023)
CONSTITUTION_YEAR_WEIGHTS = (0.4, 0.35, 0.25)
THEME_ID_STYLES = ("JAHR", "LAUFEND", "KURZ")

# Titles of structural themes by Handlungsfeld: short, without personal data, encodable in Windows-1252.
THEME_TITLES: dict[str, tuple[str, ...]] = {
    "AUFENTHALT": (
        "Lange Bearbeitungszeiten bei Aufenthaltstiteln",
        "Fehlende Terminvergabe in der Ausländerbehörde",
        "Unklare Zuständigkeit bei Wohnsitzauflagen",
        "Beratungslücke zum Chancen-Aufenthaltsrecht (§ 104c AufenthG)",
        "Identitätsklärung verzögert die Beschäftigungserlaubnis",
    ),
    "SPRACHE": (
        "Wartezeiten auf Integrationskurse",
        "Fehlende Kinderbetreuung während der Sprachkurse",
        "Zu wenige Berufssprachkurse ab Niveau B2",
        "Keine Alphabetisierungskurse im ländlichen Raum",
        "Sprachmittlung für Behördentermine fehlt",
    ),
    "ARBEIT": (
        "Anerkennung ausländischer Berufsabschlüsse dauert zu lange",
        "Fehlender Arbeitsmarktzugang für Geduldete",
        "Übergang vom Sprachkurs in Beschäftigung bricht ab",
        "Keine Teilzeitqualifizierung für Alleinerziehende",
        "Arbeitgeber kennen die Beschäftigungsduldung nicht",
    ),
    "AUSBILDUNG": (
        "Ausbildungsabbrüche wegen Sprachproblemen in der Berufsschule",
        "Fehlende Ausbildungsbegleitung für junge Geflüchtete",
        "Zugang zu Einstiegsqualifizierungen unklar",
        "Ausbildungsduldung: Informationsdefizite bei Betrieben",
    ),
    "SCHULE": (
        "Wartezeiten auf Schulplätze für Seiteneinsteigende",
        "Fehlende Plätze in Internationalen Förderklassen",
        "Keine Anschlussangebote nach Ende der Schulpflicht",
        "Schulwegbeförderung aus Unterkünften ungeklärt",
    ),
    "KITA": (
        "Zu wenige Kitaplätze für neu zugewanderte Familien",
        "Brückenprojekte zur Kita fehlen in mehreren Gemeinden",
        "Kita-Anmeldung ohne mehrsprachige Informationen",
    ),
    "WOHNEN": (
        "Auszug aus Gemeinschaftsunterkünften scheitert am Wohnungsmarkt",
        "Angemessenheitsgrenzen verhindern die Anmietung von Wohnungen",
        "Fehlende Wohnungen für große Familien",
        "Keine Ansprechstelle bei drohender Wohnungslosigkeit",
    ),
    "GESUNDHEIT": (
        "Psychotherapeutische Versorgung Geflüchteter fehlt",
        "Wartezeiten bei Eingangsuntersuchungen des Gesundheitsamts",
        "Krankenversicherung nach Rechtskreiswechsel ungeklärt",
        "Fehlende Sprachmittlung in Arztpraxen",
    ),
    "FAMILIE": (
        "Familiennachzug: lange Wartezeiten auf Visatermine",
        "Unterstützung für Alleinerziehende nicht abgestimmt",
        "Hilfen für Familien mit mehreren Zuständigkeiten zersplittert",
    ),
    "FINANZEN": (
        "Lücke beim Übergang vom AsylbLG ins SGB II",
        "Zahlungslücken beim Wechsel von SGB III zu SGB II",
        "Kontoeröffnung ohne Pass nicht möglich",
        "Rückforderungen nach Rechtskreiswechsel führen zu Schulden",
    ),
    "SOZIALES": (
        "Ehrenamtliche Lotsen ohne Anbindung an das Case Management",
        'Projekt "Ankommen" ohne Anschlussfinanzierung',
        "Digitale Antragstellung überfordert Neuzugewanderte",
        "Fehlende Beratung für ältere Zugewanderte",
        "Zuständigkeiten zwischen Kreis und Gemeinden, insbesondere bei der Unterbringung, unklar",
    ),
}
FOLLOW_UP_SUFFIX = " (Folgethema)"


@dataclass(frozen=True)
class SteeringPlan:
    constitution_day: int  # first meeting of the Lenkungsgruppe
    meeting_interval_days: float
    theme_rate_per_quarter: float
    institution_presence: tuple[tuple[str, float], ...]
    other_decisions_per_meeting: float
    theme_id_style: str


def draw_steering_plan(rng: np.random.Generator, unit: Unit) -> SteeringPlan:
    year = CONSTITUTION_YEARS[rng.choice(len(CONSTITUTION_YEARS), p=CONSTITUTION_YEAR_WEIGHTS)]
    constitution = int(next_workday(np.array([day_number(date(year, 1, 15)) + int(rng.integers(0, 330))]))[0])
    presence = {
        "KOMMUNE": 1.0 if not unit.is_kreis else rng.uniform(0.6, 1.0),
        "KREISVERWALTUNG": 1.0 if unit.is_kreis else 0.0,
        "WOHLFAHRT": rng.uniform(0.6, 1.0),
        "JOBCENTER": rng.uniform(0.7, 1.0),
        "AGENTUR_FUER_ARBEIT": rng.uniform(0.4, 0.95),
        "BAMF": rng.uniform(0.05, 0.5),
        "AUSLAENDERBEHOERDE": rng.uniform(0.5, 1.0),
        "EINBUERGERUNGSBEHOERDE": rng.uniform(0.2, 0.8),
    }
    return SteeringPlan(
        constitution_day=constitution,
        meeting_interval_days=rng.uniform(70, 130),
        theme_rate_per_quarter=(0.5 + unit.einwohner_zustaendig / 500_000) * rng.uniform(0.7, 1.3),
        institution_presence=tuple((code, presence[code]) for code in codes("institution")),
        other_decisions_per_meeting=rng.uniform(0.5, 2.0),
        theme_id_style=pick_one(rng, THEME_ID_STYLES),
    )


@dataclass(frozen=True)
class Meetings:
    day: np.ndarray  # sitzung_am
    institutionen: np.ndarray  # object array of `|`-separated codes
    beschluesse: np.ndarray


@dataclass(frozen=True)
class Themes:
    """Every structural theme with its full history (dates NEVER if the step is not reached)."""

    thema_id: np.ndarray
    titel: np.ndarray
    handlungsfeld: np.ndarray  # index into codes("bedarf")
    quelle: np.ndarray  # index into codes("quelle")
    faelle_rekonstruiert: np.ndarray
    identifiziert: np.ndarray
    lenkungsgruppe: np.ndarray
    prioritaet: np.ndarray  # index into codes("prioritaet")
    verworfen: np.ndarray  # dismissed by the Lenkungsgruppe
    projektgruppe: np.ndarray
    zielvereinbarung: np.ndarray
    umgesetzt: np.ndarray


def _meeting_days(rng: np.random.Generator, plan: SteeringPlan, horizon: int) -> np.ndarray:
    days = [plan.constitution_day]
    while True:
        following = days[-1] + int(plan.meeting_interval_days * rng.uniform(0.7, 1.3))
        following = int(next_workday(np.array([following]))[0])
        if following > horizon:
            return np.array([d for d in days if d <= horizon], dtype=np.int64)
        days.append(following)


def _next_meeting(meetings: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The first meeting on or after each day (NEVER if there is none)."""
    position = np.searchsorted(meetings, days, side="left")
    padded = np.append(meetings, NEVER)
    return np.where(days >= NEVER, NEVER, padded[np.minimum(position, len(meetings))])


def _theme_titles(rng: np.random.Generator, count: int) -> tuple[list[str], np.ndarray]:
    """Titles in a random order that never repeats a title before all have been used."""
    catalogue = [(field, title) for field, titles in THEME_TITLES.items() for title in titles]
    titles, fields = [], []
    rounds = 0
    while len(titles) < count:
        for index in rng.permutation(len(catalogue)):
            field, title = catalogue[index]
            titles.append(title + FOLLOW_UP_SUFFIX * (rounds > 0))
            fields.append(code_index("bedarf", field))
        rounds += 1
    return titles[:count], np.array(fields[:count], dtype=np.int64)


def _theme_ids(style: str, identified: np.ndarray) -> np.ndarray:
    year = years(identified)
    if style == "JAHR":
        running = np.ones(len(year), dtype=np.int64)
        for i in range(1, len(year)):
            running[i] = running[i - 1] + 1 if year[i] == year[i - 1] else 1
        return np.array([f"TH-{y}-{r:02d}" for y, r in zip(year, running, strict=True)], dtype=object)
    if style == "LAUFEND":
        return np.array([f"ST{n:03d}" for n in range(1, len(year) + 1)], dtype=object)
    return np.array([f"T-{n:04d}" for n in range(1, len(year) + 1)], dtype=object)


def _step(
    rng: np.random.Generator, previous: np.ndarray, probability: float, base: int, mean: float
) -> np.ndarray:
    reached = (previous < NEVER) & (rng.random(len(previous)) < probability)
    day = next_workday(previous + base + np.floor(rng.exponential(mean, len(previous))).astype(np.int64))
    return np.where(reached, day, NEVER)


def simulate_steering(rng: np.random.Generator, plan: SteeringPlan, horizon: int) -> tuple[Themes, Meetings]:
    meetings = _meeting_days(rng, plan, horizon)

    quarter_starts = np.arange(THEMES_FROM, horizon + 1, 91)
    counts = rng.poisson(plan.theme_rate_per_quarter, len(quarter_starts))
    identified = np.sort(next_workday(np.repeat(quarter_starts, counts) + rng.integers(0, 91, counts.sum())))
    identified = identified[identified <= horizon]
    n = len(identified)

    decision = _next_meeting(meetings, identified + 21)
    postponed = rng.random(n) < 0.25
    decision = np.where(postponed, _next_meeting(meetings, np.minimum(decision + 1, NEVER)), decision)
    decision = np.where(rng.random(n) < 0.1, NEVER, decision)  # never put on the agenda
    verworfen = (decision < NEVER) & (rng.random(n) < 0.1)
    prioritaet = rng.choice(3, size=n, p=(0.35, 0.45, 0.2))
    prioritaet = np.where(verworfen, code_index("prioritaet", "NIEDRIG"), prioritaet)
    projektgruppe = _step(rng, np.where(verworfen, NEVER, decision), 0.8, 14, 30)
    agreement_ready = _step(rng, projektgruppe, 0.75, 45, 60)
    zielvereinbarung = _next_meeting(meetings, agreement_ready)  # approved by the Lenkungsgruppe
    umgesetzt = _step(rng, zielvereinbarung, 0.8, 30, 150)
    dates = [decision, projektgruppe, zielvereinbarung, umgesetzt]
    for position in range(len(dates)):  # a step after the horizon has not happened, nor has any later one
        dates[position] = np.where(dates[position] > horizon, NEVER, dates[position])
        if position:
            dates[position] = np.where(dates[position - 1] >= NEVER, NEVER, dates[position])
    decision, projektgruppe, zielvereinbarung, umgesetzt = dates
    prioritaet = np.where(decision < NEVER, prioritaet, -1)

    quelle = np.where(
        rng.random(n) < 0.75,
        code_index("quelle", "KIM_CASE_MANAGEMENT"),
        code_index("quelle", "ANDERE_BERATUNG"),
    )
    evidence = 1 + rng.poisson(np.where(quelle == code_index("quelle", "KIM_CASE_MANAGEMENT"), 4.0, 2.0))
    titles, fields = _theme_titles(rng, n)
    themes = Themes(
        thema_id=_theme_ids(plan.theme_id_style, identified),
        titel=np.array(titles, dtype=object),
        handlungsfeld=fields,
        quelle=quelle,
        faelle_rekonstruiert=evidence,
        identifiziert=identified,
        lenkungsgruppe=decision,
        prioritaet=prioritaet,
        verworfen=verworfen & (decision < NEVER),
        projektgruppe=projektgruppe,
        zielvereinbarung=zielvereinbarung,
        umgesetzt=umgesetzt,
    )

    present = np.array([p for _, p in plan.institution_presence])
    attendance = rng.random((len(meetings), len(present))) < present
    names = [code for code, _ in plan.institution_presence]
    institutionen = np.array(
        ["|".join(name for name, here in zip(names, row, strict=True) if here) for row in attendance],
        dtype=object,
    )
    decided = np.searchsorted(meetings, decision[decision < NEVER])
    themes_decided = np.bincount(decided, minlength=len(meetings))
    approved = np.searchsorted(meetings, zielvereinbarung[zielvereinbarung < NEVER])
    agreements = np.bincount(approved, minlength=len(meetings))
    other = rng.poisson(plan.other_decisions_per_meeting, len(meetings))
    return themes, Meetings(meetings, institutionen, themes_decided + agreements + other)


def meetings_in_quarter(meetings: Meetings, quarter: int) -> np.ndarray:
    """Row indices of the meetings held in a quarter (running quarter number)."""
    return np.flatnonzero(quarter_indices(meetings.day) == quarter)
