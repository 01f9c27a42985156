"""Helpers to compare independently recomputed KPIs with the published ones: area pooling and matching."""

from __future__ import annotations

import numpy as np
import pandas as pd

KREISFREI_TYPES = {"kreisfreie_stadt", "kreisangehoerige_stadt_mit_ki"}


def areas_of(data, ags: str) -> list[str]:
    unit_type = data["units"].loc[ags, "typ"]
    return [ags, "NRW", "TYP_KREISFREI" if unit_type in KREISFREI_TYPES else "TYP_KREIS"]


def pooled(
    data, per_unit: dict[tuple[str, str], tuple[float, float]]
) -> dict[tuple[str, str], tuple[float, float]]:
    """(numerator, denominator) per unit × quarter → the same per area × quarter (units, NRW, unit type)."""
    pooled: dict[tuple[str, str], list[float]] = {}
    for (ags, quartal), (numerator, denominator) in per_unit.items():
        for area in areas_of(data, ags):
            sums = pooled.setdefault((area, quartal), [0.0, 0.0])
            sums[0] += numerator
            sums[1] += denominator
    return {key: (sums[0], sums[1]) for key, sums in pooled.items()}


def assert_matches(
    published: pd.DataFrame, kpi: str, expected: dict[tuple, float], breakdown: str = ""
) -> None:
    assert expected, f"{kpi} {breakdown}: nothing to compare"
    rows = published[(published.kpi_id == kpi) & (published.aufschluesselung == breakdown)]
    actual = {(row.gebiet, row.quartal): row.wert for row in rows.itertuples()}
    assert set(actual) >= set(expected), (
        f"{kpi} {breakdown}: missing {sorted(set(expected) - set(actual))[:5]}"
    )
    mismatches = []
    for key, value in expected.items():
        got = actual[key]
        if value is None or (isinstance(value, float) and np.isnan(value)):
            if not (got is None or pd.isna(got)):
                mismatches.append((key, value, got))
        elif got is None or pd.isna(got) or not np.isclose(got, value, rtol=1e-9, atol=1e-9):
            mismatches.append((key, value, got))
    assert not mismatches, f"{kpi} {breakdown}: {len(mismatches)} differences, e.g. {mismatches[:5]}"


def ratio(numerator: float, denominator: float, factor: float = 1.0) -> float | None:
    return None if denominator == 0 else factor * numerator / denominator
