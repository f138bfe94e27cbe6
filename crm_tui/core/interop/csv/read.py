"""Reading CSV files of contacts, companies, deals and activities into SourceRows for the importer.

`sniff` decides the encoding and the delimiter from the start of the file; `auto_mapping` (mapping.py) places
each column on a field; `read_csv` streams the rows through the csv module, one row in memory at a time. Nothing
here raises on a bad file: a row that cannot be read becomes a SourceRow with a `problem` and its cells as `raw`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from crm_tui.core import contacts
from crm_tui.core.contacts.data import ContactDraft
from crm_tui.core.errors import CrmError, ValidationError
from crm_tui.core.interop.csv.mapping import (
    CUSTOM_PREFIX,
    FIELDS_BY_ENTITY,
    OUTLOOK_BLANKS,
    Mapping,
    Source,
    auto_mapping,
    birthday,
    check_field,
    column_names,
    google_custom_key,
    outlook_address,
    split_list,
)
from crm_tui.core.interop.csv.write import NUMBER_COLUMNS, unescape_cell
from crm_tui.core.interop.rows import NAME_CLEANED, Entity, SourceRow
from crm_tui.core.text import cut, one_line
from crm_tui.core.validation import names_cleaned

__all__ = ["CUSTOM_PREFIX", "FIELDS_BY_ENTITY", "CsvFormat", "Mapping", "auto_mapping", "check_field",
           "column_names", "plan", "read_csv", "read_file", "read_header", "sniff", "sniff_bytes"]

SNIFF_BYTES = 64 * 1024
MAX_COLUMNS = 1_000
_BINARY_CONTROLS = frozenset(chr(code) for code in (*range(9), 11, 12, *range(14, 32), 127))
"""Address books export a few dozen columns, Outlook about 90; a file far wider is not one, and its columns could not
be shown to be placed."""
DELIMITERS = (",", ";", "\t")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_KEEP_BYTES = "crm-tui-keep-bytes"
_KEPT_BYTE = re.compile("[\udc00-\udcff]")


def _keep_bytes(error: UnicodeError) -> tuple[str, int]:
    """Bytes the file's encoding cannot decode become U+DC00 + byte, to be read again as Windows-1252 later:
    like "surrogateescape", but for every byte, since a UTF-16 file can hold any byte where it should not."""
    assert isinstance(error, UnicodeDecodeError)  # only decoding names this handler
    bad = error.object[error.start:error.end]
    return "".join(chr(0xDC00 + byte) for byte in bad), error.end


codecs.register_error(_KEEP_BYTES, _keep_bytes)


def _as_windows_1252(match: re.Match) -> str:
    byte = bytes([ord(match.group()) - 0xDC00])
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:
        return byte.decode("latin-1")


# Sniffing ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file is written: its encoding, delimiter, whether a byte-order mark opens it, and whether Excel's
    "sep=;" line comes before the header."""

    encoding: str
    delimiter: str = ","
    has_bom: bool = False
    sep_line: bool = False

    @property
    def bom(self) -> bytes:
        return next((bom for bom, name in _BOMS if name == self.encoding), b"") if self.has_bom else b""

    @property
    def dialect(self) -> type[csv.Dialect]:
        return type("CsvDialect", (csv.excel,), {"delimiter": self.delimiter})


def _encoding(head: bytes, whole: bool) -> tuple[str, bool]:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, True
    newline = head.find(b"\n", 0, 4096)
    sample = head[:newline + 2] if newline >= 0 else head[:4096]
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 4 and odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le", False
    if len(sample) >= 4 and even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be", False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
        return "utf-8", False
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252", False
    except UnicodeDecodeError:
        return "latin-1", False


def sniff_bytes(head: bytes, whole: bool = False) -> CsvFormat:
    """The format of a file that starts with `head` (`whole`: that is all of it).

    Without a byte-order mark, bytes that are UTF-8 are taken as UTF-8, else as Windows-1252 (Latin-1 with the
    euro sign and curly quotes, what Excel and Outlook write on Windows), else as Latin-1. The delimiter is the one
    of , ; and tab that the header line holds most of; ties go to the comma.
    """
    encoding, has_bom = _encoding(head, whole)
    text = head[len(CsvFormat(encoding, has_bom=has_bom).bom):].decode(encoding, _KEEP_BYTES)
    lines = re.split(r"\r\n|\r|\n", text, maxsplit=2)
    sep = re.fullmatch(r"sep=([,;\t|])", lines[0])
    if sep:
        return CsvFormat(encoding, sep.group(1), has_bom, sep_line=True)
    unquoted = re.sub(r'"[^"]*"', "", lines[0])
    delimiter = max(DELIMITERS, key=lambda candidate: (unquoted.count(candidate), -DELIMITERS.index(candidate)))
    return CsvFormat(encoding, delimiter, has_bom)


@contextmanager
def _opened(source: str | os.PathLike | BinaryIO) -> Iterator[tuple[bytes, BinaryIO]]:
    """The first SNIFF_BYTES of `source` (a path or a binary stream) and the stream, positioned after them."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            yield stream.read(SNIFF_BYTES), stream
    else:
        yield source.read(SNIFF_BYTES) or b"", source


def sniff(source: str | os.PathLike | BinaryIO) -> CsvFormat:
    """The format of a file, from its first 64 KiB; a seekable stream is put back where it was."""
    start = None if isinstance(source, (str, os.PathLike)) or not source.seekable() else source.tell()
    with _opened(source) as (head, _stream):
        found = sniff_bytes(head, whole=len(head) < SNIFF_BYTES)
    if start is not None and not isinstance(source, (str, os.PathLike)):  # a start was taken only of a stream
        source.seek(start)
    return found


class _Replay(io.RawIOBase):
    """The bytes read to sniff, then the rest of the stream: a pipe cannot be read twice."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if len(self._head):
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer)) or b""
        buffer[:len(data)] = data
        return len(data)


def _text(head: bytes, rest: BinaryIO, fmt: CsvFormat) -> io.TextIOWrapper:
    skip = len(fmt.bom) if head.startswith(fmt.bom) else 0
    raw = io.BufferedReader(_Replay(head[skip:], rest))
    return io.TextIOWrapper(raw, encoding=fmt.encoding, errors=_KEEP_BYTES, newline="")


# Reading -----------------------------------------------------------------------------------------------------


def _records(reader) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(first line, cells, None) for each record, or (line, None, why) where the csv module gave up on one.

    Blank records are skipped. After an error the csv module goes on at the next line; if it cannot, reading ends.
    """
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num < start:
                return
            yield start, None, str(exc)
        else:
            if any(cell.strip() for cell in cells):
                yield start, cells, None
        start = reader.line_num + 1


def _header(records: Iterator, fmt: CsvFormat) -> tuple[int, list[str] | None, str | None]:
    for line, cells, error in records:
        if fmt.sep_line and line == 1:
            continue
        if cells is None:
            return line, None, error
        if len(cells) > MAX_COLUMNS:
            raise CrmError(f"line {line} has {len(cells):,} columns; crm-tui reads CSV files of up to {MAX_COLUMNS:,} "
                           "columns (is it a CSV file of records, one a line?); nothing was imported")
        return line, column_names([_KEPT_BYTE.sub(_as_windows_1252, cell) for cell in cells]), None
    return 0, None, None


def read_header(source: str | os.PathLike | BinaryIO, fmt: CsvFormat | None = None) -> list[str]:
    """The column names of a file ([] for an empty one), as `auto_mapping` and `Mapping.columns` name them."""
    with _opened(source) as (head, stream):
        fmt = fmt or sniff_bytes(head, whole=len(head) < SNIFF_BYTES)
        _line, header, _error = _header(_records(csv.reader(_text(head, stream, fmt), fmt.dialect)), fmt)
    return header or []


def read_csv(
    source: str | os.PathLike | BinaryIO, entity: Entity, mapping: Mapping | None = None,
    fmt: CsvFormat | None = None,
) -> Iterator[SourceRow]:
    """Every row of the file as a SourceRow, numbered by the line it starts on (the header is line 1, or 2 after a
    "sep=" line). Without `mapping` the header is mapped automatically; without `fmt` the file is sniffed."""
    with _opened(source) as (head, stream):
        fmt = fmt or sniff_bytes(head, whole=len(head) < SNIFF_BYTES)
        records = _records(csv.reader(_text(head, stream, fmt), fmt.dialect))
        line, header, error = _header(records, fmt)
        if header is None:
            if error:
                yield SourceRow(line, {}, entity, problem=f"line {line}: the header cannot be read ({error})")
            return
        mapping = mapping or auto_mapping(header, entity)
        for line, cells, error in records:
            if cells is None:
                yield SourceRow(line, {}, entity, problem=f"line {line}: cannot be read as CSV ({error})")
            elif len(cells) > MAX_COLUMNS:
                yield SourceRow(line, {}, entity, problem=f"line {line}: {len(cells):,} cells, where a row holds at "
                                                          f"most {MAX_COLUMNS:,}")
            else:
                yield _row(entity, line, header, cells, mapping, fmt)


def _cell_value(name: str, cell: str, source: Source | None) -> str:
    """A cell as its field takes it: line breaks made plain newlines (the database holds no carriage returns),
    our own formula escape undone, Outlook's "nothing here" made empty."""
    if "\r" in cell:
        cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    if source == "crm-tui" and cell[:1] == "'" and name not in NUMBER_COLUMNS:
        return unescape_cell(cell)
    if source == "outlook" and cell in OUTLOOK_BLANKS:
        return ""
    return cell


def plan(path: str | os.PathLike, entity: Entity,
         overrides: dict[str, str | None] | None = None) -> tuple[CsvFormat, Mapping]:
    """How `read_file` will read a file: its format, and its header's mapping with `overrides` (`--map COL=FIELD`)
    applied; CrmError for an override naming no column of the file or no field of `entity`. What is still in
    `Mapping.unmatched` will be ignored: say so, or ask."""
    fmt = sniff(path)
    _refuse_binary(path, fmt)
    header = read_header(path, fmt)
    mapping = auto_mapping(header, entity).with_columns(entity, overrides or {})
    if len(header) == 1 and not any(target and not target.startswith(CUSTOM_PREFIX)
                                    for target in mapping.columns.values()):
        raise CrmError(f"{Path(path).name} does not look like a CSV file of records: its first line "
                       f"({cut(one_line(header[0]), 40)!r}) is one column that names no field. A CSV file starts "
                       "with a header row, such as first_name,last_name,emails; nothing was imported")
    return fmt, mapping


def _refuse_binary(path: str | os.PathLike, fmt: CsvFormat) -> None:
    """A file whose start holds NULs or other control characters is not text (a picture, a spreadsheet, an archive):
    its bytes would only become rejected rows."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    text = head[len(fmt.bom):].decode(fmt.encoding, errors="replace")
    controls = sum(1 for char in text if char in _BINARY_CONTROLS)
    if controls > max(2, len(text) // 100):
        raise CrmError(f"{Path(path).name} is not a text file (it holds binary data): crm-tui imports CSV, vCard and "
                       "JSON backup files; nothing was imported")


def read_file(path: str | os.PathLike, entity: Entity,
              overrides: dict[str, str | None] | None = None) -> Iterator[SourceRow]:
    """The rows of a CSV file, mapped automatically but for `overrides`; mapping errors are raised at once,
    before any row is read."""
    fmt, mapping = plan(path, entity, overrides)
    return read_csv(path, entity, mapping, fmt)


class _RowProblem(Exception):
    pass


def _row(entity: Entity, number: int, header: list[str], cells: list[str], mapping: Mapping,
         fmt: CsvFormat) -> SourceRow:
    if len(cells) > len(header) and not any(cell.strip() for cell in cells[len(header):]):
        cells = cells[:len(header)]
    kept: list[str] = []
    if _KEPT_BYTE.search("".join(cells)):
        cells = [_KEPT_BYTE.sub(_as_windows_1252, cell) for cell in cells]
        kept.append(f"bytes that are not {fmt.encoding} → read as Windows-1252")
    raw = dict(zip(header, cells, strict=False))
    if len(cells) != len(header):
        raw.update((name, "") for name in header[len(cells):])
        raw.update((f"column {index}", cell) for index, cell in enumerate(cells[len(header):], len(header) + 1))
        return SourceRow(number, raw, entity, problem=f"line {number}: {len(cells)} cells, but the header has "
                                                      f"{len(header)} columns")
    if kept and fmt.encoding.startswith(("utf-16", "utf-32")):
        return SourceRow(number, raw, entity, problem=f"line {number}: holds bytes that are not {fmt.encoding}")
    values = {name: _cell_value(name, cell, mapping.source) for name, cell in raw.items()}
    pairs = [(name, mapping.columns.get(name), cell) for name, cell in values.items()]
    if mapping.source == "outlook":
        pairs = outlook_address(pairs)
    mapped = [(name, target, cell) for name, target, cell in pairs if target]
    built: ContactDraft | dict[str, str]
    try:
        if entity == "contact":
            built, aside = _contact(mapped, values, mapping.source)
        else:
            built, aside = _record(entity, mapped)
    except _RowProblem as exc:
        return SourceRow(number, raw, entity, problem=f"line {number}: {exc}", kept_aside=kept)
    return SourceRow(number, raw, entity, values=built, kept_aside=kept + aside)


# Building values ---------------------------------------------------------------------------------------------


@dataclass
class _Collected:
    """Scalar fields from their columns. Where two columns fill one field, the first value wins and a different
    second one goes to the notes, "Column: value", so nothing is lost; notes (and streets) join instead."""

    notes_field: str
    joins: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    aside: list[str] = field(default_factory=list)
    extra_notes: list[str] = field(default_factory=list)

    def add(self, column: str, target: str, value: str) -> None:
        current = self.values.get(target, "")
        if not value or value == current:
            self.values.setdefault(target, "")
        elif not current:
            self.values[target] = value
        elif target in self.joins:
            self.values[target] = current + self.joins[target] + value
        else:
            self.put_aside(column, value)

    def put_aside(self, column: str, value: str) -> None:
        self.extra_notes.append(f"{column}: {value}")
        self.aside.append(f"{column} → notes")

    def result(self) -> dict[str, str]:
        if self.extra_notes:
            notes = self.values.get(self.notes_field, "")
            self.values[self.notes_field] = "\n".join(([notes] if notes else []) + self.extra_notes)
        return self.values


def _custom_object(text: str) -> dict[str, str]:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        raise _RowProblem('custom: is not a JSON object such as {"Skype": "anna.lee"}')
    return {str(key): value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            for key, value in parsed.items()}


def _contact(pairs: list[tuple[str, str, str]], cells: dict[str, str],
             source: Source | None) -> tuple[ContactDraft, list[str]]:
    collected = _Collected("notes", {"notes": "\n", "street": ", "})
    lists: dict[str, list[str]] = {"emails": [], "phones": [], "tags": []}
    custom: dict[str, str] = {}
    for column, target, cell in pairs:
        value = cell.strip()
        if not value:
            continue
        if target in lists:
            lists[target] += split_list(target, value, source)
        elif target == "custom":
            custom.update(_custom_object(value))
        elif target.startswith(CUSTOM_PREFIX):
            key = target[len(CUSTOM_PREFIX):]
            key = google_custom_key(key, cells) if source == "google" else key
            if custom.get(key, value) != value:
                collected.put_aside(column, value)
            else:
                custom[key] = value
                collected.aside.append(f"{column} → custom" + ("" if key == column else f" ({key})"))
        elif target in ContactDraft.__dataclass_fields__:
            collected.add(column, target, birthday(value, source) if target == "birthday" else value)
    # Text for every field, keep_in_touch_days too: `contacts.validate` parses it.
    values: dict[str, Any] = collected.result()
    values = {name: value for name, value in values.items() if value}
    if source != "crm-tui" and values.get("display_name") == " ".join(
            part for part in (values.get("first_name"), values.get("last_name")) if part):
        values.pop("display_name")
    if names_cleaned({name: values.get(name, "") for name in contacts.NAME_FIELDS}):
        collected.aside.append(NAME_CLEANED)
    try:
        draft = contacts.validate(ContactDraft(**values, emails=lists["emails"], phones=lists["phones"],
                                               tags=lists["tags"], custom=custom))
    except ValidationError as exc:
        raise _RowProblem(str(exc)) from None
    return draft, collected.aside


def _record(entity: Entity, pairs: list[tuple[str, str, str]]) -> tuple[dict[str, str], list[str]]:
    """A company, deal or activity as its service's `create` takes it; the service validates it."""
    notes = "body" if entity == "activity" else "notes"
    collected = _Collected(notes, {notes: "\n"})
    for column, target, cell in pairs:
        if target in FIELDS_BY_ENTITY[entity]:
            collected.add(column, target, cell.strip())
    values = collected.result()
    if entity == "activity" and not values.get("kind"):
        values.pop("kind", None)
    return values, collected.aside
