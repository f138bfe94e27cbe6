"""The activity log: everything that happened, newest first: logged activities, done tasks and deal stage changes.

A page is read in two steps. The first finds the keys of the page's rows: a UNION ALL of one arm per kind of
event, each bounded by the keyset and walking its own index in order, merged by SQLite (the compound ORDER BY
... LIMIT runs each arm as a co-routine, so no arm is sorted and only the rows the page needs are read, at any
depth). Only key columns are read there, so an offset jump steps over index entries, not joined rows. The second
step reads the page's rows by id with their names.

The order is (at, id, rank) descending, where id is the activity's or the stage change's own id and rank tells
the kinds apart (activities 1, stage changes 0). Ranking last lets each arm walk its (time, id) index exactly
as the merge wants it; a constant rank before the id made SQLite sort every run of equal times. A page's keys are
those cursors. `FeedEntry.id` is the activity id, or the negative stage-change id, so it is unique across both
kinds.

The indexes the arms walk (schema 6, models.py): activities by (occurred_at, id), by (kind, occurred_at, id) for
one kind, or by (contact_id | company_id | deal_id, occurred_at, id) for one record's timeline; stage changes by
(changed_at, id), or through the deal_id index for one record (a few rows, sorted).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from crm_tui.core import search_index
from crm_tui.core.activities import service as activities
from crm_tui.core.activities.listing import time_bounds
from crm_tui.core.activities.service import LOGGED_KINDS, TASK
from crm_tui.core.errors import ValidationError
from crm_tui.core.models import contact_name_sql, database
from crm_tui.core.records import Page, iterate_pages

STAGE = "stage"
KINDS = (*LOGGED_KINDS, TASK, STAGE)
ACTIVITY_RANK, STAGE_RANK = 1, 0

@dataclass(frozen=True)
class FeedEntry:
    """One event of the log. For a stage change `subject` reads "Lead → Qualified" (or "added in Lead"), and its
    contact and company are its deal's; names are None for records that are gone or in the trash."""

    id: int
    kind: str
    at: str
    subject: str
    body: str
    contact_id: int | None
    contact: str | None
    company_id: int | None
    company: str | None
    deal_id: int | None
    deal: str | None
    activity_id: int | None
    version: int

    @property
    def name(self) -> str:
        return self.subject or self.body.split("\n", 1)[0] or self.kind

    @property
    def is_stage_change(self) -> bool:
        return self.kind == STAGE


@dataclass(frozen=True)
class FeedFilter:
    """Which events the log shows: `kinds` of KINDS, None for all. A contact's timeline holds their activities
    and the stage changes of their deals; a company's, the activities linked to it and its deals' stage changes;
    a deal's, its activities and its stage changes. `since` (inclusive) and `until` (exclusive) are UTC stamps.
    `text` searches activities' subjects and bodies, and stage changes by their deal's title."""

    kinds: tuple[str, ...] | None = None
    contact_id: int | None = None
    company_id: int | None = None
    deal_id: int | None = None
    since: str | None = None
    until: str | None = None
    text: str = ""


EVERYTHING = FeedFilter()


@dataclass(frozen=True)
class _Arm:
    """One kind of event: where its rows come from, and the key columns of its order."""

    rank: int
    source: str
    at: str
    id: str
    conditions: list[str]
    params: list

    def select(self, cursor: tuple | None, descending: bool) -> tuple[str, list]:
        conditions, params = list(self.conditions), list(self.params)
        if cursor is not None:
            bound, bound_params = self._bound(cursor, descending)
            conditions.append(bound)
            params += bound_params
        sql = f"SELECT {self.at}, {self.id}, {self.rank} FROM {self.source} WHERE {' AND '.join(conditions)}"
        return sql, params

    def _bound(self, cursor: tuple, descending: bool) -> tuple[str, list]:
        """This arm's rows after `cursor` in (at, id, rank) order, as a row-value bound its index can seek with.

        A row of this arm with the cursor's very (at, id) comes after the cursor when its rank does."""
        at, record_id, rank = cursor
        operator = "<" if descending else ">"
        if rank != self.rank and (self.rank < rank) == descending:
            operator += "="
        return f"({self.at}, {self.id}) {operator} ({database.param}, {database.param})", [at, record_id]


def _check(wanted: FeedFilter) -> None:
    unknown = [kind for kind in wanted.kinds or () if kind not in KINDS]
    if unknown:
        raise ValidationError.single("kind", f"{unknown[0]!r} is not one of {', '.join(KINDS)}")


def _activity_arm(wanted: FeedFilter, plan: str) -> _Arm | None:
    kinds = [kind for kind in (KINDS if wanted.kinds is None else wanted.kinds) if kind != STAGE]
    if not kinds:
        return None
    conditions = ["a.deleted_at IS NULL", "a.occurred_at IS NOT NULL"]
    params: list = []
    if len(kinds) == 1:
        conditions.append(f"a.kind = '{kinds[0]}'")
    elif len(kinds) < len(KINDS) - 1:
        # Several kinds: the time index, each row's kind checked. (The kind index would give them out of order,
        # and the merge would sort them all.)
        conditions.append(f"+a.kind IN ({', '.join(repr(kind) for kind in kinds)})")
    for column, value in (("a.contact_id", wanted.contact_id), ("a.company_id", wanted.company_id),
                          ("a.deal_id", wanted.deal_id)):
        if value is not None:
            conditions.append(f"{column} = {database.param}")
            params.append(value)
    bounds, bound_params = time_bounds("a.occurred_at", wanted.since, wanted.until)
    conditions += bounds
    params += bound_params
    match = search_index.match_query(wanted.text)
    if match:
        conditions.append(TEXT_PLANS[plan].format(id="a.id", index=search_index.ACTIVITY_INDEX))
        params.append(match)
    return _Arm(ACTIVITY_RANK, "activity a", "a.occurred_at", "a.id", conditions, params)


def _stage_arm(wanted: FeedFilter, plan: str) -> _Arm | None:
    if wanted.kinds is not None and STAGE not in wanted.kinds:
        return None
    conditions = ["d.deleted_at IS NULL"]
    params: list = []
    if wanted.deal_id is not None:
        conditions.append(f"h.deal_id = {database.param}")
        params.append(wanted.deal_id)
    for column, value in (("contact_id", wanted.contact_id), ("company_id", wanted.company_id)):
        if value is not None:
            # One record's deals, then their stage changes through the deal_id index: a few rows to sort, instead
            # of a walk of every stage change in time order looking for them.
            conditions.append(f"h.deal_id IN (SELECT id FROM deal WHERE {column} = {database.param} "
                              "AND deleted_at IS NULL)")
            params.append(value)
    bounds, bound_params = time_bounds("h.changed_at", wanted.since, wanted.until)
    conditions += bounds
    params += bound_params
    match = search_index.match_query(wanted.text)
    if match:
        conditions.append(TEXT_PLANS[plan].format(id="h.deal_id", index=search_index.DEAL_INDEX))
        params.append(match)
    return _Arm(STAGE_RANK, "deal_stage_change h JOIN deal d ON d.id = h.deal_id", "h.changed_at", "h.id",
                conditions, params)


def _arms(wanted: FeedFilter, activity_plan: str = "lookup", deal_plan: str = "lookup") -> list[_Arm]:
    _check(wanted)
    return [arm for arm in (_activity_arm(wanted, activity_plan), _stage_arm(wanted, deal_plan)) if arm is not None]


# How an arm finds the rows matching the typed words (the trade search_index.FILTER_PLANS makes for contacts):
# - lookup: every match, sorted. Cost grows with the matches: 80 ms for 46k on 2M activities, 350 ms for 480k.
# - walk: the arm's time index in order, each row checked against the set of matches, built first. Cost grows with
#   the matches (building the set) and with how far back they lie: "call" (480k) 90 ms, "esc" (46k) 7 ms.
# - probe: the time index in order, the search index asked about each row. Under a millisecond or two when many
#   rows match, but only for words the prefix indexes hold (up to 3 letters): FTS5 merges the posting lists of
#   every term a longer prefix names for each row asked about, which took seconds per page.
TEXT_PLANS = {
    "lookup": "{id} IN (SELECT rowid FROM {index} WHERE {index} MATCH ?)",
    "walk": "+{id} IN (SELECT rowid FROM {index} WHERE {index} MATCH ?)",
    "probe": "EXISTS (SELECT 1 FROM {index} f WHERE {index} MATCH ? AND f.rowid = {id})",
}
SOME_MATCHES = 3_000
SOME_DEALS = 500
# Each plan but the last runs under a time budget (seconds), and the next takes over (search_index.run_plans). A walk
# loses to a lookup only when the matches lie far back; its budget is wide, since a lookup of many matches is slower
# still (and SQLite's progress handler, which enforces the budget, adds a third to the walk).
PROBE = ("probe", 0.02)
WALK = ("walk", 0.3)
_PREFIXED = max(int(length) for length in search_index.PREFIX_INDEXES.split())


def _matches_at_least(index: str, match: str, cap: int) -> int:
    sql = f"SELECT count(*) FROM (SELECT rowid FROM {index} WHERE {index} MATCH ? LIMIT ?)"
    return database.execute_sql(sql, (match, cap)).fetchone()[0]


def _activity_plans(match: str) -> list[str | tuple[str, float]]:
    """The plans worth trying for the activities matching `match`, likeliest quickest first; the last runs to the
    end. A capped count (a millisecond or two) tells a few matches, best sorted, from many, best found in order."""
    if _matches_at_least(search_index.ACTIVITY_INDEX, match, SOME_MATCHES) < SOME_MATCHES:
        return ["lookup"]
    if all(len(word) <= _PREFIXED for word in re.findall(r'"([^"]*)"', match)):
        return [PROBE, WALK, "lookup"]
    return [WALK, "lookup"]


def _deal_plan(match: str) -> str:
    """Deals are few: sort the stage changes of a few matching deals, walk the time index for many."""
    return "lookup" if _matches_at_least(search_index.DEAL_INDEX, match, SOME_DEALS) < SOME_DEALS else "walk"


def keys_sql(wanted: FeedFilter, after: tuple | None, descending: bool, limit: int, offset: int,
             activity_plan: str = "lookup", deal_plan: str = "lookup") -> tuple[str, list]:
    """The SQL (and parameters) reading the (at, id, rank) keys of a page, with the TEXT_PLANS each arm finds
    the typed words by: what EXPLAIN QUERY PLAN checks."""
    if offset < 0:
        raise ValidationError.single("offset", "must not be negative")
    selects, params = [], []
    for arm in _arms(wanted, activity_plan, deal_plan):
        sql, arm_params = arm.select(after, descending)
        selects.append(sql)
        params += arm_params
    if not selects:
        return "SELECT NULL, NULL, NULL WHERE 0", []
    direction = "DESC" if descending else "ASC"
    sql = (" UNION ALL ".join(selects) + f" ORDER BY 1 {direction}, 2 {direction}, 3 {direction} "
           f"LIMIT {int(limit)} OFFSET {int(offset)}")
    return sql, params


_STAGE_COLUMNS = f"""h.id, h.changed_at, f.name, t.name, d.id, d.title, d.contact_id,
       CASE WHEN c.deleted_at IS NULL
            THEN {contact_name_sql()} END,
       d.company_id, CASE WHEN co.deleted_at IS NULL THEN co.name END"""
_STAGE_SOURCE = """deal_stage_change h JOIN deal d ON d.id = h.deal_id LEFT JOIN stage f ON f.id = h.from_stage_id
       LEFT JOIN stage t ON t.id = h.to_stage_id LEFT JOIN contact c ON c.id = d.contact_id
       LEFT JOIN company co ON co.id = d.company_id"""


def _stage_entry(row: Sequence) -> FeedEntry:
    change_id, at, from_stage, to_stage, deal_id, title, contact_id, contact, company_id, company = row
    to_stage = to_stage or "?"
    subject = f"{from_stage} → {to_stage}" if from_stage else f"added in {to_stage}"
    return FeedEntry(-change_id, STAGE, at, subject, "", contact_id, contact, company_id, company, deal_id, title,
                     None, 0)


def _activity_entry(activity: activities.ActivityData) -> FeedEntry:
    return FeedEntry(activity.id, activity.kind, activity.occurred_at or "", activity.subject, activity.body,
                     activity.contact_id, activity.contact, activity.company_id, activity.company, activity.deal_id,
                     activity.deal, activity.id, activity.version)


def _entries(keys: list[tuple]) -> tuple[list[FeedEntry], list[tuple]]:
    """The entries of `keys` (in that order) with their keys; a row removed since the keys were read is left out."""
    activity_ids = [record_id for _, record_id, rank in keys if rank == ACTIVITY_RANK]
    change_ids = [record_id for _, record_id, rank in keys if rank == STAGE_RANK]
    found: dict[tuple[int, int], FeedEntry] = {
        (ACTIVITY_RANK, activity.id): _activity_entry(activity)
        for activity in activities.get_many(activity_ids) if activity.deleted_at is None
    }
    if change_ids:
        marks = ", ".join([database.param] * len(change_ids))
        rows = database.execute_sql(f"SELECT {_STAGE_COLUMNS} FROM {_STAGE_SOURCE} WHERE h.id IN ({marks})",
                                    change_ids)
        found.update(((STAGE_RANK, row[0]), _stage_entry(row)) for row in rows)
    present = [key for key in keys if (key[2], key[1]) in found]
    return [found[(rank, record_id)] for _, record_id, rank in present], present


def list_page(wanted: FeedFilter, after: tuple | None = None, limit: int = 50, backwards: bool = False,
              offset: int = 0) -> Page[FeedEntry]:
    """`limit` entries newest first after the cursor `after` (or before it, `backwards`), skipping `offset`."""
    match = search_index.match_query(wanted.text)
    deal_plan = _deal_plan(match) if match else "lookup"

    def read(activity_plan: str) -> list[tuple]:
        sql, params = keys_sql(wanted, after, not backwards, limit, offset, activity_plan, deal_plan)
        return [tuple(row) for row in database.execute_sql(sql, params)]

    searching = wanted.kinds is None or set(wanted.kinds) - {STAGE}
    keys = search_index.run_plans(_activity_plans(match), read) if match and searching else read("lookup")
    if backwards:
        keys.reverse()
    items, present = _entries(keys)
    cursor = (keys[0] if backwards else keys[-1]) if keys and len(keys) == limit else None
    return Page(items, cursor, present)


def iterate(wanted: FeedFilter, limit: int | None = None) -> Iterator[FeedEntry]:
    return iterate_pages(lambda cursor, size: list_page(wanted, cursor, size), limit)


def count(wanted: FeedFilter) -> int:
    total = 0
    for arm in _arms(wanted):
        sql = f"SELECT count(*) FROM {arm.source} WHERE {' AND '.join(arm.conditions)}"
        total += database.execute_sql(sql, arm.params).fetchone()[0]
    return total
