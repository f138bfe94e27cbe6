"""The agenda as one list of rows: each section's heading, then its members, read a slice at a time.

Sections, in order: the task groups of `activity_list.agenda` (Overdue, Today, Next 7 days, Later, No date), the
contacts due for a word (Stay in touch) and the open deals with no open task (Deals without a next step). Empty
ones are left out. A task group also keeps the tasks done since local midnight, ticked, where they were due: a
task ticked off by mistake can be ticked back where it is, and the list does not shift under the cursor.

`read_layout` counts every section (a count each, no rows); `read_rows` then reads only the rows of a slice,
by offset within each section it touches. So a list of 50,000 overdue tasks costs a page, not the whole group.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from crm_tui.core.activities import follow_ups, listing as activity_list
from crm_tui.core.activities.follow_ups import KeepInTouch
from crm_tui.core.activities.listing import ActivityFilter
from crm_tui.core.activities.service import COLUMNS, SOURCE, TASK, ActivityData, data
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.deals.listing import DealFilter
from crm_tui.core.deals.service import DealData
from crm_tui.core.models import database, format_timestamp, parse_timestamp
from crm_tui.core.records import Page
from crm_tui.core.when import instant, parse_when

STAY_IN_TOUCH = "Stay in touch"
NO_NEXT_STEP = "Deals without a next step"
STALLED_DEALS = DealFilter(statuses=("open",), without_next_step=True)
STALLED_DEALS_SORT = "value"


@dataclass(frozen=True)
class Heading:
    """A section's title row. `count`: the open tasks, contacts or deals under it; `done`: the tasks done today
    it keeps among them, ticked."""

    title: str
    count: int
    done: int = 0

    @property
    def members(self) -> int:
        return self.count + self.done

    @property
    def label(self) -> str:
        """`Overdue (3)`, or `Today (2 · 1 done)`."""
        done = f" · {self.done:,} done" if self.done else ""
        return f"{self.title} ({self.count:,}{done})"


AgendaItem = Heading | ActivityData | KeepInTouch | DealData


@dataclass(frozen=True)
class Section:
    heading: Heading
    first_row: int
    """The row of its heading; its members follow."""
    tasks: ActivityFilter | None = None
    """For a task group, which open tasks it holds."""

    @property
    def end_row(self) -> int:
        return self.first_row + 1 + self.heading.members


@dataclass(frozen=True)
class Layout:
    """The agenda as counted at `now`: its non-empty sections and where each starts."""

    now: datetime
    day_start: str
    """Local midnight that began today, as stored (UTC): tasks done since then stay in their group."""
    sections: tuple[Section, ...]

    @property
    def total(self) -> int:
        return self.sections[-1].end_row if self.sections else 0

    def section_at(self, row: int) -> Section | None:
        return next((section for section in self.sections if section.first_row <= row < section.end_row), None)


def start_of_day(now: datetime) -> datetime:
    """The local midnight that began `now`'s day, in UTC."""
    local = now.astimezone()
    return datetime.combine(local.date(), time()).astimezone().astimezone(UTC)


def read_layout(now: datetime) -> Layout:
    """Count every section at `now` (timezone-aware); run inside a connection."""
    day_start = format_timestamp(start_of_day(now))
    headings: list[tuple[Heading, ActivityFilter | None]] = [
        (Heading(group.title, group.count, _done_count(group.filter, day_start)), group.filter)
        for group in activity_list.agenda(now)
    ]
    headings.append((Heading(STAY_IN_TOUCH, follow_ups.due_count(now)), None))
    headings.append((Heading(NO_NEXT_STEP, deal_list.count(STALLED_DEALS)), None))
    sections: list[Section] = []
    row = 0
    for heading, tasks in headings:
        if heading.members:
            sections.append(Section(heading, row, tasks))
            row += 1 + heading.members
    return Layout(now, day_start, tuple(sections))


def read_rows(layout: Layout, start: int, stop: int) -> list[AgendaItem]:
    """Rows `start` (inclusive) to `stop` (exclusive) of the agenda `layout` counted; run inside a connection.

    Fewer come back only if the data changed since it was counted, until the layout is read again."""
    rows: list[AgendaItem] = []
    for section in layout.sections:
        low, high = max(start, section.first_row), min(stop, section.end_row)
        if low >= high:
            continue
        if low == section.first_row:
            rows.append(section.heading)
            low += 1
        if low < high:
            rows += _members(layout, section, low - section.first_row - 1, high - low)
    return rows


def _members(layout: Layout, section: Section, offset: int, limit: int) -> Sequence[AgendaItem]:
    if section.tasks is not None:
        return task_page(section.tasks, layout.day_start, offset, limit)
    if section.heading.title == STAY_IN_TOUCH:
        return follow_ups.due_page(layout.now, offset, limit)
    return deal_list.list_page(STALLED_DEALS, STALLED_DEALS_SORT, offset=offset, limit=limit).items


def row_span(after: tuple | None, backwards: bool, offset: int, limit: int, total: int) -> tuple[int, int]:
    """The rows (start inclusive, stop exclusive) of a page asked for as `read_page` takes it: `after` is the key
    of a row, here `(row number,)`; `backwards` reads the rows before it, or without it the last rows."""
    if after is not None:
        stop = after[0] - offset if backwards else after[0] + 1 + offset + limit
    else:
        stop = total - offset if backwards else offset + limit
    return max(0, stop - limit), max(0, min(stop, total))


class AgendaPages:
    """The agenda as a list reads it, a page at a time, counted once until `invalidate`: pages, the total and the
    rows' "now" then agree however long the list stays open. Safe to call from several reader threads."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._wanted = 0
        self._counted: tuple[int, Layout] | None = None

    def invalidate(self) -> None:
        """Count again on the next read."""
        self._wanted += 1

    @property
    def last_layout(self) -> Layout | None:
        """The layout counted last (immutable), for drawing what was read."""
        return self._counted[1] if self._counted is not None else None

    def layout(self) -> Layout:
        """This reload's layout, counted by whichever read comes first; run inside a connection."""
        with self._lock:
            wanted, counted = self._wanted, self._counted
            if counted is None or counted[0] != wanted:
                counted = (wanted, read_layout(self.clock()))
                self._counted = counted
            return counted[1]

    def page(self, after: tuple | None, backwards: bool, offset: int, limit: int) -> Page[AgendaItem]:
        """Rows as `records.read_page` pages them; each row's key is `(row number,)`."""
        layout = self.layout()
        start, stop = row_span(after, backwards, offset, limit, layout.total)
        items = read_rows(layout, start, stop)
        return Page(items, (stop - 1,) if stop < layout.total else None, [(start + i,) for i in range(len(items))])


# A task group: its open tasks and those done today ---------------------------------------------------------------


def _done_today(wanted: ActivityFilter, day_start: str) -> tuple[str, list]:
    """Tasks done since `day_start`, found through the index on when they happened (a done task's occurred_at is
    its done_at): an `OR done_at IS NULL` beside the open ones would read every task there is."""
    bounds, params = activity_list.time_bounds("a.due_at", wanted.since, wanted.until, wanted.undated)
    conditions = ["a.deleted_at IS NULL", f"a.kind = '{TASK}'", "a.done_at IS NOT NULL",
                  f"a.occurred_at >= {database.param}", *bounds]
    return " AND ".join(conditions), [day_start, *params]


def _done_count(wanted: ActivityFilter, day_start: str) -> int:
    where, params = _done_today(wanted, day_start)
    return database.execute_sql(f"SELECT count(*) FROM activity a WHERE {where}", params).fetchone()[0]


def task_page(wanted: ActivityFilter, day_start: str, offset: int = 0, limit: int = 50) -> list[ActivityData]:
    """The open tasks `wanted` selects and those of its due range done since `day_start`, soonest due first.

    Each half is read in order through its own index (open tasks by due date, done ones by when they were done),
    the two are merged, and only the page's ids are joined to the rest: skipping 49,000 rows to a deep page reads
    index entries only (15 ms, where sorting the joined rows took 130 ms). A group is all dated or all undated, so
    ordering by `due_at` is the `due` order of the task list."""
    bounds, params = activity_list.time_bounds("a.due_at", wanted.since, wanted.until, wanted.undated)
    open_where = " AND ".join(["a.deleted_at IS NULL", f"a.kind = '{TASK}'", "a.done_at IS NULL", *bounds])
    done_where, done_params = _done_today(wanted, day_start)
    sql = (f"SELECT {COLUMNS} FROM (SELECT a.id AS id, a.due_at AS due FROM activity a WHERE {open_where} "
           f"UNION ALL SELECT a.id, a.due_at FROM activity a WHERE {done_where} "
           f"ORDER BY due, id LIMIT {database.param} OFFSET {database.param}) AS page, {SOURCE} "
           "WHERE a.id = page.id ORDER BY page.due, page.id")
    return [data(row) for row in database.execute_sql(sql, [*params, *done_params, limit, offset])]


# Snoozing ------------------------------------------------------------------------------------------------------


def snoozed(due_at: str | None, now: datetime) -> datetime:
    """A task's due time one day later on the local clock (across daylight saving), and at least tomorrow: an
    overdue task moves to tomorrow at the time of day it was due, not to another day already past. An undated task
    becomes due at the end of tomorrow, as a task typed due "tomorrow" is."""
    if due_at is None:
        return instant("tomorrow", now, direction="future")
    due = parse_timestamp(due_at)
    later = parse_when("+1d", due, direction="future").at
    if later > now:
        return later
    tomorrow = now.astimezone().date() + timedelta(days=1)
    return datetime.combine(tomorrow, due.astimezone().time()).astimezone().astimezone(UTC)


def is_end_of_day(due_at: str) -> bool:
    """Due at 23:59 local: what a due date typed without a time means (`when.instant`), so no time to show."""
    local = parse_timestamp(due_at).astimezone()
    return (local.hour, local.minute, local.second) == (23, 59, 0)
