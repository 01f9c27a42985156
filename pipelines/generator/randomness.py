"""Random streams of the generator and small vectorised sampling helpers.

Every unit draws from its own generators seeded with `[seed, unit_index, stream]`, so a unit's data never
depends on the order in which units are simulated or on how many draws another part of the model makes;
statewide choices (which packages go missing, which are corrected) use streams seeded with `[seed, stream]`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    PROFILE = 1
    FORMAT = 2
    STAFF = 3
    INTAKE = 4
    PEOPLE = 5
    COURSE = 6
    EVENTS = 7
    LATE_EVENTS = 8
    STEERING = 9
    FUNDING = 10
    RESIDENCE = 11
    DELIVERY = 12
    CORRECTION = 13
    PSEUDONYMS = 14
    DEFECTS = 15  # the defect corpus of `kim generate --defects`


def unit_rng(seed: int, unit_index: int, stream: Stream, *detail: int) -> np.random.Generator:
    """The generator of one unit and purpose (`detail`, e.g. a quarter number, narrows it further)."""
    return np.random.default_rng([seed, unit_index, int(stream), *detail])


def statewide_rng(seed: int, stream: Stream) -> np.random.Generator:
    return np.random.default_rng([seed, int(stream)])


def categorical(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category index per row of a (rows × categories) matrix of probabilities, rows not normalised."""
    cumulative = np.cumsum(probabilities, axis=1)
    draws = rng.random(len(probabilities)) * cumulative[:, -1]
    return np.minimum((cumulative < draws[:, None]).sum(axis=1), probabilities.shape[1] - 1)


def choose(rng: np.random.Generator, weights: Mapping[str, float], size: int) -> np.ndarray:
    """`size` keys of `weights` (as indices into its key order), drawn proportionally to the weights."""
    probabilities = np.array(list(weights.values()), dtype=float)
    return rng.choice(len(probabilities), size=size, p=probabilities / probabilities.sum())


def allocate(rng: np.random.Generator, size: int, shares: Mapping[str, float]) -> list[str]:
    """Exactly `size` values in the given shares (largest remainder, every value at least once), shuffled.

    Used instead of independent draws where every variant must occur whatever the seed (physical formats).
    """
    names = list(shares)
    weights = np.array([shares[name] for name in names], dtype=float)
    exact = weights / weights.sum() * size
    counts = np.maximum(np.floor(exact).astype(int), 1)
    while counts.sum() < size:
        counts[np.argmax(exact - counts)] += 1
    while counts.sum() > size:
        counts[np.argmax(np.where(counts > 1, counts - exact, -np.inf))] -= 1
    values = [name for name, count in zip(names, counts, strict=True) for _ in range(count)]
    order = rng.permutation(size)
    return [values[i] for i in order]


def top_k_mask(rng: np.random.Generator, weights: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per row, a boolean mask of `k[row]` distinct columns drawn without replacement proportional to weights.

    Gumbel top-k: adding Gumbel noise to log-weights and keeping the k largest is weighted sampling without
    replacement, for all rows at once.
    """
    with np.errstate(divide="ignore"):
        keys = np.log(weights) + rng.gumbel(size=weights.shape)
    ranks = np.argsort(np.argsort(-keys, axis=1), axis=1)
    return ranks < np.asarray(k)[:, None]


def pick_one(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]
