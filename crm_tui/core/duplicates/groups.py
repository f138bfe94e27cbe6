"""Duplicate contacts: the scan that groups likely copies of one person, and "not a duplicate" for a pair.

The scan links two live contacts when they share an email key (score 100) or a phone key (score 90), or when
their names are similar (score 70 to 95) and they work at the same company or share a company's email domain;
see keys.py for what counts as the same email, phone or name. Linked contacts form groups (union-find),
so A~B by email and B~C by phone make one group. A pair someone marked "not a duplicate" never links, though both
may still meet in a group through a third contact linked to each.

It never compares every contact with every other:
- every live contact streams past once, a chunk at a time in id order, leaving its email and phone keys and its
  name (once for each block it is in) in temporary tables; SQLite groups the keys and sorts the names by block,
  on disk when they are large, so memory stays flat however many contacts there are;
- names are compared only within a block (one company, or one shared email domain). A block is compared with
  rapidfuzz's `cdist` (it needs numpy), which scores many pairs at once in native code (SIMD) and drops those
  below the cutoff before they reach Python; a block of thousands (a company of 20,000) goes a slice of rows at
  a time on every core, so memory stays within tens of MiB. Exact, unlike sorted-neighbourhood windows, which
  miss a typo in a name's first letters: one company of 20,000 (200 million pairs, each in two word orders)
  takes about 3 s on 2 cores, where a loop of `process.extract` calls took 20 s.
A phone or email that more than SHARED_KEY_LIMIT contacts share is a switchboard or a shared mailbox, not a sign
of one person, and links nobody.

The quick check the contact form runs before saving is `likely_duplicates` (check.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations, groupby
from operator import itemgetter

import numpy as np
from rapidfuzz import fuzz, process

from crm_tui.core.contacts.data import shown_name
from crm_tui.core.duplicates.check import LikelyDuplicate as LikelyDuplicate, likely_duplicates as likely_duplicates
from crm_tui.core.duplicates.keys import (
    EMAIL_SCORE,
    NAME_CUTOFF,
    PHONE_SCORE,
    SHARED_KEY_LIMIT,
    email_key,
    name_keys,
    name_score,
    phone_key,
    shared_domain,
)
from crm_tui.core.errors import ValidationError
from crm_tui.core.models import DuplicateDismissal, database
from crm_tui.core.records import batched, chunked, record_change, write_transaction

READ_CHUNK = 5000
# From this size a block is compared on every core (on a small one, starting threads costs more than it saves).
BIG_BLOCK = 2000
# Rows of a block compared at once: a slice of 1,000 against 20,000 names is a 20 MB matrix.
ROW_SLICE = 1000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DuplicateGroup:
    """Contacts that are probably one person: ids ascending, their shown names in the same order, the strongest
    link's score (100 same email, 90 same phone, 70-95 similar names) and why, strongest first, as a person
    reads it ("same email ann.lee@gmail.com")."""

    contact_ids: tuple[int, ...]
    names: tuple[str, ...]
    score: int
    reasons: tuple[str, ...]


class _Links:
    """Union-find over the contacts linked so far, with every link kept for the reasons."""

    def __init__(self, dismissed: set[tuple[int, int]]) -> None:
        self.dismissed = dismissed
        self.parent: dict[int, int] = {}
        self.links: list[tuple[int, int, int, str, object]] = []
        self.named: set[tuple[int, int]] = set()

    def root(self, contact_id: int) -> int:
        parent = self.parent
        root = contact_id
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[contact_id] != root:
            parent[contact_id], contact_id = root, parent[contact_id]
        return root

    def add(self, a: int, b: int, score: int, kind: str, detail: object) -> None:
        pair = (a, b) if a < b else (b, a)
        if a == b or pair in self.dismissed:
            return
        if kind == "name":
            if pair in self.named:
                return
            self.named.add(pair)
        self.links.append((*pair, score, kind, detail))
        root_a, root_b = self.root(a), self.root(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


_SCRATCH_TABLES = {
    "duplicate_scan_key": "kind TEXT, key TEXT, contact_id INTEGER, shown TEXT",
    "duplicate_scan_name": "block TEXT, contact_id INTEGER, written TEXT, ordered TEXT",
}


@contextmanager
def _scratch() -> Iterator[None]:
    """Temporary tables of this connection for every live contact's keys and name blocks: SQLite groups and sorts
    them, on disk when they are large, so the scan's memory stays flat however many contacts there are (peak RSS
    130 MiB at 100,000 contacts, 193 MiB at a million)."""
    for table, columns in _SCRATCH_TABLES.items():
        database.execute_sql(f"DROP TABLE IF EXISTS temp.{table}")
        database.execute_sql(f"CREATE TEMP TABLE {table} ({columns})")
    try:
        yield
    finally:
        for table in _SCRATCH_TABLES:
            database.execute_sql(f"DROP TABLE IF EXISTS temp.{table}")


def similar_pairs(keys: Sequence[tuple[str, str]]) -> Iterator[tuple[int, int, int]]:
    """(i, j, ratio) for every i < j whose names (`name_keys`) are at least NAME_CUTOFF alike."""
    size = len(keys)
    workers = -1 if size >= BIG_BLOCK else 1
    forms = [[written for written, _ in keys], [ordered for _, ordered in keys]]
    for start in range(0, size, ROW_SLICE):
        matrix = np.maximum(*(
            process.cdist(form[start:start + ROW_SLICE], form[start:], scorer=fuzz.ratio, score_cutoff=NAME_CUTOFF,
                          dtype=np.uint8, workers=workers)
            for form in forms))
        rows, columns = np.nonzero(matrix)
        for row, column in zip(rows.tolist(), columns.tolist(), strict=False):
            if column > row:
                yield start + row, start + column, int(matrix[row, column])


def _live_companies() -> dict[int, str]:
    return dict(database.execute_sql("SELECT id, name FROM company WHERE deleted_at IS NULL"))


def _dismissed_pairs() -> set[tuple[int, int]]:
    return {tuple(row) for row in database.execute_sql(
        "SELECT contact_low_id, contact_high_id FROM duplicate_dismissal")}


def _contact_chunks() -> Iterator[list[tuple]]:
    """Live contacts in id order, READ_CHUNK at a time: (id, shown name, company id, emails, phones)."""
    after = 0
    while True:
        rows = database.execute_sql(
            "SELECT id, first_name, last_name, display_name, company_id FROM contact "
            "WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?", (after, READ_CHUNK)).fetchall()
        if not rows:
            return
        first, last = rows[0][0], rows[-1][0]
        lists: dict[str, dict[int, list[str]]] = {"emails": {}, "phones": {}}
        for kind, sql in (("emails", "SELECT contact_id, email FROM contact_email"),
                          ("phones", "SELECT contact_id, phone FROM contact_phone")):
            found = lists[kind]
            for contact_id, value in database.execute_sql(
                    f"{sql} WHERE contact_id BETWEEN ? AND ? ORDER BY contact_id, position", (first, last)):
                found.setdefault(contact_id, []).append(value)
        yield [(contact_id, shown_name(first_name, last_name, display), company_id,
                lists["emails"].get(contact_id, ()), lists["phones"].get(contact_id, ()))
               for contact_id, first_name, last_name, display, company_id in rows]
        after = last


def _read(companies: dict[int, str], on_progress: Progress | None) -> None:
    """Stream every live contact once into the scratch tables: its email and phone keys, and its name once for
    each block it is in (its company, each shared email domain)."""
    (total,) = database.execute_sql("SELECT count(*) FROM contact WHERE deleted_at IS NULL").fetchone()
    done = 0
    for chunk in _contact_chunks():
        keys, names = [], []
        for contact_id, name, company_id, emails, phones in chunk:
            keys += [("email", email_key(email), contact_id, email) for email in emails]
            keys += [("phone", key, contact_id, phone) for phone in phones if (key := phone_key(phone))]
            written, ordered = name_keys(name)
            if written:
                blocks = [f"c{company_id}"] if company_id in companies else []
                blocks += [f"d{domain}" for domain in sorted({shared_domain(email) for email in emails} - {""})]
                names += [(block, contact_id, written, ordered) for block in blocks]
        cursor = database.cursor()
        cursor.executemany("INSERT INTO temp.duplicate_scan_key VALUES (?, ?, ?, ?)", keys)
        cursor.executemany("INSERT INTO temp.duplicate_scan_name VALUES (?, ?, ?, ?)", names)
        done += len(chunk)
        if on_progress:
            on_progress("contacts", done, total)


def _link_keys(links: _Links) -> None:
    """Link the holders of each email or phone key that 2 to SHARED_KEY_LIMIT contacts share, to its first holder
    (who wrote it as `shown`: SQLite takes a bare column from the row where min() found its value)."""
    rows = database.execute_sql(
        "SELECT kind, min(contact_id), shown, group_concat(DISTINCT contact_id) FROM temp.duplicate_scan_key "
        "GROUP BY kind, key HAVING count(DISTINCT contact_id) BETWEEN 2 AND ?", (SHARED_KEY_LIMIT,))
    scores = {"email": EMAIL_SCORE, "phone": PHONE_SCORE}
    for kind, first_id, shown, holders in rows:
        for other in map(int, holders.split(",")):
            links.add(first_id, other, scores[kind], kind, shown)


def _compare_names(links: _Links, companies: dict[int, str], on_progress: Progress | None) -> None:
    """Compare the names within each block of two or more; "where" a block is reads "Acme" or "acme.com"."""
    (total,) = database.execute_sql("SELECT count(*) FROM temp.duplicate_scan_name").fetchone()
    rows = database.execute_sql("SELECT block, contact_id, written, ordered FROM temp.duplicate_scan_name "
                                "ORDER BY block, contact_id")
    done = reported = 0
    for block, grouped in groupby(rows, key=itemgetter(0)):
        members = list(grouped)
        if len(members) > 1:
            where = companies[int(block[1:])] if block.startswith("c") else block[1:]
            for i, j, ratio in similar_pairs([(written, ordered) for _, _, written, ordered in members]):
                links.add(members[i][1], members[j][1], name_score(ratio), "name", (where, ratio))
        done += len(members)
        if on_progress and (done - reported >= READ_CHUNK or done == total):
            on_progress("names", done, total)
            reported = done


def _shown_names(contact_ids: list[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for chunk in chunked(contact_ids):
        marks = ", ".join([database.param] * len(chunk))
        rows = database.execute_sql(
            f"SELECT id, first_name, last_name, display_name FROM contact WHERE id IN ({marks})", chunk)
        names.update((row[0], shown_name(*row[1:])) for row in rows)
    return names


def _reason(kind: str, detail, a: str, b: str) -> str:
    if kind == "email":
        return f"same email {detail}"
    if kind == "phone":
        return f"same phone {detail}"
    where, ratio = detail
    if ratio >= 100:
        return f"same name {a} at {where}"
    return f"similar names {a} / {b} at {where} ({ratio})"


def _groups(links: _Links) -> list[DuplicateGroup]:
    members: dict[int, list[int]] = {}
    for contact_id in list(links.parent):
        members.setdefault(links.root(contact_id), []).append(contact_id)
    names = _shown_names(sorted(links.parent))
    by_root: dict[int, list[tuple[int, str]]] = {}
    for low, high, score, kind, detail in links.links:
        by_root.setdefault(links.root(low), []).append((score, _reason(kind, detail, names[low], names[high])))
    groups = []
    for root, ids in members.items():
        scored = sorted(by_root[root], key=lambda item: -item[0])
        ids.sort()
        groups.append(DuplicateGroup(
            contact_ids=tuple(ids), names=tuple(names[contact_id] for contact_id in ids), score=scored[0][0],
            reasons=tuple(dict.fromkeys(reason for _, reason in scored)),
        ))
    groups.sort(key=lambda group: (-group.score, group.contact_ids[0]))
    return groups


def scan(on_progress: Progress | None = None) -> list[DuplicateGroup]:
    """Every group of live contacts that are probably one person, strongest first (then by smallest id).

    `on_progress(stage, done, total)` is called as it goes: stage "contacts" while reading them (counting
    contacts), then "names" while comparing names block by block (counting a contact once for each block).
    """
    # One read transaction: a consistent view of contacts, emails and phones while people keep editing (and the
    # scratch tables fill 30% faster).
    with write_transaction(), _scratch():
        links = _Links(_dismissed_pairs())
        companies = _live_companies()
        _read(companies, on_progress)
        _link_keys(links)
        _compare_names(links, companies, on_progress)
        return _groups(links)


def _pair(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise ValidationError.single("contacts", f"contact {a} cannot be a duplicate of itself; give two ids")
    return (a, b) if a < b else (b, a)


def _check_exist(contact_ids: Iterable[int]) -> None:
    wanted = sorted(set(contact_ids))
    found: set[int] = set()
    for chunk in chunked(wanted):
        marks = ", ".join([database.param] * len(chunk))
        found.update(row[0] for row in database.execute_sql(f"SELECT id FROM contact WHERE id IN ({marks})", chunk))
    missing = [str(contact_id) for contact_id in wanted if contact_id not in found]
    if missing:
        raise ValidationError.single("contacts", f"no contact {', '.join(missing)}")


def is_dismissed(a: int, b: int) -> bool:
    """Whether someone said contacts `a` and `b` are not the same person."""
    low, high = (a, b) if a < b else (b, a)
    return database.execute_sql(
        "SELECT 1 FROM duplicate_dismissal WHERE contact_low_id = ? AND contact_high_id = ?", (low, high)
    ).fetchone() is not None


def dismiss(a: int, b: int) -> bool:
    """Mark contacts `a` and `b` as not the same person, for good: the scan never links them again.

    Idempotent: returns False if the pair was dismissed already. Refuses (ValidationError) a == b or an id that
    is no contact (a contact in the trash is one).
    """
    _pair(a, b)
    return dismiss_group([a, b]) == 1


@batched
def dismiss_group(contact_ids: Iterable[int]) -> int:
    """Mark every pair of these contacts as not the same person (the "not duplicates" of a whole group); returns
    how many pairs were new. Logged, so `u` takes it back."""
    ids = sorted(set(contact_ids))
    if len(ids) < 2:
        raise ValidationError.single("contacts", "give at least two different contact ids")
    with write_transaction():
        _check_exist(ids)
        pairs = [pair for pair in combinations(ids, 2) if not is_dismissed(*pair)]
        restore_dismissals([{"contact_low": low, "contact_high": high} for low, high in pairs])
    return len(pairs)


def restore_dismissals(snapshots: Iterable[dict]) -> None:
    """Write dismissals (under their logged ids, when an undo or redo puts them back) and log each."""
    for snapshot in snapshots:
        row_id = DuplicateDismissal.insert(
            **({"id": snapshot["id"]} if "id" in snapshot else {}), contact_low=snapshot["contact_low"],
            contact_high=snapshot["contact_high"]).execute()
        record_change("duplicate_dismissal", row_id, "create", None,
                      {"id": row_id, "contact_low": snapshot["contact_low"], "contact_high": snapshot["contact_high"]})


def remove_dismissals(row_ids: Iterable[int]) -> None:
    """Delete dismissals by id, logging what each was."""
    for row_id in row_ids:
        row = DuplicateDismissal.get_or_none(DuplicateDismissal.id == row_id)
        if row is None:
            continue
        DuplicateDismissal.delete().where(DuplicateDismissal.id == row_id).execute()
        record_change("duplicate_dismissal", row_id, "delete",
                      {"id": row_id, "contact_low": row.contact_low_id, "contact_high": row.contact_high_id}, None)


@batched
def undismiss(a: int, b: int) -> bool:
    """Let the scan link contacts `a` and `b` again; returns False if they were not dismissed."""
    low, high = _pair(a, b)
    with write_transaction():
        found = DuplicateDismissal.get_or_none((DuplicateDismissal.contact_low == low)
                                               & (DuplicateDismissal.contact_high == high))
        if found is not None:
            remove_dismissals([found.id])
    return found is not None
