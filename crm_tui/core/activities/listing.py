"""Reading activities: keyset pages newest first (the log) or soonest due first (tasks), and the agenda's groups.

Logged activities are read through the index on (occurred_at, id), a seek at any depth. Open tasks are found
through the index that holds only them, then sorted by due date with undated ones last: a sort of the open
tasks, not of every activity (a later step should make it a seek too, for a list of 50,000 open tasks).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from crm_tui.core import search_index
from crm_tui.core.activities.service import COLUMNS, LOGGED_KINDS, SOURCE, TASK, ActivityData, data
from crm_tui.core.models import database, format_timestamp
from crm_tui.core.records import Page, iterate_pages, read_page, sort_keys

SORTS = ("recent", "due")
# Tasks without a due date come after every dated one in the `due` order.
_NO_DUE = "~"
_SORT_KEYS = {
    "recent": (("a.occurred_at", "a.id"), True),
    "due": ((f"coalesce(a.due_at, '{_NO_DUE}')", "a.id"), False),
}


@dataclass(frozen=True)
class ActivityFilter:
    """Which activities a list shows. `tasks`: None for logged activities, "open", "done" or "all" for tasks;
    `since` and `until` bound when they happened, or for tasks when they are due (`undated`: tasks with no date)."""

    kinds: tuple[str, ...] | None = None
    tasks: str | None = None
    undated: bool = False
    contact_id: int | None = None
    company_id: int | None = None
    deal_id: int | None = None
    since: str | None = None
    until: str | None = None
    text: str = ""
    trash: bool = False


def _conditions(wanted: ActivityFilter) -> tuple[list[str], list]:
    conditions = ["a.deleted_at IS NOT NULL" if wanted.trash else "a.deleted_at IS NULL"]
    params: list = []
    if wanted.tasks is None:
        kinds = [kind for kind in (wanted.kinds or LOGGED_KINDS) if kind in LOGGED_KINDS]
        conditions.append(f"a.kind IN ({', '.join(repr(kind) for kind in kinds)})" if kinds else "0")
    else:
        conditions.append(f"a.kind = '{TASK}'")
        if wanted.tasks == "open":
            conditions.append("a.done_at IS NULL")
        elif wanted.tasks == "done":
            conditions.append("a.done_at IS NOT NULL")
    for column, value in (("a.contact_id", wanted.contact_id), ("a.company_id", wanted.company_id),
                          ("a.deal_id", wanted.deal_id)):
        if value is not None:
            conditions.append(f"{column} = {database.param}")
            params.append(value)
    bounds, bound_params = time_bounds("a.occurred_at" if wanted.tasks is None else "a.due_at", wanted.since,
                                       wanted.until, wanted.undated)
    conditions += bounds
    params += bound_params
    match = search_index.match_query(wanted.text)
    if match:
        index = search_index.ACTIVITY_INDEX
        conditions.append(f"a.id IN (SELECT rowid FROM {index} WHERE {index} MATCH ?)")
        params.append(match)
    return conditions, params


def time_bounds(moment: str, since: str | None, until: str | None, undated: bool = False) -> tuple[list[str], list]:
    """The conditions on `moment` (a column) from `since` (inclusive) to `until` (exclusive), or for no time at all
    (`undated`), and their params. The activity log (feed.py) and the agenda bound their times with these too."""
    conditions: list[str] = []
    params: list = []
    if since is not None:
        conditions.append(f"{moment} >= {database.param}")
        params.append(since)
    if until is not None:
        conditions.append(f"{moment} < {database.param}")
        params.append(until)
    if undated:
        conditions.append(f"{moment} IS NULL")
    return conditions, params


def list_page(wanted: ActivityFilter, sort: str = "recent", after: tuple | None = None, limit: int = 50,
              backwards: bool = False, offset: int = 0) -> Page[ActivityData]:
    keys, descending = sort_keys(_SORT_KEYS, sort)
    conditions, params = _conditions(wanted)
    return read_page(COLUMNS, SOURCE, conditions, params, keys, descending, after, limit, backwards, offset, data)


def iterate(wanted: ActivityFilter, sort: str = "recent", limit: int | None = None) -> Iterator[ActivityData]:
    return iterate_pages(lambda cursor, size: list_page(wanted, sort, cursor, size), limit)


def count(wanted: ActivityFilter) -> int:
    conditions, params = _conditions(wanted)
    sql = f"SELECT count(*) FROM activity a WHERE {' AND '.join(conditions)}"
    return database.execute_sql(sql, params).fetchone()[0]


AGENDA_GROUPS = ("Overdue", "Today", "Next 7 days", "Later", "No date")


@dataclass(frozen=True)
class AgendaGroup:
    title: str
    filter: ActivityFilter
    count: int


def agenda(now: datetime) -> list[AgendaGroup]:
    """The open tasks in the agenda's groups, with how many each holds. Days are the local days of `now`
    (aware): "Today" runs from now to local midnight, "Next 7 days" from then on for a week."""
    local = now.astimezone()
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=local.tzinfo)
    week = tomorrow + timedelta(days=7)
    stamps = [format_timestamp(moment) for moment in (now, tomorrow, week)]
    open_tasks = ActivityFilter(tasks="open")
    wanted = (replace(open_tasks, until=stamps[0]), replace(open_tasks, since=stamps[0], until=stamps[1]),
              replace(open_tasks, since=stamps[1], until=stamps[2]), replace(open_tasks, since=stamps[2]),
              replace(open_tasks, undated=True))
    return [AgendaGroup(title, group, count(group)) for title, group in zip(AGENDA_GROUPS, wanted, strict=False)]
