"""Full-text search over contacts, companies, deals and activities (SQLite FTS5).

This is the one module, with db.py, that knows it runs on SQLite. Each kind has its own FTS5 table whose rowid is
the record id. Services call `reindex_*` inside their write transaction, so the index never lags the data.
Queries are never ranked: on a million rows bm25 ordering costs ~10x an unranked `LIMIT`, and people type
prefixes, so the first matches in name order are what they want.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

from peewee import OperationalError

from crm_tui.core.models import contact_name_sql, database

T = TypeVar("T")
K = TypeVar("K")
TOKENIZER = "unicode61 remove_diacritics 2"
PREFIX_INDEXES = "1 2 3"

CONTACT_INDEX = "contact_fts"
COMPANY_INDEX = "company_fts"
DEAL_INDEX = "deal_fts"
ACTIVITY_INDEX = "activity_fts"

_INDEX_COLUMNS = {
    "contact_fts": ("name", "emails", "phones", "company", "tags", "notes"),
    "company_fts": ("name", "domain", "notes"),
    "deal_fts": ("title", "notes"),
    "activity_fts": ("subject", "body"),
}

# What each index holds for the live (not trashed) rows of its table, selected by a WHERE on the record's id.
_CONTACT_SOURCE = """
SELECT c.id,
       trim(c.first_name || ' ' || c.last_name || ' ' || c.display_name),
       (SELECT group_concat(e.email, ' ') FROM contact_email e WHERE e.contact_id = c.id),
       (SELECT group_concat(p.phone || ' ' || p.digits, ' ') FROM contact_phone p WHERE p.contact_id = c.id),
       coalesce((SELECT co.name FROM company co WHERE co.id = c.company_id AND co.deleted_at IS NULL), ''),
       (SELECT group_concat(t.name, ' ') FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id
         WHERE ct.contact_id = c.id),
       c.notes || ' ' || c.title
  FROM contact c
 WHERE c.deleted_at IS NULL AND {where}
"""
_SOURCES = {
    "contact_fts": (_CONTACT_SOURCE, "c.id"),
    "company_fts": (
        "SELECT id, name, domain, notes FROM company WHERE deleted_at IS NULL AND {where}",
        "id",
    ),
    "deal_fts": ("SELECT id, title, notes FROM deal WHERE deleted_at IS NULL AND {where}", "id"),
    "activity_fts": ("SELECT id, subject, body FROM activity WHERE deleted_at IS NULL AND {where}", "id"),
}

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def create_index_tables(db) -> None:
    for table, columns in _INDEX_COLUMNS.items():
        db.execute_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
            f"{', '.join(columns)}, tokenize = '{TOKENIZER}', prefix = '{PREFIX_INDEXES}')"
        )


def _reindex(table: str, ids: Iterable[int] | None) -> None:
    source, id_column = _SOURCES[table]
    columns = ", ".join(("rowid",) + _INDEX_COLUMNS[table])
    if ids is None:
        database.execute_sql(f"DELETE FROM {table}")
        database.execute_sql(f"INSERT INTO {table}({columns}) " + source.format(where="1"))
        return
    id_list = list(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        database.execute_sql(f"DELETE FROM {table} WHERE rowid IN ({marks})", chunk)
        database.execute_sql(
            f"INSERT INTO {table}({columns}) " + source.format(where=f"{id_column} IN ({marks})"), chunk
        )


def reindex_id_range(table: str, first_id: int, last_id: int) -> None:
    """Index a block of freshly inserted rows in one statement: the bulk path for import and demo data."""
    source, id_column = _SOURCES[table]
    columns = ", ".join(("rowid",) + _INDEX_COLUMNS[table])
    database.execute_sql(
        f"INSERT INTO {table}({columns}) " + source.format(where=f"{id_column} BETWEEN ? AND ?"), (first_id, last_id)
    )


def reindex_contacts(ids: Iterable[int]) -> None:
    _reindex("contact_fts", ids)


def reindex_companies(ids: Iterable[int]) -> None:
    _reindex("company_fts", ids)


def reindex_deals(ids: Iterable[int]) -> None:
    _reindex("deal_fts", ids)


def reindex_activities(ids: Iterable[int]) -> None:
    _reindex("activity_fts", ids)


def rebuild_index() -> None:
    """Fill every index from scratch, one INSERT ... SELECT per kind (migrations and bulk loads)."""
    for table in _INDEX_COLUMNS:
        _reindex(table, None)
    optimize_index()


def index_problems() -> dict[str, int]:
    """How many records each index has wrong: a live record missing or indexed with other text than it holds now,
    or an entry for a record that is gone or in the trash. Read only; `rebuild_index` mends them all."""
    problems = {}
    for table, columns in _INDEX_COLUMNS.items():
        source, _ = _SOURCES[table]
        indexed = f"SELECT rowid, {', '.join(columns)} FROM {table}"
        stale = database.execute_sql(
            f"SELECT count(*) FROM ({source.format(where='1')} EXCEPT {indexed})").fetchone()[0]
        extra = database.execute_sql(
            f"SELECT count(*) FROM (SELECT rowid FROM {table} EXCEPT SELECT id FROM ({source.format(where='1')}))"
        ).fetchone()[0]
        problems[table.removesuffix("_fts")] = stale + extra
    return problems


def optimize_index(*tables: str) -> None:
    """Merge indexes (all by default) into one b-tree each after a bulk load.

    A bulk load leaves one FTS5 segment per transaction; prefix queries then read every segment. On 1M
    contacts, merging took about 10 s and cut filtered-list p95 from 80 ms to under 30 ms.
    """
    for table in tables or tuple(_INDEX_COLUMNS):
        database.execute_sql(f"INSERT INTO {table}({table}) VALUES ('optimize')")


def match_query(text: str) -> str | None:
    """Turn anything a person types into a safe FTS5 query: every word must match as a prefix.

    Words are runs of letters and digits; everything else (quotes, `*`, `-`, `:`, brackets, emoji) separates
    words, and each word is quoted, so FTS5 keywords such as AND, OR, NOT and NEAR are plain words here.
    Case and accents are left to the FTS5 tokenizer, which folds the query exactly as it folded the records.
    Returns None when there is nothing to search for.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words[:16])


def company_filter_sql(id_column: str) -> str:
    """A condition on `id_column` keeping companies that match one `match_query` parameter."""
    return f"{id_column} IN (SELECT rowid FROM {COMPANY_INDEX} WHERE {COMPANY_INDEX} MATCH ?)"


# How a list filtered by search finds its page. Each is a condition on the contact id taking the match parameter.
# - lookup: take every match, fetch those contacts and sort them. Cost grows with the number of matches.
# - walk: read the list's sort index in order and keep rows in the match set. Cost grows with how far into the
#   order the matches lie, plus building the match set.
# - probe: read the sort index in order and ask the index about each row. Cheap when most rows match.
FILTER_PLANS = {
    "lookup": "{id} IN (SELECT rowid FROM contact_fts WHERE contact_fts MATCH ?)",
    "walk": "+{id} IN (SELECT rowid FROM contact_fts WHERE contact_fts MATCH ?)",
    "probe": "EXISTS (SELECT 1 FROM contact_fts f WHERE contact_fts MATCH ? AND f.rowid = {id})",
}
# A lookup can also read the matches as the left side of a join (see `contact_lookup_source`): that skips building
# a temporary table of them first, about 10% of the lookup.
JOINED_MATCH = f"{CONTACT_INDEX} MATCH ?"


def contact_lookup_source(contact_source: str, id_column: str) -> str:
    """The FROM clause that joins the matches to `contact_source`; the condition is then JOINED_MATCH."""
    return f"{CONTACT_INDEX} CROSS JOIN {contact_source} ON {id_column} = {CONTACT_INDEX}.rowid"
SOME_MATCHES = 3_000
FEW_MATCHES = 20_000
MANY_MATCHES = 100_000
SAMPLED_SHARE = 10  # estimate large match sets from the first tenth of the ids
# Each plan but the last runs under a time budget (seconds); SQLite's progress handler checks it every few VM steps.
QUICK_WALK = ("walk", 0.005)
WALK = ("walk", 0.025)
QUICK_PROBE = ("probe", 0.015)
PROBE = ("probe", 0.025)
PROGRESS_CHECK_STEPS = 100


def _matches_at_least(match: str, cap: int, below_id: int | None = None) -> int:
    below = "" if below_id is None else " AND rowid < ?"
    sql = (f"SELECT count(*) FROM (SELECT rowid FROM {CONTACT_INDEX} WHERE {CONTACT_INDEX} MATCH ?{below} "
           "LIMIT ?)")
    params = (match, cap) if below_id is None else (match, below_id, cap)
    return database.execute_sql(sql, params).fetchone()[0]


def _estimated_matches(match: str) -> int:
    """Matches among the first tenth of the ids, times ten: a few milliseconds where counting 100k takes 25."""
    (top,) = database.execute_sql("SELECT coalesce(max(id), 0) FROM contact").fetchone()
    cut = top // SAMPLED_SHARE + 1
    return _matches_at_least(match, MANY_MATCHES // SAMPLED_SHARE, cut) * SAMPLED_SHARE


def filter_plans(match: str) -> list[str | tuple[str, float]]:
    """The plans worth trying for this query, cheapest expected first; the last one always runs to the end.

    Counts capped low tell some matches from few from many in a few milliseconds. Measured on 1M contacts, first
    page by name: a walk finds most sets of 20k-100k in 4-25 ms ("ga", 28k: 7 ms, where a lookup takes 43);
    a probe finds denser sets in 1-7 ms ("an", 93k: 0.3 ms); "oli" (18k, all under "o") walks in 160 ms, so its
    lookup (31 ms) takes over after the walk's budget. A lookup comes last: its cost grows only with the matches.
    """
    found = _matches_at_least(match, FEW_MATCHES)
    if found < SOME_MATCHES:
        return ["lookup"]
    if found < FEW_MATCHES:
        return [QUICK_WALK, "lookup"]
    if _estimated_matches(match) < MANY_MATCHES:
        return [WALK, QUICK_PROBE, "lookup"]
    return [PROBE, WALK, "lookup"]


def contact_filter_sql(id_column: str, plan: str = "lookup") -> str:
    """A condition on `id_column` keeping contacts that match one `match_query` parameter."""
    return FILTER_PLANS[plan].format(id=id_column)


_abandon = threading.local()


def abandon_when(unwanted: Callable[[], bool] | None) -> None:
    """Set (or with None, clear) this thread's test for a read no longer wanted; `run_plans` keeps checking it,
    since it takes over SQLite's progress handler for its budgets."""
    _abandon.check = unwanted


def _abandoned() -> bool:
    check = getattr(_abandon, "check", None)
    return check is not None and check()


def run_plans(plans: Sequence[K | tuple[K, float]], run: Callable[[K], T]) -> T:
    """Run `run(plan)` for each plan in turn; all but the last are (plan, budget in seconds), the last runs to the end.

    A plan can be slow when the matches lie late in the sort order; SQLite's progress handler interrupts it
    and the next plan takes over. On 1M contacts: "a" (400k matches) probes in 1 ms, where sorting every match
    took 245 ms; "Oli" (18k) sorts its matches in 40 ms, where walking the name index took 170 ms. A read the
    caller abandons (`abandon_when`) is interrupted in any plan, and the interruption is raised, not retried.
    """
    connection = database.connection()
    try:
        for plan, budget in cast("Sequence[tuple[K, float]]", plans[:-1]):
            deadline = time.perf_counter() + budget
            connection.set_progress_handler(
                lambda until=deadline: time.perf_counter() > until or _abandoned(), PROGRESS_CHECK_STEPS
            )
            try:
                return run(plan)
            except (OperationalError, sqlite3.OperationalError) as exc:
                if "interrupt" not in str(exc) or _abandoned():
                    raise
        connection.set_progress_handler(_abandoned, PROGRESS_CHECK_STEPS)
        return run(cast(K, plans[-1]))
    finally:
        connection.set_progress_handler(None, 0)


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: int
    title: str
    detail: str


_HIT_QUERIES = {
    "contact": f"""
        SELECT c.id, {contact_name_sql()},
               coalesce((SELECT e.email FROM contact_email e WHERE e.contact_id = c.id
                          ORDER BY e.position LIMIT 1), '')
          FROM contact c WHERE c.id IN (SELECT rowid FROM contact_fts WHERE contact_fts MATCH ? LIMIT ?)
         ORDER BY c.sort_name, c.id""",
    "company": """
        SELECT id, name, domain FROM company
         WHERE id IN (SELECT rowid FROM company_fts WHERE company_fts MATCH ? LIMIT ?) ORDER BY sort_name, id""",
    "deal": """
        SELECT d.id, d.title, s.name FROM deal d JOIN stage s ON s.id = d.stage_id
         WHERE d.id IN (SELECT rowid FROM deal_fts WHERE deal_fts MATCH ? LIMIT ?) ORDER BY d.id DESC""",
    "activity": """
        SELECT id, subject, kind FROM activity
         WHERE id IN (SELECT rowid FROM activity_fts WHERE activity_fts MATCH ? LIMIT ?) ORDER BY id DESC""",
}


def search_all(text: str, limit_per_kind: int = 10) -> list[SearchHit]:
    """Contacts, companies, deals and activities matching `text`, grouped by kind in that order."""
    query = match_query(text)
    if query is None:
        return []
    hits: list[SearchHit] = []
    for kind, sql in _HIT_QUERIES.items():
        rows = database.execute_sql(sql, (query, limit_per_kind)).fetchall()
        hits.extend(SearchHit(kind, row[0], row[1], row[2] or "") for row in rows)
    return hits
