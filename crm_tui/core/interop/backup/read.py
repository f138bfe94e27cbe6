"""Reading a backup: its JSON a value at a time from a stream, and each record checked against its table.

The reader is an incremental JSON parser rather than a line reader: it takes any layout (pretty-printed, keys
sorted by `jq -S`, tables in any order) a record at a time. Kept apart from restoring (restore.py), which
decides what the values mean and writes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from crm_tui.core.interop.backup.write import KINDS, Table, dumps, is_whole

READ_CHARS = 1 << 16
MAX_RECORD_CHARS = 64 << 20


class Refused(Exception):
    """Why a document cannot be restored; restore_backup names the file and says nothing was written."""


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class Reader:
    """A JSON document read from a text stream one value at a time, holding no more than a read and a record."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.buffer, self.pos, self.eof = "", 0, False
        self.lines, self.counted = 0, 0  # newlines before buffer[counted]

    def _more(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.stream.read(max(READ_CHARS, len(self.buffer) - self.pos))
        except UnicodeDecodeError as error:
            raise Refused(f"it is not UTF-8 text ({error.reason} at byte {error.start} of a read)") from None
        if not chunk:
            self.eof = True
            return False
        self.lines += self.buffer.count("\n", self.counted, self.pos)
        self.buffer, self.pos, self.counted = self.buffer[self.pos:] + chunk, 0, 0
        return True

    def line(self, pos: int | None = None) -> int:
        pos = self.pos if pos is None else pos
        self.lines += self.buffer.count("\n", self.counted, pos)
        self.counted = pos
        return self.lines + 1

    def peek(self) -> str:
        """The next character that is not white space, or "" at the end."""
        while True:
            spaces = _SPACE.match(self.buffer, self.pos)
            assert spaces is not None  # the pattern matches the empty string
            self.pos = spaces.end()
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def take(self, expected: str, what: str) -> str:
        found = self.peek()
        if not found:
            raise Refused(f"it ends early, at line {self.line()} (expected {what}); the file is incomplete")
        if found not in expected:
            raise Refused(f"line {self.line()}: expected {what}, found {found!r}")
        self.pos += 1
        return found

    def value(self, what: str) -> Any:
        if not self.peek():
            raise Refused(f"it ends early, at line {self.line()} (expected {what}); the file is incomplete")
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except RecursionError:
                raise Refused(f"line {self.line()}: {what} is nested too deeply to be a record") from None
            except json.JSONDecodeError as error:
                partial = error.pos >= len(self.buffer) - 6 or error.msg.startswith("Unterminated string")
                if not partial or len(self.buffer) - self.pos > MAX_RECORD_CHARS:
                    raise Refused(f"line {self.line(error.pos)}: not valid JSON ({error.msg})") from None
                if not self._more():
                    raise Refused(f"it ends in the middle of {what}, at line {self.line()}; the file is "
                                   "incomplete") from None
                continue
            except ValueError as error:  # a number of more than 4,300 digits
                raise Refused(f"line {self.line()}: {what} holds a number too large to read ({error})") from None
            if end == len(self.buffer) and self._more():
                continue  # a number may go on in the next read
            self.pos = end
            return value

    def items(self, what: str) -> Iterator[tuple[Any, int]]:
        """The values of a list, each with the line it starts on."""
        self.take("[", f"a list of {what}")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            self.peek()
            line = self.line()
            yield self.value(f"a record of {what}"), line
            if self.take(",]", f"',' or ']' after a record of {what}") == "]":
                return


def place(table: Table, number: int, line: int, record: Any) -> str:
    record_id = record.get("id") if isinstance(record, dict) else None
    return f"{table.key} record {number} (line {line}" + (f", id {record_id})" if is_whole(record_id) else ")")


def checked(table: Table, record: Any, where: Callable[[], str]) -> list:
    """The record's values in column order, or why it is not a record of `table`."""
    if not isinstance(record, dict):
        raise Refused(f"{where()}: a record is a JSON object, not {shown(record)}")
    if record.keys() != table.keys:
        ordered = (*table.columns, *(key for key, _ in table.lists))
        missing = [key for key in ordered if key not in record]
        unknown = [key for key in record if key not in table.keys]
        problems = ([f"has no {', '.join(missing)}"] if missing else []) + (
            [f"has unknown keys {', '.join(map(repr, unknown))}"] if unknown else [])
        raise Refused(f"{where()}: {' and '.join(problems)}")
    values = [record[column] for column in table.columns]
    for value, (column, kind) in zip(values, table.fields, strict=False):
        if not KINDS[kind][0](value):
            raise Refused(f"{where()}: {column} must be {KINDS[kind][1]}, not {shown(value)}")
    return values


def shown(value: Any) -> str:
    """The start of a JSON value for a message, with what is not text (a lone surrogate) written as an escape."""
    return dumps(value)[:40].encode("utf-8", "backslashreplace").decode("utf-8")
