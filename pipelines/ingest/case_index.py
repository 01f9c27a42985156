"""The cases each unit has delivered so far, so an event can be checked against "this or an earlier package".

The contract lets `ereignisse.csv` report late events of cases that are no longer open (and so not in this
quarter's `faelle.csv`); such an event is valid if the case was delivered in an earlier package of the unit.
The build database knows every loaded case, but the validation step must not need it: it runs in parallel
with the single DuckDB writer and on the upload page, far from the pipeline. So every accepted package leaves
a small file with its cases (re-keyed `fall_id`, `aufnahme_am`) in the staging cache:

    <staging>/faelle_register/<ags>/<quartal>/<paket_id>.parquet

Like the rest of the staging cache it is derived from the archive and can be rebuilt by re-processing.
"Earlier" means an earlier reporting quarter: every non-rejected package of such a quarter counts, whether or
not a correction later replaced it, because the contract asks only that the case was delivered before.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.calendar import Quarter
from pipelines.config import CASE_INDEX_DIRNAME
from pipelines.ingest.staging import ParsedPackage, pandas_type, staged_table

_SCHEMA = pa.schema([("fall_id", pa.string()), ("aufnahme_am", pa.date32())])


def case_index_dir(staging_dir: Path | str) -> Path:
    return Path(staging_dir) / CASE_INDEX_DIRNAME


def record_cases(index_dir: Path | str, package: ParsedPackage) -> Path | None:
    """Remember the accepted cases of `package`; returns the index file, or None if it has no cases."""
    faelle = next((file for file in package.files if file.name == "faelle.csv" and file.staged), None)
    if faelle is None:
        return None
    table = staged_table(package, faelle).select(["fall_id", "aufnahme_am"]).cast(_SCHEMA)
    target = Path(index_dir) / package.ags / package.berichtsquartal / f"{package.paket_id}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    pq.write_table(table, temporary)
    os.replace(temporary, target)
    return target


def forget_cases(index_dir: Path | str, package: ParsedPackage) -> None:
    """Drop the package's cases (it was rejected after all, e.g. on re-validation)."""
    target = Path(index_dir) / package.ags / package.berichtsquartal / f"{package.paket_id}.parquet"
    target.unlink(missing_ok=True)


@lru_cache(maxsize=8192)
def _package_cases(path: Path, mtime_ns: int, size: int) -> pa.Table:
    """One package's index file, read once per process and version of the file (`mtime_ns`, `size`): a batch
    asks for the unit's earlier quarters once per package, so without it the reads grow with the square of the
    history. The table is immutable, so it is shared safely."""
    return pq.read_table(path, schema=_SCHEMA)


def known_cases(index_dir: Path | str, ags: str, before: Quarter | str) -> pd.DataFrame:
    """Cases of the unit delivered in quarters before `before`: one row per `fall_id` (`aufnahme_am` as of
    the latest quarter that delivered it; within a quarter, of the last package file by name), by `fall_id`."""
    before = Quarter.parse(str(before))
    unit_dir = Path(index_dir) / ags
    tables = []
    if unit_dir.is_dir():
        # Quarter folders sort by name chronologically, so a later row is a later delivery.
        for quarter_dir in sorted(unit_dir.iterdir()):
            try:
                quarter = Quarter.parse(quarter_dir.name)
            except ValueError:
                continue
            if quarter >= before:
                continue
            for path in sorted(quarter_dir.glob("*.parquet")):
                stat = path.stat()
                tables.append(_package_cases(path, stat.st_mtime_ns, stat.st_size))
    if not tables:
        return pa.table([pa.array([], pa.string()), pa.array([], pa.date32())], schema=_SCHEMA).to_pandas(
            types_mapper=pandas_type
        )
    cases = pa.concat_tables(tables)
    cases = cases.append_column("_position", pa.array(np.arange(cases.num_rows)))
    latest = cases.group_by("fall_id", use_threads=False).aggregate([("_position", "max")])
    rows = cases.take(latest["_position_max"]).drop_columns("_position")
    rows = rows.take(pc.sort_indices(rows, [("fall_id", "ascending")]))
    return rows.to_pandas(types_mapper=pandas_type)
