"""The defect corpus through the real pipeline: `build_all` on the corpus, and on the same dataset without it.

Every defect must be reported as `defects.json` says — outcome, status, rule, file, line, a German message
naming file and line, exact counts — and none may change the published data: the defect run's warehouse
holds exactly the clean run's data, and no delivered pseudonym reaches any table.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from corpus_build import environment, generate_and_build, read_result, settings_for
from package_contents import members, normalise

from pipelines.config import REPO_ROOT, Settings
from pipelines.contract.schema import CONTRACT_FILES
from pipelines.generator.defects import DEFECT_KINDS
from pipelines.ingest.packages import find_packages

# The first test waits for both builds (each validates every package with the contract suites).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

# Tables about deliveries and their quality differ by design between the runs; every other table is data.
DELIVERY_TABLES = {"lieferstatus", "befunde", "lieferungen", "lieferungen_dateien"}
DELIVERY_KPIS = ("K25", "K26")  # Lieferpünktlichkeit, Datenqualität
CLEAN_BUILD_TIMEOUT_S = 1800
PSEUDONYM_COLUMNS = ("fall_id", "person_id")
TOKEN = r"[A-Za-z0-9/_-]+"  # pseudonyms are letters, digits, '-' and '/'; anything else separates them


@dataclass(frozen=True)
class Run:
    root: Path
    settings: Settings
    result: dict

    @property
    def build_db(self) -> Path:
        return self.settings.build_db

    @property
    def published_db(self) -> Path:
        return self.settings.published_db

    @property
    def ministry_db(self) -> Path:
        return self.settings.ministry_db

    def connect(self, published: bool = False) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.published_db if published else self.build_db), read_only=True)

    def package_ids(self) -> dict[str, str]:
        """paket_id of every package in the landing zone, by its path relative to the landing zone."""
        landing = self.settings.landing_dir
        return {
            ref.path.relative_to(landing).as_posix(): ref.paket_id for ref in find_packages(landing).packages
        }


@pytest.fixture(scope="module")
def clean_process(tmp_path_factory):
    """The clean dataset's build, started first in its own process so that both builds share the two cores."""
    from pipelines.build import prepare_dbt_manifest

    prepare_dbt_manifest()  # once, before two processes use the dbt project
    root = tmp_path_factory.mktemp("sauberer_lauf")
    log = open(root / "lauf.log", "w", encoding="utf-8")  # noqa: SIM115 - closed when the process is done
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("corpus_build.py")), str(root)],
        env={**os.environ, **environment(root)},
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield root, process
    if process.poll() is None:
        process.kill()
    process.wait()
    log.close()


@pytest.fixture(scope="module")
def defect_run(clean_process, tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("fehlerkorpus_lauf")
    patch = pytest.MonkeyPatch()
    for name, value in environment(root).items():
        patch.setenv(name, value)
    try:
        result = generate_and_build(defects=True)
    finally:
        patch.undo()
    assert result["ok"], result["zusammenfassung"] + "\n".join(result["fehler"])
    return Run(root, settings_for(root), result)


@pytest.fixture(scope="module")
def clean_run(clean_process) -> Run:
    root, process = clean_process
    returncode = process.wait(timeout=CLEAN_BUILD_TIMEOUT_S)
    log = (root / "lauf.log").read_text(encoding="utf-8", errors="replace")
    assert returncode == 0, log[-4000:]
    return Run(root, settings_for(root), read_result(root))


@pytest.fixture(scope="module")
def corpus(defect_run) -> dict[str, dict]:
    import json

    document = json.loads((defect_run.settings.data_dir / "defects.json").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in document["defekte"]}


def _findings(con, paket_id: str) -> list[dict]:
    rows = con.execute(
        "select datei, zeile, spalte, regel, meldung, ergebnis from raw.befunde where paket_id = ?",
        [paket_id],
    ).fetchall()
    return [
        dict(zip(("datei", "zeile", "spalte", "regel", "meldung", "ergebnis"), row, strict=True))
        for row in rows
    ]


def _file_counts(con, paket_id: str) -> dict[str, tuple[int, int, int]]:
    rows = con.execute(
        "select datei, zeilen_geliefert, zeilen_geladen, zeilen_quarantaene from raw.lieferungen_dateien "
        "where paket_id = ?",
        [paket_id],
    ).fetchall()
    return {datei: (delivered, loaded, quarantined) for datei, delivered, loaded, quarantined in rows}


def _published_findings(con, paket_id: str) -> list[tuple] | None:
    """The package's findings in the published `marts.befunde`, None while that mart does not exist."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'befunde'"
    ).fetchone()[0]
    if not exists:
        return None
    rows = con.execute(
        "select datei, zeile, regel, ergebnis from marts.befunde where paket_id = ?", [paket_id]
    ).fetchall()
    return sorted(rows, key=str)


def _names_file(message: str, file: str) -> bool:
    return Path(file).stem in message


@pytest.mark.parametrize("kind", [kind.id for kind in DEFECT_KINDS])
def test_pipeline_reports_the_defect_as_the_corpus_expects(defect_run, corpus, kind):
    entry = corpus[kind]
    ids = defect_run.package_ids()
    clean_id = ids[entry["sauberes_paket"]["pfad"]]
    with defect_run.connect() as con:
        package = con.execute(
            "select status, geladen from raw.lieferungen where paket_id = ?", [entry["paket_id"]]
        ).fetchone()
        assert package is not None, f"{entry['pfad']} wurde nicht verarbeitet"
        holders = con.execute(
            "select paket_id from raw.lieferungen where ags = ? and berichtsquartal = ? and geladen",
            [entry["ags"], entry["quartal"]],
        ).fetchall()
        findings = _findings(con, entry["paket_id"])
        counts = _file_counts(con, entry["paket_id"])
        clean_findings = _findings(con, clean_id)
    with defect_run.connect(published=True) as con:
        published = _published_findings(con, entry["paket_id"])
    status, loaded = package
    described = f"{kind} ({entry['pfad']}): {findings}"

    # The outcome, and the partition keeps the clean package's data whatever the defect package is.
    assert status == entry["status"], described
    assert holders == [(clean_id,)], described
    assert not loaded

    if entry["ergebnis"] is None:
        assert findings == [] == clean_findings, described
    else:
        relevant = [f for f in findings if f["regel"] in entry["regeln"]]
        assert {f["regel"] for f in relevant} == set(entry["regeln"]), described
        assert {f["ergebnis"] for f in relevant} == {entry["ergebnis"]}, described
        if entry["ergebnis"] == "PAKET_ABGELEHNT":
            # nothing of a rejected package is loaded, so none of its rows counts as quarantined either
            assert all(f["ergebnis"] != "ZEILE_QUARANTAENE" for f in findings), described
        if entry["datei"]:
            assert any(f["datei"] == entry["datei"] for f in relevant), described
        if entry["spalte"]:
            assert any(f["spalte"] == entry["spalte"] for f in relevant), described
        lines = {f["zeile"] for f in relevant if f["zeile"] is not None and f["datei"] == entry["datei"]}
        assert lines == set(entry["zeilen"]), described
        for finding in relevant:
            assert finding["meldung"].strip(), described
            if finding["zeile"] is not None:
                assert f"Zeile {finding['zeile']}" in finding["meldung"], finding
                assert _names_file(finding["meldung"], finding["datei"]), finding
        if entry["meldung_zeile"]:
            assert any(
                f"Zeile {entry['meldung_zeile']}" in f["meldung"]
                and _names_file(f["meldung"], entry["datei"])
                for f in relevant
            ), described

    # What the dashboards show is what the pipeline recorded.
    if published is not None:
        assert published == sorted(
            ((f["datei"], f["zeile"], f["regel"], f["ergebnis"]) for f in findings), key=str
        )

    # Exact reconciliation of the package's files.
    expected_counts = entry["dateien"]
    assert set(counts) == set(expected_counts), described
    for datei, expected in expected_counts.items():
        delivered, loaded_rows, quarantined = counts[datei]
        if expected["geliefert"] is not None:
            assert delivered == expected["geliefert"], (datei, counts[datei])
        assert (loaded_rows, quarantined) == (expected["geladen"], expected["quarantaene"]), (
            datei,
            counts[datei],
        )
        if entry["status"] != "ABGELEHNT":
            assert delivered == loaded_rows + quarantined, (datei, counts[datei])


def test_every_package_in_the_landing_zone_was_processed(defect_run):
    with defect_run.connect() as con:
        processed = {row[0] for row in con.execute("select paket_id from raw.lieferungen").fetchall()}
    assert processed == set(defect_run.package_ids().values())


def test_every_file_of_every_processed_package_reconciles(defect_run):
    problems = []
    with defect_run.connect() as con:
        rows = con.execute(
            """
            select d.paket_id, d.datei, d.zeilen_geliefert, d.zeilen_geladen, d.zeilen_quarantaene, l.status,
                l.geladen,
                (select count(distinct zeile) from raw.befunde b where b.paket_id = d.paket_id
                    and b.datei = d.datei and b.ergebnis = 'ZEILE_QUARANTAENE') as quarantine_lines
            from raw.lieferungen_dateien d join raw.lieferungen l using (paket_id)
            """
        ).fetchall()
        for paket_id, datei, delivered, loaded, quarantined, status, is_loaded, lines in rows:
            if status == "ABGELEHNT":
                if (loaded, quarantined, lines) != (0, 0, 0):
                    problems.append(
                        f"{paket_id[:12]} {datei}: abgelehnt, aber {loaded} geladen, {quarantined} Q."
                    )
                continue
            if delivered != loaded + quarantined or lines != quarantined:
                problems.append(f"{paket_id[:12]} {datei}: {delivered} ≠ {loaded} + {quarantined} ({lines})")
            table = datei.removesuffix(".csv")
            if is_loaded and table in CONTRACT_FILES:
                present = con.execute(
                    f"select count(*) from raw.{table} where paket_id = ?", [paket_id]
                ).fetchone()[0]
                if present != loaded:
                    problems.append(
                        f"{paket_id[:12]} {datei}: {present} Zeilen in raw.{table} statt {loaded}"
                    )
    assert len(rows) > 300
    assert problems == []


def _data_tables(con, catalog: str) -> list[tuple[str, str]]:
    """The tables holding delivered data: `raw.<contract file>` and every mart but the delivery ones."""
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = ? "
        "and table_type = 'BASE TABLE' and table_schema in ('marts', 'raw') order by all",
        [catalog],
    ).fetchall()
    return [
        (schema, name)
        for schema, name in tables
        if (schema == "raw" and name in CONTRACT_FILES)
        or (schema == "marts" and name not in DELIVERY_TABLES and not name.startswith("liefer"))
    ]


def test_published_data_is_identical_to_the_run_without_defects(defect_run, clean_run):
    with duckdb.connect() as con:
        # the ministry's snapshot holds every published table, raw ones included
        con.execute(f"attach '{defect_run.ministry_db}' as korpus (read_only)")
        con.execute(f"attach '{clean_run.ministry_db}' as sauber (read_only)")
        tables = _data_tables(con, "korpus")
        assert _data_tables(con, "sauber") == tables
        assert ("raw", "faelle") in tables and ("marts", "kpi_werte") in tables
        differences = {}
        for schema, name in tables:
            # the delivery KPIs, and the comparisons, trends and funnels made of them, differ by design
            by_kpi = schema == "marts" and name.startswith("kpi_") and name != "kpi_katalog"
            condition = f" where kpi_id not in {DELIVERY_KPIS}" if by_kpi else ""
            defect_rows = f"select * from korpus.{schema}.{name}{condition}"
            clean_rows = f"select * from sauber.{schema}.{name}{condition}"
            only_defect = con.execute(
                f"select count(*) from ({defect_rows} except all {clean_rows})"
            ).fetchone()[0]
            only_clean = con.execute(
                f"select count(*) from ({clean_rows} except all {defect_rows})"
            ).fetchone()[0]
            if only_defect or only_clean:
                total = con.execute(f"select count(*) from ({defect_rows})").fetchone()[0]
                sample = con.execute(f"{defect_rows} except all {clean_rows} limit 3").fetchall()
                differences[f"{schema}.{name}"] = (only_defect, only_clean, total, sample)
    assert differences == {}


def test_rejected_packages_left_their_partition_as_the_clean_run_has_it(defect_run, clean_run, corpus):
    rejected = [entry for entry in corpus.values() if entry["status"] == "ABGELEHNT"]
    assert len(rejected) >= 15
    ids = defect_run.package_ids()
    with defect_run.connect() as con:
        con.execute(f"attach '{clean_run.build_db}' as sauber (read_only)")
        for entry in rejected:
            partition = [entry["ags"], entry["quartal"]]
            holder = con.execute(
                "select paket_id from raw.lieferungen where ags = ? and berichtsquartal = ? and geladen",
                partition,
            ).fetchall()
            clean_holder = con.execute(
                "select paket_id from sauber.raw.lieferungen where ags = ? and berichtsquartal = ? and geladen",
                partition,
            ).fetchall()
            assert holder == clean_holder == [(ids[entry["sauberes_paket"]["pfad"]],)], entry["id"]
            for table in CONTRACT_FILES:
                rows = f"select * from raw.{table} where ags = ? and berichtsquartal = ?"
                clean_rows = f"select * from sauber.raw.{table} where ags = ? and berichtsquartal = ?"
                for first, second in ((rows, clean_rows), (clean_rows, rows)):
                    different = con.execute(
                        f"select count(*) from ({first} except all {second})", partition + partition
                    ).fetchone()[0]
                    assert different == 0, (entry["id"], table)


def _delivered_pseudonyms(landing: Path) -> set[str]:
    """Every fall_id and person_id as written in any faelle.csv or ereignisse.csv of any package."""
    values = set()
    for unit in landing.iterdir():
        if not unit.is_dir():
            continue
        for package in unit.iterdir():
            for name, data in members(package).items():
                if name.endswith(".xlsx"):
                    values |= _workbook_pseudonyms(data)
                elif Path(name).stem in ("faelle", "ereignisse") and data:
                    values |= _csv_pseudonyms(data)
    return values


def _csv_pseudonyms(data: bytes) -> set[str]:
    text = (
        data.decode("utf-16")
        if data.startswith((b"\xff\xfe", b"\xfe\xff"))
        else data.decode("cp1252", "replace")
    )
    text = text.removeprefix("ï»¿")  # a UTF-8 byte order mark read as Windows-1252
    lines = text.replace("\r\n", "\n").split("\n")
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    header = [normalise(value) for value in next(csv.reader([lines[0]], delimiter=delimiter))]
    positions = [index for index, column in enumerate(header) if column in PSEUDONYM_COLUMNS]
    values = set()
    for line in lines[1:]:
        fields = next(csv.reader([line], delimiter=delimiter), [])
        values |= {fields[index].strip().strip('"') for index in positions if index < len(fields)}
    return values - {""}


def _workbook_pseudonyms(data: bytes) -> set[str]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    values = set()
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            continue
        header = [normalise(str(value or "")) for value in rows[0]]
        positions = [index for index, column in enumerate(header) if column in PSEUDONYM_COLUMNS]
        values |= {
            str(row[index]) for row in rows[1:] for index in positions if index < len(row) and row[index]
        }
    book.close()
    return values


def test_no_delivered_pseudonym_appears_in_any_table(defect_run, corpus):
    delivered = _delivered_pseudonyms(defect_run.settings.landing_dir)
    assert len(delivered) > 1000
    # the corpus's own pseudonyms are among them: the too-long case id and the event of an unknown case
    assert any(len(value) > 64 for value in delivered)
    leaks = {}
    for database in (defect_run.build_db, defect_run.published_db, defect_run.ministry_db):
        with duckdb.connect() as con:
            con.execute(f"attach '{database}' as ziel (read_only)")
            con.execute("create table geliefert (wert varchar)")
            con.executemany("insert into geliefert values (?)", [[value] for value in sorted(delivered)])
            columns = con.execute(
                """
                select c.table_schema, c.table_name, c.column_name from information_schema.columns c
                join information_schema.tables t using (table_catalog, table_schema, table_name)
                where t.table_type = 'BASE TABLE' and c.table_catalog = 'ziel'
                    and (c.data_type in ('VARCHAR', 'JSON') or c.data_type like '%[]' or c.data_type like 'STRUCT%')
                """
            ).fetchall()
            assert len(columns) > 50
            for schema, table, column in columns:
                found = con.execute(
                    f"""
                    select distinct token from (
                        select unnest(regexp_extract_all(cast("{column}" as varchar), '{TOKEN}')) as token
                        from ziel."{schema}"."{table}"
                    ) join geliefert on token = wert limit 3
                    """
                ).fetchall()
                if found:
                    leaks[f"{database.name}:{schema}.{table}.{column}"] = [row[0] for row in found]
    assert leaks == {}


def test_corpus_generation_and_builds_report_their_time(defect_run, clean_run):
    # Not a performance test: the figures are printed for the run's report, the builds must have succeeded.
    print(
        f"\nFehlerkorpus: Erzeugung {defect_run.result['erzeugung_s']:.1f} s, Build {defect_run.result['build_s']:.0f} s; "
        f"sauberer Lauf: Erzeugung {clean_run.result['erzeugung_s']:.1f} s, Build {clean_run.result['build_s']:.0f} s"
    )
    assert defect_run.result["ok"] and clean_run.result["ok"]
    assert defect_run.result["pakete"] == clean_run.result["pakete"] + len(DEFECT_KINDS)
