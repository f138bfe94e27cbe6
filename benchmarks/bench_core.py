"""Core benchmark: build N contacts in a temporary database and print a table of measured figures.

    python benchmarks/bench_core.py               # 1,000,000 contacts
    python benchmarks/bench_core.py --contacts 100000

Figures, each against the target of issue #2:
- write path: `bulk.create_contacts` (validation, companies, tags, history rows, search index) in contacts/s,
  and as a ratio against raw `sqlite3.executemany` of the very rows it stores (contacts, companies, emails,
  phones, tags, history, search index), prepared ahead and measured in this run; also against the contact,
  email and phone rows alone, the strictest reading;
- first, middle and last page by keyset (median of repeated fetches);
- search latency p50/p95 over 200 prefixes typed one letter at a time, global search and filtered contact list;
- `count()`, and peak RSS.
Never run by CI: timings on shared machines are noise, so nothing here asserts.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from crm_tui.core import contacts, demo, search_index
from crm_tui.core.contacts import bulk
from crm_tui.core.db import PRAGMAS, close_database, open_database
from crm_tui.core.models import database
from crm_tui.core.phones import phone_digits
from crm_tui.core.records import chunked, new_batch_id, to_json
from crm_tui.core.text import fold

CHUNK = bulk.CHUNK_SIZE


def draft_chunks(total: int, seed: int):
    """The same contacts for both write paths: demo contacts over a fixed set of companies."""
    return chunked(demo.contact_drafts(total, seed), CHUNK)


class RawRows:
    """Every row the write path stores for a chunk, built ahead so the baseline times only `executemany`."""

    def __init__(self) -> None:
        self.company_ids: dict[str, int] = {}
        self.tag_ids: dict[str, int] = {}
        self.next_contact = 1

    def build(self, drafts) -> dict[str, list[tuple]]:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        rows: dict[str, list[tuple]] = {name: [] for name in STATEMENTS}
        for draft in drafts:
            contact_id, self.next_contact = self.next_contact, self.next_contact + 1
            company_id = None
            if draft.company:
                key = fold(draft.company)
                if key not in self.company_ids:
                    self.company_ids[key] = len(self.company_ids) + 1
                    rows["company"].append((self.company_ids[key], draft.company, key, stamp, stamp))
                company_id = self.company_ids[key]
            values = contacts.row_values(draft, company_id)
            row = (contact_id, *(values[name] for name in bulk.CONTACT_COLUMNS[1:-3]), stamp, stamp, 1)
            rows["contact"].append(row)
            rows["email"].extend((contact_id, email, i == 0, i) for i, email in enumerate(draft.emails))
            rows["phone"].extend(
                (contact_id, phone, phone_digits(phone), i == 0, i) for i, phone in enumerate(draft.phones))
            for name in draft.tags:
                if fold(name) not in self.tag_ids:
                    self.tag_ids[fold(name)] = len(self.tag_ids) + 1
                    rows["tag"].append((self.tag_ids[fold(name)], name, fold(name), stamp))
                rows["contact_tag"].append((contact_id, self.tag_ids[fold(name)]))
            snapshot = contacts.snapshot_of_new(contact_id, draft, company_id, draft.company, list(draft.tags), stamp)
            rows["change"].append(("contact", contact_id, "create", to_json(snapshot), stamp, "", ""))
            rows["fts"].append((
                contact_id, f"{draft.first_name} {draft.last_name}", " ".join(draft.emails),
                " ".join(f"{phone} {phone_digits(phone)}" for phone in draft.phones), draft.company,
                " ".join(draft.tags), f"{draft.notes} {draft.title}",
            ))
        return rows


_CONTACT_SQL_COLUMNS = ", ".join("company_id" if name == "company" else name for name in bulk.CONTACT_COLUMNS)
STATEMENTS = {
    "company": "INSERT INTO company (id, name, sort_name, created_at, updated_at, domain, phone, address, notes, "
               "version) VALUES (?,?,?,?,?,'','','','',1)",
    "contact": f"INSERT INTO contact ({_CONTACT_SQL_COLUMNS}) VALUES ({', '.join('?' * len(bulk.CONTACT_COLUMNS))})",
    "email": "INSERT INTO contact_email (contact_id, email, label, is_primary, position) VALUES (?,?,'',?,?)",
    "phone": "INSERT INTO contact_phone (contact_id, phone, digits, label, is_primary, position) VALUES (?,?,?,'',?,?)",
    "tag": "INSERT INTO tag (id, name, name_key, created_at) VALUES (?,?,?,?)",
    "contact_tag": "INSERT INTO contact_tag (contact_id, tag_id) VALUES (?,?)",
    "change": "INSERT INTO change (entity, entity_id, action, after, at, actor, batch_id) VALUES (?,?,?,?,?,?,?)",
    "fts": "INSERT INTO contact_fts (rowid, name, emails, phones, company, tags, notes) VALUES (?,?,?,?,?,?,?)",
}
CORE_TABLES = ("company", "contact", "email", "phone")


def measure_baseline(path: Path, total: int, seed: int, tables) -> float:
    """Seconds spent in raw executemany of the given kinds of rows, one transaction per chunk."""
    open_database(path)
    close_database()
    connection = sqlite3.connect(path, isolation_level=None)
    for name, value in PRAGMAS.items():
        connection.execute(f"PRAGMA {name} = {value}")
    connection.execute("DELETE FROM stage")
    connection.execute("DELETE FROM pipeline")
    builder, spent = RawRows(), 0.0
    for drafts in draft_chunks(total, seed):
        rows = builder.build(drafts)
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        for table in tables:
            connection.executemany(STATEMENTS[table], rows[table])
        connection.execute("COMMIT")
        spent += time.perf_counter() - started
    connection.close()
    return spent


def measure_write_path(path: Path, total: int, seed: int) -> float:
    """Seconds in `bulk.create_contacts`, fed a chunk at a time as an import would, plus the index merge it
    ends a large load with (timed here because each call below is one chunk)."""
    open_database(path)
    batch, spent = new_batch_id(), 0.0
    for drafts in draft_chunks(total, seed):
        started = time.perf_counter()
        bulk.create_contacts(drafts, batch)
        spent += time.perf_counter() - started
    started = time.perf_counter()
    if total >= bulk.OPTIMIZE_AFTER:
        with database.atomic():
            search_index.optimize_index(search_index.CONTACT_INDEX, search_index.COMPANY_INDEX)
    return spent + time.perf_counter() - started


def timed(func, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def typed_prefixes(count: int, seed: int) -> list[str]:
    """What people type: names, companies and email beginnings, one letter more each keystroke."""
    rng = random.Random(seed)
    sample = [c for chunk in draft_chunks(400, seed + 1) for c in chunk]
    words = []
    for draft in sample:
        words.append(rng.choice([draft.first_name, draft.last_name, draft.company or draft.last_name,
                                 (draft.emails or [draft.first_name])[0]]))
    prefixes: list[str] = []
    for word in words:
        word = word.split()[0] if word.split() else word
        for length in range(1, min(len(word), 5) + 1):
            prefixes.append(word[:length])
            if len(prefixes) == count:
                return prefixes
    return prefixes


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", type=Path, help="where to put the temporary databases (default: system temp)")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        print(f"building {args.contacts:,} contacts twice (raw baseline, then crm-tui's write path)…", file=sys.stderr)
        baseline = measure_baseline(Path(folder) / "baseline.sqlite3", args.contacts, args.seed, STATEMENTS)
        narrow = measure_baseline(Path(folder) / "narrow.sqlite3", args.contacts, args.seed, CORE_TABLES)
        ours = measure_write_path(Path(folder) / "crm.sqlite3", args.contacts, args.seed)
        rows.append(("baseline: raw executemany of the same rows", f"{args.contacts / baseline:,.0f} contacts/s",
                     "contact, email, phone, tag, history and search rows"))
        rows.append(("baseline: raw executemany, contact/email/phone/company",
                     f"{args.contacts / narrow:,.0f} contacts/s",
                     "no history, tags or search index"))
        rows.append(("write path (bulk.create_contacts)", f"{args.contacts / ours:,.0f} contacts/s",
                     f"ratio {baseline / ours:.2f} vs same rows (target ≥ 0.35); {narrow / ours:.2f} vs narrow"))
        middle_cursor = database.execute_sql(
            "SELECT sort_name, id FROM contact WHERE deleted_at IS NULL ORDER BY sort_name, id LIMIT 1 OFFSET ?",
            (args.contacts // 2,)).fetchone()
        pages = {
            "first page (50, by name)": lambda: contacts.list_page("name", None, 50),
            "middle page (50, by name)": lambda: contacts.list_page("name", tuple(middle_cursor), 50),
            "last page (50, by name)": lambda: contacts.list_page("name", None, 50, backwards=True),
            "first page (50, by company)": lambda: contacts.list_page("company", None, 50),
            "first page (50, recently updated)": lambda: contacts.list_page("updated", None, 50),
        }
        for label, fetch in pages.items():
            samples = timed(fetch, 30)
            rows.append((label, f"{statistics.median(samples):.2f} ms median", "target ≤ 5 ms"))
        prefixes = typed_prefixes(200, args.seed)
        searches = (
            ("search (all kinds, 10 each)", lambda q: search_index.search_all(q, 10), "target p95 ≤ 30 ms"),
            ("contact list filtered by search", lambda q: contacts.list_page("name", None, 50, text=q),
             "reported (first page of 50 by name)"),
        )
        for label, run, against in searches:
            samples = []
            for query in prefixes:
                started = time.perf_counter()
                run(query)
                samples.append((time.perf_counter() - started) * 1000)
            rows.append((f"{label}: {len(prefixes)} prefixes", f"p50 {percentile(samples, 0.5):.1f} ms, "
                         f"p95 {percentile(samples, 0.95):.1f} ms", against))
        count_ms = statistics.median(timed(contacts.count, 10))
        rows.append(("count()", f"{count_ms:.1f} ms median", "reported"))
        close_database()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS", f"{peak_mib:,.0f} MiB", "reported"))
    print(f"\ncrm-tui core benchmark: {args.contacts:,} contacts, seed {args.seed}, SQLite {sqlite3.sqlite_version}\n")
    print_table(rows)
    return 0


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """Rows of (measure, figure, against) as aligned columns under a header."""
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print("  ".join(text.ljust(width) for text, width in zip(("measure", "figure", "against"), widths, strict=False)))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print("  ".join(text.ljust(width) for text, width in zip(row, widths, strict=False)))


if __name__ == "__main__":
    sys.exit(main())
