"""Files and columns of the KIM data contract v1 (`shared/spec/DATA_CONTRACT.md`, section 2).

`kind` says how a raw text value is read:
- `text`: trimmed string (`max_length` where the contract sets one);
- `code`: one code of `code_list` (upper-cased before the check);
- `codes`: `|`-separated codes of `code_list`, at least one;
- `date`: `YYYY-MM-DD` or `DD.MM.YYYY`;
- `month`: `YYYY-MM` (also `MM.YYYY`);
- `int`: whole number; `decimal`: `.` or `,` as decimal mark, German thousands separators allowed.
`required=False` marks the contract's `?` (may be empty). Cross-field rules (dates in order, reason iff closing
date, …) are documented here per file and enforced by the validation suites, not by the type reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "code", "codes", "date", "month", "int", "decimal"]
Semantics = Literal["snapshot", "append", "aggregate"]

# DuckDB type of each kind in the raw tables (`codes` stay `|`-separated text; staging splits them).
DUCKDB_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "codes": "VARCHAR",
    "date": "DATE",
    "month": "DATE",  # first day of the month
    "int": "INTEGER",
    "decimal": "DOUBLE",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    code_list: str | None = None
    max_length: int | None = None
    pseudonym: bool = False  # re-keyed with HMAC on entry, never stored as delivered


@dataclass(frozen=True)
class ContractFile:
    name: str
    columns: tuple[Column, ...]
    mandatory: bool
    semantics: Semantics
    grain: str
    natural_key: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


FAELLE = ContractFile(
    name="faelle",
    mandatory=True,
    semantics="snapshot",
    grain="ein Fall, der im Quartal zu irgendeinem Zeitpunkt offen war",
    natural_key=("fall_id",),
    columns=(
        Column("fall_id", "text", max_length=64, pseudonym=True),
        Column("person_id", "text", max_length=64, pseudonym=True),
        Column("traeger", "code", code_list="traeger"),
        Column("gemeinde_ags", "text", required=False, max_length=8),
        Column("erstkontakt_am", "date"),
        Column("aufnahme_am", "date"),
        Column("abschluss_am", "date", required=False),
        Column("abschlussgrund", "code", required=False, code_list="abschlussgrund"),
        Column("geburtsjahr", "int"),
        Column("geschlecht", "code", code_list="geschlecht"),
        Column("staatsangehoerigkeit", "code", code_list="staatsangehoerigkeit"),
        Column("einreise_monat", "month", required=False),
        Column("aufenthaltsstatus", "code", code_list="aufenthaltsstatus"),
        Column("rechtskreis", "code", code_list="rechtskreis"),
        Column("bedarfe", "codes", code_list="bedarf"),
    ),
)

EREIGNISSE = ContractFile(
    name="ereignisse",
    mandatory=True,
    semantics="append",
    grain="ein Ereignis eines Falls, datiert im Quartal (Nachmeldungen früherer Quartale erlaubt)",
    natural_key=("fall_id", "ereignis", "ereignis_am", "von_rechtskreis", "nach_rechtskreis", "stelle"),
    columns=(
        Column("fall_id", "text", max_length=64, pseudonym=True),
        Column("ereignis_am", "date"),
        Column("ereignis", "code", code_list="ereignis"),
        Column("von_rechtskreis", "code", required=False, code_list="rechtskreis"),
        Column("nach_rechtskreis", "code", required=False, code_list="rechtskreis"),
        Column("leistung_ende_am", "date", required=False),
        Column("leistung_beginn_am", "date", required=False),
        Column("stelle", "code", required=False, code_list="stelle"),
    ),
)

PERSONAL = ContractFile(
    name="personal",
    mandatory=True,
    semantics="snapshot",
    grain="eine geförderte Stelle am Quartalsende",
    natural_key=("stelle_id",),
    columns=(
        Column("stelle_id", "text", max_length=64),
        Column("baustein", "int", code_list="baustein"),
        Column("funktion", "code", code_list="funktion"),
        Column("traeger", "code", code_list="traeger"),
        Column("bewilligt_vzae", "decimal"),
        Column("besetzt_vzae", "decimal"),
        Column("besetzt_seit", "date", required=False),
    ),
)

FINANZEN = ContractFile(
    name="finanzen",
    mandatory=False,
    semantics="snapshot",
    grain="ein Haushaltsjahr und Baustein, kumulierte Beträge am Quartalsende",
    natural_key=("haushaltsjahr", "baustein"),
    columns=(
        Column("haushaltsjahr", "int"),
        Column("baustein", "int", code_list="baustein"),
        Column("bewilligt_eur", "decimal"),
        Column("abgerufen_eur", "decimal"),
        Column("verausgabt_eur", "decimal"),
    ),
)

STRUKTURTHEMEN = ContractFile(
    name="strukturthemen",
    mandatory=False,
    semantics="snapshot",
    grain="ein jemals erfasstes Strukturthema mit seinem aktuellen Stand",
    natural_key=("thema_id",),
    columns=(
        Column("thema_id", "text", max_length=64),
        Column("titel", "text", max_length=200),
        Column("handlungsfeld", "code", code_list="bedarf"),
        Column("quelle", "code", code_list="quelle"),
        Column("faelle_rekonstruiert", "int"),
        Column("identifiziert_am", "date"),
        Column("lenkungsgruppe_am", "date", required=False),
        Column("prioritaet", "code", required=False, code_list="prioritaet"),
        Column("projektgruppe_am", "date", required=False),
        Column("zielvereinbarung_am", "date", required=False),
        Column("umgesetzt_am", "date", required=False),
        Column("status", "code", code_list="themenstatus"),
    ),
)

LENKUNGSGRUPPE = ContractFile(
    name="lenkungsgruppe",
    mandatory=False,
    semantics="append",
    grain="eine Sitzung der Lenkungsgruppe im Quartal",
    natural_key=("sitzung_am",),
    columns=(
        Column("sitzung_am", "date"),
        Column("institutionen", "codes", code_list="institution"),
        Column("beschluesse", "int"),
    ),
)

AUFENTHALT = ContractFile(
    name="aufenthalt",
    mandatory=False,
    semantics="aggregate",
    grain="eine Verfahrensart (Baustein 3) mit Quartalssummen",
    natural_key=("verfahren",),
    columns=(
        Column("verfahren", "code", code_list="verfahren"),
        Column("antraege_eingang", "int"),
        Column("entscheidungen_positiv", "int"),
        Column("entscheidungen_negativ", "int"),
        Column("anhaengig_quartalsende", "int"),
        Column("bearbeitungsdauer_median_tage", "int", required=False),
    ),
)

CONTRACT_FILES: dict[str, ContractFile] = {
    file.name: file
    for file in (FAELLE, EREIGNISSE, PERSONAL, FINANZEN, STRUKTURTHEMEN, LENKUNGSGRUPPE, AUFENTHALT)
}
MANDATORY_FILES = tuple(name for name, file in CONTRACT_FILES.items() if file.mandatory)

MANIFEST_FILENAME = "manifest.json"
MANIFEST_FIELDS = (
    "ags",
    "berichtsquartal",
    "datensatz_version",
    "erstellt_am",
    "quellsystem",
    "kontakt",
    "dateien",
)
CONTRACT_VERSION = "1.0"
# A file with more invalid rows than this share gets its whole package rejected.
MAX_INVALID_SHARE = 0.10

# Columns every raw table carries in front of the contract columns.
RAW_LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ags", "VARCHAR"),
    ("berichtsquartal", "VARCHAR"),
    ("paket_id", "VARCHAR"),  # sha256 of the package content
    ("zeile", "INTEGER"),  # line number in the delivered file (header = line 1) or row in the sheet
)


def raw_table_ddl(file: ContractFile, schema: str = "raw") -> str:
    """`CREATE TABLE` for the raw table of one contract file: lineage columns, then the contract columns."""
    columns = [f"{name} {sql_type}" for name, sql_type in RAW_LINEAGE_COLUMNS]
    columns += [f"{column.name} {DUCKDB_TYPES[column.kind]}" for column in file.columns]
    return f"CREATE TABLE IF NOT EXISTS {schema}.{file.name} (\n    " + ",\n    ".join(columns) + "\n)"
