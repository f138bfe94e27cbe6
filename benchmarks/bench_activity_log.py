"""Activity log benchmark: pages of the feed (core/activities/feed.py) over millions of activities and deal stage
changes.

    python benchmarks/bench_activity_log.py                      # 2,000,000 activities, 100,000 stage changes
    python benchmarks/bench_activity_log.py --rows 200000 --stage-changes 10000
    python benchmarks/bench_activity_log.py --db /tmp/feed.sqlite3   # keep the database (built if missing)

The database is written in bulk (executemany, search index in one statement, secondary indexes after the rows).
Each figure is the median and p95 of repeated calls on a warm connection, against a baseline measured in the same
run: raw sqlite3 reading the 50 newest activities through the index on (occurred_at, id), with every column and no
names. Figures:
- first page: the 50 newest events, both kinds merged;
- keyset at depth: the page after the 1,000,000th event (how scrolling reads, at any depth);
- G (the last page): backwards from the end, as the list reads it once the total is known;
- offset jump to the middle: a scrollbar drag to half way, read by OFFSET (steps over index entries);
- count: every event (the list counts after its first page is painted);
- kind filter: meetings only; stage changes only; done tasks only;
- text filter: a short prefix, a common word, a word in 2% of the rows, a rare one (see feed.TEXT_PLANS);
- timelines: one contact's, one company's, one deal's first page, with stage changes between activities.
Never run by CI: nothing here asserts.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_core import timed

from crm_tui.core import search_index
from crm_tui.core.activities import feed
from crm_tui.core.activities.feed import FeedFilter
from crm_tui.core.db import close_database, open_database
from crm_tui.core.demo import pools
from crm_tui.core.models import TIMESTAMP_FORMAT, Stage, database

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
YEARS = 3
CHUNK = 100_000
KIND_WEIGHTS = (("call", 30), ("email", 30), ("meeting", 15), ("note", 15), ("task", 10))
TRASHED = 0.005
# Typed filters: a prefix the prefix indexes hold, a word in a quarter of the rows, one in 2%, one in 1 in 20,000.
TEXT_FILTERS = (("ca", "short prefix"), ("call", "common"), ("escalation", "2% of rows"), ("zeppelin", "rare"))
RARE = 1 / 20_000


def stamps(rng: random.Random, count: int) -> list[str]:
    """`count` UTC stamps spread over the last YEARS years."""
    span = YEARS * 365 * 86_400
    start = NOW - timedelta(seconds=span)
    return [(start + timedelta(seconds=rng.random() * span)).strftime(TIMESTAMP_FORMAT) for _ in range(count)]


def make_database(path: Path, rows: int, stage_changes: int, seed: int = 7) -> None:
    """`rows` activities (a tenth of them tasks, most done) and about `stage_changes` stage changes."""
    started = time.perf_counter()
    open_database(path)
    rng = random.Random(seed)
    raw = database.connection()
    # A page cache that holds every index being written: random inserts then never wait for the disk.
    raw.execute("PRAGMA cache_size = -2000000")
    companies = max(1, rows // 200)
    contacts = max(1, rows // 50)
    deals = max(1, stage_changes // 5)
    stamp = NOW.strftime(TIMESTAMP_FORMAT)
    stages = [row[0] for row in Stage.select(Stage.id).order_by(Stage.position).tuples()]
    with database.atomic():
        raw.executemany("INSERT INTO company (id, name, sort_name, domain, phone, address, notes, created_at, "
                        "updated_at, version) VALUES (?, ?, ?, '', '', '', '', ?, ?, 1)",
                        ((n, f"Company {n}", f"company {n}", stamp, stamp) for n in range(1, companies + 1)))
        contact_company = [rng.randint(1, companies) for _ in range(contacts + 1)]
        raw.executemany(
            "INSERT INTO contact (id, first_name, last_name, display_name, title, company_id, street, city, region, "
            "postal_code, country, birthday, notes, custom, sort_name, sort_company, created_at, updated_at, "
            "version) VALUES (?, ?, ?, '', '', ?, '', '', '', '', '', '', '', '{}', ?, '', ?, ?, 1)",
            ((n, rng.choice(pools.FIRST_NAMES["en"]), f"Person{n}", contact_company[n], f"person{n}", stamp, stamp)
             for n in range(1, contacts + 1)))
        deal_contact = [rng.randint(1, contacts) for _ in range(deals + 1)]
        raw.executemany(
            "INSERT INTO deal (id, title, value_minor, currency, pipeline_id, stage_id, status, lost_reason, "
            "contact_id, company_id, expected_close, stage_entered_at, notes, created_at, updated_at, version) "
            "VALUES (?, ?, 100000, 'EUR', 1, ?, 'open', '', ?, ?, '', ?, '', ?, ?, 1)",
            ((n, f"Deal {n} renewal", stages[0], deal_contact[n], contact_company[deal_contact[n]], stamp, stamp,
              stamp) for n in range(1, deals + 1)))
        history = []
        for deal_id in range(1, deals + 1):
            moves = rng.randint(1, 9)
            previous = None
            for at in sorted(stamps(rng, moves)):
                stage = rng.choice(stages[:4]) if previous is not None else stages[0]
                history.append((deal_id, previous, stage, at))
                previous = stage
        raw.executemany("INSERT INTO deal_stage_change (deal_id, from_stage_id, to_stage_id, changed_at) "
                        "VALUES (?, ?, ?, ?)", history)
    # Indexes built once after the rows are in, by sorting, rather than grown row by row: about 3x faster.
    indexes = [sql for (sql,) in raw.execute("SELECT sql FROM sqlite_master WHERE type = 'index' "
                                              "AND tbl_name = 'activity' AND sql IS NOT NULL")]
    for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'activity' "
                               "AND sql IS NOT NULL").fetchall():
        raw.execute(f'DROP INDEX "{name}"')
    kinds = [kind for kind, _ in KIND_WEIGHTS]
    weights = [weight for _, weight in KIND_WEIGHTS]
    sql = ("INSERT INTO activity (id, kind, subject, body, occurred_at, due_at, done_at, contact_id, company_id, "
           "deal_id, created_at, updated_at, deleted_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")
    for start in range(1, rows + 1, CHUNK):
        count = min(CHUNK, rows + 1 - start)
        chunk_kinds = rng.choices(kinds, weights, k=count)
        times = stamps(rng, count)
        batch = []
        for offset, (kind, at) in enumerate(zip(chunk_kinds, times, strict=False)):
            contact = rng.randint(1, contacts)
            occurred = None if kind == "task" and rng.random() < 0.2 else at
            subject = rng.choice(pools.ACTIVITY_SUBJECTS[kind])
            body = rng.choice(pools.ACTIVITY_BODIES) if rng.random() < 0.6 else ""
            if rng.random() < RARE:
                body = "A zeppelin flew over the office during the call."
            deal = rng.randint(1, deals) if rng.random() < 0.2 else None
            batch.append((start + offset, kind, subject, body, occurred, at if kind == "task" else None,
                          occurred if kind == "task" else None, contact, contact_company[contact], deal, at, at,
                          stamp if rng.random() < TRASHED else None))
        with database.atomic():
            raw.executemany(sql, batch)
    with database.atomic():
        for sql in indexes:
            raw.execute(sql)
    print(f"  rows written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    with database.atomic():
        search_index.reindex_id_range(search_index.ACTIVITY_INDEX, 1, rows)
        search_index.reindex_id_range(search_index.DEAL_INDEX, 1, deals)
        search_index.optimize_index(search_index.ACTIVITY_INDEX, search_index.DEAL_INDEX)
    print(f"  search index in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    close_database()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def busiest(sql: str) -> int:
    """The id a query's first row names: e.g. the contact with the most activities, for a worst-case timeline."""
    return database.execute_sql(sql).fetchone()[0]


def measure(path: Path, repeat: int) -> list[tuple[str, list[float]]]:
    baseline_connection = sqlite3.connect(path)
    baseline_sql = ("SELECT * FROM activity WHERE deleted_at IS NULL AND occurred_at IS NOT NULL "
                    "ORDER BY occurred_at DESC, id DESC LIMIT 50")
    open_database(path)
    everything = FeedFilter()
    total = feed.count(everything)
    depth = min(1_000_000, total // 2)
    depth_cursor = feed.list_page(everything, limit=1, offset=depth - 1).next_cursor
    last_page = total - (total // 50) * 50 or 50
    contact = busiest("SELECT contact_id FROM activity WHERE deleted_at IS NULL GROUP BY contact_id "
                      "ORDER BY count(*) DESC LIMIT 1")
    company = busiest("SELECT company_id FROM activity WHERE deleted_at IS NULL GROUP BY company_id "
                      "ORDER BY count(*) DESC LIMIT 1")
    deal = busiest("SELECT deal_id FROM deal_stage_change GROUP BY deal_id ORDER BY count(*) DESC LIMIT 1")
    meetings = FeedFilter(kinds=("meeting",))
    meetings_cursor = feed.list_page(meetings, limit=1, offset=99_999).next_cursor
    # (label, call, slow): slow ones (counts, offsets, text) are repeated a sixth as often.
    cases = [
        ("baseline: raw sqlite3, 50 newest activities", lambda: baseline_connection.execute(baseline_sql).fetchall(),
         False),
        ("first page (50, both kinds)", lambda: feed.list_page(everything), False),
        (f"keyset page after row {depth:,}", lambda: feed.list_page(everything, after=depth_cursor), False),
        ("G: the last page (backwards from the end)",
         lambda: feed.list_page(everything, backwards=True, limit=last_page), False),
        (f"offset jump to row {total // 2:,}", lambda: feed.list_page(everything, offset=total // 2), True),
        ("count (every event)", lambda: feed.count(everything), True),
        ("kind filter: meetings, first page", lambda: feed.list_page(meetings), False),
        ("kind filter: meetings, after row 100,000", lambda: feed.list_page(meetings, after=meetings_cursor), False),
        ("kind filter: stage changes, first page", lambda: feed.list_page(FeedFilter(kinds=("stage",))), False),
        ("kind filter: done tasks, first page", lambda: feed.list_page(FeedFilter(kinds=("task",))), False),
        ("count, meetings", lambda: feed.count(meetings), True),
        *((f"text filter '{word}' ({kind}), first page", lambda word=word: feed.list_page(FeedFilter(text=word)),
           True) for word, kind in TEXT_FILTERS),
        ("text filter 'escalation', count", lambda: feed.count(FeedFilter(text="escalation")), True),
        ("text filter 'call', meetings only, first page",
         lambda: feed.list_page(FeedFilter(text="call", kinds=("meeting",))), True),
        (f"timeline: busiest contact (#{contact}), first page", lambda: feed.list_page(FeedFilter(contact_id=contact)),
         False),
        (f"timeline: busiest company (#{company}), first page", lambda: feed.list_page(FeedFilter(company_id=company)),
         False),
        (f"timeline: deal #{deal} (most stage changes), first page", lambda: feed.list_page(FeedFilter(deal_id=deal)),
         False),
        ("timeline: busiest contact, count", lambda: feed.count(FeedFilter(contact_id=contact)), False),
    ]
    results = []
    for label, run, slow in cases:
        run()
        results.append((label, timed(run, max(5, repeat // 6) if slow else repeat)))
    close_database()
    baseline_connection.close()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000, help="activities (default 2,000,000)")
    parser.add_argument("--stage-changes", type=int, default=None,
                        help="about this many deal stage changes (default rows / 20)")
    parser.add_argument("--repeat", type=int, default=60, help="calls per figure (fewer for counts and jumps)")
    parser.add_argument("--db", type=Path, help="keep the database here (built if the file does not exist)")
    args = parser.parse_args(argv)
    stage_changes = args.stage_changes if args.stage_changes is not None else args.rows // 20
    with tempfile.TemporaryDirectory() as scratch:
        path = args.db or Path(scratch) / "feed.sqlite3"
        if not path.exists():
            print(f"building {args.rows:,} activities and ~{stage_changes:,} stage changes…", file=sys.stderr)
            make_database(path, args.rows, stage_changes)
        results = measure(path, args.repeat)
    baseline = statistics.median(results[0][1])
    print(f"\nActivity log benchmark: {args.rows:,} activities, ~{stage_changes:,} stage changes, "
          f"SQLite {sqlite3.sqlite_version}; ms over repeated calls on a warm connection\n")
    print("| measure | median ms | p95 ms | × baseline | calls |")
    print("|---|---:|---:|---:|---:|")
    for label, samples in results:
        median = statistics.median(samples)
        print(f"| {label} | {median:,.2f} | {percentile(samples, 0.95):,.2f} | {median / baseline:,.1f}× "
              f"| {len(samples)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
