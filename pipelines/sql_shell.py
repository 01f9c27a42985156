"""`kim sql`: read-only SQL on the published warehouse, for analysts — one query, or an interactive shell.

Every statement opens the published `kim.duckdb` read-only and closes it again, so a query never holds a lock
that would stop the next publication, and each statement sees the newest snapshot. A publication replaces the
file by rename while a query runs: the query finishes on the snapshot it opened.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import duckdb

PROMPT = "kim> "
CONTINUATION = " ..> "
_HELP = """Befehle:
  <SQL>;        Abfrage ausführen (mehrzeilig möglich, endet mit ;)
  .tabellen     Tabellen und Sichten des Warehouse auflisten
  .hilfe        diese Hilfe
  .ende         beenden (auch Strg-D)
Das Warehouse ist schreibgeschützt; jede Abfrage liest den zuletzt veröffentlichten Stand."""
_TABLES_SQL = """
select table_schema as schema, table_name as tabelle, table_type as art
from information_schema.tables
where table_schema not in ('information_schema', 'pg_catalog')
order by table_schema, table_name
"""


class WarehouseMissingError(RuntimeError):
    """No published warehouse yet (German message)."""


def _connect(published_db: Path) -> duckdb.DuckDBPyConnection:
    if not published_db.exists():
        raise WarehouseMissingError(
            f"Noch kein veröffentlichtes Warehouse unter {published_db}. Bitte zuerst `make build` (oder "
            "`make demo`) ausführen."
        )
    return duckdb.connect(
        str(published_db), read_only=True, config={"autoinstall_known_extensions": False, "threads": 2}
    )


def run_query(published_db: Path, sql: str, max_rows: int = 10_000) -> None:
    """Run one statement read-only and print its result as a table."""
    with _connect(published_db) as con:
        relation = con.sql(sql)
        if relation is None:
            print("OK")
            return
        relation.show(max_rows=max_rows, max_width=10_000, max_col_width=60)


def _execute(published_db: Path, statement: str) -> bool:
    """Run a statement or dot-command; False means the user asked to leave."""
    command = statement.strip().lower()
    if command in (".ende", ".quit", ".exit"):
        return False
    if command in (".hilfe", ".help"):
        print(_HELP)
        return True
    if command.startswith(".") and command not in (".tabellen", ".tables"):
        print(f"Unbekannter Befehl {statement.strip()}; `.hilfe` zeigt die Befehle.")
        return True
    try:
        run_query(published_db, _TABLES_SQL if command.startswith(".") else statement)
    except duckdb.Error as error:
        print(f"Fehler: {error}")
    return True


def _keyboard(prompt: Callable[[], str]) -> Iterator[str]:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    while True:
        try:
            yield input(prompt())
        except EOFError:
            print()
            return


def interactive(published_db: Path, lines: Iterable[str] | None = None) -> int:
    """A small read-only SQL shell; `lines` replaces the keyboard (a pipe, a test)."""
    buffer: list[str] = []
    if lines is None:
        if sys.stdin.isatty():
            print(f"KIM-Monitor SQL (schreibgeschützt) auf {published_db}. `.hilfe` zeigt die Befehle.")
            lines = _keyboard(lambda: CONTINUATION if buffer else PROMPT)
        else:
            lines = sys.stdin
    for line in lines:
        text = line.rstrip("\n")
        if not buffer and text.strip().startswith("."):
            if not _execute(published_db, text):
                return 0
            continue
        if text.strip():
            buffer.append(text)
        if text.strip().endswith(";"):
            statement, buffer = "\n".join(buffer), []
            _execute(published_db, statement)
    if buffer:
        _execute(published_db, "\n".join(buffer))
    return 0
