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
COMPARISON_COLUMN = "Vergleich"
TREND_COLUMN = "Trend (5 Quartale)"
PUBLISHED_AS_COLUMN = "Geheimhaltung"

# The kinds of reference of `kpi_vergleiche`, in the order the profile offers them.
REFERENCE_LEVELS = ("land", "regierungsbezirk", "typ", "peergruppe", "vorjahr")
PREVIOUS_YEAR = "vorjahr"
# References that are areas of their own, drawn as a second series next to the unit (NRW is always drawn).
_DRAWN_REFERENCE_LEVELS = frozenset({"regierungsbezirk", "typ", "peergruppe"})


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
    rolle: str  # kommune, bezug or land (see figures.SERIES_ROLES)
    bezeichnung: str


@dataclass(frozen=True)
class Reference:
    """What a unit is compared with: a kind of `kpi_vergleiche.referenzebene`, its area and its names."""

    ebene: str  # land, regierungsbezirk, typ, peergruppe or vorjahr
    gebiet: str | None  # area code; the unit itself for vorjahr; None if unknown
    name: str  # display name of the area, or "Vorjahresquartal"
    option: str  # label in the selector
    column: str  # header of the table column with the reference value


@dataclass(frozen=True)
class StyledTable:
    """A German table and, cell by cell, the CSS that colours it (empty strings for plain cells)."""

    table: pd.DataFrame
    css: pd.DataFrame


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


def nrw_metric_tiles(
    catalogue: pd.DataFrame, nrw_totals: pd.DataFrame, quartal: str, *, mark_adjusted: bool = False
) -> list[MetricTile]:
    """One tile per KPI of the catalogue: the NRW value in `quartal` and the change against the quarter
    before, coloured by the KPI's polarity (an increase is green only where higher is better). A long unit
    moves from the value into the label, so the value stays readable in a narrow tile. A value the published
    layer keeps secret shows its mark; with `mark_adjusted` a value recomputed without hidden unit cells
    (`bereinigt`) carries the footnote mark."""
    previous = str(Quarter.parse(quartal).previous())
    indexed = nrw_totals.set_index(["kpi_id", "quartal"])
    value_of = indexed["wert"]
    status_of = indexed["geheimhaltung"] if "geheimhaltung" in indexed.columns else pd.Series(dtype=object)
    tiles = []
    for kpi in catalogue.itertuples(index=False):
        current = value_of.get((kpi.kpi_id, quartal))
        before = value_of.get((kpi.kpi_id, previous))
        status = status_of.get((kpi.kpi_id, quartal))
        change = None if formatting.is_missing(current) or formatting.is_missing(before) else current - before
        unit_beside_value = formatting.unit_fits_beside_value(kpi.einheit)
        value = formatting.format_value(current, kpi.einheit, with_unit=unit_beside_value)
        if formatting.is_missing(current) and formatting.is_hidden(status):
            value = formatting.format_suppressed(status, getattr(kpi, "geheimhaltung_anzahl", "wert"))
        elif mark_adjusted and status == formatting.ADJUSTED_STATUS:
            value += formatting.ADJUSTED_MARK
        tiles.append(
            MetricTile(
                label=str(kpi.name) if unit_beside_value else f"{kpi.name} · {kpi.einheit}",
                value=value,
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


def reference_choices(unit: Any, found: pd.DataFrame) -> dict[str, Reference]:
    """The five references of a unit in selector order. `unit` is a row of `queries.units()`, `found` what
    `queries.unit_references` returned; where a kind is missing there (a unit without values), the area is
    derived from the unit's facts."""
    known = {row.referenzebene: row for row in found.itertuples(index=False)}

    def area(ebene: str, fallback_code: str | None, fallback_name: str) -> tuple[str | None, str]:
        row = known.get(ebene)
        return (row.referenzgebiet, str(row.name)) if row is not None else (fallback_code, fallback_name)

    land_code, land_name = area("land", "NRW", "Nordrhein-Westfalen")
    district_code, district_name = area("regierungsbezirk", None, f"Regierungsbezirk {unit.regierungsbezirk}")
    type_code, type_name = area("typ", unit.vergleichstyp, unit.vergleichstyp_name)
    peer_code, peer_name = area("peergruppe", f"PEER_{unit.ags}", f"Vergleichsgruppe {unit.name}")
    return {
        "land": Reference("land", land_code, land_name, "NRW", "NRW"),
        "regierungsbezirk": Reference(
            "regierungsbezirk", district_code, district_name, district_name, district_name
        ),
        "typ": Reference("typ", type_code, type_name, f"Typ: {type_name}", type_name),
        "peergruppe": Reference(
            "peergruppe",
            peer_code,
            peer_name,
            "Vergleichsgruppe (7 strukturähnliche Kommunen)",
            "Vergleichsgruppe",
        ),
        PREVIOUS_YEAR: Reference(
            PREVIOUS_YEAR, unit.ags, "Vorjahresquartal", "Vorjahresquartal (eigener Wert)", "Vorjahresquartal"
        ),
    }


def chart_areas(unit: SeriesArea, reference: Reference) -> list[SeriesArea]:
    """The areas a KPI's course is drawn for: the unit, the chosen reference area (not for NRW, which is
    always drawn, nor for the previous year, which is the unit's own line) and NRW."""
    areas = [unit]
    if reference.ebene in _DRAWN_REFERENCE_LEVELS and reference.gebiet:
        areas.append(SeriesArea(reference.gebiet, "bezug", reference.name))
    areas.append(SeriesArea("NRW", "land", "NRW"))
    return areas


def year_before(quartal: str) -> str:
    """`2025-Q3` → `2024-Q3`."""
    quarter = Quarter.parse(quartal)
    return f"{quarter.year - 1}-Q{quarter.number}"


def with_comparisons(series: pd.DataFrame, comparisons: pd.DataFrame, kpi_id: str) -> pd.DataFrame:
    """The chart series with the comparison result of each of the unit's quarters (`bewertung_95`,
    `bewertung_998`, `signifikanz`) from `queries.unit_comparisons`; empty for the references."""
    columns = ["bewertung_95", "bewertung_998", "signifikanz"]
    results = comparisons.loc[comparisons["kpi_id"] == kpi_id, ["quartal", *columns]]
    unit_rows = series["rolle"] == "kommune"
    merged = series.drop(columns=[c for c in columns if c in series.columns]).merge(
        results, on="quartal", how="left"
    )
    merged.loc[~unit_rows.to_numpy(), columns] = None
    return merged


def comparable_with_reference(kpi_id: str, reference: Reference) -> bool:
    """Whether the unit's value can be judged against the reference: a count summed over units can only be
    set against the unit's own value a year earlier."""
    return reference.ebene == PREVIOUS_YEAR or not kpi_display.reference_is_sum(kpi_id)


def unit_latest_quarter(unit_rows: pd.DataFrame) -> str | None:
    """The latest quarter in which the unit has a value or a value the published layer keeps secret: a
    secret latest quarter is shown as such, not replaced by an older value."""
    present = unit_rows["wert"].notna().astype(bool)
    if "geheimhaltung" in unit_rows.columns:
        present |= unit_rows["geheimhaltung"].map(formatting.is_hidden).astype(bool)
    quarters = unit_rows.loc[present, "quartal"]
    return None if quarters.empty else str(quarters.max())


def latest_values_table(
    catalogue: pd.DataFrame,
    totals: pd.DataFrame,
    unit: SeriesArea,
    reference: Reference,
    *,
    comparisons: pd.DataFrame | None = None,
    trends: pd.DataFrame | None = None,
    mark_adjusted: bool = True,
    show_published_as: bool = False,
) -> StyledTable:
    """Per KPI the unit's latest quarter (see `unit_latest_quarter`; else the latest quarter of any area),
    its value and 95 % interval, the value of the chosen reference (its area in the same quarter, or the
    unit's own value a year earlier), the comparison result from `kpi_vergleiche` and the 5-quarter trend
    from `kpi_trends` — all German-formatted text, with the CSS that colours comparison and trend.

    Cells the published layer keeps secret show their mark (`<5`, `k. A. …`, `·`); a reference area
    recomputed without hidden cells (`bereinigt`) gets the footnote mark with `mark_adjusted`. With
    `show_published_as` (the ministry, which sees every value) a column says how the published layer shows
    the unit's value. Reference values that are totals over units (counts) are marked `Summe:` and not
    judged.
    """
    value_of = totals.set_index(["kpi_id", "gebiet", "quartal"])
    comparisons = _or_empty(comparisons, ["kpi_id", "quartal", "referenzgebiet", "referenzquartal"])
    trends = _or_empty(trends, ["kpi_id", "quartal", "trend", "trendbewertung"])
    comparison_of = comparisons.set_index(["kpi_id", "quartal"])
    trend_of = trends.set_index(["kpi_id", "quartal"])
    rows, styles = [], []
    for kpi in catalogue.itertuples(index=False):
        kpi_rows = totals[totals["kpi_id"] == kpi.kpi_id]
        quartal = unit_latest_quarter(kpi_rows[kpi_rows["gebiet"] == unit.gebiet]) or latest_quarter(kpi_rows)
        if quartal is None:
            continue
        count_column = getattr(kpi, "geheimhaltung_anzahl", "wert")
        own = _row_or_empty(value_of, (kpi.kpi_id, unit.gebiet, quartal))
        compared = _row_or_empty(comparison_of, (kpi.kpi_id, quartal))
        reference_area = compared.get("referenzgebiet", reference.gebiet)
        reference_quarter = compared.get(
            "referenzquartal", year_before(quartal) if reference.ebene == PREVIOUS_YEAR else quartal
        )
        other = _row_or_empty(value_of, (kpi.kpi_id, reference_area, reference_quarter))
        shown = formatting.format_cell_value(
            other.get("wert"), kpi.einheit, other.get("geheimhaltung"), count_column
        )
        if not formatting.is_missing(other.get("wert")):
            if reference.ebene != PREVIOUS_YEAR and kpi_display.reference_is_sum(kpi.kpi_id):
                shown = "Summe: " + shown
            if mark_adjusted and other.get("geheimhaltung") == formatting.ADJUSTED_STATUS:
                shown += formatting.ADJUSTED_MARK
        judged = comparable_with_reference(kpi.kpi_id, reference)
        bewertung = compared.get("bewertung_95") if judged else None
        trend = _row_or_empty(trend_of, (kpi.kpi_id, quartal))
        row = {
            "Kennzahl": kpi.name,
            "Quartal": formatting.format_quarter(quartal),
            "Wert": formatting.format_cell_value(
                own.get("wert"), kpi.einheit, own.get("geheimhaltung"), count_column
            ),
            "95-%-Intervall": formatting.format_interval(
                own.get("ki95_unten"), own.get("ki95_oben"), kpi.einheit
            ),
            reference.column: shown,
            COMPARISON_COLUMN: formatting.format_comparison(
                bewertung, compared.get("bewertung_998"), compared.get("signifikanz")
            ),
            TREND_COLUMN: formatting.format_trend(trend.get("trend"), trend.get("trendbewertung")),
        }
        style = {column: "" for column in row}
        style[COMPARISON_COLUMN] = formatting.tone_css(formatting.comparison_tone(bewertung))
        style[TREND_COLUMN] = formatting.tone_css(
            formatting.trend_tone(trend.get("trendbewertung"), trend.get("trend"))
        )
        if show_published_as:
            row[PUBLISHED_AS_COLUMN] = formatting.format_published_as(own.get("geheimhaltung"), count_column)
            style[PUBLISHED_AS_COLUMN] = ""
        rows.append(row)
        styles.append(style)
    columns = [*LATEST_VALUES_COLUMNS, reference.column, COMPARISON_COLUMN, TREND_COLUMN]
    if show_published_as:
        columns.append(PUBLISHED_AS_COLUMN)
    return StyledTable(pd.DataFrame(rows, columns=columns), pd.DataFrame(styles, columns=columns).fillna(""))


def _or_empty(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    return frame if frame is not None else pd.DataFrame(columns=columns)


def _row_or_empty(indexed: pd.DataFrame, key: tuple[Any, ...]) -> Mapping[str, Any]:
    """The row at `key` as a mapping with missing values as None, or an empty mapping."""
    if any(formatting.is_missing(part) for part in key) or key not in indexed.index:
        return {}
    found = indexed.loc[key]
    if isinstance(found, pd.DataFrame):  # a duplicated key: take the first row
        found = found.iloc[0]
    return {name: (None if formatting.is_missing(value) else value) for name, value in found.items()}


def hidden_quarters(unit_rows: pd.DataFrame, count_column: Any = "wert") -> str:
    """The quarters in which the published layer keeps the unit's value secret, with their marks:
    `Q1/2025: <5; Q3/2025: ·`; empty when there are none (and always for the ministry, which has values)."""
    if "geheimhaltung" not in unit_rows.columns:
        return ""
    secret = unit_rows["geheimhaltung"].map(formatting.is_hidden).astype(bool)
    hidden = unit_rows[unit_rows["wert"].isna().astype(bool) & secret]
    return "; ".join(
        f"{formatting.format_quarter_short(row.quartal)}: "
        f"{formatting.format_suppressed(row.geheimhaltung, count_column)}"
        for row in hidden.sort_values("quartal").itertuples(index=False)
    )


def has_adjusted_reference(table: pd.DataFrame, reference: Reference) -> bool:
    """Whether a value of the reference column carries the footnote mark of an adjusted area."""
    return reference.column in table and table[reference.column].str.endswith(formatting.ADJUSTED_MARK).any()


def peer_group_table(peers: pd.DataFrame) -> pd.DataFrame:
    """The unit (rank 0) and its peer group with the structural features the groups are computed from; the
    foreign-resident share only once it is loaded."""
    table = pd.DataFrame(
        {
            "Rang": ["eigene Kommune" if rank == 0 else f"{rank}." for rank in peers["rang"]],
            "Kommune": peers["name"].tolist(),
            "Typ": peers["typ_bezeichnung"].tolist(),
            "Einwohner (Zuständigkeit)": [formatting.format_number(v) for v in peers["einwohner_zustaendig"]],
            "Einwohner je km²": [formatting.format_number(v) for v in peers["einwohnerdichte"]],
        }
    )
    if peers["auslaenderanteil_prozent"].notna().any():
        table["Ausländeranteil"] = [formatting.format_percent(v) for v in peers["auslaenderanteil_prozent"]]
    table["Strukturabstand"] = [
        formatting.MISSING if rank == 0 else formatting.format_number(distance, 2)
        for rank, distance in zip(peers["rang"], peers["distanz"], strict=True)
    ]
    return table


def funnel_kpis(catalogue: pd.DataFrame, quarters_of: Mapping[str, list[str]]) -> list[str]:
    """The KPIs of the catalogue that have a funnel plot (shares and rates with a random model) with rows in
    at least one quarter, in catalogue order."""
    return [
        kpi.kpi_id
        for kpi in catalogue.itertuples(index=False)
        if kpi_display.has_funnel(kpi.wertart, kpi.methode) and quarters_of.get(kpi.kpi_id)
    ]


def funnel_unit_summary(funnel: pd.DataFrame, ags: str, einheit: str | None) -> str | None:
    """One German sentence on where the unit lies in the funnel, or None if it has no point there."""
    rows = funnel[(funnel["ags"] == ags) & funnel["wert"].notna()]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return (
        f"{row['name']}: {formatting.format_value(row['wert'], einheit)} bei einem Nenner von "
        f"{formatting.format_number(row['nenner'])}, "
        f"{formatting.format_funnel_position(row.get('lage_95'), row.get('lage_998'))} "
        f"– NRW-Wert {formatting.format_value(row['nrw_wert'], einheit)}."
    )


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
