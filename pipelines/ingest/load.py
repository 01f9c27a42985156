"""Loading parsed packages into the `raw` schema of the build database, in two steps.

1. `record_package` replaces a package's bookkeeping rows (`raw.lieferungen`, `raw.lieferungen_dateien`,
   `raw.befunde`) by `paket_id` — for every package, rejected ones included, so the ministry sees what each
   unit delivered and why it was refused.
2. `load_partition` gives the partition (unit × quarter) to the package that wins it — the non-rejected
   package with the latest manifest `erstellt_am`, ties broken by the larger `paket_id` — so the result never
   depends on the order in which a delivery and its correction are processed. Only when the winner changes (or
   the winner itself is being re-loaded) are the partition's rows replaced, as a whole, in every contract table.

The pipeline (`pipelines.ingest.batch`) does both for a whole partition in one transaction with
`store_partition`, loading only if the partition has an acceptable package; `record_package`, `load_partition`
and `load_package` are the single steps. `finished_package_ids` is the one memory of what is loaded, read by
`kim build` and the landing sensor.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import pyarrow as pa

from pipelines.contract.findings import Status, format_count
from pipelines.contract.schema import CONTRACT_FILES
from pipelines.ingest.raw_tables import RAW_SCHEMA, create_raw_schema
from pipelines.ingest.staging import SUMMARY_FILENAME, ParsedPackage, staged_table


class LoadOutcome(StrEnum):
    LOADED = "geladen"  # the package's rows are the partition's rows
    SUPERSEDED = "ersetzt"  # a later correction holds the partition; this package is history only
    REJECTED = "abgelehnt"  # nothing loaded; only its bookkeeping and findings are recorded


class StagingMissingError(RuntimeError):
    """The staged output of a package is gone (the cache was cleared); German message."""


@dataclass(frozen=True)
class LoadResult:
    paket_id: str
    ags: str
    berichtsquartal: str
    outcome: LoadOutcome
    partition_paket_id: str | None  # the package whose rows the partition holds afterwards
    replaced_paket_id: str | None  # the package whose rows were replaced, if the partition changed hands
    rows_by_table: dict[str, int] = field(default_factory=dict)  # rows written per raw table

    def summary_german(self) -> str:
        head = f"Paket {self.paket_id[:12]} ({self.ags}, {self.berichtsquartal})"
        if self.outcome is LoadOutcome.REJECTED:
            return f"{head}: abgelehnt, nichts geladen; Befunde und Lieferstatus sind gespeichert."
        if self.outcome is LoadOutcome.SUPERSEDED:
            holder = f"Paket {self.partition_paket_id[:12]}" if self.partition_paket_id else "keinem Paket"
            return f"{head}: durch eine spätere Korrektur ersetzt; die Partition bleibt bei {holder}."
        counts = ", ".join(
            f"{table} {format_count(count)}"
            for table, count in self.rows_by_table.items()
            if table in CONTRACT_FILES
        )
        replaced = f", ersetzt Paket {self.replaced_paket_id[:12]}" if self.replaced_paket_id else ""
        return f"{head}: geladen{replaced} – Zeilen: {counts or 'keine'}."


def record_package(con, parsed: ParsedPackage, report: str | None = None) -> dict[str, int]:
    """Replace the package's bookkeeping rows (with its German report), in one transaction."""
    _require_staging(parsed)
    create_raw_schema(con)
    with _transaction(con):
        return _record(con, parsed, report)


def store_partition(con, packages: list[ParsedPackage], reports: dict[str, str]) -> list[LoadResult]:
    """Record every package of one partition and load the partition's winner, in one transaction.

    `reports` maps each `paket_id` to its German report. The partition is (re)assigned only if one of the
    packages is acceptable; otherwise only their bookkeeping is recorded and the partition keeps its rows
    (an empty result). A crash leaves the partition either fully stored or untouched. The raw schema must
    exist (`create_raw_schema`, once per connection).
    """
    partitions = {(package.ags, package.berichtsquartal) for package in packages}
    if len(partitions) != 1:
        raise ValueError(f"store_partition takes the packages of one partition, not {sorted(partitions)}")
    for package in packages:
        _require_staging(package)
    with _transaction(con):
        return _store_one(con, packages, reports)


def store_partitions(
    con, partitions: list[tuple[list[ParsedPackage], dict[str, str]]]
) -> list[list[LoadResult]]:
    """`store_partition` for many partitions (each its packages and their reports), in one transaction.

    The partitions delivered for the first time (no package of them recorded yet: the statewide history,
    a new quarter) are stored with set-based statements, a handful per batch instead of a dozen per
    partition: their bookkeeping rows in three inserts, each partition's winner in one window query, the
    winners' rows in one insert per contract table. Partitions with earlier records (corrections,
    re-processing) are stored one by one as `store_partition` does. The results are `store_partition`'s, in
    the order of `partitions`. A crash or an error leaves every partition of the batch untouched; the caller
    retries the partitions one by one to isolate an error.
    """
    keys = [_partition_of(packages) for packages, _ in partitions]
    if len(set(keys)) != len(keys):
        raise ValueError("store_partitions takes each partition once")
    for packages, _ in partitions:
        for package in packages:
            _require_staging(package)
    if not partitions:
        return []
    with _transaction(con):
        recorded = {
            (ags, quarter)
            for ags, quarter in con.execute(
                f"SELECT DISTINCT ags, berichtsquartal FROM {RAW_SCHEMA}.lieferungen "
                "WHERE berichtsquartal IN (SELECT unnest(?))",
                [sorted({quarter for _, quarter in keys})],
            ).fetchall()
        }
        new = [index for index, key in enumerate(keys) if key not in recorded]
        results: dict[int, list[LoadResult]] = {}
        if new:
            results.update(zip(new, _store_new(con, [partitions[index] for index in new]), strict=True))
        for index, (packages, reports) in enumerate(partitions):
            if index not in results:
                results[index] = _store_one(con, packages, reports)
        return [results[index] for index in range(len(partitions))]


def _partition_of(packages: list[ParsedPackage]) -> tuple[str, str]:
    partitions = {(package.ags, package.berichtsquartal) for package in packages}
    if len(partitions) != 1:
        raise ValueError(f"a partition's packages share one unit and quarter, not {sorted(partitions)}")
    return next(iter(partitions))


def _store_one(con, packages: list[ParsedPackage], reports: dict[str, str]) -> list[LoadResult]:
    """`store_partition` inside the caller's transaction."""
    ags, quarter = _partition_of(packages)
    first_delivery = not con.execute(
        f"SELECT count(*) FROM {RAW_SCHEMA}.lieferungen WHERE ags = ? AND berichtsquartal = ?",
        [ags, quarter],
    ).fetchone()[0]
    for package in packages:
        _record(con, package, reports.get(package.paket_id))
    if all(package.status is Status.REJECTED for package in packages):
        return []
    return _assign_partition(con, packages, first_delivery=first_delivery)


def _store_new(con, partitions: list[tuple[list[ParsedPackage], dict[str, str]]]) -> list[list[LoadResult]]:
    """Partitions without any recorded package, stored set-based inside the caller's transaction.

    What `_store_one` does for each, without its per-partition statements: nothing is to be deleted (no
    package of them is recorded, so no row of them is loaded), no partition has a holder, and the winner of
    each acceptable partition is found among its own packages by `_winner`'s ordering.
    """
    packages = [package for group, _ in partitions for package in group]
    reports = {paket_id: text for _, group_reports in partitions for paket_id, text in group_reports.items()}
    _insert_bookkeeping(con, packages, reports)

    acceptable = [
        (group[0].ags, group[0].berichtsquartal)
        for group, _ in partitions
        if any(package.status is not Status.REJECTED for package in group)
    ]
    winners: dict[tuple[str, str], str] = {}
    if acceptable:
        candidates = pa.table(  # noqa: F841 - read by DuckDB under its name
            {"ags": [ags for ags, _ in acceptable], "berichtsquartal": [quarter for _, quarter in acceptable]}
        )
        ranked = con.execute(
            f"""
            SELECT l.ags, l.berichtsquartal, l.paket_id
            FROM {RAW_SCHEMA}.lieferungen AS l
            JOIN candidates AS c USING (ags, berichtsquartal)
            WHERE l.status <> ?
            QUALIFY row_number() OVER (
                PARTITION BY l.ags, l.berichtsquartal ORDER BY l.erstellt_am DESC, l.paket_id DESC
            ) = 1
            """,
            [str(Status.REJECTED)],
        ).fetchall()
        winners = {(ags, quarter): paket_id for ags, quarter, paket_id in ranked}
    by_id = {package.paket_id: package for package in packages}
    rows = _insert_rows_of(con, [by_id[paket_id] for paket_id in winners.values()])
    if winners:
        assigned = pa.table(  # noqa: F841 - read by DuckDB under its name
            {
                "ags": [ags for ags, _ in winners],
                "berichtsquartal": [quarter for _, quarter in winners],
                "gewinner": list(winners.values()),
            }
        )
        con.execute(
            f"""
            UPDATE {RAW_SCHEMA}.lieferungen AS l
            SET geladen = (l.paket_id = a.gewinner), zugeordnet = true
            FROM assigned AS a
            WHERE l.ags = a.ags AND l.berichtsquartal = a.berichtsquartal
            """
        )

    results = []
    for group, _ in partitions:
        key = (group[0].ags, group[0].berichtsquartal)
        if key not in winners:
            results.append([])
            continue
        winner = winners[key]
        results.append(
            [
                LoadResult(
                    paket_id=package.paket_id,
                    ags=package.ags,
                    berichtsquartal=package.berichtsquartal,
                    outcome=(
                        LoadOutcome.REJECTED
                        if package.status is Status.REJECTED
                        else LoadOutcome.LOADED
                        if package.paket_id == winner
                        else LoadOutcome.SUPERSEDED
                    ),
                    partition_paket_id=winner,
                    replaced_paket_id=None,
                    rows_by_table=rows[winner] if package.paket_id == winner else {},
                )
                for package in group
            ]
        )
    return results


def finished_package_ids(con) -> set[str]:
    """Packages whose processing completed: rejected and recorded, or recorded and their partition assigned.

    The one memory of what is loaded, read by `kim build` and the landing sensor alike. A package recorded
    by a run that died before its partition was assigned is not finished, so it is processed again.
    """
    exists = con.execute(
        "select count(*) from information_schema.columns "
        f"where table_schema = '{RAW_SCHEMA}' and table_name = 'lieferungen' and column_name = 'zugeordnet'"
    ).fetchone()[0]
    if not exists:
        return set()
    finished = con.execute(
        f"select paket_id from {RAW_SCHEMA}.lieferungen where status = ? or zugeordnet",
        [str(Status.REJECTED)],
    ).fetchall()
    return {row[0] for row in finished}


def finished_packages_in(build_db: Path) -> set[str]:
    """`finished_package_ids` of the build database file, opened read-only (empty if there is none yet).

    Raises `duckdb.Error` while another process writes the database.
    """
    import duckdb

    if not Path(build_db).exists():
        return set()
    with duckdb.connect(str(build_db), read_only=True) as con:
        return finished_package_ids(con)


def _record(con, parsed: ParsedPackage, report: str | None) -> dict[str, int]:
    """Replace the package's bookkeeping rows, inside the caller's transaction.

    A package that held its partition and is now rejected (re-processed under stricter rules) gives the
    partition up at once, to the next winner or to nobody: rejected rows never stay loaded.
    """
    was_holder = _partition_holder(con, parsed.ags, parsed.berichtsquartal) == parsed.paket_id
    rows = _record_bookkeeping(con, parsed, report)
    if was_holder and parsed.status is Status.REJECTED:
        _assign_partition(con, [parsed])
    return rows


def load_partition(con, packages: list[ParsedPackage]) -> list[LoadResult]:
    """Give the packages' partition to its winner among all recorded packages, in one transaction.

    `packages` are this run's packages of one partition, already recorded; the result has one entry each.
    """
    partitions = {(package.ags, package.berichtsquartal) for package in packages}
    if len(partitions) != 1:
        raise ValueError(f"load_partition takes the packages of one partition, not {sorted(partitions)}")
    for package in packages:
        _require_staging(package)
    create_raw_schema(con)
    with _transaction(con):
        return _assign_partition(con, packages)


def load_package(con, parsed: ParsedPackage) -> LoadResult:
    """Record the package and give its partition to the winning package, in one transaction."""
    _require_staging(parsed)
    create_raw_schema(con)
    with _transaction(con):
        rows = _record_bookkeeping(con, parsed, None)
        result = _assign_partition(con, [parsed])[0]
    return replace(result, rows_by_table={**rows, **result.rows_by_table})


def _require_staging(parsed: ParsedPackage) -> None:
    if not (parsed.staging_dir / SUMMARY_FILENAME).exists():
        raise StagingMissingError(
            f"Der Zwischenstand von Paket {parsed.paket_id[:12]} fehlt ({parsed.staging_dir}); das Paket "
            "muss aus dem Archiv neu eingelesen werden."
        )


@contextmanager
def _transaction(con):
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _assign_partition(
    con, packages: list[ParsedPackage], *, first_delivery: bool = False
) -> list[LoadResult]:
    """Give the partition to its winner; `first_delivery` says no package of it was recorded before this
    transaction, so the contract tables hold none of its rows (seven deletes that each scan a whole table are
    skipped)."""
    ags, quarter = packages[0].ags, packages[0].berichtsquartal
    holder = _partition_holder(con, ags, quarter)
    winner = _winner(con, ags, quarter)
    this_run = {package.paket_id: package for package in packages}

    rows: dict[str, int] = {}
    replaced = None
    if winner != holder or winner in this_run:
        winning_package = this_run.get(winner) or _staged_package(packages[0], winner)
        if not first_delivery:
            _clear_partition(con, ags, quarter)
        if winning_package is not None:
            rows = _insert_rows(con, winning_package)
        replaced = holder if holder not in (None, winner) else None
    con.execute(
        f"UPDATE {RAW_SCHEMA}.lieferungen SET geladen = (paket_id = ?), zugeordnet = true "
        "WHERE ags = ? AND berichtsquartal = ?",
        [winner or "", ags, quarter],
    )

    results = []
    for package in packages:
        if package.status is Status.REJECTED:
            outcome = LoadOutcome.REJECTED
        elif winner == package.paket_id:
            outcome = LoadOutcome.LOADED
        else:
            outcome = LoadOutcome.SUPERSEDED
        loaded = outcome is LoadOutcome.LOADED
        results.append(
            LoadResult(
                paket_id=package.paket_id,
                ags=ags,
                berichtsquartal=quarter,
                outcome=outcome,
                partition_paket_id=winner,
                replaced_paket_id=replaced if loaded else None,
                rows_by_table=rows if loaded else {},
            )
        )
    return results


def _partition_holder(con, ags: str, quarter: str) -> str | None:
    row = con.execute(
        f"SELECT paket_id FROM {RAW_SCHEMA}.lieferungen WHERE ags = ? AND berichtsquartal = ? AND geladen",
        [ags, quarter],
    ).fetchone()
    return row[0] if row else None


def _winner(con, ags: str, quarter: str) -> str | None:
    row = con.execute(
        f"""
        SELECT paket_id FROM {RAW_SCHEMA}.lieferungen
        WHERE ags = ? AND berichtsquartal = ? AND status <> ?
        ORDER BY erstellt_am DESC, paket_id DESC
        LIMIT 1
        """,
        [ags, quarter, str(Status.REJECTED)],
    ).fetchone()
    return row[0] if row else None


def _record_bookkeeping(con, parsed: ParsedPackage, report: str | None) -> dict[str, int]:
    """Replace the package's rows in the three bookkeeping tables.

    The first processing time and whether the package holds its partition are kept: only
    `_assign_partition` moves a partition, so re-recording a package never unloads it.
    """
    earlier = con.execute(
        f"SELECT verarbeitet_am, geladen FROM {RAW_SCHEMA}.lieferungen WHERE paket_id = ?", [parsed.paket_id]
    ).fetchone()
    for table in ("lieferungen", "lieferungen_dateien", "befunde"):
        con.execute(f"DELETE FROM {RAW_SCHEMA}.{table} WHERE paket_id = ?", [parsed.paket_id])
    _insert_bookkeeping(
        con, [parsed], {parsed.paket_id: report}, {parsed.paket_id: earlier} if earlier else {}
    )
    return {"lieferungen": 1, "lieferungen_dateien": len(parsed.files), "befunde": parsed.findings_count}


def _insert_bookkeeping(
    con,
    packages: list[ParsedPackage],
    reports: dict[str, str | None],
    earlier: dict[str, tuple[datetime, bool]] | None = None,
) -> None:
    """Insert the packages' rows into the three bookkeeping tables (none of them may be there), in one statement
    each. `earlier` keeps, per re-recorded package, its first processing time and whether it held its partition
    (a rejected package never does); every other package is processed now and holds nothing yet."""
    earlier = earlier or {}
    now = datetime.now(UTC)
    first_processed = [earlier.get(p.paket_id, (now, False))[0] for p in packages]
    holds = [earlier.get(p.paket_id, (now, False))[1] and p.status is not Status.REJECTED for p in packages]
    timestamp = pa.timestamp("us", tz="UTC")
    bookkeeping = pa.table(  # noqa: F841 - read by DuckDB under its name
        {
            "paket_id": [p.paket_id for p in packages],
            "ags": [p.ags for p in packages],
            "berichtsquartal": [p.berichtsquartal for p in packages],
            "erstellt_am": pa.array([p.erstellt_am for p in packages], timestamp),
            "eingegangen_am": pa.array([p.eingegangen_am for p in packages], timestamp),
            "verarbeitet_am": pa.array(first_processed, timestamp),
            "paketform": [str(p.shape) for p in packages],
            "quellsystem": pa.array([p.quellsystem for p in packages], pa.string()),
            "datensatz_version": pa.array([p.datensatz_version for p in packages], pa.string()),
            "archiv_pfad": [str(p.archive_path) for p in packages],
            "status": [str(p.status) for p in packages],
            "geladen": pa.array(holds, pa.bool_()),
            "bericht": pa.array([reports.get(p.paket_id) for p in packages], pa.string()),
        }
    )
    con.execute(
        f"""
        INSERT INTO {RAW_SCHEMA}.lieferungen (paket_id, ags, berichtsquartal, erstellt_am, eingegangen_am,
            verarbeitet_am, paketform, quellsystem, datensatz_version, archiv_pfad, status, geladen,
            zugeordnet, bericht)
        SELECT paket_id, ags, berichtsquartal, erstellt_am, eingegangen_am, verarbeitet_am, paketform,
            quellsystem, datensatz_version, archiv_pfad, status, geladen, false, bericht
        FROM bookkeeping
        """
    )
    files = [(package, file) for package in packages for file in package.files]
    if files:
        delivered_files = pa.table(  # noqa: F841 - read by DuckDB under its name
            {
                "paket_id": [package.paket_id for package, _ in files],
                "datei": [file.name for _, file in files],
                "sha256": pa.array([file.sha256 for _, file in files], pa.string()),
                "zeichenkodierung": pa.array([file.encoding for _, file in files], pa.string()),
                "trennzeichen": pa.array([file.delimiter for _, file in files], pa.string()),
                "zeilen_geliefert": pa.array([file.rows_delivered for _, file in files], pa.int32()),
                "zeilen_geladen": pa.array([file.rows_loaded for _, file in files], pa.int32()),
                "zeilen_quarantaene": pa.array([file.rows_quarantined for _, file in files], pa.int32()),
            }
        )
        con.execute(f"INSERT INTO {RAW_SCHEMA}.lieferungen_dateien SELECT * FROM delivered_files")
    findings_files = pa.table(  # noqa: F841 - read by DuckDB under its name
        {
            "pfad": [str(p.findings_path) for p in packages],
            "paket_id": [p.paket_id for p in packages],
            "ags": [p.ags for p in packages],
            "berichtsquartal": [p.berichtsquartal for p in packages],
        }
    )
    con.execute(
        f"""
        INSERT INTO {RAW_SCHEMA}.befunde
        SELECT f.paket_id, f.ags, f.berichtsquartal, b.datei, b.zeile, b.spalte, b.regel, b.meldung,
            b.ergebnis, b.rohwerte::JSON
        FROM read_parquet(?, filename = '_pfad') AS b JOIN findings_files AS f ON f.pfad = b._pfad
        """,
        [[str(p.findings_path) for p in packages]],
    )


def _staged_package(parsed: ParsedPackage, paket_id: str | None) -> ParsedPackage | None:
    """The partition's winner as staged by its own parse (it lives next to this package's staging)."""
    if paket_id is None:
        return None
    staging_dir = Path(parsed.staging_dir).parent / paket_id
    if not (staging_dir / SUMMARY_FILENAME).exists():
        raise StagingMissingError(
            f"Die Partition {parsed.ags}/{parsed.berichtsquartal} muss wieder Paket {paket_id[:12]} "
            f"erhalten, dessen Zwischenstand aber fehlt ({staging_dir}); bitte dieses Paket neu einlesen."
        )
    return ParsedPackage.from_staging(staging_dir)


def _clear_partition(con, ags: str, quarter: str) -> None:
    for name in CONTRACT_FILES:
        con.execute(f"DELETE FROM {RAW_SCHEMA}.{name} WHERE ags = ? AND berichtsquartal = ?", [ags, quarter])


def _insert_rows_of(con, packages: list[ParsedPackage]) -> dict[str, dict[str, int]]:
    """`_insert_rows` for many packages (of different partitions): one insert per contract table.

    Returns each package's rows per table, as `_insert_rows` does."""
    rows: dict[str, dict[str, int]] = {package.paket_id: {} for package in packages}
    for name, contract in CONTRACT_FILES.items():
        parts = []
        for package in packages:
            for file in package.files:
                if file.staged and file.contract_file.name == name:
                    table = staged_table(package, file)
                    size = table.num_rows
                    for column, value in (
                        ("ags", package.ags),
                        ("berichtsquartal", package.berichtsquartal),
                        ("paket_id", package.paket_id),
                    ):
                        table = table.append_column(column, pa.repeat(pa.scalar(value, pa.string()), size))
                    parts.append(
                        table.select(["ags", "berichtsquartal", "paket_id", "zeile", *contract.column_names])
                    )
                    rows[package.paket_id][name] = file.rows_loaded
        if not parts:
            continue
        columns = ", ".join(contract.column_names)
        staged_rows = pa.concat_tables(parts)  # noqa: F841 - read by DuckDB under its name
        con.execute(
            f"""
            INSERT INTO {RAW_SCHEMA}.{name} (ags, berichtsquartal, paket_id, zeile, {columns})
            SELECT ags, berichtsquartal, paket_id, zeile, {columns} FROM staged_rows
            """
        )
    return rows


def _insert_rows(con, package: ParsedPackage) -> dict[str, int]:
    """Insert the package's staged valid rows into the contract tables; its rows per table."""
    return _insert_rows_of(con, [package])[package.paket_id]
