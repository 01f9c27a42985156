from datetime import date

import pytest

from pipelines.calendar import Quarter, quarter_range


def test_quarter_boundaries_and_deadline():
    quarter = Quarter.parse("2025-Q3")
    assert (quarter.start, quarter.end) == (date(2025, 7, 1), date(2025, 9, 30))
    assert quarter.deadline == date(2025, 11, 14)
    assert str(quarter) == "2025-Q3"


def test_quarter_arithmetic_crosses_years():
    assert Quarter(2024, 4).next() == Quarter(2025, 1)
    assert Quarter(2025, 1).previous() == Quarter(2024, 4)
    assert Quarter.parse("2024-Q1").end == date(2024, 3, 31)
    assert [str(q) for q in quarter_range(Quarter(2024, 3), Quarter(2025, 1))] == [
        "2024-Q3",
        "2024-Q4",
        "2025-Q1",
    ]


def test_last_complete_quarter():
    assert Quarter.last_complete(date(2026, 11, 21)) == Quarter(2026, 3)
    assert Quarter.last_complete(date(2026, 1, 1)) == Quarter(2025, 4)


@pytest.mark.parametrize("text", ["2025-Q5", "2025Q3", "25-Q1", "", "2025-q3x"])
def test_invalid_quarters_get_a_german_message(text):
    with pytest.raises(ValueError, match="kein gültiges Berichtsquartal"):
        Quarter.parse(text)
