"""Search benchmark: the query language (core/search/query.py) typed a character at a time on a demo database.

    python benchmarks/bench_search.py                          # 200,000 demo contacts in a temporary directory
    python benchmarks/bench_search.py --db /tmp/big.sqlite3    # keep (or reuse) the database
    crm-tui --db /tmp/1m.sqlite3 demo --contacts 1000000       # the 1M database of the issue's target (~5.5 min)
    python benchmarks/bench_search.py --db /tmp/1m.sqlite3

Each query family is typed one character at a time, and every keystroke runs `search_query.search` once (10 hits
per group), timed: p50, p95 and max per family and overall. Three readings of the same keystrokes:
- baseline: today's `search_index.search_all` on the same text (no operators: `tag:vip` is two words to it);
- complete: `search()` with no time budget, every group read to the end (the CLI);
- as typed: `search(budget=KEYSTROKE_BUDGET)`, as the search screen runs it; "cut" counts the keystrokes where a
  group ran out of time and showed only the first hits it had found.
The issue's target is p95 <= 30 ms per keystroke at 1M contacts. Then `contact_ids_sql` pinned on the contacts
list: the first page of 50 by name, `c.id IN (<sql>)`, against the list's own tag and text filters.
One untimed pass warms the page cache first. Never run by CI: nothing here asserts.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_core import percentile

from crm_tui.core import contacts, demo, search_index
from crm_tui.core.db import Interrupted, close_database, open_database, stop_when
from crm_tui.core.models import database
from crm_tui.core.search import query as search_query

FAMILIES = (
    ("words", ("ann", "oliver sm")),
    ("word, then tag:", ("ann tag:vip",)),
    ("tag:, then word", ("tag:vip an",)),
    ("company:", ("company:northwind", "company:silver birch")),
    ("exclusion", ("ann -gmail", "proposal -sent")),
    ("phrase", ('"year-end review"', '"follow up" call')),
    ("stage:", ("stage:proposal",)),
    ("kind: and words", ("kind:call ann", "kind:call renewal")),
    ("is:", ("is:overdue", "is:won northwind")),
)
PINNED = ("tag:vip", "tag:beta", "company:northwind", "ann", "an", "tag:vip an", "oliver -gmail", "ann -gm",
          "company:silver tag:press", '"key account"')
PAGE = 50
GIVE_UP_SECONDS = 1.0


def keystrokes(text: str) -> list[str]:
    """What the search box holds after each key, skipping a key that changes nothing but trailing space."""
    typed: list[str] = []
    for end in range(1, len(text) + 1):
        shown = text[:end].rstrip()
        if shown and (not typed or typed[-1] != shown):
            typed.append(shown)
    return typed


def timed_ms(run) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def figures(samples: list[float]) -> str:
    return f"{percentile(samples, 0.5):6.1f} {percentile(samples, 0.95):6.1f} {max(samples):7.1f}"


def measure_typing(budget: float, slowest: list) -> list[tuple[str, int, list[float], list[float], list[float], int]]:
    """(family, keystrokes, baseline ms, complete ms, as-typed ms, keystrokes cut) for each family; `slowest` gets
    (ms, keystroke) of every complete search."""
    rows = []
    for family, texts in FAMILIES:
        typed = [key for text in texts for key in keystrokes(text)]
        baseline = [timed_ms(lambda key=key: search_index.search_all(key, 10)) for key in typed]
        complete = [timed_ms(lambda key=key: search_query.search(key, 10)) for key in typed]
        slowest.extend(zip(complete, typed, strict=False))
        as_typed, cut = [], 0
        for key in typed:
            started = time.perf_counter()
            groups = search_query.search_groups(key, 10, budget=budget)
            as_typed.append((time.perf_counter() - started) * 1000)
            cut += any(not group.complete for group in groups)
        rows.append((family, len(typed), baseline, complete, as_typed, cut))
    return rows


def first_page_ms(condition: str, params: list, repeat: int = 5) -> float | None:
    """Median ms of the first page, or None when one read takes over GIVE_UP_SECONDS (a walk through a rare set)."""
    sql = (f"SELECT c.id FROM contact c WHERE c.deleted_at IS NULL AND {condition} "
           f"ORDER BY c.sort_name, c.id LIMIT {PAGE}")
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            with stop_when(lambda started=started: time.perf_counter() - started > GIVE_UP_SECONDS, 1000):
                database.execute_sql(sql, params).fetchall()
        except Interrupted:
            return None
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure_pinned() -> list[tuple[str, ...]]:
    """The first page pinned three ways (set looked up, set walked in name order, each row asked), and the list's
    own filters where it has them."""
    rows = []
    for text in PINNED:
        sql, params = search_query.contact_ids_sql(text)
        filtered = search_query.contact_filter_sql(text)
        figures_ms = [first_page_ms(f"c.id IN ({sql})", params), first_page_ms(f"+c.id IN ({sql})", params),
                      first_page_ms(*filtered) if filtered else "n/a"]
        query = search_query.parse(text)
        words = " ".join([*query.words, *(f'"{phrase}"' for phrase in query.phrases)]) or None
        tag = query.tags[0] if len(query.tags) == 1 else None
        own = "-"
        if not query.excluded and not query.companies and len(query.tags) <= 1:
            listed = [timed_ms(lambda tag=tag, words=words: contacts.list_page("name", None, PAGE, tag=tag, text=words))
                      for _ in range(5)]
            own = f"{statistics.median(listed):.1f}"
        rows.append((text, *(cell if isinstance(cell, str) else f">{GIVE_UP_SECONDS * 1000:.0f}" if cell is None
                             else f"{cell:.1f}" for cell in figures_ms), own))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=200_000, help="demo contacts to build (default 200,000)")
    parser.add_argument("--db", type=Path, help="a demo database to use, built first if it does not exist")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=search_query.KEYSTROKE_BUDGET, help="seconds, as typed")
    parser.add_argument("--slowest", type=int, default=0, metavar="K", help="also list the K slowest keystrokes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "search.sqlite3"
        if not path.exists():
            print(f"building {args.contacts:,} demo contacts in {path}…", file=sys.stderr)
            open_database(path)
            demo.fill(args.contacts, args.seed)
            close_database()
        open_database(path)
        (total,) = database.execute_sql("SELECT count(*) FROM contact WHERE deleted_at IS NULL").fetchone()
        measure_typing(args.budget, [])  # warm the page cache
        slowest: list[tuple[float, str]] = []
        typing = measure_typing(args.budget, slowest)
        pinned = measure_pinned()
        close_database()
    print(f"\ncrm-tui search benchmark: {total:,} contacts, SQLite {sqlite3.sqlite_version}, "
          f"budget as typed {args.budget * 1000:.0f} ms\n")
    print(f"{'family':<18} {'keys':>4}  {'baseline p50/p95/max':>21}  {'complete p50/p95/max':>21}  "
          f"{'as typed p50/p95/max':>21}  cut")
    every: list[list[float]] = [[], [], []]
    for family, keys, baseline, complete, as_typed, cut in typing:
        print(f"{family:<18} {keys:>4}  {figures(baseline)}  {figures(complete)}  {figures(as_typed)}  {cut:>3}")
        for bucket, samples in zip(every, (baseline, complete, as_typed), strict=False):
            bucket.extend(samples)
    cuts = sum(row[5] for row in typing)
    print(f"{'overall':<18} {len(every[0]):>4}  {figures(every[0])}  {figures(every[1])}  {figures(every[2])}  "
          f"{cuts:>3}")
    print("\n(ms; target p95 <= 30 ms at 1M contacts)\n")
    if args.slowest:
        print("slowest keystrokes, complete: " + ", ".join(
            f"{key!r} {ms:.1f}" for ms, key in sorted(slowest, reverse=True)[: args.slowest]) + "\n")
    print(f"first page of {PAGE} contacts by name pinned by a query, ms (median of 5): the set of contact_ids_sql "
          "looked up (c.id IN), walked in name order (+c.id IN), each row asked (contact_filter_sql); the list's "
          "own tag and text filters where it has them")
    print(f"  {'query':<26} {'lookup':>7} {'walk':>7} {'ask':>7} {'list':>7}")
    for text, *cells in pinned:
        print(f"  {text:<26} " + " ".join(f"{cell:>7}" for cell in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
