"""Restoring a backup into an empty database: all of it in one transaction, or nothing.

The records read.py reads and checks are written a chunk at a time; what refers to what is checked once
the whole document is in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any, TextIO

from peewee import IntegrityError

from crm_tui.core import search_index
from crm_tui.core.db import SCHEMA_VERSION
from crm_tui.core.errors import CrmError
from crm_tui.core.interop.backup import write as backup  # for backup.CHUNK, read when used: a test makes chunks of one
from crm_tui.core.interop.backup.read import Reader, Refused, checked, place, shown
from crm_tui.core.interop.backup.write import (
    CONTACTS,
    EMAILS,
    FORMAT,
    META_KEYS,
    PHONES,
    TABLES,
    TAGS,
    VERSION,
    BackupSummary,
    Progress,
    Table,
    dumps,
    is_text,
    is_whole,
)
from crm_tui.core.models import database
from crm_tui.core.records import new_batch_id, record_change, write_transaction

_HEADER = ("format", "version", "schema_version", "meta")
_BY_KEY = {table.key: table for table in TABLES}
_BY_NAME = {table.name: table for table in TABLES}


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
            with write_transaction():
                database.cursor().executemany(self.sql, self.rows)
        except (IntegrityError, sqlite3.IntegrityError):
            self._blame()
            raise
        self.rows = []

    def _blame(self) -> None:
        """Find the row the database refused, one at a time, to say which record it was."""
        for row in self.rows:
            try:
                with write_transaction():
                    database.execute_sql(self.sql, row)
            except (IntegrityError, sqlite3.IntegrityError) as error:
                reason = str(error)
                if reason.startswith("UNIQUE constraint failed: "):
                    columns = [name.split(".")[-1] for name in reason.split(": ", 1)[1].split(", ")]
                    reason = f"another record has the same {' and '.join(columns)}"
                raise Refused(f"{self.owner} record with id {row[0]}: {reason}") from None


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

    def document(self, reader: Reader) -> None:
        if reader.peek() == "\ufeff":
            reader.pos += 1
        first = reader.peek()
        if first != "{":
            raise Refused("it is empty" if not first else f'it is not a crm-tui backup (a JSON object that starts '
                           f'with {{"format": "{FORMAT}"}})')
        reader.pos += 1
        if reader.peek() == "}":
            reader.pos += 1
        else:
            while True:
                reader.peek()
                line, key = reader.line(), reader.value("a key")
                if not isinstance(key, str):
                    raise Refused(f"line {line}: expected a key, found {dumps(key)[:40]}")
                reader.take(":", f"':' after {key!r}")
                self._entry(key, line, reader)
                if reader.take(",}", "',' or '}'") == "}":
                    break
        if reader.peek():
            raise Refused(f"line {reader.line()}: something follows the end of the backup")
        expected = [table.key for table in TABLES if table.since <= self.document_version]
        missing = [key for key in (*_HEADER, *expected) if key not in self.seen]
        if "format" in missing:
            raise Refused(f'it is not a crm-tui backup (it has no "format": "{FORMAT}")')
        if missing:
            raise Refused(f"it has no {', '.join(map(repr, missing))}; the file is incomplete")
        self._finish()

    def _entry(self, key: str, line: int, reader: Reader) -> None:
        if key in self.seen:
            raise Refused(f"line {line}: {key!r} appears twice")
        if key in _BY_KEY:
            self._table(_BY_KEY[key], reader)
        elif key in _HEADER:
            self._header(key, reader.value(repr(key)), line)
        elif "format" not in self.seen:
            raise Refused(f'it is not a crm-tui backup (it starts with {key!r}, not "format")')
        else:
            raise Refused(f"line {line}: unknown key {key!r}")
        self.seen.add(key)

    def _header(self, key: str, value: Any, line: int) -> None:
        if key == "format" and value != FORMAT:
            raise Refused(f"it is not a crm-tui backup (its format is {shown(value)}, not {FORMAT!r})")
        newest = {"version": VERSION, "schema_version": SCHEMA_VERSION}.get(key)
        if newest is not None:
            if not is_whole(value) or value < 1:
                raise Refused(f"line {line}: {key} must be a whole number, not {shown(value)}")
            if value > newest:
                what = "backup format" if key == "version" else "database schema"
                raise Refused(f"it was written by a newer crm-tui ({what} {value}; this crm-tui knows up to "
                               f"{newest}); upgrade crm-tui to restore it")
        if key == "version":
            self.document_version = value
        if key == "meta":
            if not isinstance(value, dict) or not all(is_text(text) for text in value.values()):
                raise Refused(f"line {line}: meta must be an object of strings")
            unknown = [name for name in value if name not in META_KEYS]
            if unknown:
                raise Refused(f"line {line}: meta holds unknown keys {', '.join(map(repr, unknown))}")
            database.cursor().executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", value.items())

    def _table(self, table: Table, reader: Reader) -> None:
        queues = [_Pending(table.name, table.columns, table.key)]
        if table is CONTACTS:
            queues += [_Pending(part.name, ("contact_id", *part.columns), table.key) for part in (EMAILS, PHONES)]
            queues.append(_Pending("contact_tag", ("contact_id", "tag_id"), table.key))
        elif table is TAGS:
            self.tag_ids = {}
        count = 0
        for count, (record, line) in enumerate(reader.items(table.key), 1):
            def where(number: int = count, line: int = line, record: Any = record) -> str:
                return place(table, number, line, record)

            values = checked(table, record, where)
            if table is CONTACTS:
                self._contact(values, record, where, queues)
            elif table is TAGS:
                assert self.tag_ids is not None  # set above for the tags table
                if values[1] in self.tag_ids:
                    raise Refused(f"{where()}: another tag has the same name {values[1]!r}")
                self.tag_ids[values[1]] = values[0]
            queues[0].rows.append(tuple(values))
            if count % backup.CHUNK == 0:
                self._flush(table, queues, count)
        self._flush(table, queues, count)

    def _flush(self, table: Table, queues: list[_Pending], done: int) -> None:
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
                raise Refused(f"{where()}: {part.key} must be a list")
            for number, item in enumerate(record[part.key], 1):
                def within(key: str = part.key, number: int = number) -> str:
                    return f"{where()}, {key} {number}"

                queue.rows.append((contact_id, *checked(part, item, within)))
        names = record["tags"]
        if not isinstance(names, list) or not all(is_text(name) for name in names):
            raise Refused(f"{where()}: tags must be a list of tag names")
        if len(set(names)) < len(names):
            raise Refused(f"{where()}: tags names a tag twice")
        for name in names:
            if self.tag_ids is None:
                self._late_link(contact_id, name)
            elif name in self.tag_ids:
                queues[3].rows.append((contact_id, self.tag_ids[name]))
            else:
                raise Refused(f"{where()}: tag {name!r} is not one of the backup's tags")

    def _late_link(self, contact_id: int, name: str) -> None:
        """Keep a tag link aside until the tags are in: only a document with its contacts before its tags
        (keys sorted, say) comes here."""
        if self.late_links is None:
            database.execute_sql("CREATE TEMP TABLE backup_tag_link (contact_id INTEGER, name TEXT)")
            self.late_links = _Pending("temp.backup_tag_link", ("contact_id", "name"), CONTACTS.key)
        self.late_links.rows.append((contact_id, name))
        if len(self.late_links.rows) >= backup.CHUNK:
            self.late_links.flush()

    def _finish(self) -> None:
        if self.late_links is not None:
            self.late_links.flush()
            unknown = database.execute_sql(
                "SELECT contact_id, name FROM temp.backup_tag_link l WHERE NOT EXISTS "
                "(SELECT 1 FROM tag t WHERE t.name = l.name) LIMIT 1").fetchone()
            if unknown:
                raise Refused(f"contacts record with id {unknown[0]}: tag {unknown[1]!r} is not one of the "
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
            raise Refused(f"{child} record with id {rowid}: {column} {value} is not the id of any of its {parent}")


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
        with write_transaction():
            _refuse_unless_empty(name)
            database.execute_sql("DELETE FROM stage")
            database.execute_sql("DELETE FROM pipeline")
            database.execute_sql("PRAGMA defer_foreign_keys = ON")
            restore.document(Reader(stream))
            batch_id = new_batch_id()
            record_change("backup", 0, "import", None, {"name": name, "counts": restore.counts}, batch_id)
            search_index.rebuild_index()
    except Refused as problem:
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
