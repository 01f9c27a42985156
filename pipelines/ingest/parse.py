"""Parsing of one archived package: checks, typed rows, quarantine, re-keyed pseudonyms, staged output.

The contract's section 3 in code. A package is rejected as a whole (nothing loaded) when its manifest is
missing or inconsistent, a mandatory file is missing, a file is unreadable, a direct-identifier column is
present, a mandatory column is missing or more than 10 % of a file's rows are invalid. Otherwise every
delivered row is either loaded or quarantined with its raw values, file, line, rule and a German message, and
the counts reconcile per file. Pseudonyms are re-keyed before anything is written, raw values included.

Parsing is a pure function of the archived bytes, the partition and the secret: the same package parsed twice
gives the same staged output. Cross-field rules (dates in order, reasons iff closing dates, …) belong to a
later validator; `quarantine_rows` merges its row findings into the same quarantine and reconciliation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.contract.findings import FINDING_COLUMNS, Outcome, Rule, Status, format_count, format_percent
from pipelines.contract.headers import is_identifier_column, normalise_header
from pipelines.contract.schema import CONTRACT_FILES, MANIFEST_FILENAME, MAX_INVALID_SHARE, ContractFile
from pipelines.ingest.findings import Finding, findings_frame, normalise_findings_frame, notice, rejection
from pipelines.ingest.manifest import Manifest, check_manifest, check_members, checksum_finding
from pipelines.ingest.packages import PackageRef
from pipelines.ingest.pseudonyms import rekey, rekey_value
from pipelines.ingest.reading import (
    ArchivedPackage,
    RawTable,
    UnreadableFileError,
    UnreadablePackageError,
    read_csv,
    read_workbook,
)
from pipelines.ingest.staging import (
    ParsedFile,
    ParsedPackage,
    StagedOutput,
    read_findings,
    read_valid_rows,
    write_staging,
)
from pipelines.ingest.values import ConvertedTable, convert_table, converts_cell_by_cell

__all__ = [
    "MAX_INVALID_SHARE",
    "ParsedFile",
    "ParsedPackage",
    "parse_package",
    "parse_packages",
    "quarantine_rows",
]

_ROW_FINDING_COLUMNS = ("datei", "zeile", "spalte", "regel", "meldung", "rohwerte")
# Shared by every clean file; findings frames are never modified in place.
_NO_ROW_FINDINGS = pd.DataFrame({name: [] for name in _ROW_FINDING_COLUMNS}, dtype="str").astype(
    {"zeile": "Int64"}
)


@dataclass
class _DeliveredFile:
    """A contract file as found in the package, read if it could be."""

    file: ContractFile
    member: str  # the CSV file or the workbook it came from
    sha256: str | None
    table: RawTable | None  # None if unreadable


@dataclass
class _FileResult:
    """Where a contract file's rows went: typed valid rows, and one finding per broken row or cell."""

    file: ContractFile
    sha256: str | None
    encoding: str | None
    delimiter: str | None
    rows_delivered: int
    valid: pd.DataFrame | None  # typed, re-keyed, with `zeile`; None if the rows were not checked
    row_findings: pd.DataFrame  # _ROW_FINDING_COLUMNS


@dataclass(frozen=True)
class _Facts:
    """What the finished package records besides its files and findings."""

    ref: PackageRef
    archive_path: Path
    staging_dir: Path
    erstellt_am: datetime | None
    quellsystem: str | None
    datensatz_version: str | None


def parse_package(
    archive_path: Path | str, ref: PackageRef, secret: bytes, staging_dir: Path | str
) -> ParsedPackage:
    """Parse the archived package of `ref` into `staging_dir/<paket_id>/` and describe the result."""
    (outcome,) = parse_packages([(archive_path, ref)], secret, staging_dir)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def parse_packages(
    packages: list[tuple[Path | str, PackageRef]], secret: bytes, staging_dir: Path | str
) -> list[ParsedPackage | Exception]:
    """`parse_package` for many packages (a reporting quarter's), each staged on its own.

    The cells of every contract file are typed once for the rows of all packages that delivered it
    (`convert_table` costs about a millisecond per column and call, whatever the rows); each package then
    gets exactly the rows and findings a parse of it alone gives. Returns, in order, each package's result or
    the exception its parse raised.
    """
    read = [outcome_of(_read, Path(archive_path), ref) for archive_path, ref in packages]
    converted = _convert_together([item for item in read if not isinstance(item, Exception)])
    return [
        item if isinstance(item, Exception) else outcome_of(_parse_read, item, secret, staging_dir, converted)
        for item in read
    ]


@dataclass
class _ReadPackage:
    """A package as read from its archive: manifest facts, its contract files' text, and the findings so far."""

    ref: PackageRef
    archive_path: Path
    manifest: Manifest | None
    delivered: list[_DeliveredFile]
    findings: list[Finding]
    check_rows: bool  # False if a direct-identifier column forbids keeping anything beyond the archive copy


def outcome_of(function, *args):
    """What `function(*args)` returns, or the exception it raised (kept with its package or partition)."""
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - reported with its package, the others go on
        return error


def _read(archive_path: Path, ref: PackageRef) -> _ReadPackage:
    findings: list[Finding] = []
    delivered: list[_DeliveredFile] = []
    manifest = None
    try:
        with ArchivedPackage(archive_path) as package:
            manifest, delivered = _read_package(package, ref, findings)
    except UnreadablePackageError as error:
        findings.append(rejection(Rule.PACKAGE_UNREADABLE, str(error)))
    for item in delivered:
        if item.table is not None:
            findings += _header_findings(item.table, item.file)
    # Identifier columns: nothing beyond the archive copy may be kept, not even row findings quoting values.
    check_rows = not any(finding.rule is Rule.IDENTIFIER_COLUMN for finding in findings)
    return _ReadPackage(ref, archive_path, manifest, delivered, findings, check_rows)


def _convert_together(packages: list[_ReadPackage]) -> dict[int, ConvertedTable]:
    """The typed cells of every delivered file whose rows are checked, converted per contract file for all
    `packages` at once; keyed by `id()` of the delivered file. Files converted on their own are absent: those
    of a kind whose conversion looks at the whole column (`converts_cell_by_cell`), those no other package
    delivered, and those of a batch whose conversion failed (so an error stays with its own package)."""
    by_file: dict[str, list[_DeliveredFile]] = {}
    for package in packages:
        if package.check_rows:
            for item in package.delivered:
                if item.table is not None and converts_cell_by_cell(item.file):
                    by_file.setdefault(item.file.name, []).append(item)
    converted: dict[int, ConvertedTable] = {}
    for items in by_file.values():
        if len(items) < 2:
            continue
        tables = [item.table for item in items]
        counts = [len(table.values) for table in tables]
        try:
            together = convert_table(
                pd.concat([table.values for table in tables], ignore_index=True),
                np.concatenate([table.lines for table in tables]),
                items[0].file,
                np.repeat(np.array([table.source for table in tables], dtype=object), counts),
            )
        except Exception:  # noqa: BLE001 - each file is then converted on its own
            continue
        start = 0
        for item, count in zip(items, counts, strict=True):
            converted[id(item)] = together.rows(start, count)
            start += count
    return converted


def _parse_read(
    read: _ReadPackage, secret: bytes, staging_dir: Path | str, converted: dict[int, ConvertedTable]
) -> ParsedPackage:
    ref = read.ref
    results = []
    for item in read.delivered:
        results.append(_file_result(item, ref.ags, secret, read.check_rows, converted.get(id(item))))
        item.table = None  # the delivered text is done with; only the typed rows are kept until staged
    facts = _Facts(
        ref=ref,
        archive_path=read.archive_path,
        staging_dir=Path(staging_dir) / ref.paket_id,
        erstellt_am=read.manifest.erstellt_am if read.manifest else None,
        quellsystem=read.manifest.quellsystem if read.manifest else None,
        datensatz_version=read.manifest.datensatz_version if read.manifest else None,
    )
    return _finish(facts, findings_frame(read.findings), results)


# --- the package's files ---------------------------------------------------------------------------------


def _read_package(
    package: ArchivedPackage, ref: PackageRef, findings: list[Finding]
) -> tuple[Manifest | None, list[_DeliveredFile]]:
    members = sorted(package.members)
    manifest_data = package.read(MANIFEST_FILENAME) if MANIFEST_FILENAME in package.members else None
    check = check_manifest(manifest_data, ref.ags, ref.berichtsquartal)
    findings += check.findings
    manifest = check.manifest
    if manifest is not None:
        findings += check_members(manifest, members)
    unlisted = {finding.file for finding in findings if finding.rule is Rule.UNLISTED_FILE}

    csv_members: dict[str, str] = {}
    workbooks: list[str] = []
    for member in members:
        if member == MANIFEST_FILENAME:
            continue
        if member.startswith("/") or "\\" in member or ".." in member.split("/"):
            findings.append(
                rejection(
                    Rule.PACKAGE_LAYOUT,
                    f"„{member}“ zeigt aus dem Paket heraus (absoluter Pfad oder „..“); solche Pakete werden "
                    "aus Sicherheitsgründen abgelehnt. Bitte alle Dateien auf die oberste Ebene des Pakets legen.",
                    file=member,
                )
            )
            continue
        if "/" in member:
            findings.append(
                rejection(
                    Rule.PACKAGE_LAYOUT,
                    f"„{member}“ liegt in einem Unterordner; alle Dateien gehören auf die oberste Ebene "
                    "des Pakets.",
                    file=member,
                )
            )
            continue
        stem, _, suffix = member.rpartition(".")
        contract_name = normalise_header(stem)
        if suffix.lower() == "xlsx":
            workbooks.append(member)
        elif suffix.lower() == "csv" and contract_name in CONTRACT_FILES:
            if contract_name in csv_members:
                findings.append(
                    rejection(
                        Rule.DUPLICATE_FILE,
                        f"„{csv_members[contract_name]}“ und „{member}“ enthalten beide die Datei "
                        f"{CONTRACT_FILES[contract_name].filename}.",
                        file=CONTRACT_FILES[contract_name].filename,
                    )
                )
            else:
                csv_members[contract_name] = member
        elif member not in unlisted:
            findings.append(
                notice(
                    Rule.UNKNOWN_FILE,
                    f"„{member}“ gehört nicht zum Datenvertrag und wird nicht übernommen.",
                    file=member,
                )
            )

    if len(workbooks) > 1:
        listed = ", ".join(f"„{name}“" for name in workbooks)
        findings.append(
            rejection(
                Rule.PACKAGE_LAYOUT,
                f"Das Paket enthält mehrere Arbeitsmappen ({listed}); erlaubt ist eine Arbeitsmappe mit "
                "einem Blatt je Datei.",
            )
        )
        workbooks = []
    if workbooks and csv_members:
        findings.append(
            rejection(
                Rule.PACKAGE_LAYOUT,
                f"Das Paket enthält sowohl die Arbeitsmappe „{workbooks[0]}“ als auch CSV-Dateien; erlaubt "
                "ist entweder das eine oder das andere.",
            )
        )
        workbooks = []

    delivered = [
        _read_csv_member(package, manifest, name, member, findings) for name, member in csv_members.items()
    ]
    # Which files are missing is only meaningful if the package has a usable layout and workbook.
    layout_known = not any(
        finding.rule is Rule.PACKAGE_LAYOUT and finding.file is None for finding in findings
    )
    for workbook in workbooks:
        sheets, workbook_readable = _read_workbook_member(package, manifest, workbook, findings)
        delivered += sheets
        layout_known &= workbook_readable
    if layout_known:
        present = {item.file.name for item in delivered}
        for file in CONTRACT_FILES.values():
            if file.mandatory and file.name not in present:
                findings.append(
                    rejection(
                        Rule.MANDATORY_FILE_MISSING,
                        f"Die Pflichtdatei {file.filename} fehlt im Paket.",
                        file=file.filename,
                    )
                )
    delivered.sort(key=lambda item: list(CONTRACT_FILES).index(item.file.name))
    return manifest, delivered


def _read_member(
    package: ArchivedPackage, manifest: Manifest | None, member: str, file_name: str, findings: list[Finding]
) -> tuple[bytes | None, str | None]:
    try:
        data = package.read(member)
    except UnreadableFileError as error:
        findings.append(rejection(error.rule, str(error), file=file_name))
        return None, None
    if manifest is None:
        return data, _sha256(data)
    checksum, mismatch = checksum_finding(manifest, member, data)
    if mismatch is not None:
        findings.append(mismatch)
    return data, checksum


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_csv_member(
    package: ArchivedPackage, manifest: Manifest | None, name: str, member: str, findings: list[Finding]
) -> _DeliveredFile:
    file = CONTRACT_FILES[name]
    data, checksum = _read_member(package, manifest, member, file.filename, findings)
    table = None
    if data is not None:
        try:
            table = read_csv(data, member)
        except UnreadableFileError as error:
            findings.append(rejection(error.rule, str(error), file=file.filename))
    return _DeliveredFile(file=file, member=member, sha256=checksum, table=table)


def _read_workbook_member(
    package: ArchivedPackage, manifest: Manifest | None, workbook: str, findings: list[Finding]
) -> tuple[list[_DeliveredFile], bool]:
    """The contract sheets of the workbook, and whether the workbook itself could be read."""
    data, checksum = _read_member(package, manifest, workbook, workbook, findings)
    if data is None:
        return [], False
    try:
        book = read_workbook(data, workbook)
    except UnreadableFileError as error:
        findings.append(rejection(error.rule, str(error), file=workbook))
        return [], False
    delivered = []
    for name, table in book.sheets.items():
        if name in CONTRACT_FILES:
            delivered.append(_DeliveredFile(CONTRACT_FILES[name], workbook, checksum, table))
        else:
            findings.append(
                notice(
                    Rule.UNKNOWN_SHEET,
                    f"{workbook}: Das Blatt „{book.sheet_titles[name]}“ gehört nicht zum Datenvertrag und "
                    "wird nicht übernommen.",
                    file=workbook,
                )
            )
    return delivered, True


def _header_findings(table: RawTable, file: ContractFile) -> list[Finding]:
    """Identifier columns and missing mandatory columns reject the package; other deviations are noted."""
    findings = []
    for position, name, raw in zip(table.header_positions, table.headers, table.raw_headers, strict=True):
        where = f"{table.source}, Spalte {position + 1} „{raw}“"
        if is_identifier_column(name):
            findings.append(
                rejection(
                    Rule.IDENTIFIER_COLUMN,
                    f"{where}: Spalten mit direkt identifizierenden Angaben (Name, Geburtsdatum, "
                    "Anschrift, Kontakt- oder Kontodaten) sind nicht erlaubt. Das Paket wird abgelehnt, "
                    "ohne Daten zu übernehmen; bitte die Spalte entfernen und erneut liefern.",
                    file=file.filename,
                    column=name,
                )
            )
        elif name not in file.column_names:
            findings.append(
                notice(
                    Rule.UNKNOWN_COLUMN,
                    f"{where}: Die Spalte gehört nicht zum Datenvertrag und wird nicht übernommen.",
                    file=file.filename,
                    column=name,
                )
            )
    for column in file.columns:
        if column.name in table.headers:
            continue
        if column.required:
            findings.append(
                rejection(
                    Rule.MANDATORY_COLUMN_MISSING,
                    f"{table.source}: Die Pflichtspalte „{column.name}“ fehlt.",
                    file=file.filename,
                    column=column.name,
                )
            )
        else:
            findings.append(
                notice(
                    Rule.OPTIONAL_COLUMN_MISSING,
                    f"{table.source}: Die Spalte „{column.name}“ fehlt; ihre Werte gelten als leer.",
                    file=file.filename,
                    column=column.name,
                )
            )
    return findings


# --- rows --------------------------------------------------------------------------------------------------


def _file_result(
    item: _DeliveredFile, ags: str, secret: bytes, check_rows: bool, converted: ConvertedTable | None = None
) -> _FileResult:
    """The file's typed valid rows and row findings; `converted` are its cells if typed with other packages'."""
    table = item.table
    result = _FileResult(
        file=item.file,
        sha256=item.sha256,
        encoding=table.encoding if table is not None else None,
        delimiter=table.delimiter if table is not None else None,
        rows_delivered=table.rows_delivered if table is not None else 0,
        valid=None,
        row_findings=_NO_ROW_FINDINGS,
    )
    if table is None or not check_rows:
        return result
    file = item.file
    if converted is None:
        converted = convert_table(table.values, table.lines, file, table.source)
    invalid = converted.invalid_rows
    is_valid = np.ones(len(table.values), dtype=bool)
    is_valid[invalid] = False

    valid = converted.data[is_valid].reset_index(drop=True)
    valid.insert(0, "zeile", pd.array(table.lines[is_valid], dtype="Int32"))
    for column in file.columns:
        if column.pseudonym:
            valid[column.name] = rekey(valid[column.name], ags, secret)

    result.valid = valid
    frames = []
    if len(invalid):
        frames.append(_cell_findings(table, file, converted.findings, invalid, ags, secret))
    if table.malformed:
        frames.append(_malformed_findings(table, file, ags, secret))
    if frames:
        result.row_findings = _sorted_row_findings(pd.concat(frames, ignore_index=True), file)
    return result


def _cell_findings(
    table: RawTable, file: ContractFile, findings: pd.DataFrame, invalid: np.ndarray, ags: str, secret: bytes
) -> pd.DataFrame:
    """Findings of invalid cells, each with its row's delivered values (pseudonyms re-keyed)."""
    present = [column.name for column in file.columns if column.name in table.headers]
    raw_rows = table.values.iloc[invalid][present].reset_index(drop=True)
    for column in file.columns:
        if column.pseudonym and column.name in raw_rows:
            raw_rows[column.name] = rekey(raw_rows[column.name], ags, secret).fillna("")
    raw_json = dict(zip(invalid.tolist(), _json_rows(raw_rows), strict=True))
    return pd.DataFrame(
        {
            "datei": file.filename,
            "zeile": findings["zeile"].to_numpy(),
            "spalte": findings["spalte"].to_numpy(),
            "regel": findings["regel"].to_numpy(),
            "meldung": findings["meldung"].to_numpy(),
            "rohwerte": [raw_json[row] for row in findings["row"].tolist()],
        }
    )


def _malformed_findings(table: RawTable, file: ContractFile, ags: str, secret: bytes) -> pd.DataFrame:
    """Rows whose field count differs from the header: quarantined whole, as a list of fields.

    Which field is which is unknown in such a row (a stray delimiter shifts everything after it), so every
    field that a pseudonym column could have been shifted to is re-keyed.
    """
    pseudonym_positions = [
        position
        for position, name in zip(table.header_positions, table.headers, strict=True)
        if name in file.column_names and file.column(name).pseudonym
    ]
    rows = []
    for row in table.malformed:
        shift = len(row.fields) - table.header_width
        exposed = {
            position + offset
            for position in pseudonym_positions
            for offset in range(min(0, shift), max(0, shift) + 1)
            if 0 <= position + offset < len(row.fields)
        }
        fields = [
            rekey_value(value, ags, secret) if index in exposed else value
            for index, value in enumerate(row.fields)
        ]
        rows.append(
            {
                "datei": file.filename,
                "zeile": row.line,
                "spalte": None,
                "regel": str(Rule.FIELD_COUNT),
                "meldung": f"{table.source}, Zeile {row.line}: Die Zeile hat {len(row.fields)} Felder, die "
                f"Kopfzeile {table.header_width}.",
                "rohwerte": json.dumps({"felder": fields}, ensure_ascii=False),
            }
        )
    return pd.DataFrame(rows, columns=list(_ROW_FINDING_COLUMNS))


def _json_rows(rows: pd.DataFrame) -> list[str]:
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return [json.dumps(record, ensure_ascii=False, default=str) for record in records]


def _sorted_row_findings(frame: pd.DataFrame, file: ContractFile) -> pd.DataFrame:
    order = {name: position for position, name in enumerate(file.column_names)}
    column_order = frame["spalte"].map(lambda name: order.get(name, -1) if isinstance(name, str) else -1)
    frame = frame.assign(_order=column_order.astype("int64"), zeile=frame["zeile"].astype("Int64"))
    frame = frame.sort_values(["zeile", "_order", "regel"], kind="stable").drop(columns="_order")
    return frame.reset_index(drop=True)


# --- the result ------------------------------------------------------------------------------------------


def _finish(
    facts: _Facts,
    package_findings: pd.DataFrame,
    results: list[_FileResult],
    row_notices: pd.DataFrame | None = None,
) -> ParsedPackage:
    """Apply the 10 % rule, decide the status, split rows into loaded and quarantined, stage everything.

    `row_notices` are findings about single rows that stay loaded (outcome HINWEIS, e.g. an event delivered
    twice, which the warehouse deduplicates); they count as findings, not as quarantined rows.
    """
    extra: list[Finding] = []
    for result in results:
        invalid_rows = result.row_findings["zeile"].nunique()
        if result.rows_delivered and invalid_rows / result.rows_delivered > MAX_INVALID_SHARE:
            extra.append(
                rejection(
                    Rule.TOO_MANY_INVALID_ROWS,
                    f"{result.file.filename}: {format_count(invalid_rows)} von "
                    f"{format_count(result.rows_delivered)} Zeilen "
                    f"({format_percent(invalid_rows / result.rows_delivered)}) sind ungültig; erlaubt sind "
                    f"höchstens {format_percent(MAX_INVALID_SHARE)}. Die einzelnen Befunde sind aufgeführt.",
                    file=result.file.filename,
                )
            )
    package_findings = pd.concat([package_findings, findings_frame(extra)], ignore_index=True)
    rejected = bool((package_findings["ergebnis"] == str(Outcome.PACKAGE_REJECTED)).any())

    row_frames = []
    files = []
    for result in results:
        row_findings = result.row_findings.assign(
            ergebnis=str(Outcome.PACKAGE_REJECTED if rejected else Outcome.ROW_QUARANTINED)
        )
        if rejected:
            row_findings = row_findings.assign(rohwerte=None)
        row_frames.append(row_findings)
        quarantined = 0 if rejected else int(result.row_findings["zeile"].nunique())
        loaded = 0 if rejected or result.valid is None else len(result.valid)
        files.append(
            ParsedFile(
                name=result.file.filename,
                sha256=result.sha256,
                encoding=result.encoding,
                delimiter=result.delimiter,
                rows_delivered=result.rows_delivered,
                rows_loaded=loaded,
                rows_quarantined=quarantined,
                staged=not rejected and result.valid is not None,
            )
        )
    notices = [] if row_notices is None or not len(row_notices) else [row_notices[list(FINDING_COLUMNS)]]
    findings = normalise_findings_frame(
        pd.concat(
            [
                package_findings,
                *[frame[list(FINDING_COLUMNS)] for frame in row_frames if len(frame)],
                *notices,
            ],
            ignore_index=True,
        )
    )
    if rejected:
        status = Status.REJECTED
    elif len(findings):
        status = Status.ACCEPTED_WITH_NOTICES
    else:
        status = Status.ACCEPTED
    reasons = package_findings.loc[package_findings["ergebnis"] == str(Outcome.PACKAGE_REJECTED), "meldung"]
    package = ParsedPackage(
        paket_id=facts.ref.paket_id,
        ags=facts.ref.ags,
        berichtsquartal=facts.ref.berichtsquartal,
        erstellt_am=facts.erstellt_am,
        eingegangen_am=facts.ref.eingegangen_am,
        shape=facts.ref.shape,
        quellsystem=facts.quellsystem,
        datensatz_version=facts.datensatz_version,
        status=status,
        files=tuple(files),
        findings_count=len(findings),
        rejection_reasons=tuple(reasons.tolist()),
        staging_dir=facts.staging_dir,
        archive_path=facts.archive_path,
    )
    valid_rows = {
        result.file.name: result.valid for result in results if not rejected and result.valid is not None
    }
    return write_staging(package, StagedOutput(valid_rows=valid_rows, findings=findings))


# --- row findings of later validators ----------------------------------------------------------------------


def quarantine_rows(parsed: ParsedPackage, row_findings: pd.DataFrame) -> ParsedPackage:
    """Merge row findings of another validator (datei, zeile, spalte, regel, meldung[, ergebnis]) into it.

    Rows flagged `ZEILE_QUARANTAENE` (the default without an `ergebnis` column) move from the staged valid rows
    to the quarantine, keeping their values as parsed (pseudonyms already re-keyed) as raw values; rows flagged
    `HINWEIS` stay loaded and the notice is recorded. Counts, the 10 % rule and the status are recomputed.
    Applying the same findings twice changes nothing.
    """
    missing = {"datei", "zeile", "spalte", "regel", "meldung"} - set(row_findings.columns)
    if missing:
        raise ValueError(f"row findings lack the columns {sorted(missing)}")
    if "ergebnis" not in row_findings.columns:
        row_findings = row_findings.assign(ergebnis=str(Outcome.ROW_QUARANTINED))
    unknown_outcomes = set(row_findings["ergebnis"]) - {str(Outcome.ROW_QUARANTINED), str(Outcome.NOTICE)}
    if unknown_outcomes:
        raise ValueError(f"row findings may only quarantine or notice, not {sorted(unknown_outcomes)}")
    is_notice = row_findings["ergebnis"] == str(Outcome.NOTICE)
    new_notices = row_findings[is_notice]
    row_findings = row_findings[~is_notice]
    known_files = {file.name: file for file in parsed.files}
    unknown_files = set(row_findings["datei"]) - set(known_files)
    if unknown_files:
        raise ValueError(f"row findings name files the package does not contain: {sorted(unknown_files)}")

    existing = read_findings(parsed)
    package_findings = existing[
        existing["zeile"].isna() & (existing["regel"] != str(Rule.TOO_MANY_INVALID_ROWS))
    ].reset_index(drop=True)
    existing_notice = existing["zeile"].notna() & (existing["ergebnis"] == str(Outcome.NOTICE))
    existing_rows = existing[existing["zeile"].notna() & ~existing_notice]
    row_notices = (
        pd.concat(
            [
                existing.loc[existing_notice, list(FINDING_COLUMNS)],
                new_notices.assign(zeile=new_notices["zeile"].astype("Int64"), rohwerte=None)[
                    list(FINDING_COLUMNS)
                ],
            ],
            ignore_index=True,
        )
        .drop_duplicates(subset=["datei", "zeile", "spalte", "regel"], keep="first")
        .sort_values(["datei", "zeile", "regel"], kind="stable")
        .reset_index(drop=True)
    )
    results = []
    for file in parsed.files:
        old = existing_rows.loc[existing_rows["datei"] == file.name, list(_ROW_FINDING_COLUMNS)]
        new = row_findings.loc[
            row_findings["datei"] == file.name, ["datei", "zeile", "spalte", "regel", "meldung"]
        ]
        new = new.assign(zeile=new["zeile"].astype("Int64"), rohwerte=None)
        valid = read_valid_rows(parsed, file) if file.staged else None
        if valid is not None and len(new):
            raw_by_line = dict(
                zip(old["zeile"].astype("int64").tolist(), old["rohwerte"].tolist(), strict=True)
            )
            moving = valid["zeile"].isin(new["zeile"]).to_numpy()
            moved = valid[moving]
            raw_by_line.update(
                zip(
                    moved["zeile"].astype("int64").tolist(),
                    _json_rows(moved.drop(columns="zeile")),
                    strict=True,
                )
            )
            unknown_lines = set(new["zeile"].astype("int64").tolist()) - set(raw_by_line)
            if unknown_lines:
                raise ValueError(
                    f"{file.name}: row findings name lines without a row: {sorted(unknown_lines)[:10]}"
                )
            new = new.assign(rohwerte=[raw_by_line[line] for line in new["zeile"].astype("int64").tolist()])
            valid = valid[~moving].reset_index(drop=True)
        merged = pd.concat([old, new], ignore_index=True).drop_duplicates(
            subset=["zeile", "spalte", "regel"], keep="first"
        )
        results.append(
            _FileResult(
                file=file.contract_file,
                sha256=file.sha256,
                encoding=file.encoding,
                delimiter=file.delimiter,
                rows_delivered=file.rows_delivered,
                valid=valid,
                row_findings=_sorted_row_findings(merged, file.contract_file),
            )
        )
    facts = _Facts(
        ref=PackageRef(
            ags=parsed.ags,
            berichtsquartal=parsed.berichtsquartal,
            path=parsed.archive_path,
            shape=parsed.shape,
            paket_id=parsed.paket_id,
            eingegangen_am=parsed.eingegangen_am,
        ),
        archive_path=parsed.archive_path,
        staging_dir=parsed.staging_dir,
        erstellt_am=parsed.erstellt_am,
        quellsystem=parsed.quellsystem,
        datensatz_version=parsed.datensatz_version,
    )
    return _finish(facts, package_findings, results, row_notices)
