"""The read floor: the least work any loader of the landing zone must do, measured in one process.

Every delivered contract file of every package in the landing zone is read once into a DuckDB table of its
own (`faelle`, `ereignisse`, …; every column VARCHAR, headers normalised as the contract does, plus the
lineage columns `ags`, `berichtsquartal`, `paketform` and `datei`). Nothing is checked, typed, pseudonymised
or transformed, so whatever `kim build` does beyond this is the price of its own work, not of the input.

How it reads, as cheaply as it can while still reading every row of every file:
- packages are found as in `pipelines/ingest/packages.py` (`<ags>/<quartal>/` folders and `<ags>/<quartal>.zip`)
  but without hashing them (the content identity is the loader's business, not the floor's);
- every CSV file's bytes are looked at once in Python to tell its encoding (UTF-8 with or without BOM, or
  Windows-1252) and delimiter; zip members are unpacked to a scratch folder (in memory under /dev/shm where
  possible), and Windows-1252 files that use one of the 27 characters in which it differs from Latin-1 (€, „,
  “, –, …) are re-encoded to UTF-8 there, since DuckDB's CSV reader only knows UTF-8 and Latin-1;
- the files are then grouped by (contract file, encoding, delimiter, normalised header), and each group is
  loaded with ONE `read_csv([...], filename=true)` statement, which DuckDB parses on all its threads;
- workbooks (`.xlsx`) are read with python-calamine, one sheet per contract file, and handed to DuckDB as
  Arrow tables of strings.
CPU seconds are those of the whole process (all DuckDB threads included, `RUSAGE_SELF`) from the first look
at the landing zone to the closed database; interpreter start-up and imports are not included.

With `--per-file`, each file is read by a `read_csv` of its own (7,581 statements at scale 1 instead of about 30):
the floor as the fast-path issue measured it ("one process reading every delivered file once into tables",
21–28 CPU-s there). Both are floors; the grouped one is the lower.

    uv run python benchmarks/read_floor.py LANDING_DIR [--db PATH] [--per-file] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import tempfile
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as day_time
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineWorkbook

from pipelines.contract.headers import normalise_header
from pipelines.contract.schema import CONTRACT_FILES

_AGS = re.compile(r"^\d{5}(\d{3})?$")
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
_UTF8_BOM = b"\xef\xbb\xbf"
# Bytes that Windows-1252 maps to printable characters but Latin-1 to C1 control codes.
_CP1252_ONLY = re.compile(rb"[\x80-\x9f]")
_LINEAGE = ("ags", "berichtsquartal", "paketform", "datei")


def scratch_root() -> Path:
    """/dev/shm where the machine has it and it is writable, else the system's temp folder."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm
    return Path(tempfile.gettempdir())


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class _Package:
    ags: str
    quarter: str
    path: Path
    shape: str  # ORDNER or ZIP; a folder holding a workbook is told apart by its files


@dataclass
class _Group:
    """CSV files DuckDB can read in one statement: same contract file, encoding, delimiter and header."""

    kind: str
    encoding: str  # DuckDB's name: utf-8 or latin-1
    delimiter: str
    columns: tuple[str, ...]
    files: list[str] = field(default_factory=list)


@dataclass
class _Stats:
    packages: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    csv_files: int = 0
    sheets: int = 0
    manifests: int = 0
    bytes_read: int = 0
    recoded: int = 0
    empty_files: int = 0
    statements: int = 0
    fallbacks: int = 0
    unreadable: list[str] = field(default_factory=list)


def find_packages(landing_dir: Path) -> list[_Package]:
    """Every package of the landing zone (hidden entries and anything that is not a package are skipped)."""
    packages = []
    for unit in sorted(landing_dir.iterdir()):
        if unit.name.startswith(".") or not unit.is_dir() or not _AGS.match(unit.name):
            continue
        for entry in sorted(unit.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir() and _QUARTER.match(entry.name):
                packages.append(_Package(unit.name, entry.name, entry, "ORDNER"))
            elif entry.is_file() and entry.name.lower().endswith(".zip") and _QUARTER.match(entry.name[:-4]):
                packages.append(_Package(unit.name, entry.name[:-4], entry, "ZIP"))
    return packages


def _contract_kind(name: str, suffix: str) -> str | None:
    """`faelle` for `faelle.csv` (any case), None for files that are not contract files."""
    base = name.rsplit("/", 1)[-1]
    if not base.lower().endswith(suffix):
        return None
    kind = base[: -len(suffix)].lower()
    return kind if kind in CONTRACT_FILES else None


@lru_cache(maxsize=4096)
def _header_columns(header: str, delimiter: str) -> tuple[str, ...]:
    """Normalised, unique column names of a header line (untitled columns get a position name)."""
    raw = next(csv.reader([header], delimiter=delimiter), [])
    names: list[str] = []
    for position, text in enumerate(raw, start=1):
        name = normalise_header(text) or f"spalte_{position}"
        candidate, number = name, 2
        while candidate in names or candidate in _LINEAGE:
            candidate, number = f"{name}_{number}", number + 1
        names.append(candidate)
    return tuple(names)


class _Reader:
    def __init__(self, con: duckdb.DuckDBPyConnection, scratch: Path, stats: _Stats, per_file: bool = False):
        self.con = con
        self.per_file = per_file
        self.scratch = scratch
        self.stats = stats
        self.groups: dict[tuple[str, str, str, tuple[str, ...]], _Group] = {}
        self.lineage: list[tuple[str, str, str, str]] = []  # datei, ags, berichtsquartal, paketform
        self.sheets: list[tuple[str, pa.Table]] = []
        self.table_columns: dict[str, list[str]] = {kind: [] for kind in CONTRACT_FILES}
        self._scratch_files = 0

    # --- looking at the files ---------------------------------------------------------------------------

    def add_package(self, package: _Package) -> None:
        if package.shape == "ZIP":
            self._add_zip(package)
            return
        shape = "ORDNER_CSV"
        files = sorted(
            path
            for path in package.path.rglob("*")
            if path.is_file()
            and not any(part.startswith(".") for part in path.relative_to(package.path).parts)
        )
        for path in files:
            if path.name.lower().endswith(".xlsx"):
                shape = "ORDNER_XLSX"
                self._add_workbook(package, path)
            elif path.name.lower() == "manifest.json":
                self._add_manifest(path.read_bytes())
            else:
                kind = _contract_kind(path.name, ".csv")
                if kind is not None:
                    data = path.read_bytes()
                    self._add_csv(package, shape, kind, data, path)
        self.stats.packages[shape] += 1

    def _add_zip(self, package: _Package) -> None:
        self.stats.packages["ZIP_CSV"] += 1
        target = self.scratch / "zip" / package.ags / package.quarter
        try:
            with zipfile.ZipFile(package.path) as archive:
                for info in archive.infolist():
                    name = info.filename
                    if (
                        info.is_dir()
                        or name.startswith("__MACOSX/")
                        or name.rsplit("/", 1)[-1].startswith(".")
                    ):
                        continue
                    if name.rsplit("/", 1)[-1].lower() == "manifest.json":
                        self._add_manifest(archive.read(info))
                        continue
                    kind = _contract_kind(name, ".csv")
                    if kind is not None:
                        self._add_csv(package, "ZIP_CSV", kind, archive.read(info), None, target)
        except (zipfile.BadZipFile, OSError) as error:
            self.stats.unreadable.append(f"{package.path}: {error}")

    def _add_manifest(self, data: bytes) -> None:
        self.stats.bytes_read += len(data)
        try:
            json.loads(data.decode("utf-8-sig"))
            self.stats.manifests += 1
        except ValueError as error:
            self.stats.unreadable.append(f"manifest.json: {error}")

    def _add_csv(
        self,
        package: _Package,
        shape: str,
        kind: str,
        data: bytes,
        path: Path | None,
        unpack_to: Path | None = None,
    ) -> None:
        """Tell the file's encoding, delimiter and header; put it into its group (unpacked/recoded if needed)."""
        self.stats.csv_files += 1
        self.stats.bytes_read += len(data)
        if not data.strip():
            self.stats.empty_files += 1
            return
        encoding = "utf-8"
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                if _CP1252_ONLY.search(data):
                    # Windows-1252 with characters Latin-1 does not have: DuckDB gets a UTF-8 copy.
                    data = data.decode("cp1252", errors="replace").encode("utf-8")
                    path = None
                    unpack_to = unpack_to or self.scratch / "recoded" / package.ags / package.quarter
                    self.stats.recoded += 1
                else:
                    encoding = "latin-1"
        if path is None:
            assert unpack_to is not None
            unpack_to.mkdir(parents=True, exist_ok=True)
            self._scratch_files += 1
            path = unpack_to / f"{self._scratch_files}_{kind}.csv"
            path.write_bytes(data)
        first_line = data.split(b"\n", 1)[0].removeprefix(_UTF8_BOM).rstrip(b"\r")
        header = first_line.decode("utf-8" if encoding == "utf-8" else "latin-1", errors="replace")
        delimiter = ";" if header.count(";") >= header.count(",") and ";" in header else ","
        columns = _header_columns(header, delimiter)
        key = (kind, encoding, delimiter, columns)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group(kind, encoding, delimiter, columns)
            self._note_columns(kind, columns)
        group.files.append(str(path))
        self.lineage.append((str(path), package.ags, package.quarter, shape))

    def _add_workbook(self, package: _Package, path: Path) -> None:
        self.stats.bytes_read += path.stat().st_size
        try:
            book = CalamineWorkbook.from_path(str(path))
        except Exception as error:  # any unreadable workbook is only counted
            self.stats.unreadable.append(f"{path}: {error}")
            return
        with book:
            for title in book.sheet_names:
                kind = normalise_header(title)
                if kind not in CONTRACT_FILES:
                    continue
                rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
                table = _sheet_table(rows, package, str(path))
                if table is not None:
                    self.stats.sheets += 1
                    self._note_columns(kind, tuple(table.column_names[len(_LINEAGE) :]))
                    self.sheets.append((kind, table))

    def _note_columns(self, kind: str, columns: tuple[str, ...]) -> None:
        known = self.table_columns[kind]
        known.extend(column for column in columns if column not in known)

    # --- loading into DuckDB ----------------------------------------------------------------------------

    def load(self) -> None:
        con = self.con
        for kind, columns in self.table_columns.items():
            definition = ", ".join(f'"{name}" VARCHAR' for name in (*_LINEAGE, *columns))
            con.execute(f'CREATE TABLE "{kind}" ({definition})')
        files = pa.Table.from_arrays(
            [pa.array(list(values), type=pa.string()) for values in zip(*self.lineage, strict=True)]
            if self.lineage
            else [pa.array([], type=pa.string())] * 4,
            names=["datei", "ags", "berichtsquartal", "paketform"],
        )
        con.register("dateien_arrow", files)
        con.execute("CREATE TEMP TABLE dateien AS SELECT * FROM dateien_arrow")
        con.unregister("dateien_arrow")
        for group in self.groups.values():
            self._load_group(group)
        by_kind: dict[str, list[pa.Table]] = defaultdict(list)
        for kind, table in self.sheets:
            by_kind[kind].append(table)
        for kind, tables in by_kind.items():
            # All sheets of one contract file in one statement (columns a sheet lacks become null).
            self.stats.statements += 1
            con.register("blaetter", pa.concat_tables(tables, promote_options="default"))
            con.execute(f'INSERT INTO "{kind}" BY NAME SELECT * FROM blaetter')
            con.unregister("blaetter")

    def _load_group(self, group: _Group) -> None:
        if self.per_file:
            for file in group.files:
                self._load_files(group, [file])
            return
        self._load_files(group, group.files)

    def _load_files(self, group: _Group, files: list[str]) -> None:
        try:
            self._insert(group, files, tolerant=False)
            return
        except duckdb.Error:
            self.stats.fallbacks += 1
        # A file with a row of the wrong width (or a similar defect): read file by file, short rows padded.
        for file in files:
            try:
                self._insert(group, [file], tolerant=True)
            except duckdb.Error as error:
                self.stats.unreadable.append(f"{file}: {str(error).splitlines()[0]}")

    def _insert(self, group: _Group, files: list[str], tolerant: bool) -> None:
        self.stats.statements += 1
        columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in group.columns) + "}"
        tolerance = ", null_padding = true, parallel = false" if tolerant else ""
        self.con.execute(
            f"""
            INSERT INTO "{group.kind}" BY NAME
            SELECT csv.* EXCLUDE (filename), dateien.*
            FROM read_csv(
                $files, header = true, columns = {columns}, delim = $delimiter, quote = '"', escape = '"',
                encoding = $encoding, auto_detect = false, strict_mode = false, filename = true{tolerance}
            ) AS csv
            JOIN dateien ON dateien.datei = csv.filename
            """,
            {"files": files, "delimiter": group.delimiter, "encoding": group.encoding},
        )


def _cell_text(value: object) -> str | None:
    """A workbook cell as a CSV export would write it: whole numbers without `.0`, dates in ISO form."""
    if type(value) is str:
        return value or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date | datetime | day_time):
        return value.isoformat()
    return str(value)


def _sheet_table(rows: list[list[object]], package: _Package, workbook: str) -> pa.Table | None:
    """The sheet as an Arrow table of strings (first non-empty row = header), with the lineage columns."""
    rows = [row for row in rows if any(cell not in ("", None) for cell in row)]
    if not rows:
        return None
    header, body = rows[0], rows[1:]
    width = max(len(row) for row in rows)
    columns = _header_columns(";".join(str(cell).replace(";", " ") for cell in header), ";")
    columns = (*columns, *(f"spalte_{position}" for position in range(len(columns) + 1, width + 1)))
    cells = [list(map(_cell_text, row)) + [None] * (width - len(row)) for row in body]
    arrays = (
        [pa.array(list(column), type=pa.string()) for column in zip(*cells, strict=True)] if cells else []
    )
    if not arrays:
        arrays = [pa.array([], type=pa.string()) for _ in columns]
    count = len(body)
    lineage = [
        pa.array([package.ags] * count, type=pa.string()),
        pa.array([package.quarter] * count, type=pa.string()),
        pa.array(["ORDNER_XLSX"] * count, type=pa.string()),
        pa.array([workbook] * count, type=pa.string()),
    ]
    return pa.Table.from_arrays([*lineage, *arrays], names=[*_LINEAGE, *columns])


def _warm_up() -> None:
    """Load what the libraries import lazily on first use (pyarrow's pandas shim, DuckDB's Arrow scan), so
    the measured read does not include one-off imports."""
    with duckdb.connect() as con:
        con.register("probe", pa.table({"x": pa.array(["x"], type=pa.string())}))
        con.execute("SELECT * FROM probe").fetchall()


def read_floor(landing_dir: Path, database: Path, *, per_file: bool = False) -> dict:
    """Read every contract file of every package in `landing_dir` once into `database` (replaced); with
    `per_file`, one statement per file.

    Returns the rows per table, what was read (packages by shape, files, bytes, …), the process's CPU seconds
    (user + system, all threads) and the wall seconds of the whole read, database closed.
    """
    landing_dir, database = Path(landing_dir), Path(database)
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    _warm_up()
    _header_columns.cache_clear()
    cpu_start, wall_start = cpu_seconds(), time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="kim-read-floor-", dir=scratch_root()))
    stats = _Stats()
    try:
        con = duckdb.connect(str(database))
        try:
            # The floor keeps no order it does not need; a loader could do the same.
            con.execute("SET preserve_insertion_order = false")
            reader = _Reader(con, scratch, stats, per_file)
            packages = find_packages(landing_dir)
            for package in packages:
                reader.add_package(package)
            reader.load()
            rows = {
                kind: con.execute(f'SELECT count(*) FROM "{kind}"').fetchone()[0] for kind in CONTRACT_FILES
            }
            con.execute("CHECKPOINT")
        finally:
            con.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "landing_dir": str(landing_dir),
        "packages": len(packages),
        "package_shapes": dict(stats.packages),
        "csv_files": stats.csv_files,
        "sheets": stats.sheets,
        "manifests": stats.manifests,
        "bytes_read": stats.bytes_read,
        "recoded_cp1252": stats.recoded,
        "empty_files": stats.empty_files,
        "statements": stats.statements,
        "fallback_groups": stats.fallbacks,
        "unreadable": stats.unreadable,
        "rows": rows,
        "rows_total": sum(rows.values()),
        "cpu_seconds": cpu_seconds() - cpu_start,
        "wall_seconds": time.perf_counter() - wall_start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("landing_dir", type=Path, help="the landing zone (…/data/landing)")
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="DuckDB file to write (replaced; default: a temporary file, removed)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument("--per-file", action="store_true", help="one read_csv per file instead of per group")
    args = parser.parse_args()
    if not args.landing_dir.is_dir():
        raise SystemExit(f"{args.landing_dir} is not a folder")
    temporary = None
    database = args.db
    if database is None:
        temporary = Path(tempfile.mkdtemp(prefix="kim-read-floor-db-", dir=scratch_root()))
        database = temporary / "floor.duckdb"
    try:
        result = read_floor(args.landing_dir, database, per_file=args.per_file)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    if args.json:
        print(json.dumps(result))
        return
    shapes = ", ".join(f"{count} {shape}" for shape, count in sorted(result["package_shapes"].items()))
    print(f"landing zone: {result['landing_dir']}")
    print(f"packages:     {result['packages']:,} ({shapes})")
    print(
        f"read:         {result['csv_files']:,} CSV files ({result['recoded_cp1252']} re-encoded from "
        f"Windows-1252), {result['sheets']:,} workbook sheets, {result['manifests']:,} manifests, "
        f"{result['bytes_read'] / 1e6:,.1f} MB, in {result['statements']:,} DuckDB statements"
    )
    for kind, count in result["rows"].items():
        print(f"  {kind:<16}{count:>12,} rows")
    print(f"  {'total':<16}{result['rows_total']:>12,} rows")
    if result["unreadable"]:
        print(f"unreadable:   {len(result['unreadable'])} (first: {result['unreadable'][0]})")
    print(f"read floor:   {result['cpu_seconds']:.2f} CPU-s, {result['wall_seconds']:.2f} s wall")


if __name__ == "__main__":
    main()
