"""The vocabulary of the defect corpus: the clean package a defect starts from, the draft it edits, what the
pipeline is expected to do with it, and the kind of defect itself.

A defect kind is one function that edits a `Draft` of a partition's clean package and returns `Marks` (which
rows the pipeline has to flag, which line a file-level message has to name). A kind that finds nothing to edit
in a package (no Rechtskreiswechsel to break, too few rows for a quarantine to stay under 10 %) raises
`NotApplicable`, and the corpus tries the next partition: one function decides both whether and how.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path

import numpy as np

from pipelines.calendar import Quarter
from pipelines.contract.findings import Outcome, Rule, Status
from pipelines.contract.schema import CONTRACT_FILES, MANIFEST_FILENAME, MAX_INVALID_SHARE
from pipelines.generator.defects.text_tables import TextTable, UnitNotation, read_csv_table
from pipelines.generator.defects.workbooks import read_workbook_tables
from pipelines.generator.formats import Shape, UnitFormat
from pipelines.generator.packaging import WrittenPackage
from pipelines.generator.reference import Unit

# A quarantine defect stays well below the contract's MAX_INVALID_SHARE (a larger share rejects the package),
# so that it is a quarantine and nothing else.
QUARANTINE_SHARE_LIMIT = 0.08


class NotApplicable(Exception):
    """The defect cannot be made from this package (it lacks the rows or the format the defect needs)."""


class Placement(StrEnum):
    """Where the defect package stands next to the clean package of its partition."""

    EARLIER = "FRUEHERE_FASSUNG"  # flawed but loadable: the clean package is its correction and replaces it
    LATER = "SPAETERE_KORREKTUR"  # rejected: a correction that never replaces the accepted clean package
    SAME = "GLEICHE_FASSUNG"  # the same package delivered a second time (same manifest)


class Need(StrEnum):
    """The physical shape a defect needs; the clean package takes the partition's other place."""

    CSV = "CSV"  # CSV files, as a folder or zip, whichever place the clean package leaves free
    XLSX = "XLSX"  # a workbook folder: the clean package must be a zip
    ZIP = "ZIP"  # a zip: the clean package must be a folder
    COPY = "KOPIE"  # the clean CSV package itself, in the other place


@dataclass
class CleanPackage:
    """A partition's only package in the clean landing zone, and what the defect needs to know about it."""

    landing: Path
    written: WrittenPackage
    unit: Unit
    unit_format: UnitFormat

    @property
    def path(self) -> Path:
        return self.landing / self.written.path

    @property
    def quarter(self) -> Quarter:
        return self.written.quarter

    @property
    def notation(self) -> UnitNotation:
        return UnitNotation.of(self.unit_format.csv)

    @cached_property
    def members(self) -> dict[str, bytes]:
        """Every file of the package as delivered, by its name in the package."""
        if self.written.shape is Shape.ZIP_CSV:
            with zipfile.ZipFile(io.BytesIO(self.path.read_bytes())) as archive:
                return {info.filename: archive.read(info) for info in archive.infolist()}
        return {child.name: child.read_bytes() for child in sorted(self.path.iterdir())}

    @cached_property
    def manifest(self) -> dict:
        return json.loads(self.members[MANIFEST_FILENAME].decode("utf-8"))

    @cached_property
    def tables(self) -> dict[str, TextTable]:
        """The package's contract files as text, in contract order."""
        if self.written.shape is Shape.FOLDER_XLSX:
            (workbook,) = (data for name, data in self.members.items() if name.endswith(".xlsx"))
            tables = read_workbook_tables(workbook, self.unit_format.csv)
        else:
            tables = {
                name: read_csv_table(file, self.members[file.filename], self.unit_format.csv)
                for name, file in CONTRACT_FILES.items()
                if file.filename in self.members
            }
        return {name: tables[name] for name in CONTRACT_FILES if name in tables}


@dataclass
class Draft:
    """The defect package being made: the clean package's tables and manifest, and what the defect changes."""

    shape: Shape
    tables: dict[str, TextTable]
    manifest: dict  # fields of the manifest to write; `dateien` is filled in from the files
    encodings: dict[str, str] = field(default_factory=dict)  # contract name → encoding instead of the unit's
    replaced_files: dict[str, bytes] = field(default_factory=dict)  # contract name → bytes as delivered
    member_names: dict[str, str] = field(default_factory=dict)  # contract name → path in the package
    extra_members: dict[str, bytes] = field(default_factory=dict)  # stray members the manifest does not list
    extra_sheets: dict[str, list[list[str]]] = field(default_factory=dict)  # non-contract workbook sheets
    listed_but_absent: set[str] = field(default_factory=set)  # contract names listed, not delivered
    stale_checksums: set[str] = field(default_factory=set)  # contract names whose checksum is the clean one
    manifest_edit: Callable[[bytes], bytes] | None = None  # breaks the manifest as written
    without_manifest: bool = False
    copy_of_clean: bool = False  # deliver the clean package's own files unchanged

    def table(self, name: str) -> TextTable:
        try:
            return self.tables[name]
        except KeyError:
            raise NotApplicable(f"das Paket enthält keine {name}.csv") from None

    def member_name(self, name: str) -> str:
        return self.member_names.get(name, CONTRACT_FILES[name].filename)


@dataclass
class Marks:
    """What the pipeline has to flag in the defect package."""

    rows: list[int] = field(default_factory=list)  # rows of the defect's file (indices into its table)
    message_row: int | None = None  # a file-level finding whose message names this row's line
    uncountable: set[str] = field(default_factory=set)  # contract names whose rows cannot be read at all


@dataclass(frozen=True)
class DefectContext:
    """What a defect may look at besides the package: its randomness and the other units."""

    clean: CleanPackage
    rng: np.random.Generator
    units: tuple[Unit, ...]
    unit_case_ids: Callable[[], set[str]]  # every fall_id in any package of the unit

    @property
    def notation(self) -> UnitNotation:
        return self.clean.notation

    def pick(self, candidates: list[int], count: int = 1) -> list[int]:
        """`count` distinct candidates in ascending order, drawn from the defect's own stream."""
        if len(candidates) < count:
            raise NotApplicable(f"nur {len(candidates)} geeignete Zeilen, gebraucht {count}")
        chosen = self.rng.choice(len(candidates), size=count, replace=False)
        return sorted(candidates[index] for index in chosen)


class Share(StrEnum):
    """How many of the file's rows a row defect flags, and so what the pipeline decides."""

    LOW = "NIEDRIG"  # well under 10 %: the rows are quarantined (the kind refuses packages where it is not)
    HIGH = "HOCH"  # over 10 %: the package is rejected (the kind refuses packages where it is not)
    ANY = "JE_NACH_DATEI"  # what the file's size gives; small files (aufenthalt, lenkungsgruppe) are rejected


@dataclass(frozen=True)
class DefectKind:
    """One kind of defect, with a stable id and the outcome the contract prescribes for it."""

    id: str
    description: str  # German, for the corpus description and test reports
    outcome: Outcome | None  # None: a delivery the pipeline must accept without any finding
    rules: tuple[Rule, ...]  # every rule the pipeline must report for it
    file: str | None  # the file (or member) the finding is about; None for the package as a whole
    make: Callable[[Draft, DefectContext], Marks]
    need: Need = Need.CSV
    share: Share = Share.LOW
    column: str | None = None

    @property
    def contract_file(self) -> str | None:
        """The contract name (`faelle`) of the defect's file, if it is a contract file."""
        name = (self.file or "").removesuffix(".csv")
        return name if name in CONTRACT_FILES else None


@dataclass(frozen=True)
class Resolution:
    """The expected result for one defect package, once its rows are known."""

    outcome: Outcome | None
    status: Status
    rules: tuple[Rule, ...]
    placement: Placement


def resolve(kind: DefectKind, marks: Marks, rows_in_file: int | None) -> Resolution:
    """Status, rules and placement: row defects over 10 % of their file reject the package (contract 3.2)."""
    if kind.need is Need.COPY:
        return Resolution(None, Status.ACCEPTED, (), Placement.SAME)
    if kind.outcome is None:
        return Resolution(None, Status.ACCEPTED, (), Placement.EARLIER)
    if kind.outcome is Outcome.NOTICE:
        return Resolution(kind.outcome, Status.ACCEPTED_WITH_NOTICES, kind.rules, Placement.EARLIER)
    if kind.outcome is Outcome.PACKAGE_REJECTED:
        return Resolution(kind.outcome, Status.REJECTED, kind.rules, Placement.LATER)
    flagged = len(set(marks.rows))
    share = flagged / rows_in_file if rows_in_file else 0.0
    over = share > MAX_INVALID_SHARE  # the pipeline's own comparison (invalid rows / rows delivered)
    if kind.share is Share.LOW and share > QUARANTINE_SHARE_LIMIT:
        raise NotApplicable(f"{flagged} von {rows_in_file} Zeilen wären zu viele für eine Quarantäne")
    if kind.share is Share.HIGH and not over:
        raise NotApplicable(f"{flagged} von {rows_in_file} Zeilen sind nicht mehr als 10 %")
    if over:
        return Resolution(
            Outcome.PACKAGE_REJECTED,
            Status.REJECTED,
            (*kind.rules, Rule.TOO_MANY_INVALID_ROWS),
            Placement.LATER,
        )
    return Resolution(Outcome.ROW_QUARANTINED, Status.ACCEPTED_WITH_NOTICES, kind.rules, Placement.EARLIER)
