"""Benchmark: wall time and peak memory of `kim generate` and `kim build` (default scale 1).

Each command runs as a subprocess in a fresh temporary installation (data, warehouse, Dagster home). Peak memory
is the largest total resident set size of the command's whole process tree (the `kim` process plus e.g. the dbt
subprocess), sampled from /proc every 100 ms, so it is what the machine actually had to provide.

    uv run python benchmarks/generate_and_build.py [--scale 1] [--seed 42] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def _tree_rss_bytes(root: int) -> int:
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE_SIZE
        except OSError:
            continue
        stack.extend(_children(pid))
    return total


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run `command`; return (seconds, peak tree RSS in bytes, combined output)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_bytes(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.stderr.write(output)
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
    return seconds, peak, output


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--keep", type=Path, default=None, help="use and keep this directory instead of a temp one"
    )
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="kim-benchmark-"))
    root.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "KIM_DATA_DIR": str(root / "data"),
        "KIM_WAREHOUSE_DIR": str(root / "warehouse"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    kim = [sys.executable, "-m", "pipelines.cli"]
    try:
        gen_seconds, gen_peak, gen_output = run_measured(
            [*kim, "generate", "--scale", str(args.scale), "--seed", str(args.seed)], env
        )
        build_seconds, build_peak, build_output = run_measured([*kim, "build"], env)
        truth = json.loads((root / "data" / "ground_truth.json").read_text(encoding="utf-8"))
        landing_bytes = sum(p.stat().st_size for p in (root / "data" / "landing").rglob("*") if p.is_file())
        published = root / "warehouse" / "kim.duckdb"
        with duckdb.connect(str(published), read_only=True) as con:
            cases = con.execute("select count(distinct fall_id) from raw.faelle").fetchone()[0]
            events = con.execute("select count(*) from raw.ereignisse").fetchone()[0]
            kpi_rows = con.execute("select count(*) from marts.kpi_werte").fetchone()[0]
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

    parameters = truth["parameter"]
    print(
        f"scale {args.scale}, seed {args.seed}, "
        f"quarters {parameters['erstes_quartal']}..{parameters['letztes_quartal']}"
    )
    print(
        f"landing zone: {landing_bytes / 1e6:.0f} MB; warehouse: {cases:,} cases, {events:,} event rows, "
        f"{kpi_rows:,} KPI rows"
    )
    print(f"kim generate: {gen_seconds:8.1f} s wall, peak RSS {gen_peak / 2**20:8.0f} MiB")
    print(f"kim build:    {build_seconds:8.1f} s wall, peak RSS {build_peak / 2**20:8.0f} MiB")
    print("--- kim generate ---\n" + gen_output.strip())
    print("--- kim build ---\n" + build_output.strip())


if __name__ == "__main__":
    main()
