"""Who the clients are: age, sex, nationality, residence status and benefit system at intake, and their needs.

Categorical attributes are held as indices into the contract's code lists (`codes(...)`), so that the whole
population of a unit is a handful of integer arrays; they become strings only when a file is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache

import numpy as np

from pipelines.contract.codes import codes
from pipelines.generator.randomness import categorical, top_k_mask
from pipelines.generator.timeline import NEVER, day_number, month_numbers, years

# Relative weights of nationalities among KIM clients; UKR only for intakes from March 2022 on.
NATIONALITY_WEIGHTS = {
    "SYR": 20.0,
    "AFG": 11.0,
    "IRQ": 8.0,
    "TUR": 7.0,
    "ERI": 3.0,
    "IRN": 4.0,
    "SOM": 2.0,
    "GIN": 2.0,
    "NGA": 2.0,
    "ETH": 1.0,
    "COD": 1.0,
    "PAK": 1.5,
    "RUS": 2.0,
    "GEO": 2.0,
    "ALB": 2.0,
    "SRB": 1.5,
    "MKD": 1.0,
    "LBN": 1.0,
    "VNM": 1.0,
    "IND": 1.0,
    "MAR": 1.5,
    "DZA": 1.0,
    "ROU": 3.0,
    "BGR": 3.0,
    "POL": 2.0,
    "XXA": 0.8,
    "XXX": 0.7,
    "DEU": 1.0,
    "UKR": 0.0,
}
UKRAINE_WEIGHT = 18.0
UKRAINE_FROM = day_number(date(2022, 3, 1))
UKRAINE_SGB2_FROM = day_number(date(2022, 6, 1))  # Rechtskreiswechsel of Ukrainian refugees into SGB II

NATIONALITY_GROUP = {
    **dict.fromkeys(("SYR", "AFG", "IRQ", "ERI", "IRN", "SOM", "GIN", "NGA", "ETH", "COD", "PAK"), "ASYL"),
    **dict.fromkeys(
        ("TUR", "RUS", "GEO", "ALB", "SRB", "MKD", "LBN", "VNM", "IND", "MAR", "DZA"), "DRITTSTAAT"
    ),
    **dict.fromkeys(("ROU", "BGR", "POL"), "EU"),
    **dict.fromkeys(("XXA", "XXX"), "STAATENLOS"),
    "UKR": "UKRAINE",
    "DEU": "EINGEBUERGERT",
}
GROUPS = ("ASYL", "DRITTSTAAT", "EU", "STAATENLOS", "UKRAINE", "EINGEBUERGERT")

# Residence status at intake by nationality group (columns in the order of codes("aufenthaltsstatus")):
# GESTATTUNG, DULDUNG, AE_HUMANITAER, AE_FAMILIE, AE_ERWERB, AE_SONSTIGE, NIEDERLASSUNG, EU_FREIZUEGIGKEIT,
# EINGEBUERGERT, UNGEKLAERT.
STATUS_BY_GROUP = {
    "ASYL": (0.25, 0.10, 0.40, 0.10, 0.01, 0.04, 0.07, 0.0, 0.0, 0.03),
    "DRITTSTAAT": (0.08, 0.06, 0.10, 0.30, 0.14, 0.08, 0.22, 0.0, 0.0, 0.02),
    "EU": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0),
    "STAATENLOS": (0.30, 0.35, 0.20, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.15),
    "UKRAINE": (0.0, 0.0, 0.95, 0.0, 0.0, 0.03, 0.0, 0.0, 0.0, 0.02),
    "EINGEBUERGERT": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0),
}
# Rechtskreis at intake by residence status (columns: ASYLBLG, SGB2, SGB3, SGB8, SGB12, KEIN_LEISTUNGSBEZUG).
RECHTSKREIS_BY_STATUS = {
    "GESTATTUNG": (0.88, 0.0, 0.0, 0.04, 0.0, 0.08),
    "DULDUNG": (0.85, 0.02, 0.0, 0.05, 0.0, 0.08),
    "AE_HUMANITAER": (0.03, 0.68, 0.08, 0.03, 0.04, 0.14),
    "AE_FAMILIE": (0.0, 0.50, 0.10, 0.03, 0.04, 0.33),
    "AE_ERWERB": (0.0, 0.05, 0.10, 0.0, 0.0, 0.85),
    "AE_SONSTIGE": (0.05, 0.40, 0.10, 0.05, 0.05, 0.35),
    "NIEDERLASSUNG": (0.0, 0.35, 0.15, 0.0, 0.08, 0.42),
    "EU_FREIZUEGIGKEIT": (0.0, 0.45, 0.15, 0.0, 0.02, 0.38),
    "EINGEBUERGERT": (0.0, 0.35, 0.15, 0.0, 0.05, 0.45),
    "UNGEKLAERT": (0.50, 0.20, 0.0, 0.05, 0.05, 0.20),
}
# Mean months between arrival in Germany and intake, by nationality group.
ARRIVAL_MONTHS_BEFORE_INTAKE = {
    "ASYL": 30,
    "DRITTSTAAT": 60,
    "EU": 24,
    "STAATENLOS": 40,
    "UKRAINE": 6,
    "EINGEBUERGERT": 150,
}
EINREISE_UNKNOWN_SHARE = 0.04

AGE_BANDS = ((16, 17), (18, 26), (27, 49), (50, 64), (65, 70))
AGE_BAND_WEIGHTS = (0.04, 0.25, 0.52, 0.14, 0.05)
SEX_WEIGHTS = (0.43, 0.55, 0.005, 0.015)  # W, M, D, X

# Needs by age band (columns in the order of codes("bedarf")): AUFENTHALT, SPRACHE, ARBEIT, AUSBILDUNG,
# SCHULE, KITA, WOHNEN, GESUNDHEIT, FAMILIE, FINANZEN, SOZIALES.
NEEDS_BY_AGE_BAND = (
    (0.5, 2.0, 0.3, 1.2, 0.8, 0.02, 0.3, 0.2, 0.4, 0.2, 0.3),
    (0.6, 2.0, 1.0, 0.8, 0.1, 0.1, 0.5, 0.2, 0.3, 0.3, 0.3),
    (0.6, 1.8, 1.3, 0.2, 0.35, 0.35, 0.6, 0.3, 0.4, 0.4, 0.3),
    (0.5, 1.2, 0.8, 0.05, 0.1, 0.02, 0.5, 0.6, 0.3, 0.5, 0.4),
    (0.5, 0.6, 0.02, 0.001, 0.02, 0.01, 0.6, 1.0, 0.3, 0.6, 0.8),
)
INSECURE_STATUS = ("GESTATTUNG", "DULDUNG", "UNGEKLAERT")


@dataclass(frozen=True)
class People:
    """Attributes of the client of each case at intake (indices into the contract code lists)."""

    geburtsjahr: np.ndarray
    geschlecht: np.ndarray
    staatsangehoerigkeit: np.ndarray  # index into codes("staatsangehoerigkeit")
    einreise_monat: np.ndarray  # month number (months since 1970-01), NEVER if unknown
    aufenthaltsstatus: np.ndarray
    rechtskreis: np.ndarray
    bedarfe: np.ndarray  # bit mask over codes("bedarf")

    def ages(self, days: np.ndarray) -> np.ndarray:
        return years(days) - self.geburtsjahr


def code_index(code_list: str, code: str) -> int:
    return codes(code_list).index(code)


@cache
def _nationality_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nationality code indices, base weights and group indices of NATIONALITY_WEIGHTS."""
    all_codes = codes("staatsangehoerigkeit")
    indices = np.array([all_codes.index(code) for code in NATIONALITY_WEIGHTS])
    weights = np.array(list(NATIONALITY_WEIGHTS.values()))
    groups = np.array([GROUPS.index(NATIONALITY_GROUP[code]) for code in NATIONALITY_WEIGHTS])
    return indices, weights, groups


def _sample_age(rng: np.random.Generator, n: int) -> np.ndarray:
    band = rng.choice(len(AGE_BANDS), size=n, p=AGE_BAND_WEIGHTS)
    low = np.array([b[0] for b in AGE_BANDS])[band]
    high = np.array([b[1] for b in AGE_BANDS])[band]
    return rng.integers(low, high + 1)


def age_band(ages: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array([b[1] for b in AGE_BANDS]), ages, side="left").clip(0, len(AGE_BANDS) - 1)


def sample_needs(rng: np.random.Generator, ages: np.ndarray, status: np.ndarray) -> np.ndarray:
    """1–4 needs per case as a bit mask, weighted by age band and, for insecure status, residence."""
    weights = np.array(NEEDS_BY_AGE_BAND)[age_band(ages)]
    insecure = np.isin(status, [code_index("aufenthaltsstatus", code) for code in INSECURE_STATUS])
    weights[:, code_index("bedarf", "AUFENTHALT")] *= np.where(insecure, 3.0, 1.0)
    count = 1 + rng.binomial(3, 0.8, len(ages))
    chosen = top_k_mask(rng, weights, count)
    return (chosen * (1 << np.arange(weights.shape[1]))).sum(axis=1)


def sample_people(rng: np.random.Generator, intake_days: np.ndarray) -> People:
    """Independent clients for cases opened on the given days."""
    n = len(intake_days)
    nationality_codes, base_weights, nationality_groups = _nationality_tables()
    weights = np.tile(base_weights, (n, 1))
    weights[:, list(NATIONALITY_WEIGHTS).index("UKR")] = np.where(
        intake_days >= UKRAINE_FROM, UKRAINE_WEIGHT, 0.0
    )
    choice = categorical(rng, weights)
    group = nationality_groups[choice]

    status = categorical(rng, np.array([STATUS_BY_GROUP[name] for name in GROUPS])[group])
    status_names = codes("aufenthaltsstatus")
    rechtskreis = categorical(rng, np.array([RECHTSKREIS_BY_STATUS[name] for name in status_names])[status])

    age = _sample_age(rng, n)
    intake_year = years(intake_days)
    geburtsjahr = intake_year - age - (rng.random(n) < 0.5)
    rechtskreis = _adjust_rechtskreis(rng, rechtskreis, age, group, intake_days)

    intake_month = month_numbers(intake_days)
    mean_months = np.array([ARRIVAL_MONTHS_BEFORE_INTAKE[name] for name in GROUPS])[group]
    arrival = intake_month - np.floor(rng.exponential(mean_months)).astype(np.int64)
    ukraine = group == GROUPS.index("UKRAINE")
    war_start = month_numbers(np.array([day_number(date(2022, 2, 24))]))[0]
    arrival = np.where(ukraine, np.maximum(arrival, war_start), arrival)
    birth_month = (geburtsjahr - 1970) * 12
    arrival = np.minimum(np.maximum(arrival, birth_month), intake_month)
    unknown = rng.random(n) < EINREISE_UNKNOWN_SHARE
    unknown |= (group == GROUPS.index("EINGEBUERGERT")) & (rng.random(n) < 0.5)  # some were born in Germany

    sex = rng.choice(len(SEX_WEIGHTS), size=n, p=SEX_WEIGHTS)
    return People(
        geburtsjahr=geburtsjahr,
        geschlecht=sex,
        staatsangehoerigkeit=nationality_codes[choice],
        einreise_monat=np.where(unknown, NEVER, arrival),
        aufenthaltsstatus=status,
        rechtskreis=rechtskreis,
        bedarfe=sample_needs(rng, age, status),
    )


def _adjust_rechtskreis(
    rng: np.random.Generator,
    rechtskreis: np.ndarray,
    age: np.ndarray,
    group: np.ndarray,
    intake_days: np.ndarray,
) -> np.ndarray:
    """Age and date rules: youth welfare only for the young, social assistance in old age, Ukrainian
    refugees in AsylbLG until June 2022."""
    asylblg, sgb2, sgb8, sgb12 = (code_index("rechtskreis", c) for c in ("ASYLBLG", "SGB2", "SGB8", "SGB12"))
    young = age < 21
    rechtskreis = np.where(
        young & np.isin(rechtskreis, [asylblg, sgb2]) & (rng.random(len(age)) < 0.25), sgb8, rechtskreis
    )
    rechtskreis = np.where((rechtskreis == sgb8) & (age >= 27), sgb2, rechtskreis)
    rechtskreis = np.where(
        (age >= 60) & (rechtskreis == sgb2) & (rng.random(len(age)) < 0.5), sgb12, rechtskreis
    )
    early_ukraine = (group == GROUPS.index("UKRAINE")) & (intake_days < UKRAINE_SGB2_FROM)
    return np.where(early_ukraine & (rechtskreis == sgb2), asylblg, rechtskreis)


def with_returning_clients(
    people: People, intake_days: np.ndarray, root: np.ndarray, rng: np.random.Generator
) -> People:
    """Give cases of returning clients the person attributes of their first case (`root` = that case's index).

    Needs are drawn anew for the new case; a client whose asylum procedure was pending has often been
    recognised by the time they return.
    """
    returning = root != np.arange(len(root))
    status = people.aufenthaltsstatus[root].copy()
    rechtskreis = people.rechtskreis[root].copy()
    recognised = (
        returning & (status == code_index("aufenthaltsstatus", "GESTATTUNG")) & (rng.random(len(root)) < 0.5)
    )
    status[recognised] = code_index("aufenthaltsstatus", "AE_HUMANITAER")
    rechtskreis[recognised] = code_index("rechtskreis", "SGB2")
    geburtsjahr = people.geburtsjahr[root]
    ages = years(intake_days) - geburtsjahr
    needs = np.where(returning, sample_needs(rng, ages, status), people.bedarfe)
    return replace(
        people,
        geburtsjahr=geburtsjahr,
        geschlecht=people.geschlecht[root],
        staatsangehoerigkeit=people.staatsangehoerigkeit[root],
        einreise_monat=people.einreise_monat[root],
        aufenthaltsstatus=status,
        rechtskreis=rechtskreis,
        bedarfe=needs,
    )


@cache
def needs_text(mask: int) -> str:
    """`|`-separated need codes of a bit mask, in code-list order."""
    return "|".join(code for bit, code in enumerate(codes("bedarf")) if mask >> bit & 1)
