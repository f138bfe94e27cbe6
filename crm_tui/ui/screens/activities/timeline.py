"""A record's timeline in its detail screen: its open tasks, soonest due first, then the latest entries of its
activity log (activities and the stage changes of the deals involved), newest first.

Only a few of each are read, with the record, on the detail screen's worker; `L` opens the whole timeline as a
paged list (the activity log narrowed to the record), so a contact with ten thousand calls opens as fast as one
with none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from crm_tui.core.activities import feed, listing as activity_list
from crm_tui.core.activities.feed import FeedEntry, FeedFilter
from crm_tui.core.activities.listing import ActivityFilter
from crm_tui.core.activities.service import ActivityData
from crm_tui.core.when import local_time
from crm_tui.ui import sources
from crm_tui.ui.kit.detail import DetailScreen, Section, paragraph
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.screens.activities.log import ActivityLogScreen
from crm_tui.ui.text import summary, with_whom

ENTRIES_SHOWN = 8
TASKS_SHOWN = 5
NOTHING_LOGGED = "Nothing logged yet · l logs a call, meeting, email or note · t adds a task"


@dataclass(frozen=True)
class Timeline:
    """What a detail screen shows of a record's activity: the first few of each list, and how many there are."""

    narrowed: FeedFilter
    entries: list[FeedEntry]
    entry_count: int
    open_tasks: list[ActivityData]
    open_count: int


def read_timeline(narrowed: FeedFilter) -> Timeline:
    """Read on a worker thread, in a connection: counts only when there are more than are shown."""
    entries = feed.list_page(narrowed, limit=ENTRIES_SHOWN + 1).items
    entry_count = feed.count(narrowed) if len(entries) > ENTRIES_SHOWN else len(entries)
    tasks = ActivityFilter(tasks="open", contact_id=narrowed.contact_id, company_id=narrowed.company_id,
                           deal_id=narrowed.deal_id)
    open_tasks = activity_list.list_page(tasks, sort="due", limit=TASKS_SHOWN + 1).items
    open_count = activity_list.count(tasks) if len(open_tasks) > TASKS_SHOWN else len(open_tasks)
    return Timeline(narrowed, entries[:ENTRIES_SHOWN], entry_count, open_tasks[:TASKS_SHOWN], open_count)


def _lines(lines: list[Text]) -> Text:
    return Text("\n").join(lines)


def _unwrapped(text: Text) -> Static:
    """Lines that are cut with an ellipsis rather than wrapped, so the dates stay in one column."""
    shown = paragraph(text)
    shown.styles.text_wrap = "nowrap"
    shown.styles.text_overflow = "ellipsis"
    return shown


def _with_whom(names: Iterable[str | None]) -> str:
    shown = " · ".join(name for name in names if name)
    return f" · {shown}" if shown else ""


def task_lines(timeline: Timeline, now: datetime) -> Text:
    lines = []
    for task in timeline.open_tasks:
        due = local_time(task.due_at) if task.due_at else "no due date"
        mark = ("! ", "bold") if task.is_overdue(now) else "  "
        narrowed = timeline.narrowed  # the record itself would be named on every line
        links = [task.contact if task.contact_id != narrowed.contact_id else None,
                 task.company if task.company_id != narrowed.company_id else None,
                 task.deal if task.deal_id != narrowed.deal_id else None]
        lines.append(Text.assemble(mark, f"{due:<16}  ", task.name, (_with_whom(links), "dim")))
    more = timeline.open_count - len(timeline.open_tasks)
    if more:
        lines.append(Text(f"  … {more:,} more in the agenda (5)", style="dim"))
    return _lines(lines)


def entry_lines(timeline: Timeline) -> Text:
    lines = [Text.assemble(f"{local_time(entry.at)}  {entry.kind:<7}  ", summary(entry),
                           (_with_whom([with_whom(entry, timeline.narrowed)]), "dim"))
             for entry in timeline.entries]
    more = timeline.entry_count - len(timeline.entries)
    hint = f"… {more:,} more · L opens the whole timeline" if more else "L opens it as a list"
    lines.append(Text(hint, style="dim"))
    return _lines(lines)


def timeline_sections(timeline: Timeline | None, now: datetime) -> Iterable[Widget]:
    """The detail screen's "Open tasks" (when there are any) and "Timeline" sections."""
    if timeline is None:
        return
    if timeline.open_tasks:
        yield Section(f"Open tasks ({timeline.open_count:,})", _unwrapped(task_lines(timeline, now)))
    if timeline.entries:
        yield Section(f"Timeline ({timeline.entry_count:,})", _unwrapped(entry_lines(timeline)))
    else:
        yield Section("Timeline", paragraph(NOTHING_LOGGED, muted=True))


class TimelineDetail(DetailScreen):
    """A detail screen with the record's timeline: read with the record, shown by `timeline_sections`, and whole
    with `L`."""

    def __init__(self, record_id: int, source: Any, query: ListQuery) -> None:
        super().__init__(record_id, source, query)
        self.timelines: dict[int, Timeline] = {}

    def fetch(self, record_id: int) -> Any:
        """The record and (kept aside for `sections`) the start of its timeline, on the worker thread."""
        record = super().fetch(record_id)
        self.timelines[record.id] = read_timeline(self.narrowed(record.id))
        return record

    def narrowed(self, record_id: int) -> FeedFilter:
        """The activity log narrowed to this record: its timeline."""
        return FeedFilter(**{self.link_field: record_id})

    def timeline_sections(self, record: Any) -> Iterable[Widget]:
        return timeline_sections(self.timelines.get(record.id), sources.current_time())

    def action_timeline(self) -> None:
        """The record's whole timeline: the activity log narrowed to it, a paged list."""
        if self.record is not None:
            self.app.push_screen(ActivityLogScreen(self.narrowed(self.record.id)), lambda _: self.reload())


def timeline_binding(prefix: str) -> Binding:
    return Binding("L", "timeline", "Timeline", show=False, id=f"{prefix}.timeline")
