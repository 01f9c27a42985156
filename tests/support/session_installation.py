"""The session installation every session test reads: generated and built by the real `kim` commands.

`make test` builds it once with `python tests/support/session_installation.py <root>` and then runs the session
tests in two pytest-xdist workers that share it (KIM_TESTS_INSTALLATION=<root>); a plain `pytest` run builds it
in the session fixture instead (tests/conftest.py). Either way the same function builds it. Both commands run as
subprocesses and, where the machine allows it (root, util-linux `unshare`), in a network namespace without any
network, which proves that nothing in generation, ingestion, dbt or publication needs the internet. What they
printed is kept beside the installation, so tests that read it work in both modes.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from kim_cli import offline_prefix, run_kim

from pipelines.calendar import Quarter

# Small but complete: all 54 units over five quarters (the trend tests need five), a reference date after the
# last deadline. Each partition costs ~1 s of the build whatever its size, so the quarters, not the scale, set
# its time.
TEST_SCALE = 0.03
TEST_SEED = 20251
TEST_FIRST_QUARTER = Quarter(2024, 4)
TEST_LAST_QUARTER = Quarter(2025, 4)
TEST_STICHTAG = "2026-03-01"
OUTPUT_FILE = "kim_ausgaben.json"


@dataclass(frozen=True)
class SessionCli:
    """What `kim generate` and `kim build` printed for the session's installation, and whether offline."""

    generate: str
    build: str
    offline: bool


def environment(root: Path) -> dict[str, str]:
    """The variables that point every component at the installation below `root`."""
    return {
        "KIM_DATA_DIR": str(root / "data"),
        "KIM_WAREHOUSE_DIR": str(root / "warehouse"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "KIM_STICHTAG": TEST_STICHTAG,
        "KIM_BERICHTSBEGINN": str(TEST_FIRST_QUARTER),
    }


def build(root: Path) -> SessionCli:
    """Generate and build the installation below `root`; what the commands printed is kept there too."""
    env = {**os.environ, **environment(root)}
    offline = bool(offline_prefix())
    generated = run_kim(
        "generate",
        "--scale",
        str(TEST_SCALE),
        "--seed",
        str(TEST_SEED),
        "--from",
        str(TEST_FIRST_QUARTER),
        "--to",
        str(TEST_LAST_QUARTER),
        env=env,
        offline=offline,
    )
    built = run_kim("build", env=env, offline=offline)
    cli = SessionCli(generate=generated, build=built, offline=offline)
    (root / OUTPUT_FILE).write_text(json.dumps(asdict(cli), ensure_ascii=False), encoding="utf-8")
    return cli


def read(root: Path) -> SessionCli:
    """What the commands printed when `build` made the installation below `root` (empty if another tool did)."""
    path = root / OUTPUT_FILE
    if not path.exists():
        return SessionCli(generate="", build="", offline=False)
    return SessionCli(**json.loads(path.read_text(encoding="utf-8")))


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    build(target)
    print(f"Sitzungsinstallation gebaut: {target}")
