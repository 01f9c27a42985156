"""Streamlit building blocks shared by the pages: the warehouse gate, linkable selectors, tiles, footers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import duckdb
import streamlit as st

from dashboards.lib import formatting, roles, warehouse
from dashboards.lib.views import MetricTile, StyledTable

Option = TypeVar("Option", bound=str)

SOURCE_NOTE = (
    "Datenquellen: Einwohnerzahlen (31.12.2024, Basis Zensus 2022) und Flächen: © Statistisches Bundesamt "
    "(Destatis), Gemeindeverzeichnis GV100AD, 2025; Vervielfältigung und Verbreitung mit Quellenangabe "
    "gestattet. Fall-, Personal- und Finanzdaten: Quartalslieferungen der KIM-Kommunen. Kleine Fallzahlen "
    "werden aus Datenschutzgründen nicht ausgewiesen (<5, k. A., ·; siehe Seite Methodik)."
)


def require_warehouse(extra_tables: Sequence[str] = ()) -> warehouse.PublishedSnapshot:
    """Stop the page with a German explanation unless a complete snapshot has been published (with the marts
    every page needs and the page's `extra_tables`)."""
    snapshot = warehouse.current_snapshot()
    if snapshot is None:
        st.info(
            "**Es liegen noch keine Daten vor.** Unter "
            f"`{warehouse.published_path()}` wurde noch kein Warehouse veröffentlicht.\n\n"
            "Mit `make demo` entstehen Beispieldaten für alle 54 Kommunen, mit `kim build` werden die "
            "eingegangenen Lieferungen verarbeitet und veröffentlicht. Danach diese Seite neu laden.",
            icon=":material/hourglass_empty:",
        )
        st.stop()
    try:
        missing = warehouse.missing_tables((*warehouse.REQUIRED_TABLES, *extra_tables))
    except duckdb.Error as error:
        st.error(
            f"Das veröffentlichte Warehouse `{snapshot.path}` konnte nicht gelesen werden ({error}). "
            "Bitte `kim build` erneut ausführen.",
            icon=":material/error:",
        )
        st.stop()
    if missing:
        st.warning(
            f"Im veröffentlichten Warehouse `{snapshot.path}` fehlen die Tabellen {', '.join(missing)}. "
            "Bitte `kim build` ausführen, damit die Auswertungstabellen erzeugt werden.",
            icon=":material/warning:",
        )
        st.stop()
    return snapshot


def synced_selectbox(
    label: str,
    options: Sequence[Option],
    *,
    param: str,
    key: str,
    format_func: Callable[[Option], str],
    help: str | None = None,
    default: Option | None = None,
) -> Option:
    """A selectbox whose choice is mirrored in `st.query_params[param]`, so a view can be linked.

    A valid `param` in the URL selects the initial option; an invalid or absent one falls back to `default`
    (if it is an option) or the first option. After that the widget leads and the URL follows.
    """
    choices = list(options)
    if st.session_state.get(key) not in choices:
        requested = st.query_params.get(param)
        fallback = default if default in choices else choices[0]
        st.session_state[key] = requested if requested in choices else fallback
    choice = st.selectbox(label, choices, key=key, format_func=format_func, help=help)
    st.query_params[param] = choice
    return choice


def render_metric_tiles(tiles: Sequence[MetricTile], per_row: int = 4) -> None:
    """KPI tiles in rows of `per_row`."""
    for start in range(0, len(tiles), per_row):
        columns = st.columns(per_row)
        for column, tile in zip(columns, tiles[start : start + per_row], strict=False):
            column.metric(
                tile.label,
                tile.value,
                delta=tile.delta,
                delta_color=tile.delta_colour,
                delta_arrow=tile.delta_arrow,
                delta_description=tile.delta_description,
                help=tile.help,
                border=True,
            )


def render_data_status() -> None:
    """Sidebar note on when the data shown was published."""
    snapshot = warehouse.current_snapshot()
    if snapshot is None:
        st.sidebar.caption("Noch kein Datenstand veröffentlicht.")
    else:
        st.sidebar.caption(f"Datenstand: {formatting.format_timestamp(snapshot.published_at)}")


def render_role() -> roles.Role:
    """The role of this dashboard process in the sidebar, in German; a warning on the page if `KIM_ROLLE`
    holds an unknown value (the less privileged role applies then)."""
    setting = roles.current_role()
    st.sidebar.markdown(f"Rolle: **{setting.role.label}**", help=setting.role.description)
    if setting.role.sees_unsuppressed:
        st.sidebar.caption("Werte ohne statistische Geheimhaltung – nur für den Dienstgebrauch.")
    if setting.problem:
        st.warning(setting.problem, icon=":material/warning:")
    return setting.role


def current_role() -> roles.Role:
    """The role in force (pages ask here; `render_role` has already reported an unknown value)."""
    return roles.current_role().role


def render_styled_table(styled: StyledTable) -> None:
    """A German table whose cells are coloured by `styled.css` (text remains the carrier of meaning)."""
    st.table(styled.table.style.apply(lambda _: styled.css, axis=None), hide_index=True)


def render_suppression_legend(*, adjusted: bool) -> None:
    """The marks of statistical confidentiality, and the footnote on adjusted reference areas."""
    marks = "; ".join(f"**{mark}**: {meaning}" for mark, meaning in formatting.SUPPRESSION_LEGEND.items())
    st.caption(f"Geheimhaltung: {marks}.")
    if adjusted:
        st.caption(
            f"{formatting.ADJUSTED_MARK} bereinigt: Das Vergleichsgebiet ist nur aus den veröffentlichten Werten "
            "seiner Kommunen berechnet, damit sich kein verborgener Wert als Differenz zurückrechnen lässt; "
            "es kann deshalb vom vollständigen Wert abweichen."
        )


def render_source_footer() -> None:
    st.divider()
    st.caption(SOURCE_NOTE)
