"""Every SQL example in docs/abfragen.md runs on the published snapshot and returns rows, so the analysts'
documentation cannot drift from the schema."""

from __future__ import annotations

import re

import duckdb
import pytest

from pipelines.config import REPO_ROOT

DOCUMENT = REPO_ROOT / "docs" / "abfragen.md"
EXAMPLES = re.findall(r"```sql\n(.*?)```", DOCUMENT.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_document_has_examples():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("sql", EXAMPLES, ids=[f"beispiel_{i + 1}" for i in range(len(EXAMPLES))])
def test_example_runs_on_the_public_snapshot(published_warehouse, sql):
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert rows, "the example returns nothing on the session's data"


def test_every_published_table_and_column_carries_its_german_description(published_warehouse):
    """dbt's descriptions reach the analysts' database itself (persist_docs, copied when publishing)."""
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' and comment is null"
        ).fetchall()
        columns = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'marts' and comment is null"
        ).fetchall()
        described = con.execute(
            "select count(*) from duckdb_columns() where schema_name = 'marts' and comment is not null"
        ).fetchone()[0]
    assert not tables and not columns and described > 100, (tables, columns[:10])
