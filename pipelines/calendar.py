"""Reporting quarters (`2025-Q3`): parsing, boundaries and the delivery deadline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

DELIVERY_DEADLINE_DAYS = 45
_QUARTER_PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER_PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"'{text}' ist kein gültiges Berichtsquartal (erwartet z. B. 2025-Q3).")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_complete(cls, today: date) -> Quarter:
        return cls.containing(today).previous()

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def deadline(self) -> date:
        """Last day a package for this quarter counts as on time."""
        return self.end + timedelta(days=DELIVERY_DEADLINE_DAYS)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


def quarter_range(first: Quarter, last: Quarter) -> list[Quarter]:
    """All quarters from first to last, both included."""
    quarters = []
    current = first
    while current <= last:
        quarters.append(current)
        current = current.next()
    return quarters
