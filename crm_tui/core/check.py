"""`crm-tui check`: is the database whole? SQLite's integrity check, every reference between records, and whether
the search index matches the records; `repair` rebuilds the index, the one part that can be made again from the
rest. A damaged file is mended by restoring a backup (backups.py)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from peewee import DatabaseError as PeeweeDatabaseError

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
    searched: bool = True

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and not self.foreign_keys and not any(self.search_index.values())


def check_database(repair: bool = False) -> CheckReport:
    """Check the open database; with `repair`, rebuild a search index found out of step and check it again. A file
    whose integrity check fails is not read further (its damaged pages could fail any query): `searched` is False."""
    try:
        integrity = [first_problem(row[0]) for row in
                     database.execute_sql(f"PRAGMA integrity_check({_SHOWN_PROBLEMS})")]
    except (PeeweeDatabaseError, sqlite3.DatabaseError) as exc:  # too damaged to be read through
        integrity = [str(exc)]
    if integrity != ["ok"]:
        return CheckReport(integrity, [], {}, searched=False)
    foreign_keys = [f"a {table} row (id {rowid}) refers to a missing {parent}"
                    for table, rowid, parent, _ in database.execute_sql("PRAGMA foreign_key_check").fetchmany(
                        _SHOWN_PROBLEMS)]
    index = search_index.index_problems()
    report = CheckReport(integrity, foreign_keys, index)
    if repair and any(index.values()):
        with write_transaction():
            search_index.rebuild_index()
        report.repaired = {kind: count for kind, count in index.items() if count}
        report.search_index = search_index.index_problems()
    return report


def first_problem(text: str) -> str:
    """SQLite's report of a damaged page starts with the schema's name on a line of its own."""
    lines = [line for line in text.splitlines() if line and not line.startswith("*** in database")]
    return lines[0] if lines else text
