"""`crm-tui check`: is the database whole? SQLite's integrity check, every reference between records, and whether
the search index matches the records; `repair` rebuilds the index, the one part that can be made again from the
rest. A damaged file is mended by restoring a backup (backups.py)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from crm_tui.core import search_index
from crm_tui.core.models import database
from crm_tui.core.records import write_transaction

_SHOWN_PROBLEMS = 10


@dataclass
class CheckReport:
    integrity: list[str]
    foreign_keys: list[str]
    search_index: dict[str, int]
    repaired: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and not self.foreign_keys and not any(self.search_index.values())


def check_database(repair: bool = False) -> CheckReport:
    """Check the open database; with `repair`, rebuild a search index found out of step and check it again. A file
    whose integrity check fails is not read further: its damaged pages could fail any query."""
    raw = database.connection()
    integrity = integrity_problems(raw, _SHOWN_PROBLEMS)
    if integrity != ["ok"]:
        return CheckReport(integrity, [], {})
    index = search_index.index_problems()
    report = CheckReport(integrity, broken_links(raw, _SHOWN_PROBLEMS), index)
    if repair and any(index.values()):
        with write_transaction():
            search_index.rebuild_index()
        report.repaired = {kind: count for kind, count in index.items() if count}
        report.search_index = search_index.index_problems()
    return report


def integrity_problems(connection: sqlite3.Connection, most: int) -> list[str]:
    """SQLite's integrity check of a database, ["ok"] when it is whole, else up to `most` problems in words; a file
    too damaged to be read through gives that error."""
    try:
        return [first_problem(row[0]) for row in connection.execute(f"PRAGMA integrity_check({int(most)})")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]


def broken_links(connection: sqlite3.Connection, most: int) -> list[str]:
    """Up to `most` rows that refer to a record that is not there, in words."""
    return [f"a {table} row (id {rowid}) refers to a missing {parent}"
            for table, rowid, parent, _ in connection.execute("PRAGMA foreign_key_check").fetchmany(most)]


def first_problem(text: str) -> str:
    """SQLite's report of a damaged page starts with the schema's name on a line of its own."""
    lines = [line for line in text.splitlines() if line and not line.startswith("*** in database")]
    return lines[0] if lines else text
