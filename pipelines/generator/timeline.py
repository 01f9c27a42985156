"""Simulation time: whole days counted from 1970-01-01, and the reporting quarters expressed in them.

numpy computes on plain integers far faster than on date objects, so every simulated date is a day number and
every month a month number. `NEVER` stands for "has not happened within the simulated horizon, or is not yet
known at the reporting date"; it is larger than every real day number, so `day <= quarter_end` excludes it.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from pipelines.calendar import Quarter

EPOCH = date(1970, 1, 1)
NEVER = 1_000_000  # a day number (year 4707) after every simulated date


def day_number(day: date) -> int:
    return (day - EPOCH).days


def to_date(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


def quarter_start_day(quarter: Quarter) -> int:
    return day_number(quarter.start)


def quarter_end_day(quarter: Quarter) -> int:
    return day_number(quarter.end)


def quarter_index(quarter: Quarter) -> int:
    """A running number of quarters (year × 4 + quarter − 1) for vectorised comparisons."""
    return quarter.year * 4 + quarter.number - 1


def quarter_from_index(index: int) -> Quarter:
    return Quarter(index // 4, index % 4 + 1)


def quarter_indices(days: np.ndarray) -> np.ndarray:
    """The running quarter number of each day number."""
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return (months // 12 + 1970) * 4 + (months % 12) // 3


def month_numbers(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day number (the representation of the contract's `month` kind)."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def years(days: np.ndarray) -> np.ndarray:
    return (
        np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
        + 1970
    )


def weekdays(days: np.ndarray) -> np.ndarray:
    """0 = Monday … 6 = Sunday (1970-01-01 was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def next_workday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays to the following Monday; offices record and meet on workdays."""
    days = np.asarray(days, dtype=np.int64)
    weekday = weekdays(days)
    return days + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
