"""Pure reshaping of query results into what a page shows: metric tiles, German tables, chart series.

Nothing here queries or renders, so every rule about which value a tile or table shows is unit-tested on small
DataFrames.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboards.lib import formatting, kpi_display
from pipelines.calendar import Quarter

LATEST_VALUES_COLUMNS = ("Kennzahl", "Quartal", "Wert", "95-%-Intervall")


@dataclass(frozen=True)
class MetricTile:
    """Arguments of one `st.metric`: a KPI's value with its change against the previous quarter."""

    label: str
    value: str
    delta: str | None
    delta_colour: str
    delta_arrow: str
    delta_description: str | None
    help: str


@dataclass(frozen=True)
class SeriesArea:
    """An area drawn in a chart: its code in `kpi_werte.gebiet`, its role and its display name."""

    gebiet: str
    rolle: str  # kommune, vergleichstyp or land (see figures.SERIES_ROLES)
    bezeichnung: str


def catalogue_entry(catalogue: pd.DataFrame, kpi_id: str) -> Any:
    """One KPI of the catalogue as a named tuple (`entry.name`, `entry.einheit`, …)."""
    return next(catalogue[catalogue["kpi_id"] == kpi_id].itertuples(index=False))


def kpi_help(kpi: Any) -> str:
    """Tooltip of a KPI (Markdown): its catalogue definition, unit, reading direction and uncertainty method.

    `kpi` is a catalogue row as a named tuple (see `catalogue_entry`)."""
    parts = [str(kpi.definition)]
    facts = [f"Einheit: {kpi.einheit}", f"Lesart: {formatting.format_polarity(kpi.polaritaet)}"]
    if isinstance(kpi.unsicherheit, str) and kpi.unsicherheit.strip():
        facts.append(f"Unsicherheit: {kpi.unsicherheit}")
    parts.append(" · ".join(facts))
    return "\n\n".join(parts)


def latest_quarter(values: pd.DataFrame) -> str | None:
    """The latest quarter in which any row has a value."""
    quarters = values.loc[values["wert"].notna(), "quartal"]
    return None if quarters.empty else str(quarters.max())


def nrw_metric_tiles(catalogue: pd.DataFrame, nrw_totals: pd.DataFrame, quartal: str) -> list[MetricTile]:
    """One tile per KPI of the catalogue: the NRW value in `quartal` and the change against the quarter
    before, coloured by the KPI's polarity (an increase is green only where higher is better). A long unit
    moves from the value into the label, so the value stays readable in a narrow tile."""
    previous = str(Quarter.parse(quartal).previous())
    value_of = nrw_totals.set_index(["kpi_id", "quartal"])["wert"]
    tiles = []
    for kpi in catalogue.itertuples(index=False):
        current = value_of.get((kpi.kpi_id, quartal))
        before = value_of.get((kpi.kpi_id, previous))
        change = None if formatting.is_missing(current) or formatting.is_missing(before) else current - before
        unit_beside_value = formatting.unit_fits_beside_value(kpi.einheit)
        tiles.append(
            MetricTile(
                label=str(kpi.name) if unit_beside_value else f"{kpi.name} · {kpi.einheit}",
                value=formatting.format_value(current, kpi.einheit, with_unit=unit_beside_value),
                delta=(
                    None
                    if change is None
                    else formatting.format_delta(change, kpi.einheit, with_unit=unit_beside_value)
                ),
                delta_colour="off" if not change else formatting.delta_colour(kpi.polaritaet),
                delta_arrow="off" if change is not None and not change else "auto",
                delta_description=None if change is None else f"ggü. {formatting.format_quarter(previous)}",
                help=kpi_help(kpi),
            )
        )
    return tiles


def units_without_value(comparison: pd.DataFrame) -> list[str]:
    """Names of the units that have no value in a unit comparison, in AGS order."""
    return comparison.loc[comparison["wert"].isna(), "name"].tolist()


def delivery_status_counts(status: pd.DataFrame, quartal: str) -> pd.DataFrame:
    """Number of units per delivery status in one quarter, every known status listed (also with 0)."""
    in_quarter = status.loc[status["quartal"] == quartal, "status"]
    known = list(formatting.DELIVERY_STATUS_ORDER)
    order = known + sorted(set(in_quarter) - set(known))
    counts = in_quarter.value_counts().reindex(order, fill_value=0)
    return pd.DataFrame(
        {
            "status": order,
            "Status": [formatting.format_delivery_status(value) for value in order],
            "Anzahl": counts.to_numpy(),
        }
    )


def series_for_chart(values: pd.DataFrame, kpi_id: str, areas: list[SeriesArea]) -> pd.DataFrame:
    """The rows of one KPI for the given areas, labelled with each area's role and display name."""
    role_of = {area.gebiet: area for area in areas}
    rows = values[(values["kpi_id"] == kpi_id) & values["gebiet"].isin(role_of)].copy()
    rows["rolle"] = rows["gebiet"].map(lambda gebiet: role_of[gebiet].rolle)
    rows["bezeichnung"] = rows["gebiet"].map(lambda gebiet: role_of[gebiet].bezeichnung)
    return rows.reset_index(drop=True)


def unit_breakdown(breakdowns: pd.DataFrame, quartal: str) -> pd.DataFrame:
    """The breakdown rows of one quarter, limited to the categories in which the unit itself has a value: a
    unit lead compares their own transitions or Bausteine, not every category that occurs statewide."""
    in_quarter = breakdowns[breakdowns["quartal"] == quartal]
    own = in_quarter.loc[(in_quarter["rolle"] == "kommune") & in_quarter["wert"].notna(), "aufschluesselung"]
    return in_quarter[in_quarter["aufschluesselung"].isin(set(own))].reset_index(drop=True)


def latest_values_table(
    catalogue: pd.DataFrame, totals: pd.DataFrame, unit: SeriesArea, references: list[SeriesArea]
) -> pd.DataFrame:
    """Per KPI the unit's latest quarter with a value (else the latest quarter of any area), its value and
    95 % interval, and the value of each reference area in that same quarter — all German-formatted text.
    Reference values that are totals over units (counts) are marked `Summe:` so nobody reads them as a
    comparable level."""
    value_of = totals.set_index(["kpi_id", "gebiet", "quartal"])
    rows = []
    for kpi in catalogue.itertuples(index=False):
        kpi_rows = totals[totals["kpi_id"] == kpi.kpi_id]
        quartal = latest_quarter(kpi_rows[kpi_rows["gebiet"] == unit.gebiet]) or latest_quarter(kpi_rows)
        if quartal is None:
            continue
        own = _row_or_empty(value_of, (kpi.kpi_id, unit.gebiet, quartal))
        row = {
            "Kennzahl": kpi.name,
            "Quartal": formatting.format_quarter(quartal),
            "Wert": formatting.format_value(own.get("wert"), kpi.einheit),
            "95-%-Intervall": formatting.format_interval(
                own.get("ki95_unten"), own.get("ki95_oben"), kpi.einheit
            ),
        }
        total_marker = "Summe: " if kpi_display.reference_is_sum(kpi.kpi_id) else ""
        for reference in references:
            other = _row_or_empty(value_of, (kpi.kpi_id, reference.gebiet, quartal)).get("wert")
            shown = formatting.format_value(other, kpi.einheit)
            row[reference.bezeichnung] = shown if formatting.is_missing(other) else total_marker + shown
        rows.append(row)
    columns = list(LATEST_VALUES_COLUMNS) + [reference.bezeichnung for reference in references]
    return pd.DataFrame(rows, columns=columns)


def _row_or_empty(indexed: pd.DataFrame, key: tuple[str, ...]) -> Mapping[str, Any]:
    return indexed.loc[key] if key in indexed.index else {}


def milestone_table(milestones: pd.DataFrame) -> pd.DataFrame:
    """The rollout milestones of a unit in their defined order, each with the date it was first reached."""
    ordered = milestones.sort_values(["sortierung", "meilenstein"])
    return pd.DataFrame(
        {
            "Meilenstein": ordered["bezeichnung"].tolist(),
            "Erreicht am": [
                "noch nicht erreicht" if formatting.is_missing(day) else formatting.format_date(day)
                for day in ordered["erreicht_am"]
            ],
        }
    )


def unit_delivery_table(deliveries: pd.DataFrame) -> pd.DataFrame:
    """A unit's deliveries in German: quarter, status, date received, deadline, on time, packages."""
    on_time = {True: "ja", False: "nein"}
    return pd.DataFrame(
        {
            "Quartal": [formatting.format_quarter(value) for value in deliveries["quartal"]],
            "Status": [formatting.format_delivery_status(value) for value in deliveries["status"]],
            "Eingang": [formatting.format_date(value) for value in deliveries["eingegangen_am"]],
            "Frist": [formatting.format_date(value) for value in deliveries["frist"]],
            "Fristgerecht": [
                formatting.MISSING if formatting.is_missing(value) else on_time[bool(value)]
                for value in deliveries["fristgerecht"]
            ],
            "Pakete": [formatting.format_number(value) for value in deliveries["anzahl_pakete"]],
        }
    )
