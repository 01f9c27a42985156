"""The `kim` command as tests run it: a real subprocess of `python -m pipelines.cli`, optionally offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from pipelines.config import REPO_ROOT

CLI_TIMEOUT_SECONDS = 1200


def offline_prefix() -> list[str]:
    """`unshare --net` (no network at all) when it works here, else nothing."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "true"], capture_output=True).returncode == 0:
        return [unshare, "--net"]
    return []


def run_kim(
    *args: str, env: dict[str, str] | None = None, offline: bool = False, timeout: int = CLI_TIMEOUT_SECONDS
) -> str:
    """Run `kim <args>` (in `env`, default the current environment); returns its output, fails the test if not 0."""
    command = [*(offline_prefix() if offline else []), sys.executable, "-m", "pipelines.cli", *args]
    result = subprocess.run(
        command, env=env or dict(os.environ), capture_output=True, text=True, cwd=REPO_ROOT, timeout=timeout
    )
    assert result.returncode == 0, f"kim {' '.join(args)}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result.stdout
