"""Benchmark: `kim generate` and `kim build` against the read floor, at scale 1 and 5 (wall, CPU, peak memory).

For every scale, in a fresh temporary installation (data, warehouse, Dagster home; under /dev/shm where the
machine has it, like the test installations, else /tmp):
1. `kim generate` writes the landing zone;
2. ONE package is held back in a side folder: all entries (folder and/or zip) of the last quarter of the first
   unit in AGS order, i.e. the quarter that arrives next;
3. the read floor (`benchmarks/read_floor.py`: every contract file read once into DuckDB, nothing else) runs
   `--repeats` times on the landing zone as the full build will see it, and on the held-back package alone;
   and `--repeats` times with one statement per file (`--per-file`), the floor as the fast-path issue measured
   it;
4. `kim build` on the landing zone: the full load of the history;
5. the held-back package is put back and `kim build` runs again: one new package on top of a loaded history;
6. `kim build` once more with nothing new: it only runs dbt and publishes (the fixed cost of every build).

Every build also reports the wall seconds of its phases (loading, dbt, publishing: the `Dauer:` line of its
summary), so dbt and publishing are shown on their own as well.
The commands run one after the other, never side by side, so none disturbs another's figures.

Wall time is measured around each subprocess. CPU time is the difference of `getrusage(RUSAGE_CHILDREN)`
before and after waiting for it: user + system seconds of the command and every descendant it waited for
(Dagster's worker processes, dbt). Peak memory is the largest total resident set size of the command's whole
process tree, sampled from /proc every 100 ms, so it is what the machine actually had to provide. The read
floor's CPU is the figure read_floor.py measures itself (the read only, without interpreter start-up and
imports); the whole process, start-up included, is shown next to it. Repeated figures are medians.

`KIM_STICHTAG` is fixed to 2026-12-01 unless the environment sets it, so that runs are comparable. If the
environment switches bytecode caching off (PYTHONDONTWRITEBYTECODE), the commands get a private cache in the
benchmark folder, so that no figure includes compiling every imported module anew in every process.

    uv run python benchmarks/generate_and_build.py [--scales 1,5 | --scale 1 --only-scale] [--seed 42]
        [--from 2021-Q1] [--to 2026-Q3] [--repeats 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.build import PHASE_DBT, PHASE_PUBLISH, phases_of

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
DEFAULT_STICHTAG = "2026-12-01"
READ_FLOOR = Path(__file__).with_name("read_floor.py")
KIM = [sys.executable, "-m", "pipelines.cli"]
MIB = 2**20


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


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process tree
    peak_rss: int  # bytes
    output: str


def run_measured(command: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run `command` to completion; its combined output also goes to `log`."""
    cpu_before = _children_cpu_seconds()
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
    output, _ = process.communicate()  # waits for the process, so RUSAGE_CHILDREN now includes it
    wall = time.perf_counter() - started
    cpu = _children_cpu_seconds() - cpu_before
    done.set()
    sampler.join()
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"$ {' '.join(command)}\n{output}", encoding="utf-8")
    if process.returncode != 0:
        sys.stderr.write(output)
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode} (log: {log})")
    return Measured(wall, cpu, peak, output)


@dataclass
class Floor:
    """Repeated runs of read_floor.py on one landing zone."""

    runs: list[dict] = field(default_factory=list)
    processes: list[Measured] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(run[key] for run in self.runs)

    @property
    def process_cpu(self) -> float:
        return statistics.median(process.cpu for process in self.processes)

    @property
    def peak_rss(self) -> int:
        return max(process.peak_rss for process in self.processes)


def measure_floor(
    landing: Path, database: Path, repeats: int, env: dict[str, str], logs: Path, *, per_file: bool = False
) -> Floor:
    floor = Floor()
    for repeat in range(1, repeats + 1):
        command = [sys.executable, str(READ_FLOOR), str(landing), "--db", str(database), "--json"]
        command += ["--per-file"] if per_file else []
        measured = run_measured(command, env, logs / f"{repeat}.log")
        floor.processes.append(measured)
        floor.runs.append(json.loads(measured.output.strip().splitlines()[-1]))
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    return floor


def hold_back_package(landing: Path, side: Path) -> str:
    """Move all entries of the last quarter of the first unit to `side` (same layout); return `<ags>/<quarter>`."""
    units = sorted(path for path in landing.iterdir() if path.is_dir() and not path.name.startswith("."))
    for unit in units:
        entries = [path for path in unit.iterdir() if not path.name.startswith(".")]
        quarters = sorted({path.name.removesuffix(".zip") for path in entries})
        if not quarters:
            continue
        last = quarters[-1]
        (side / unit.name).mkdir(parents=True, exist_ok=True)
        for path in entries:
            if path.name.removesuffix(".zip") == last:
                path.rename(side / unit.name / path.name)
        return f"{unit.name}/{last}"
    raise SystemExit(f"no package in {landing}")


def put_back(side: Path, landing: Path) -> None:
    for unit in side.iterdir():
        for path in unit.iterdir():
            path.rename(landing / unit.name / path.name)


def build_phases(output: str) -> dict[str, float]:
    """The wall seconds per phase that `kim build` reports on its `Dauer:` line (Laden, dbt, Veröffentlichen)."""
    phases = phases_of(output)
    if not phases:
        raise SystemExit("kim build reported no phases on its `Dauer:` line")
    return phases


def warehouse_counts(build_db: Path) -> dict[str, int]:
    queries = {
        "raw.faelle rows": "select count(*) from raw.faelle",
        "raw.faelle cases": "select count(distinct fall_id) from raw.faelle",
        "raw.ereignisse rows": "select count(*) from raw.ereignisse",
        "marts.kpi_werte rows": "select count(*) from marts.kpi_werte",
    }
    with duckdb.connect(str(build_db), read_only=True) as con:
        return {label: con.execute(sql).fetchone()[0] for label, sql in queries.items()}


def landing_bytes(landing: Path) -> int:
    return sum(path.stat().st_size for path in landing.rglob("*") if path.is_file())


def _scale_text(scale: float) -> str:
    return f"{scale:g}"


def base_environment(root: Path) -> tuple[dict[str, str], list[str]]:
    """The environment of every command, and notes on how it differs from the caller's."""
    env = dict(os.environ)
    notes = []
    if "KIM_STICHTAG" not in env:
        env["KIM_STICHTAG"] = DEFAULT_STICHTAG
        notes.append(f"KIM_STICHTAG={DEFAULT_STICHTAG} (fixed for comparable runs)")
    if env.get("PYTHONDONTWRITEBYTECODE") and not env.get("PYTHONPYCACHEPREFIX"):
        # Without bytecode caching every Python process would compile every module it imports (some CPU
        # seconds each for Dagster, dbt and Great Expectations), which no normal installation pays. The commands
        # get a private cache in the benchmark's folder instead: the first command to import a module compiles
        # it, later ones reuse it, as on a machine with a normal `__pycache__`.
        del env["PYTHONDONTWRITEBYTECODE"]
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        notes.append("PYTHONDONTWRITEBYTECODE was set: bytecode cached in the benchmark folder instead")
    return env, notes


def benchmark_scale(
    scale: float, root: Path, base_env: dict[str, str], args: argparse.Namespace
) -> dict[str, str]:
    """All figures of one scale, as printable texts keyed by the label of their line."""
    env = {
        **base_env,
        "KIM_DATA_DIR": str(root / "data"),
        "KIM_WAREHOUSE_DIR": str(root / "warehouse"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    landing, side, logs = root / "data" / "landing", root / "held_back" / "landing", root / "logs"
    tag = f"scale {_scale_text(scale)}"

    def step(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {tag}: {text}", flush=True)

    generate = [*KIM, "generate", "--scale", _scale_text(scale), "--seed", str(args.seed)]
    if args.from_:
        generate += ["--from", args.from_]
    if args.to:
        generate += ["--to", args.to]
    step("kim generate …")
    gen = run_measured(generate, env, logs / "generate.log")
    size = landing_bytes(landing)
    held_back = hold_back_package(landing, side)

    step(f"read floor ×{args.repeats} (without {held_back}) …")
    floor = measure_floor(landing, root / "floor.duckdb", args.repeats, env, logs / "floor")
    step(f"read floor, one statement per file, ×{args.repeats} …")
    floor_per_file = measure_floor(
        landing, root / "floor.duckdb", args.repeats, env, logs / "floor_per_file", per_file=True
    )
    step(f"read floor ×{args.repeats} of {held_back} alone …")
    floor_new = measure_floor(side, root / "floor.duckdb", args.repeats, env, logs / "floor_new")

    step(f"kim build, full ({floor.runs[0]['packages']:,} packages) …")
    full = run_measured([*KIM, "build"], env, logs / "build_full.log")
    put_back(side, landing)
    step(f"kim build, one new package ({held_back}) …")
    one_new = run_measured([*KIM, "build"], env, logs / "build_one_new.log")
    step("kim build, nothing new (dbt + publish only) …")
    nothing_new = run_measured([*KIM, "build"], env, logs / "build_nothing_new.log")
    counts = warehouse_counts(root / "warehouse" / "build.duckdb")
    step("done")

    floor_cpu, floor_new_cpu = floor.median("cpu_seconds"), floor_new.median("cpu_seconds")
    truth_path = root / "data" / "ground_truth.json"
    quarters = ""
    if truth_path.exists():
        parameters = json.loads(truth_path.read_text(encoding="utf-8")).get("parameter", {})
        quarters = f"{parameters.get('erstes_quartal', '?')}..{parameters.get('letztes_quartal', '?')}"
    n = args.repeats
    full_phases, one_new_phases, nothing_new_phases = (
        build_phases(run.output) for run in (full, one_new, nothing_new)
    )

    def seconds(value: float) -> str:
        return f"{value:,.1f} s" if value >= 10 else f"{value:,.2f} s"

    def mib(value: int) -> str:
        return f"{value / MIB:,.0f} MiB"

    def phase_texts(phases: dict[str, float]) -> str:
        return " / ".join(f"{name} {seconds(value)}" for name, value in phases.items())

    def ratio(value: float, floor_value: float) -> str:
        return f"{value / floor_value:,.1f}" if floor_value > 0 else "n/a"

    return {
        "quarters": quarters,
        "landing zone: packages": f"{floor.runs[0]['packages'] + floor_new.runs[0]['packages']:,}",
        "landing zone: size": f"{size / 1e6:,.0f} MB",
        "landing zone: rows read by the floor": f"{floor.runs[0]['rows_total'] + floor_new.runs[0]['rows_total']:,}",
        "held-back package": held_back,
        "generate: wall": seconds(gen.wall),
        "generate: CPU": seconds(gen.cpu),
        "generate: peak RSS": mib(gen.peak_rss),
        f"read floor: CPU (median of {n})": seconds(floor_cpu),
        f"read floor: wall (median of {n})": seconds(floor.median("wall_seconds")),
        f"read floor: CPU incl. start-up (median of {n})": seconds(floor.process_cpu),
        "read floor: peak RSS": mib(floor.peak_rss),
        f"read floor, new package alone: CPU (median of {n})": seconds(floor_new_cpu),
        f"read floor, one statement per file: CPU (median of {n})": seconds(
            floor_per_file.median("cpu_seconds")
        ),
        "build, full: wall": seconds(full.wall),
        "build, full: CPU": seconds(full.cpu),
        "build, full: peak RSS": mib(full.peak_rss),
        "build, full: phases (wall)": phase_texts(full_phases),
        "build ÷ floor (CPU)": ratio(full.cpu, floor_cpu),
        "build ÷ floor one statement per file (CPU)": ratio(full.cpu, floor_per_file.median("cpu_seconds")),
        "build, full − nothing new (CPU; ≈ the loading)": seconds(full.cpu - nothing_new.cpu),
        "(build, full − nothing new) ÷ floor (CPU)": ratio(full.cpu - nothing_new.cpu, floor_cpu),
        "build, one new package: wall": seconds(one_new.wall),
        "build, one new package: CPU": seconds(one_new.cpu),
        "build, one new package: peak RSS": mib(one_new.peak_rss),
        "build, one new package: phases (wall)": phase_texts(one_new_phases),
        "build, one new package − nothing new (CPU)": seconds(one_new.cpu - nothing_new.cpu),
        "build, nothing new (dbt + publish only): wall": seconds(nothing_new.wall),
        "build, nothing new (dbt + publish only): CPU": seconds(nothing_new.cpu),
        "build, nothing new (dbt + publish only): peak RSS": mib(nothing_new.peak_rss),
        "build, nothing new: dbt alone (wall)": seconds(nothing_new_phases.get(PHASE_DBT, float("nan"))),
        "build, nothing new: publish alone (wall)": seconds(
            nothing_new_phases.get(PHASE_PUBLISH, float("nan"))
        ),
        **{f"warehouse: {label}": f"{value:,}" for label, value in counts.items()},
    }


def print_table(results: dict[float, dict[str, str]]) -> None:
    scales = list(results)
    labels = list(results[scales[0]])
    width = max(len(label) for label in labels) + 1
    columns = [max(len(f"scale {_scale_text(s)}"), *(len(v) for v in results[s].values())) for s in scales]
    header = " " * width + "  ".join(
        f"{'scale ' + _scale_text(s):>{c}}" for s, c in zip(scales, columns, strict=True)
    )
    print(header)
    for label in labels:
        cells = "  ".join(f"{results[s][label]:>{c}}" for s, c in zip(scales, columns, strict=True))
        print(f"{label + ':':<{width}}{cells}")


def _scales(args: argparse.Namespace) -> list[float]:
    if args.scales:
        texts = [text.strip() for text in args.scales.split(",") if text.strip()]
    elif args.only_scale:
        texts = [args.scale]
    else:
        texts = [args.scale, "5"]
    try:
        scales = [float(text) for text in texts]
    except ValueError:
        raise SystemExit(f"not a list of numbers: {args.scales}") from None
    return list(dict.fromkeys(scales))


def temp_root() -> Path:
    shm = Path("/dev/shm")
    parent = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
    return Path(tempfile.mkdtemp(prefix="kim-benchmark-", dir=parent))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scales", default=None, help='comma-separated scales to measure (default "1,5"; overrides --scale)'
    )
    parser.add_argument(
        "--scale", default="1", help="first scale (default 1); scale 5 follows unless --only-scale"
    )
    parser.add_argument(
        "--only-scale", "--nur-skala", dest="only_scale", action="store_true", help="measure --scale alone"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--from", dest="from_", default=None, help="first quarter, passed to kim generate")
    parser.add_argument("--to", default=None, help="last quarter, passed to kim generate")
    parser.add_argument(
        "--repeats",
        "--wiederholungen",
        dest="repeats",
        type=int,
        default=3,
        help="runs of the read floor (median)",
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="use and keep this directory instead of a temporary one"
    )
    args = parser.parse_args()
    if args.repeats < 1:
        raise SystemExit("--repeats must be at least 1")
    scales = _scales(args)

    root = args.keep.resolve() if args.keep else temp_root()
    root.mkdir(parents=True, exist_ok=True)
    base_env, notes = base_environment(root)
    print(f"installations under {root}", flush=True)
    results: dict[float, dict[str, str]] = {}
    try:
        for scale in scales:
            installation = root / f"scale-{_scale_text(scale)}"
            if installation.exists():
                raise SystemExit(f"{installation} exists already; pass an empty --keep folder")
            try:
                results[scale] = benchmark_scale(scale, installation, base_env, args)
            finally:
                if args.keep is None:
                    shutil.rmtree(installation, ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

    print()
    print(
        f"seed {args.seed}, KIM_STICHTAG {base_env['KIM_STICHTAG']}, {os.cpu_count()} CPUs; "
        "CPU = user + system seconds of the process tree"
    )
    for note in notes:
        print(f"note: {note}")
    print_table(results)


if __name__ == "__main__":
    main()
