"""Fixtures that run the real dbt project against build databases in temporary directories.

dbt runs as a subprocess from `dbt_project/` (as the pipeline and an operator run it), with its target and log
folders in the temporary directory, so parallel test sessions never share a manifest or a database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.config import DBT_PROJECT_DIR, OFFLINE_ENVIRONMENT
from pipelines.ingest.raw_tables import create_raw_schema


@dataclass(frozen=True)
class DbtRun:
    """Outcome of one dbt command: exit code, console output and the nodes of run_results.json."""

    returncode: int
    output: str
    results: list[dict]

    def failures(self) -> list[str]:
        """Every node that did not pass, as `<unique_id>: <status> <message>`."""
        return [
            f"{result['unique_id']}: {result['status']} {result.get('message') or ''}"
            for result in self.results
            if result["status"] not in ("success", "pass")
        ]


# Columns the loader keeps for its own progress, with the value they have after a finished load. The hand-written
# rows of the tests describe finished loads; a column is filled only where this checkout's raw schema has it.
FINISHED_LOAD_VALUES: dict[str, dict[str, object]] = {"lieferungen": {"zugeordnet": True}}


class DbtProject:
    """The repository's dbt project, run on build databases the tests create."""

    executable = Path(sys.executable).with_name("dbt")

    def create_build_database(self, warehouse_dir: Path, raw_rows: dict[str, list[dict]]) -> Path:
        """A build database with the pipeline's raw schema holding exactly the given rows per raw table."""
        warehouse_dir.mkdir(parents=True, exist_ok=True)
        database = warehouse_dir / "build.duckdb"
        with duckdb.connect(str(database)) as con:
            create_raw_schema(con)
            for table, rows in raw_rows.items():
                present = {
                    name
                    for (name,) in con.execute(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_schema = 'raw' AND table_name = ?",
                        [table],
                    ).fetchall()
                }
                finished = {
                    name: value
                    for name, value in FINISHED_LOAD_VALUES.get(table, {}).items()
                    if name in present
                }
                for given in rows:
                    row = {**finished, **given}
                    columns = ", ".join(row)
                    placeholders = ", ".join("?" for _ in row)
                    con.execute(
                        f"INSERT INTO raw.{table} ({columns}) VALUES ({placeholders})", list(row.values())
                    )
        return database

    def run(
        self, command: list[str], warehouse_dir: Path, stichtag: str, variables: dict | None = None
    ) -> DbtRun:
        """Run one dbt command on the build database in `warehouse_dir` with a fixed reference date."""
        environment = {
            **os.environ,
            **OFFLINE_ENVIRONMENT,
            "KIM_WAREHOUSE_DIR": str(warehouse_dir),
            "KIM_STICHTAG": stichtag,
            "KIM_DUCKDB_MEMORY_LIMIT": "1GB",
        }
        target_dir = warehouse_dir / "dbt_target"
        arguments = [
            str(self.executable),
            *command,
            "--profiles-dir",
            ".",
            "--target-path",
            str(target_dir),
            "--log-path",
            str(warehouse_dir / "dbt_logs"),
        ]
        if variables:
            arguments += ["--vars", json.dumps(variables)]
        completed = subprocess.run(
            arguments, cwd=DBT_PROJECT_DIR, env=environment, capture_output=True, text=True, timeout=600
        )
        run_results = target_dir / "run_results.json"
        results = json.loads(run_results.read_text())["results"] if run_results.exists() else []
        return DbtRun(completed.returncode, completed.stdout + completed.stderr, results)


@pytest.fixture(scope="session")
def dbt_project() -> DbtProject:
    return DbtProject()
