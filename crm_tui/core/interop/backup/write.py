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
and with next to no allocations. Reading one back is read.py's, and restoring it restore.py's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, TextIO

from crm_tui.core.models import database

FORMAT = "crm-tui-backup"
VERSION = 2  # 2 added saved searches and duplicate dismissals (schema 8)
META_KEYS = ("demo",)
CHUNK = 2000

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


MAX_INT64 = 2**63 - 1


def is_whole(value: Any) -> bool:
    """A JSON integer SQLite can hold (64 bits)."""
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_INT64 - 1 <= value <= MAX_INT64


def is_text(value: Any) -> bool:
    """A string SQLite can store as UTF-8: JSON's `\\ud800` escapes decode to lone surrogates, which are not."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_stamp(value: Any) -> bool:
    """A timestamp the lists can show: ISO 8601, as every stored time is."""
    if not is_text(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_custom(value: Any) -> bool:
    if isinstance(value, dict):
        return all(is_text(key) and is_text(text) for key, text in value.items())
    return is_text(value)


# What a value of each kind of column may be: the types, NULLs and CHECK constraints of the database, and what the
# app reads back (ids from 1, times in ISO 8601, positions from 0, probabilities 0-100), so whatever a database
# holds restores, and whatever is restored can be listed.
KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "id": (lambda value: is_whole(value) and value >= 1, "an id (a whole number from 1)"),
    "id?": (lambda value: value is None or (is_whole(value) and value >= 1), "an id (a whole number from 1) or null"),
    "count": (lambda value: is_whole(value) and value >= 0, "a whole number from 0"),
    "count?": (lambda value: value is None or (is_whole(value) and value >= 0), "a whole number from 0, or null"),
    "percent": (lambda value: is_whole(value) and 0 <= value <= 100, "a whole number from 0 to 100"),
    "stamp": (is_stamp, "an ISO 8601 time such as 2026-11-28T09:30:00.000000Z"),
    "stamp?": (lambda value: value is None or is_stamp(value), "an ISO 8601 time or null"),
    "text": (is_text, "a string of Unicode text"),
    "bool": (lambda value: isinstance(value, bool), "true or false"),
    "custom": (is_custom, "an object of custom fields (text keys and values)"),
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
_RECORD = (("created_at", "stamp"), ("updated_at", "stamp"), ("deleted_at", "stamp?"), ("version", "count"))


@dataclass(frozen=True)
class Table:
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


EMAILS = Table("emails", "contact_email", (
    ("email", "text"), ("label", "text"), ("is_primary", "bool"), ("position", "count")))
PHONES = Table("phones", "contact_phone", (
    ("phone", "text"), ("digits", "text"), ("label", "text"), ("is_primary", "bool"), ("position", "count")))


def _list_sql(table: Table) -> str:
    """A contact's rows of `table` as a JSON array, in order (json_group_array keeps the order of its subquery)."""
    return (f"SELECT json_group_array({table.json_sql('x')}) FROM (SELECT * FROM {table.name} "
            "WHERE contact_id = r.id ORDER BY position, id) x")


TAGS = Table("tags", "tag", (("id", "id"), ("name", "text"), ("name_key", "text"), ("created_at", "stamp")))
CONTACTS = Table("contacts", "contact", (
    ("id", "id"), ("first_name", "text"), ("last_name", "text"), ("display_name", "text"), ("title", "text"),
    ("company_id", "id?"), ("street", "text"), ("city", "text"), ("region", "text"), ("postal_code", "text"),
    ("country", "text"), ("birthday", "text"), ("notes", "text"), ("custom", "custom"),
    ("keep_in_touch_days", "count?"), ("sort_name", "text"), ("sort_company", "text"), *_RECORD), (
    ("emails", _list_sql(EMAILS)), ("phones", _list_sql(PHONES)),
    ("tags", "SELECT json_group_array(name) FROM (SELECT t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
             "WHERE ct.contact_id = r.id ORDER BY t.name)")))
# Tables in the order the backup writes them: what a row refers to comes before it.
TABLES = (
    TAGS,
    Table("companies", "company", (
        ("id", "id"), ("name", "text"), ("domain", "text"), ("phone", "text"), ("address", "text"),
        ("notes", "text"), ("sort_name", "text"), *_RECORD)),
    CONTACTS,
    Table("pipelines", "pipeline", (
        ("id", "id"), ("name", "text"), ("position", "count"), ("archived_at", "stamp?"), *_RECORD)),
    Table("stages", "stage", (
        ("id", "id"), ("pipeline_id", "id"), ("name", "text"), ("position", "count"), ("probability", "percent"),
        ("outcome", "outcome"), ("deleted_at", "stamp?"))),
    Table("deals", "deal", (
        ("id", "id"), ("title", "text"), ("value_minor", "count"), ("currency", "text"), ("pipeline_id", "id"),
        ("stage_id", "id"), ("status", "outcome"), ("lost_reason", "text"), ("contact_id", "id?"),
        ("company_id", "id?"), ("expected_close", "text"), ("closed_at", "stamp?"), ("stage_entered_at", "stamp"),
        ("notes", "text"), *_RECORD)),
    Table("deal_stage_changes", "deal_stage_change", (
        ("id", "id"), ("deal_id", "id"), ("from_stage_id", "id?"), ("to_stage_id", "id"),
        ("changed_at", "stamp"))),
    Table("activities", "activity", (
        ("id", "id"), ("kind", "kind"), ("subject", "text"), ("body", "text"), ("occurred_at", "stamp?"),
        ("due_at", "stamp?"), ("done_at", "stamp?"), ("contact_id", "id?"), ("company_id", "id?"),
        ("deal_id", "id?"), *_RECORD)),
    Table("saved_searches", "saved_search", (
        ("id", "id"), ("name", "text"), ("name_key", "text"), ("query", "text"), ("pinned", "bool"),
        ("created_at", "stamp"), ("updated_at", "stamp")), since=2),
    Table("duplicate_dismissals", "duplicate_dismissal", (
        ("id", "id"), ("contact_low_id", "id"), ("contact_high_id", "id"), ("dismissed_at", "stamp")), since=2),
)
dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # as SQLite writes JSON


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
        out.write(dumps(header)[:-1] + ",\n")
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
