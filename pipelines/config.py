"""One configuration for every component, read from environment variables.

Dagster, dbt (through `env_var()` in profiles.yml), the dashboards and the `kim` tool all derive their paths
from the same two variables, so a single `export` moves the whole installation.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
# Folder of the per-package German reports inside KIM_DATA_DIR.
REPORTS_DIRNAME = "berichte"
# Folder of the case index (cases of every accepted package) inside the staging cache.
CASE_INDEX_DIRNAME = "faelle_register"

# Telemetry and download switches that must be set before the libraries are imported. Setting them here (and
# in the Makefile) keeps every entry point offline-safe.
OFFLINE_ENVIRONMENT = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "False",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}


def dbt_executable() -> str:
    """The `dbt` of this environment, also when the virtualenv's bin folder is not on PATH."""
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


def apply_offline_environment() -> None:
    """Switch off every telemetry channel of the stack for this process and its children."""
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse_dir: Path
    dagster_home: Path
    stichtag: date

    @classmethod
    def under(cls, root: Path, stichtag: date) -> Settings:
        """An installation whose data, warehouse and Dagster folders all live below `root`."""
        return cls(
            data_dir=root / "data",
            warehouse_dir=root / "warehouse",
            dagster_home=root / "dagster_home",
            stichtag=stichtag,
        )

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def staging_dir(self) -> Path:
        """Parsed packages as Parquet, content-addressed; a cache that can always be rebuilt from the archive."""
        return self.data_dir / "staging"

    @property
    def case_index_dir(self) -> Path:
        """The cases of every accepted package, so later packages of the unit may report events of them."""
        return self.staging_dir / CASE_INDEX_DIRNAME

    @property
    def reports_dir(self) -> Path:
        """The German report of every processed package (Markdown and findings CSV), per unit and quarter."""
        return self.data_dir / REPORTS_DIRNAME

    @property
    def ground_truth_file(self) -> Path:
        return self.data_dir / "ground_truth.json"

    @property
    def pseudonym_secret_file(self) -> Path:
        return self.data_dir / ".pseudonym_secret"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder for the builds of this installation: compiled SQL, run results and the partial
        parse state, so a build re-parses only what changed (a full parse costs about 5 s)."""
        return self.warehouse_dir / "dbt_target"

    @property
    def build_db(self) -> Path:
        """The database only the pipeline writes."""
        return self.warehouse_dir / "build.duckdb"

    @property
    def published_db(self) -> Path:
        """The read-only snapshot KI leads and analysts open: the published layer, small numbers kept secret."""
        return self.warehouse_dir / "kim.duckdb"

    @property
    def ministry_db(self) -> Path:
        """The read-only snapshot of the ministry role: everything, unsuppressed (see pipelines/publish.py)."""
        return self.warehouse_dir / "kim_ministerium.duckdb"


def _path_from_env(name: str, default: str) -> Path:
    return Path(os.environ.get(name) or default).expanduser().resolve()


def get_settings() -> Settings:
    """Read the configuration from the environment (every call, so tests can change it)."""
    stichtag_text = os.environ.get("KIM_STICHTAG")
    return Settings(
        data_dir=_path_from_env("KIM_DATA_DIR", "data"),
        warehouse_dir=_path_from_env("KIM_WAREHOUSE_DIR", "warehouse"),
        dagster_home=_path_from_env("DAGSTER_HOME", ".dagster_home"),
        stichtag=date.fromisoformat(stichtag_text) if stichtag_text else date.today(),
    )
