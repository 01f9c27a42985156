"""The contract files of a clean package as delivered text, edited by a defect and written back as CSV.

A defect is a few edits to what a unit really sent, so its package is built from the clean package's own
values in the unit's own notation (date style, decimal style, header texts). A `TextTable` holds one file as
header texts and rows of strings; every edit records the row it touched, so the corpus can state exactly which
lines the pipeline has to flag and a test can check that nothing else changed.

Writing a CSV goes through the same `csv.writer` settings as the generator, so an unedited table gives the
clean file's bytes again (`load_csv` checks this on every file it reads). Defects that no CSV writer would
produce — an unquoted delimiter, an unterminated quote, a byte of another encoding — are literal lines and
byte patches applied on top.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from pipelines.contract.headers import normalise_header
from pipelines.contract.schema import Column, ContractFile
from pipelines.generator.errors import GeneratorError
from pipelines.generator.formats import CsvFormat, DateStyle, DecimalStyle
from pipelines.generator.rendering import format_decimal


@dataclass
class TextTable:
    """One contract file as text: the delivered header texts and one list of strings per row."""

    file: ContractFile
    header: list[str]
    rows: list[list[str]]
    changed: set[int] = field(default_factory=set)  # rows edited or added by the defect
    literal_lines: dict[int, str] = field(default_factory=dict)  # row → its line as written (no quoting)
    byte_patches: dict[str, bytes] = field(default_factory=dict)  # placeholder character → bytes it becomes
    added_columns: list[str] = field(default_factory=list)  # header texts of columns the defect added
    removed_columns: list[str] = field(default_factory=list)  # contract columns the defect removed
    removed_rows: int = 0  # rows the defect deleted (only ever all of them: a header-only file)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def copy(self) -> TextTable:
        # Cells are immutable strings: copying the lists is a full copy (deepcopy costs seconds at scale 1).
        return TextTable(
            file=self.file,
            header=list(self.header),
            rows=[list(row) for row in self.rows],
            changed=set(self.changed),
            literal_lines=dict(self.literal_lines),
            byte_patches=dict(self.byte_patches),
            added_columns=list(self.added_columns),
            removed_columns=list(self.removed_columns),
            removed_rows=self.removed_rows,
        )

    def position(self, column: str) -> int:
        """Index of a contract column in the delivered header (header texts are matched normalised)."""
        for index, text in enumerate(self.header):
            if normalise_header(text) == column:
                return index
        raise KeyError(f"{self.file.filename} has no column {column}")

    def column(self, name: str) -> list[str]:
        index = self.position(name)
        return [row[index] for row in self.rows]

    def get(self, row: int, column: str) -> str:
        return self.rows[row][self.position(column)]

    def set(self, row: int, column: str, value: str) -> None:
        self.rows[row][self.position(column)] = value
        self.changed.add(row)

    def append(self, values: list[str]) -> int:
        """Add a row at the end (the lines of all other rows stay the same); returns its index."""
        if len(values) != len(self.header):
            raise ValueError(
                f"{self.file.filename}: a row needs {len(self.header)} values, not {len(values)}"
            )
        self.rows.append(list(values))
        self.changed.add(len(self.rows) - 1)
        return len(self.rows) - 1

    def clear_rows(self) -> None:
        self.removed_rows += len(self.rows)
        self.rows = []

    def add_column(self, header_text: str, values: list[str]) -> None:
        """Add a column after the last one."""
        self.header.append(header_text)
        for row, value in zip(self.rows, values, strict=True):
            row.append(value)
        self.added_columns.append(header_text)

    def remove_column(self, column: str) -> None:
        index = self.position(column)
        del self.header[index]
        for row in self.rows:
            del row[index]
        self.removed_columns.append(column)

    def contract_column(self, index: int) -> Column | None:
        """The contract column at a header position, None for a column the contract does not know."""
        name = normalise_header(self.header[index])
        return self.file.column(name) if name in self.file.column_names else None


@dataclass(frozen=True)
class UnitNotation:
    """How a unit writes dates and decimals, to read values of its files and write edited ones alike."""

    date_style: DateStyle
    decimal_style: DecimalStyle

    @classmethod
    def of(cls, fmt: CsvFormat) -> UnitNotation:
        return cls(fmt.date_style, fmt.decimal_style)

    def date(self, text: str) -> date:
        if self.date_style is DateStyle.ISO:
            return date.fromisoformat(text)
        return datetime.strptime(text, "%d.%m.%Y").date()

    def date_text(self, day: date) -> str:
        return day.isoformat() if self.date_style is DateStyle.ISO else day.strftime("%d.%m.%Y")

    def impossible_date_text(self, year: int) -> str:
        """The 31st of February of a year, as the unit would write it if its system did not check dates."""
        return f"{year}-02-31" if self.date_style is DateStyle.ISO else f"31.02.{year}"

    def decimal(self, text: str) -> float:
        if self.decimal_style is DecimalStyle.POINT:
            return float(text)
        return float(text.replace(".", "").replace(",", "."))

    def decimal_text(self, value: float) -> str:
        return format_decimal(value, self.decimal_style)


def _writer(buffer: io.StringIO, fmt: CsvFormat):
    return csv.writer(
        buffer, delimiter=fmt.delimiter, lineterminator=fmt.line_ending, quoting=csv.QUOTE_MINIMAL
    )


def read_csv_table(file: ContractFile, data: bytes, fmt: CsvFormat) -> TextTable:
    """A CSV file the generator wrote in the unit's format, as text; raises if writing it back differs."""
    text = data.decode(fmt.encoding)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter))
    table = TextTable(file=file, header=records[0], rows=records[1:])
    if render_csv_table(table, fmt)[0] != data:
        raise GeneratorError(
            f"{file.filename}: Die Datei lässt sich nicht unverändert neu schreiben; der Fehlerkorpus kann "
            "aus ihr keine Variante ableiten."
        )
    return table


def render_csv_table(
    table: TextTable, fmt: CsvFormat, encoding: str | None = None
) -> tuple[bytes, list[int]]:
    """The file's bytes in the unit's format (or another encoding), and the line each row starts on."""
    pieces = []
    buffer = io.StringIO(newline="")
    writer = _writer(buffer, fmt)
    writer.writerow(table.header)
    line = 1 + buffer.getvalue().count("\n")
    pieces.append(buffer.getvalue())
    lines = []
    for index, row in enumerate(table.rows):
        if index in table.literal_lines:
            text = table.literal_lines[index] + fmt.line_ending
        else:
            buffer = io.StringIO(newline="")
            _writer(buffer, fmt).writerow(row)
            text = buffer.getvalue()
        lines.append(line)
        line += text.count("\n")
        pieces.append(text)
    return encode_text("".join(pieces), encoding or fmt.encoding, table.byte_patches), lines


def encode_text(text: str, encoding: str, byte_patches: dict[str, bytes]) -> bytes:
    """Encode, replacing each placeholder character by its raw bytes (which the encoding could not write)."""
    if not byte_patches:
        return text.encode(encoding)
    parts = [text]
    for placeholder in byte_patches:
        parts = [piece for part in parts for piece in _split_keep(part, placeholder)]
    encoded = []
    first = True
    for part in parts:
        if part in byte_patches:
            encoded.append(byte_patches[part])
        elif part:
            # A byte order mark belongs only at the very start of the file.
            codec = encoding if first or encoding != "utf-8-sig" else "utf-8"
            encoded.append(part.encode(codec))
        first = False
    return b"".join(encoded)


def _split_keep(text: str, separator: str) -> list[str]:
    pieces = text.split(separator)
    result = [pieces[0]]
    for piece in pieces[1:]:
        result += [separator, piece]
    return result
