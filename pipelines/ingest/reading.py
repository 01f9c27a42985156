"""Physical formats of an archived package: its members, `manifest.json`, CSV files and XLSX workbooks.

Everything here is about turning bytes into a table of text; what the text means is `values.py`'s business.
The output of every format is a `RawTable`: normalised headers, one text column per header (trimmed, `""` =
missing) and the line each row starts on in the delivered file (header = line 1; for workbooks the sheet row),
so every later finding can name its line.

CSV is read by a vectorised scanner (numpy + Arrow) rather than a row loop, because files reach a million
rows: a byte is a field or record separator if it is `;`/`,` or `\\n` and an even number of quotes precede it
(RFC 4180 quoting, where an escaped quote `""` toggles twice). That one rule also yields exact line numbers,
including for quoted values that span lines.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineError, CalamineWorkbook

from pipelines.contract.findings import Rule, format_count
from pipelines.contract.headers import normalise_header

ENCODING_UTF8 = "utf-8"
ENCODING_UTF8_BOM = "utf-8-sig"
ENCODING_CP1252 = "cp1252"
ENCODING_XLSX = "xlsx"
# Largest unpacked file accepted from a package: the biggest statewide quarter file of the largest unit is a
# few tens of megabytes, so anything beyond this is a broken export or a zip bomb, never data.
MAX_MEMBER_BYTES = 512 * 2**20

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A UTF-8 encoded umlaut or ß (Ã followed by a continuation byte): in a file that is not valid UTF-8 it shows
# that UTF-8 and another encoding were mixed, which no single decoding can read correctly.
_UTF8_UMLAUT = re.compile(rb"\xc3[\x80-\xbf]")
_NON_WHITESPACE = re.compile(rb"\S")
_QUOTE = ord('"')
_NEWLINE = ord("\n")
_CARRIAGE_RETURN = ord("\r")
_DELIMITERS = (";", ",")
_QUOTING_HELP = (
    "Ein Wert mit Trennzeichen, Zeilenumbruch oder Anführungszeichen muss vollständig in Anführungszeichen "
    'stehen, Anführungszeichen darin verdoppelt ("").'
)


class UnreadableFileError(ValueError):
    """A file that cannot be read as a table; the German message names the file and the place."""

    def __init__(self, message: str, rule: Rule = Rule.FILE_UNREADABLE):
        super().__init__(message)
        self.rule = rule


class UnreadablePackageError(ValueError):
    """An archive that cannot be opened at all; German message."""


@dataclass(frozen=True)
class MalformedRow:
    """A CSV record whose number of fields differs from the header (kept whole, never dropped)."""

    line: int
    fields: tuple[str, ...]


@dataclass
class RawTable:
    """One delivered table as text, with the line every row starts on."""

    source: str  # how messages name it: `faelle.csv` or `kim.xlsx, Blatt „faelle“`
    raw_headers: tuple[str, ...]
    headers: tuple[str, ...]  # normalised (`pipelines.contract.headers`), unique; columns of `values`
    header_positions: tuple[int, ...]  # 0-based position of each column in the delivered header
    header_width: int  # number of fields in the delivered header (untitled trailing fields excluded)
    values: pd.DataFrame  # str columns, "" = missing; surrounding whitespace is not significant
    lines: np.ndarray  # int64, one per row of `values`
    encoding: str
    delimiter: str | None
    malformed: tuple[MalformedRow, ...] = field(default=())

    @property
    def rows_delivered(self) -> int:
        return len(self.values) + len(self.malformed)


# --- package members -------------------------------------------------------------------------------------


class ArchivedPackage:
    """The visible files of an archived package (zip); hidden entries and `__MACOSX/` are upload artefacts."""

    def __init__(self, archive_path: Path | str):
        self.path = Path(archive_path)
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError) as error:
            raise UnreadablePackageError(
                f"Das Paket ist keine lesbare ZIP-Datei ({error}); bitte das Paket neu packen und erneut "
                "liefern."
            ) from error
        self.members = {
            info.filename: info for info in infos if not info.is_dir() and not _is_artefact(info.filename)
        }

    def read(self, name: str) -> bytes:
        """The member's bytes; a member larger than `MAX_MEMBER_BYTES` unpacked (a zip bomb) is refused.

        The declared size is checked first and the read itself is bounded, since a crafted zip can lie.
        """
        info = self.members[name]
        if info.file_size > MAX_MEMBER_BYTES:
            raise UnreadableFileError(_too_large_message(name, info.file_size), rule=Rule.FILE_TOO_LARGE)
        try:
            with self._zip.open(info) as stream:
                data = stream.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as error:
            raise UnreadableFileError(f"{name}: Die Datei ist im ZIP-Archiv beschädigt ({error}).") from error
        if len(data) > MAX_MEMBER_BYTES:
            raise UnreadableFileError(_too_large_message(name, len(data)), rule=Rule.FILE_TOO_LARGE)
        return data

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> ArchivedPackage:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _size_text(size: int) -> str:
    if size >= 2**20:
        return f"{format_count(round(size / 2**20))} MiB"
    return f"{format_count(max(1, round(size / 2**10)))} KiB"


def _too_large_message(name: str, size: int) -> str:
    return (
        f"{name}: Die Datei ist entpackt mindestens {_size_text(size)} groß; erlaubt sind höchstens "
        f"{_size_text(MAX_MEMBER_BYTES)} je Datei. Bitte prüfen Sie den Export (ein Quartal einer Kommune "
        "umfasst nur wenige Megabyte)."
    )


def _is_artefact(name: str) -> bool:
    """Hidden entries and `__MACOSX/` of upload tools; a path pointing out of the package is never one."""
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or ".." in parts:
        return False  # unsafe paths stay visible, so the package is rejected for them
    return parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts if part)


def load_json(data: bytes, source: str) -> object:
    """A JSON document such as `manifest.json` (UTF-8, BOM tolerated)."""
    try:
        text = data.decode(ENCODING_UTF8_BOM)
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            f"{source}: Die Datei ist nicht UTF-8-kodiert (ungültiges Byte an Position "
            f"{format_count(error.start + 1)})."
        ) from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableFileError(
            f"{source}, Zeile {error.lineno}, Spalte {error.colno}: kein gültiges JSON ({error.msg})."
        ) from error


# --- text encoding ---------------------------------------------------------------------------------------


def decode_text(data: bytes, source: str) -> tuple[bytes, str]:
    """The file's text as UTF-8 bytes without BOM, and the encoding it was delivered in.

    UTF-8 (with or without BOM) is tried first, then Windows-1252 (contract, physical format). Bytes neither
    can decode, NUL bytes (binary files, UTF-16) and files mixing encodings are unreadable.
    """
    if data.startswith(_UTF16_BOMS):
        raise UnreadableFileError(
            f"{source}: Die Datei ist UTF-16-kodiert (Excel „Unicode-Text“); bitte als CSV in UTF-8 oder "
            "Windows-1252 speichern."
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UnreadableFileError(
            f"{source}: Die Datei enthält Binärdaten (Nullbyte in Zeile {_line_at(data, nul)}, Byte "
            f"{format_count(nul + 1)}) und ist keine CSV-Textdatei."
        )
    if data.startswith(_UTF8_BOM):
        body = data[len(_UTF8_BOM) :]
        try:
            _validate_utf8(body)
        except UnicodeDecodeError as error:
            position = error.start + len(_UTF8_BOM)
            raise UnreadableFileError(
                f"{source}: Die Datei ist als UTF-8 gekennzeichnet (BOM), enthält aber in Zeile "
                f"{_line_at(data, position)} ein ungültiges Byte (Byte {format_count(position + 1)}, Wert "
                f"0x{data[position]:02X})."
            ) from error
        return body, ENCODING_UTF8_BOM
    try:
        _validate_utf8(data)
        return data, ENCODING_UTF8
    except UnicodeDecodeError as utf8_error:
        if _UTF8_UMLAUT.search(data):
            position = utf8_error.start
            raise UnreadableFileError(
                f"{source}: Die Datei mischt UTF-8 mit einer anderen Zeichenkodierung: Zeile "
                f"{_line_at(data, position)}, Byte {format_count(position + 1)} (Wert "
                f"0x{data[position]:02X}) ist kein gültiges UTF-8, andere Umlaute sind UTF-8-kodiert. "
                "Bitte die Datei einheitlich als UTF-8 speichern."
            ) from utf8_error
    try:
        return data.decode(ENCODING_CP1252).encode(ENCODING_UTF8), ENCODING_CP1252
    except UnicodeDecodeError as error:
        position = error.start
        raise UnreadableFileError(
            f"{source}: Zeile {_line_at(data, position)}, Byte {format_count(position + 1)} (Wert "
            f"0x{data[position]:02X}) ist weder in UTF-8 noch in Windows-1252 ein gültiges Zeichen."
        ) from error


def _validate_utf8(data: bytes) -> None:
    """Raise UnicodeDecodeError (with the position) unless `data` is UTF-8; Arrow checks without copying."""
    as_binary = pa.Array.from_buffers(
        pa.large_binary(),
        1,
        [None, pa.py_buffer(np.array([0, len(data)], dtype=np.int64)), pa.py_buffer(data)],
    )
    try:
        as_binary.cast(pa.large_string())
    except pa.ArrowInvalid:
        data.decode(ENCODING_UTF8)  # raises with the position of the first invalid byte


def _line_at(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


# --- CSV -------------------------------------------------------------------------------------------------


def read_csv(data: bytes, source: str) -> RawTable:
    """A delivered CSV file as a `RawTable` (encoding and delimiter detected)."""
    text, encoding = decode_text(data, source)
    if b"\n" not in text and b"\r" in text:
        text = text.replace(b"\r", b"\n")  # classic Mac line endings
    if _NON_WHITESPACE.search(text) is None:
        raise UnreadableFileError(f"{source}: Die Datei ist leer (keine Kopfzeile).")
    if not text.endswith(b"\n"):
        text += b"\n"
    delimiter = _detect_delimiter(text, source)
    scan = _scan_fields(text, delimiter)
    records = _records(scan)
    if len(records.first_field) == 0:
        raise UnreadableFileError(f"{source}: Die Datei ist leer (keine Kopfzeile).")

    if scan.unbalanced:
        last_quote = text.rfind(b'"')
        raise UnreadableFileError(
            f"{source}, Zeile {_line_at(text, last_quote)}: Ein Anführungszeichen wird bis zum Dateiende "
            f"nicht geschlossen. {_QUOTING_HELP}"
        )
    header_fields = [_unquote_python(value) for value in scan.record_fields(records, 0)]
    named = len(header_fields)
    while named > 0 and header_fields[named - 1] == "":
        named -= 1  # trailing delimiters after the last header name
    if named < 2:
        raise UnreadableFileError(
            f"{source}: Die Kopfzeile enthält nur eine Spalte; die Datei ist keine Tabelle mit ; oder , "
            "als Trennzeichen."
        )
    header_fields = header_fields[:named]

    lines = records.lines[1:]
    first_field = records.first_field[1:]
    counts = records.field_count[1:]
    well_formed = counts >= named
    longer = np.flatnonzero(counts > named)
    if len(longer):
        # Trailing empty fields beyond the header (e.g. `a;b;c;`) carry no data and are tolerated.
        beyond = scan.length_between(first_field[longer] + named, first_field[longer] + counts[longer])
        well_formed[longer] = beyond == 0

    good_first = first_field[well_formed]
    columns = []
    for position in range(named):
        column = _unquote_column(scan.fields.take(pa.array(2 * (good_first + position))))
        if column.invalid_position is not None:
            row = int(np.flatnonzero(well_formed)[column.invalid_position])
            raise UnreadableFileError(
                f"{source}, Zeile {lines[row]}, Spalte {position + 1}: fehlerhafte Anführungszeichen. "
                + _QUOTING_HELP
            )
        columns.append(column.values)

    malformed = []
    for row in np.flatnonzero(~well_formed):
        values = [_unquote_python(value) for value in scan.record_fields(records, row + 1)]
        if any(values):
            malformed.append(MalformedRow(int(lines[row]), tuple(values)))
    return _finish_table(
        source, header_fields, columns, lines[well_formed], encoding, delimiter, tuple(malformed)
    )


def _detect_delimiter(text: bytes, source: str) -> str:
    stripped = text.lstrip(b"\r\n\t ")
    header = stripped[: stripped.find(b"\n")]
    counts = {delimiter: header.count(delimiter.encode()) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    if counts[best] == 0:
        raise UnreadableFileError(
            f"{source}: In der Kopfzeile steht weder ; noch , als Trennzeichen; die Datei ist keine "
            "CSV-Tabelle."
        )
    return best


@dataclass
class _FieldScan:
    """Every field of a CSV text as an Arrow string array, with the separators as the odd elements."""

    fields: pa.Array  # element 2i = field i (raw, still quoted), element 2i+1 = the separator after it
    offsets: np.ndarray  # the Arrow offsets: field i spans offsets[2i] .. offsets[2i+1]
    record_end: np.ndarray  # bool per field: the field ends its record
    newline_positions: np.ndarray  # every `\n`, quoted or not (for line numbers)
    unbalanced: bool  # an odd number of quotes: a quoted value runs to the end of the file

    def field_length(self, field_index: np.ndarray) -> np.ndarray:
        return self.offsets[2 * field_index + 1] - self.offsets[2 * field_index]

    def record_fields(self, records: _Records, record: int) -> list[str]:
        first = int(records.first_field[record])
        return [
            self.fields[2 * index].as_py() for index in range(first, first + int(records.field_count[record]))
        ]

    def length_between(self, first: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Total byte length of the fields first … stop-1 of each row (vectorised over the rows)."""
        total = np.zeros(len(first), dtype=np.int64)
        remaining = stop - first
        index = first.copy()
        while (remaining > 0).any():
            active = remaining > 0
            total[active] += self.field_length(index[active])
            index += 1
            remaining -= 1
        return total


@dataclass
class _Records:
    first_field: np.ndarray
    field_count: np.ndarray
    lines: np.ndarray


def _scan_fields(text: bytes, delimiter: str) -> _FieldScan:
    """Find every separator in one pass over the bytes (files are large: few, reused temporaries)."""
    data = np.frombuffer(text, dtype=np.uint8)
    separator = np.equal(data, ord(delimiter))
    scratch = np.equal(data, _NEWLINE)
    np.logical_or(separator, scratch, out=separator)
    unbalanced = False
    has_quotes = text.find(b'"') >= 0
    if has_quotes:
        # Parity of the quotes up to each byte; uint8 wraps around, which keeps the parity.
        parity = scratch.view(np.uint8)
        np.equal(data, _QUOTE, out=scratch)
        np.cumsum(parity, dtype=np.uint8, out=parity)
        np.bitwise_and(parity, 1, out=parity)
        np.greater(separator, scratch, out=separator)  # separator and not inside quotes
        unbalanced = bool(parity[-1])
        separator[-1] = True  # an unclosed quote still ends the last record at the end of the file
    ends = np.flatnonzero(separator)
    del separator
    record_end = data[ends] == _NEWLINE
    if has_quotes:
        np.equal(data, _NEWLINE, out=scratch)
        newline_positions = np.flatnonzero(scratch)
    else:
        newline_positions = ends[record_end]
    del scratch

    offset_type = np.int32 if len(text) < 2**31 - 1 else np.int64
    offsets = np.empty(2 * len(ends) + 1, dtype=offset_type)
    offsets[0] = 0
    np.add(ends[:-1], 1, out=offsets[2:-1:2], casting="unsafe")
    offsets[1:-1:2] = ends
    offsets[-1] = len(text)
    if text.find(b"\r") >= 0:
        # `\r\n`: the carriage return belongs to the record separator, not to the last field.
        last_fields = np.flatnonzero(record_end)
        field_end = offsets[2 * last_fields + 1]
        carriage = (field_end > offsets[2 * last_fields]) & (
            data[np.maximum(field_end - 1, 0)] == _CARRIAGE_RETURN
        )
        offsets[2 * last_fields[carriage] + 1] -= 1
    array_type = pa.string() if offset_type is np.int32 else pa.large_string()
    fields = pa.Array.from_buffers(
        array_type, 2 * len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(text)]
    )
    return _FieldScan(
        fields=fields,
        offsets=offsets,
        record_end=record_end,
        newline_positions=newline_positions,
        unbalanced=unbalanced,
    )


def _records(scan: _FieldScan) -> _Records:
    """Non-blank records: their first field, field count and the line they start on."""
    last_field = np.flatnonzero(scan.record_end)
    first_field = np.empty_like(last_field)
    first_field[0:1] = 0
    first_field[1:] = last_field[:-1] + 1
    field_count = last_field - first_field + 1
    single = np.flatnonzero(field_count == 1)
    blank = np.zeros(len(first_field), dtype=bool)
    if len(single):
        # Empty and whitespace-only lines.
        texts = scan.fields.take(pa.array(2 * first_field[single]))
        blank[single] = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(texts)), 0).to_numpy(
            zero_copy_only=False
        )
    keep = ~blank
    first_field, field_count = first_field[keep], field_count[keep]
    lines = np.searchsorted(scan.newline_positions, scan.offsets[2 * first_field]) + 1
    return _Records(first_field=first_field, field_count=field_count, lines=lines.astype(np.int64))


@dataclass
class _UnquotedColumn:
    values: pa.Array
    invalid_position: int | None


def _unquote_column(raw: pa.Array) -> _UnquotedColumn:
    """Quoted values unwrapped (`""` → `"`); the first field with broken quoting, if any."""
    if not pc.any(pc.match_substring(raw, '"')).as_py():
        return _UnquotedColumn(raw, None)  # surrounding whitespace is trimmed with the values, once
    trimmed = pc.utf8_trim_whitespace(raw)
    quoted = pc.starts_with(trimmed, '"')
    inner = pc.utf8_slice_codeunits(trimmed, 1, -1)
    quoted_valid = pc.and_(
        pc.and_(pc.ends_with(trimmed, '"'), pc.greater_equal(pc.utf8_length(trimmed), 2)),
        pc.equal(pc.count_substring(inner, '"'), pc.multiply(pc.count_substring(inner, '""'), 2)),
    )
    plain_valid = pc.and_(
        pc.invert(pc.match_substring(trimmed, "\n")),
        pc.equal(pc.bit_wise_and(pc.count_substring(trimmed, '"'), 1), 0),
    )
    valid = pc.if_else(quoted, quoted_valid, plain_valid).to_numpy(zero_copy_only=False)
    invalid = np.flatnonzero(~valid)
    unescaped = pc.replace_substring(pc.replace_substring(inner, '""', '"'), "\r\n", "\n")
    values = pc.if_else(quoted, pc.utf8_trim_whitespace(unescaped), trimmed)
    return _UnquotedColumn(values, int(invalid[0]) if len(invalid) else None)


def _unquote_python(value: str) -> str:
    """The same unquoting for the few values handled one by one (header, malformed rows)."""
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('""', '"').replace("\r\n", "\n").strip()
    return value


# --- XLSX ------------------------------------------------------------------------------------------------


@dataclass
class Workbook:
    """The sheets of a delivered workbook as raw tables, by normalised sheet name."""

    sheets: dict[str, RawTable]
    sheet_titles: dict[str, str]  # normalised name → the title as delivered
    empty_sheets: tuple[str, ...]  # titles of sheets without any value (ignored)


def read_workbook(data: bytes, workbook_name: str) -> Workbook:
    """Every non-empty sheet of an XLSX workbook; cells become text as a CSV export would write them."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as error:
        raise UnreadableFileError(
            f"{workbook_name}: Die Arbeitsmappe kann nicht gelesen werden ({error}); erwartet wird eine "
            "XLSX-Datei."
        ) from error
    sheets: dict[str, RawTable] = {}
    titles: dict[str, str] = {}
    empty = []
    with book:
        for title in book.sheet_names:
            source = f"{workbook_name}, Blatt „{title}“"
            try:
                rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
            except CalamineError as error:
                raise UnreadableFileError(
                    f"{source}: Das Blatt kann nicht gelesen werden ({error})."
                ) from error
            table = _sheet_table(rows, source)
            if table is None:
                empty.append(title)
                continue
            name = normalise_header(title)
            if name in sheets:
                raise UnreadableFileError(
                    f"{workbook_name}: Die Blätter „{titles[name]}“ und „{title}“ bezeichnen dieselbe Datei.",
                    Rule.DUPLICATE_FILE,
                )
            sheets[name] = table
            titles[name] = title
    return Workbook(sheets=sheets, sheet_titles=titles, empty_sheets=tuple(empty))


def _sheet_table(rows: list[list[object]], source: str) -> RawTable | None:
    if not rows:
        return None
    width = max(len(row) for row in rows)
    if width == 0:
        return None
    cells = np.full((len(rows), width), "", dtype=object)
    for index, row in enumerate(rows):
        cells[index, : len(row)] = row
    text = _CELL_TEXT(cells)  # object array of str: no fixed-width copy of long texts
    non_empty_rows = np.flatnonzero((text != "").any(axis=1))
    if len(non_empty_rows) == 0:
        return None
    header_row = non_empty_rows[0]
    header = list(text[header_row])
    named = len(header)
    while named > 0 and header[named - 1] == "":
        named -= 1
    data_rows = non_empty_rows[1:]
    data = text[data_rows]
    if named < data.shape[1] and data.size and (data[:, named:] != "").any():
        # Values right of the last titled column: keep them as untitled columns so they are reported.
        named = int(np.flatnonzero((data != "").any(axis=0)).max()) + 1
    columns = [pa.array(data[:, position], type=pa.string()) for position in range(named)]
    return _finish_table(
        source, header[:named], columns, data_rows.astype(np.int64) + 1, ENCODING_XLSX, None, ()
    )


def _cell_text(value: object) -> str:
    """A cell as a CSV export would write it: ISO dates, numbers without a spurious `.0`."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**63:
            return str(int(value))
        return np.format_float_positional(value, trim="-")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta | time):
        return str(value)
    return str(value).strip()


_CELL_TEXT = np.frompyfunc(_cell_text, 1, 1)


# --- common ----------------------------------------------------------------------------------------------


def _finish_table(
    source: str,
    raw_headers: list[str],
    columns: list[pa.Array],
    lines: np.ndarray,
    encoding: str,
    delimiter: str | None,
    malformed: tuple[MalformedRow, ...],
) -> RawTable:
    """Name the columns, drop what carries no data (untitled empty columns, empty rows), check the header."""
    names = [
        normalise_header(header) or f"spalte_{position + 1}" for position, header in enumerate(raw_headers)
    ]
    keep = [
        position
        for position, header in enumerate(raw_headers)
        if normalise_header(header) or pc.any(pc.not_equal(columns[position], "")).as_py()
    ]
    seen: dict[str, int] = {}
    for position in keep:
        name = names[position]
        if name in seen:
            raise UnreadableFileError(
                f"{source}: Die Spalten {seen[name] + 1} „{raw_headers[seen[name]]}“ und {position + 1} "
                f"„{raw_headers[position]}“ bezeichnen beide die Spalte „{name}“.",
                Rule.DUPLICATE_COLUMN,
            )
        seen[name] = position
    kept = [columns[position] for position in keep]
    if kept:
        # A row carries data if any kept cell is not empty (a missing cell counts as data, as pandas' `!=`).
        has_value = np.zeros(len(kept[0]), dtype=bool)
        for column in kept:
            has_value |= pc.fill_null(pc.not_equal(column, ""), True).to_numpy(zero_copy_only=False)
        if not has_value.all():
            mask = pa.array(has_value)
            kept = [column.filter(mask) for column in kept]
            lines = lines[has_value]
    values = pd.DataFrame(
        {names[position]: pd.array(column, dtype="str") for position, column in zip(keep, kept, strict=True)}
    )
    return RawTable(
        source=source,
        raw_headers=tuple(raw_headers[position] for position in keep),
        headers=tuple(names[position] for position in keep),
        header_positions=tuple(keep),
        header_width=len(raw_headers),
        values=values,
        lines=np.asarray(lines, dtype=np.int64),
        encoding=encoding,
        delimiter=delimiter,
        malformed=malformed,
    )
