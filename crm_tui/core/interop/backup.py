"""The lossless JSON backup: every record of the database in one document, written and read a record at a time.

Restoring a backup into an empty database reproduces that database: export, restore, export gives the same bytes.
The document is a JSON object: a header (`format`, `version`, `schema_version`, and `meta`: of the facts about the
file only what identifies the data, whether it is demo data), then one list per table with every column of every
row, named as in docs/schema.md. Rows are in id order, keys in a fixed order, one record per line, non-ASCII text
as it is, so backups diff well and stream.

Left out: the audit log (`change`) and the record of imports (`import_batch`), which are the history of the file the
backup was taken from, not data; the search index, rebuilt from the rows; and the row ids of contact emails and
phones, to which nothing refers (their order is `position`).

SQLite writes each record's JSON itself (`json_object`), three times faster than building dicts for `json.dumps`,
and with next to no allocations. The reader is an incremental JSON parser rather than a line reader: it
takes any layout (pretty-printed, keys sorted by `jq -S`, tables in any order) a record at a time.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TextIO

from peewee import IntegrityError

from crm_tui.core import search
from crm_tui.core.db import SCHEMA_VERSION
from crm_tui.core.errors import CrmError
from crm_tui.core.models import database
from crm_tui.core.records import new_batch_id, record_change

FORMAT = "crm-tui-backup"
VERSION = 2  # 2 added saved searches and duplicate dismissals (schema 8)
META_KEYS = ("demo",)
CHUNK = 2000
READ_CHARS = 1 << 16
MAX_RECORD_CHARS = 64 << 20

Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class BackupSummary:
    """How many records of each table (by the document's keys, in its order) a backup holds; a restore's
    `batch_id` is that of the one audit-log row it writes."""

    counts: dict[str, int]
    batch_id: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_json(self) -> dict:
        return {"counts": dict(self.counts), "total": self.total, "batch_id": self.batch_id}

    def lines(self) -> list[str]:
        verb = "restored" if self.batch_id else "backed up"
        held = ", ".join(f"{key.replace('_', ' ')} {count:,}" for key, count in self.counts.items() if count)
        return [f"{verb} {self.total:,} records" + (f": {held}" if held else "")] + (
            [f"batch {self.batch_id} (undo cannot take a restore back)"] if self.batch_id else [])


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# What a value of each kind of column may be. Only what the database itself requires is checked (types, NULLs
# and its CHECK constraints): whatever a database holds, its backup must restore.
_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "int": (_whole, "a whole number"),
    "int?": (lambda value: value is None or _whole(value), "a whole number or null"),
    "text": (lambda value: isinstance(value, str), "a string"),
    "text?": (lambda value: value is None or isinstance(value, str), "a string or null"),
    "bool": (lambda value: isinstance(value, bool), "true or false"),
    "custom": (lambda value: isinstance(value, (dict, str)), "an object of custom fields"),
    "outcome": (lambda value: value in ("open", "won", "lost"), '"open", "won" or "lost"'),
    "kind": (lambda value: value in ("call", "meeting", "email", "note", "task"),
             '"call", "meeting", "email", "note" or "task"'),
}
# How SQLite writes a column of each kind as JSON: custom fields as the object they are (text that is not one, from
# another program, as a string), flags as true or false. json() around a value marks it as JSON, not text.
_AS_JSON = {
    "custom": "json(CASE WHEN json_valid({0}) AND json_type({0}) = 'object' THEN {0} ELSE json_quote({0}) END)",
    "bool": "json(iif({0}, 'true', 'false'))",
}
_RECORD = (("created_at", "text"), ("updated_at", "text"), ("deleted_at", "text?"), ("version", "int"))


@dataclass(frozen=True)
class _Table:
    key: str
    name: str
    fields: tuple[tuple[str, str], ...]
    lists: tuple[tuple[str, str], ...] = ()  # a record's own lists, stored in other tables: (key, SQL for the JSON)
    since: int = 1  # the first backup format version that holds the table: an older backup restores without it

    @cached_property
    def columns(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.fields)

    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset((*self.columns, *(key for key, _ in self.lists)))

    def json_sql(self, alias: str) -> str:
        """json_object(...) of a row of this table named `alias`, keys in the order of `fields`."""
        values = [f"'{column}', " + _AS_JSON.get(kind, "{0}").format(f"{alias}.{column}")
                  for column, kind in self.fields]
        values += [f"'{key}', json(({sql}))" for key, sql in self.lists]
        return f"json_object({', '.join(values)})"


EMAILS = _Table("emails", "contact_email", (
    ("email", "text"), ("label", "text"), ("is_primary", "bool"), ("position", "int")))
PHONES = _Table("phones", "contact_phone", (
    ("phone", "text"), ("digits", "text"), ("label", "text"), ("is_primary", "bool"), ("position", "int")))


def _list_sql(table: _Table) -> str:
    """A contact's rows of `table` as a JSON array, in order (json_group_array keeps the order of its subquery)."""
    return (f"SELECT json_group_array({table.json_sql('x')}) FROM (SELECT * FROM {table.name} "
            "WHERE contact_id = r.id ORDER BY position, id) x")


TAGS = _Table("tags", "tag", (("id", "int"), ("name", "text"), ("name_key", "text"), ("created_at", "text")))
CONTACTS = _Table("contacts", "contact", (
    ("id", "int"), ("first_name", "text"), ("last_name", "text"), ("display_name", "text"), ("title", "text"),
    ("company_id", "int?"), ("street", "text"), ("city", "text"), ("region", "text"), ("postal_code", "text"),
    ("country", "text"), ("birthday", "text"), ("notes", "text"), ("custom", "custom"),
    ("keep_in_touch_days", "int?"), ("sort_name", "text"), ("sort_company", "text"), *_RECORD), (
    ("emails", _list_sql(EMAILS)), ("phones", _list_sql(PHONES)),
    ("tags", "SELECT json_group_array(name) FROM (SELECT t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
             "WHERE ct.contact_id = r.id ORDER BY t.name)")))
# Tables in the order the backup writes them: what a row refers to comes before it.
TABLES = (
    TAGS,
    _Table("companies", "company", (
        ("id", "int"), ("name", "text"), ("domain", "text"), ("phone", "text"), ("address", "text"),
        ("notes", "text"), ("sort_name", "text"), *_RECORD)),
    CONTACTS,
    _Table("pipelines", "pipeline", (
        ("id", "int"), ("name", "text"), ("position", "int"), ("archived_at", "text?"), *_RECORD)),
    _Table("stages", "stage", (
        ("id", "int"), ("pipeline_id", "int"), ("name", "text"), ("position", "int"), ("probability", "int"),
        ("outcome", "outcome"), ("deleted_at", "text?"))),
    _Table("deals", "deal", (
        ("id", "int"), ("title", "text"), ("value_minor", "int"), ("currency", "text"), ("pipeline_id", "int"),
        ("stage_id", "int"), ("status", "outcome"), ("lost_reason", "text"), ("contact_id", "int?"),
        ("company_id", "int?"), ("expected_close", "text"), ("closed_at", "text?"), ("stage_entered_at", "text"),
        ("notes", "text"), *_RECORD)),
    _Table("deal_stage_changes", "deal_stage_change", (
        ("id", "int"), ("deal_id", "int"), ("from_stage_id", "int?"), ("to_stage_id", "int"),
        ("changed_at", "text"))),
    _Table("activities", "activity", (
        ("id", "int"), ("kind", "kind"), ("subject", "text"), ("body", "text"), ("occurred_at", "text?"),
        ("due_at", "text?"), ("done_at", "text?"), ("contact_id", "int?"), ("company_id", "int?"),
        ("deal_id", "int?"), *_RECORD)),
    _Table("saved_searches", "saved_search", (
        ("id", "int"), ("name", "text"), ("name_key", "text"), ("query", "text"), ("pinned", "bool"),
        ("created_at", "text"), ("updated_at", "text")), since=2),
    _Table("duplicate_dismissals", "duplicate_dismissal", (
        ("id", "int"), ("contact_low_id", "int"), ("contact_high_id", "int"), ("dismissed_at", "text")), since=2),
)
_HEADER = ("format", "version", "schema_version", "meta")
_BY_KEY = {table.key: table for table in TABLES}
_BY_NAME = {table.name: table for table in TABLES}
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # as SQLite writes JSON


# Writing ---------------------------------------------------------------------------------------------------


def write_backup(out: TextIO, on_progress: Progress | None = None) -> BackupSummary:
    """Write the whole database to `out`, CHUNK records a query, from one consistent snapshot.

    `on_progress(table, written, total)` is called after each chunk; raising from it stops the backup.
    """
    counts: dict[str, int] = {}
    with database.atomic():
        (schema_version,) = database.execute_sql("PRAGMA user_version").fetchone()
        marks = ", ".join("?" * len(META_KEYS))
        meta = dict(database.execute_sql(f"SELECT key, value FROM meta WHERE key IN ({marks}) ORDER BY key",
                                         META_KEYS).fetchall())
        header = {"format": FORMAT, "version": VERSION, "schema_version": schema_version, "meta": meta}
        out.write(_dumps(header)[:-1] + ",\n")
        for number, table in enumerate(TABLES, 1):
            total = None
            if on_progress is not None:
                (total,) = database.execute_sql(f"SELECT count(*) FROM {table.name}").fetchone()
            out.write(f'"{table.key}":[')
            sql = f"SELECT r.id, {table.json_sql('r')} FROM {table.name} r WHERE r.id > ? ORDER BY r.id LIMIT {CHUNK}"
            written, last = 0, -(1 << 63)
            while rows := database.execute_sql(sql, (last,)).fetchall():
                out.write(("\n" if written == 0 else ",\n") + ",\n".join(record for _, record in rows))
                written, last = written + len(rows), rows[-1][0]
                if on_progress is not None:
                    on_progress(table.key, written, total)
            out.write(("\n]" if written else "]") + (",\n" if number < len(TABLES) else "\n}\n"))
            counts[table.key] = written
    return BackupSummary(counts)


# Reading ---------------------------------------------------------------------------------------------------


class _Refused(Exception):
    """Why a document cannot be restored; restore_backup names the file and says nothing was written."""


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _Reader:
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
            raise _Refused(f"it is not UTF-8 text ({error.reason} at byte {error.start} of a read)") from None
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
            self.pos = _SPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def take(self, expected: str, what: str) -> str:
        found = self.peek()
        if not found:
            raise _Refused(f"it ends early, at line {self.line()} (expected {what}); the file is incomplete")
        if found not in expected:
            raise _Refused(f"line {self.line()}: expected {what}, found {found!r}")
        self.pos += 1
        return found

    def value(self, what: str) -> Any:
        if not self.peek():
            raise _Refused(f"it ends early, at line {self.line()} (expected {what}); the file is incomplete")
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                partial = error.pos >= len(self.buffer) - 6 or error.msg.startswith("Unterminated string")
                if not partial or len(self.buffer) - self.pos > MAX_RECORD_CHARS:
                    raise _Refused(f"line {self.line(error.pos)}: not valid JSON ({error.msg})") from None
                if not self._more():
                    raise _Refused(f"it ends in the middle of {what}, at line {self.line()}; the file is "
                                   "incomplete") from None
                continue
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


def _where(table: _Table, number: int, line: int, record: Any) -> str:
    record_id = record.get("id") if isinstance(record, dict) else None
    return f"{table.key} record {number} (line {line}" + (f", id {record_id})" if _whole(record_id) else ")")


def _checked(table: _Table, record: Any, where: Callable[[], str]) -> list:
    """The record's values in column order, or why it is not a record of `table`."""
    if not isinstance(record, dict):
        raise _Refused(f"{where()}: a record is a JSON object, not {_dumps(record)[:40]}")
    if record.keys() != table.keys:
        ordered = (*table.columns, *(key for key, _ in table.lists))
        missing = [key for key in ordered if key not in record]
        unknown = [key for key in record if key not in table.keys]
        problems = ([f"has no {', '.join(missing)}"] if missing else []) + (
            [f"has unknown keys {', '.join(map(repr, unknown))}"] if unknown else [])
        raise _Refused(f"{where()}: {' and '.join(problems)}")
    values = [record[column] for column in table.columns]
    for value, (column, kind) in zip(values, table.fields):
        if not _KINDS[kind][0](value):
            raise _Refused(f"{where()}: {column} must be {_KINDS[kind][1]}, not {_dumps(value)[:40]}")
    return values


class _Pending:
    """Rows for one table, written by executemany a chunk at a time. The first value of each row is the id of the
    record it belongs to (`owner`: its table's key), which an error names."""

    def __init__(self, table_name: str, columns: tuple[str, ...], owner: str):
        self.sql = f"INSERT INTO {table_name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.owner = owner
        self.rows: list[tuple] = []

    def flush(self) -> None:
        if not self.rows:
            return
        try:
            with database.atomic():
                database.cursor().executemany(self.sql, self.rows)
        except (IntegrityError, sqlite3.IntegrityError):
            self._blame()
            raise
        self.rows = []

    def _blame(self) -> None:
        """Find the row the database refused, one at a time, to say which record it was."""
        for row in self.rows:
            try:
                with database.atomic():
                    database.execute_sql(self.sql, row)
            except (IntegrityError, sqlite3.IntegrityError) as error:
                reason = str(error)
                if reason.startswith("UNIQUE constraint failed: "):
                    columns = [name.split(".")[-1] for name in reason.split(": ", 1)[1].split(", ")]
                    reason = f"another record has the same {' and '.join(columns)}"
                raise _Refused(f"{self.owner} record with id {row[0]}: {reason}") from None


class _Restore:
    """One restore under way: each record checked, then queued and written a chunk at a time.

    Foreign keys are checked once at the end (`defer_foreign_keys`), so the tables may come in any order; a
    contact's tags are linked by name as soon as the tags are known, else once the document has been read.
    """

    def __init__(self, on_progress: Progress | None):
        self.on_progress = on_progress
        self.document_version = VERSION
        self.counts = {table.key: 0 for table in TABLES}
        self.seen: set[str] = set()
        self.tag_ids: dict[str, int] | None = None
        self.late_links: _Pending | None = None

    def document(self, reader: _Reader) -> None:
        if reader.peek() == "\ufeff":
            reader.pos += 1
        first = reader.peek()
        if first != "{":
            raise _Refused("it is empty" if not first else f'it is not a crm-tui backup (a JSON object that starts '
                           f'with {{"format": "{FORMAT}"}})')
        reader.pos += 1
        if reader.peek() == "}":
            reader.pos += 1
        else:
            while True:
                reader.peek()
                line, key = reader.line(), reader.value("a key")
                if not isinstance(key, str):
                    raise _Refused(f"line {line}: expected a key, found {_dumps(key)[:40]}")
                reader.take(":", f"':' after {key!r}")
                self._entry(key, line, reader)
                if reader.take(",}", "',' or '}'") == "}":
                    break
        if reader.peek():
            raise _Refused(f"line {reader.line()}: something follows the end of the backup")
        expected = [table.key for table in TABLES if table.since <= self.document_version]
        missing = [key for key in (*_HEADER, *expected) if key not in self.seen]
        if "format" in missing:
            raise _Refused(f'it is not a crm-tui backup (it has no "format": "{FORMAT}")')
        if missing:
            raise _Refused(f"it has no {', '.join(map(repr, missing))}; the file is incomplete")
        self._finish()

    def _entry(self, key: str, line: int, reader: _Reader) -> None:
        if key in self.seen:
            raise _Refused(f"line {line}: {key!r} appears twice")
        if key in _BY_KEY:
            self._table(_BY_KEY[key], reader)
        elif key in _HEADER:
            self._header(key, reader.value(repr(key)), line)
        elif "format" not in self.seen:
            raise _Refused(f'it is not a crm-tui backup (it starts with {key!r}, not "format")')
        else:
            raise _Refused(f"line {line}: unknown key {key!r}")
        self.seen.add(key)

    def _header(self, key: str, value: Any, line: int) -> None:
        if key == "format" and value != FORMAT:
            raise _Refused(f"it is not a crm-tui backup (its format is {_dumps(value)[:40]}, not {FORMAT!r})")
        newest = {"version": VERSION, "schema_version": SCHEMA_VERSION}.get(key)
        if newest is not None:
            if not _whole(value) or value < 1:
                raise _Refused(f"line {line}: {key} must be a whole number, not {_dumps(value)[:40]}")
            if value > newest:
                what = "backup format" if key == "version" else "database schema"
                raise _Refused(f"it was written by a newer crm-tui ({what} {value}; this crm-tui knows up to "
                               f"{newest}); upgrade crm-tui to restore it")
        if key == "version":
            self.document_version = value
        if key == "meta":
            if not isinstance(value, dict) or not all(isinstance(text, str) for text in value.values()):
                raise _Refused(f"line {line}: meta must be an object of strings")
            unknown = [name for name in value if name not in META_KEYS]
            if unknown:
                raise _Refused(f"line {line}: meta holds unknown keys {', '.join(map(repr, unknown))}")
            database.cursor().executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", value.items())

    def _table(self, table: _Table, reader: _Reader) -> None:
        queues = [_Pending(table.name, table.columns, table.key)]
        if table is CONTACTS:
            queues += [_Pending(part.name, ("contact_id", *part.columns), table.key) for part in (EMAILS, PHONES)]
            queues.append(_Pending("contact_tag", ("contact_id", "tag_id"), table.key))
        elif table is TAGS:
            self.tag_ids = {}
        count = 0
        for count, (record, line) in enumerate(reader.items(table.key), 1):
            def where(number: int = count, line: int = line, record: Any = record) -> str:
                return _where(table, number, line, record)

            values = _checked(table, record, where)
            if table is CONTACTS:
                self._contact(values, record, where, queues)
            elif table is TAGS:
                if values[1] in self.tag_ids:
                    raise _Refused(f"{where()}: another tag has the same name {values[1]!r}")
                self.tag_ids[values[1]] = values[0]
            queues[0].rows.append(tuple(values))
            if count % CHUNK == 0:
                self._flush(table, queues, count)
        self._flush(table, queues, count)

    def _flush(self, table: _Table, queues: list[_Pending], done: int) -> None:
        for queue in queues:
            queue.flush()
        self.counts[table.key] = done
        if self.on_progress is not None:
            self.on_progress(table.key, done, None)

    def _contact(self, values: list, record: dict, where: Callable[[], str], queues: list[_Pending]) -> None:
        contact_id, custom = record["id"], record["custom"]
        if not isinstance(custom, str):  # kept in the order it came in: the backup wrote it as it was stored
            values[CONTACTS.columns.index("custom")] = json.dumps(custom, ensure_ascii=False)
        for part, queue in ((EMAILS, queues[1]), (PHONES, queues[2])):
            if not isinstance(record[part.key], list):
                raise _Refused(f"{where()}: {part.key} must be a list")
            for number, item in enumerate(record[part.key], 1):
                def within(key: str = part.key, number: int = number) -> str:
                    return f"{where()}, {key} {number}"

                queue.rows.append((contact_id, *_checked(part, item, within)))
        names = record["tags"]
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise _Refused(f"{where()}: tags must be a list of tag names")
        if len(set(names)) < len(names):
            raise _Refused(f"{where()}: tags names a tag twice")
        for name in names:
            if self.tag_ids is None:
                self._late_link(contact_id, name)
            elif name in self.tag_ids:
                queues[3].rows.append((contact_id, self.tag_ids[name]))
            else:
                raise _Refused(f"{where()}: tag {name!r} is not one of the backup's tags")

    def _late_link(self, contact_id: int, name: str) -> None:
        """Keep a tag link aside until the tags are in: only a document with its contacts before its tags
        (keys sorted, say) comes here."""
        if self.late_links is None:
            database.execute_sql("CREATE TEMP TABLE backup_tag_link (contact_id INTEGER, name TEXT)")
            self.late_links = _Pending("temp.backup_tag_link", ("contact_id", "name"), CONTACTS.key)
        self.late_links.rows.append((contact_id, name))
        if len(self.late_links.rows) >= CHUNK:
            self.late_links.flush()

    def _finish(self) -> None:
        if self.late_links is not None:
            self.late_links.flush()
            unknown = database.execute_sql(
                "SELECT contact_id, name FROM temp.backup_tag_link l WHERE NOT EXISTS "
                "(SELECT 1 FROM tag t WHERE t.name = l.name) LIMIT 1").fetchone()
            if unknown:
                raise _Refused(f"contacts record with id {unknown[0]}: tag {unknown[1]!r} is not one of the "
                               "backup's tags")
            database.execute_sql("INSERT INTO contact_tag (contact_id, tag_id) SELECT l.contact_id, t.id "
                                 "FROM temp.backup_tag_link l JOIN tag t ON t.name = l.name")
            database.execute_sql("DROP TABLE temp.backup_tag_link")
        violation = database.execute_sql("PRAGMA foreign_key_check").fetchone()
        if violation:
            table_name, rowid, parent, key_id = violation
            column = next(row[3] for row in database.execute_sql(f"PRAGMA foreign_key_list({table_name})")
                          if row[0] == key_id)
            (value,) = database.execute_sql(f"SELECT {column} FROM {table_name} WHERE rowid = ?", (rowid,)).fetchone()
            child, parent = (_BY_NAME[name].key if name in _BY_NAME else name for name in (table_name, parent))
            raise _Refused(f"{child} record with id {rowid}: {column} {value} is not the id of any of its {parent}")


def restore_backup(stream: TextIO, on_progress: Progress | None = None) -> BackupSummary:
    """Restore a backup into this database, which must be empty: all of it in one transaction, or nothing.

    The default pipeline a new database starts with is replaced by the backup's. The search index is rebuilt.
    The audit log gets one row (entity "backup") under a batch of its own, which undo refuses to take back: it
    cannot remove a whole database, and stops there rather than undo what came before. `on_progress(table,
    restored, None)` is called after each chunk; raising from it rolls the restore back.
    """
    name = _name_of(stream)
    restore = _Restore(on_progress)
    try:
        with database.atomic("IMMEDIATE"):
            _refuse_unless_empty(name)
            database.execute_sql("DELETE FROM stage")
            database.execute_sql("DELETE FROM pipeline")
            database.execute_sql("PRAGMA defer_foreign_keys = ON")
            restore.document(_Reader(stream))
            batch_id = new_batch_id()
            record_change("backup", 0, "import", None, {"name": name, "counts": restore.counts}, batch_id)
            search.rebuild_index()
    except _Refused as problem:
        raise CrmError(f"cannot restore {name}: {problem}; nothing was restored") from None
    return BackupSummary(dict(restore.counts), batch_id)


def _name_of(stream: TextIO) -> str:
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) and not name.startswith("<") else "the backup"


def _refuse_unless_empty(name: str) -> None:
    """Empty as `demo.is_empty` has it (no contacts, deals or activities), and without companies or tags either,
    whose ids the backup's would collide with. Pipelines do not count: a new database has one, to be replaced."""
    held = [noun for noun, table in (("contacts", "contact"), ("companies", "company"), ("deals", "deal"),
                                     ("activities", "activity"), ("tags", "tag"))
            if database.execute_sql(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]]
    if held:
        file = name if name != "the backup" else "BACKUP.json"
        raise CrmError(
            f"a backup restores into an empty database only; this one already holds {', '.join(held)}. "
            f"Restore it into a new database file instead: crm-tui --db NEW.sqlite3 import {file}"
        )
