"""Find duplicate contacts: the scan's groups of likely copies of one person, each merged (enter) or marked "not
duplicates" (n), strongest first.

The scan (core/duplicates/groups.py) runs in a thread worker and reports how far it is; its groups come back as one list
in memory, which a RecordList shows through an in-memory source, so only the rows on screen are drawn however
many groups there are. A merged or dismissed group leaves the list at once, without a rescan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from crm_tui.core import duplicates
from crm_tui.core.db import connection
from crm_tui.core.duplicates import merge
from crm_tui.core.duplicates.groups import DuplicateGroup
from crm_tui.core.errors import CrmError
from crm_tui.core.records import Page
from crm_tui.core.text import plural
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.kit.record_list import MovingOnlyList, RecordList
from crm_tui.ui.kit.record_source import Column, ListQuery
from crm_tui.ui.screens.duplicates.merge import MergeScreen

AUTO_RESCAN_SECONDS = 1.0
"""A change elsewhere (an undo, ctrl+r, another process) rescans by itself only when the last scan took less than
this; a longer one (hundreds of thousands of contacts) waits for `r`, with a note that the list may be stale."""
NAMED_IN_QUESTION = 4
"""Contacts named in the "not duplicates" question; the rest of a big group are counted."""
STAGES = {"contacts": "reading contacts", "names": "comparing names"}
MERGE_AT_MOST = merge.MAX_OTHERS + 1


@dataclass(frozen=True)
class GroupRow:
    """A group as a list row: RecordList knows a row by its `id` (the group's first contact)."""

    id: int
    group: DuplicateGroup


def joined_names(group: DuplicateGroup) -> str:
    return ", ".join(group.names)


def numbered_names(group: DuplicateGroup, at_most: int | None = None) -> str:
    """`Ann Lee #12, Anne Lee #15`, the first `at_most` of them and how many more."""
    shown = [f"{name} #{contact_id}" for contact_id, name in zip(group.contact_ids, group.names, strict=False)]
    if at_most is not None and len(shown) > at_most:
        shown = [*shown[:at_most], f"and {len(shown) - at_most:,} more"]
    return ", ".join(shown)


GROUP_COLUMNS = (
    Column("Score", lambda row: str(row.group.score), min_width=5, max_width=5, weight=0),
    Column("Contacts", lambda row: joined_names(row.group), min_width=20, max_width=44, weight=2),
    Column("Why", lambda row: row.group.reasons[0], min_width=16, max_width=80, weight=3),
)


class GroupSource:
    """The scan's groups as a RecordList reads them: a tuple in memory, replaced whole (never changed in place)
    so a reader thread slicing it never sees it half-changed. A row's key is its position."""

    plural = "groups"
    columns = GROUP_COLUMNS
    sorts = ("score",)

    def __init__(self) -> None:
        self.rows: tuple[GroupRow, ...] = ()

    def show(self, groups: list[DuplicateGroup]) -> None:
        self.rows = tuple(GroupRow(group.contact_ids[0], group) for group in groups)

    def remove(self, group: DuplicateGroup) -> None:
        self.rows = tuple(row for row in self.rows if row.group != group)

    def fetch(self, query: ListQuery, after: tuple | None, backwards: bool, offset: int, limit: int) -> Page:
        rows = self.rows
        if after is not None:
            start = max(0, after[0] - limit) if backwards else after[0] + 1
            end = after[0] if backwards else start + limit
        elif backwards:
            end = max(0, len(rows) - offset)
            start = max(0, end - limit)
        else:
            start, end = offset, offset + limit
        items = list(rows[start:end])
        keys = [(start + position,) for position in range(len(items))]
        return Page(items, keys[-1] if len(items) == limit else None, keys)

    def count(self, query: ListQuery) -> int:
        return len(self.rows)

    def ids(self, query: ListQuery):
        return (row.id for row in self.rows)


class GroupList(MovingOnlyList):
    """The groups: each is merged or dismissed by itself."""


class _Stopped(Exception):
    """The scan is no longer wanted (a rescan started, or the screen closed)."""


class DuplicatesScreen(Screen[None]):
    """Likely duplicate contacts: enter merges a group, n says they are different people, r scans again."""

    BINDINGS = [
        Binding("enter", "merge", "Merge", id="duplicates.merge"),
        Binding("n", "dismiss_group", "Not duplicates", id="duplicates.dismiss"),
        Binding("r", "rescan", "Rescan", id="duplicates.rescan"),
        Binding("escape", "app.pop_screen", "Back", id="duplicates.back"),
    ]
    DEFAULT_CSS = """
    DuplicatesScreen {
        & #title { height: 1; padding: 0 1; text-style: bold; }
        & #progress { height: 1; padding: 0 1; color: $text-muted; display: none; }
        & #empty-note { display: none; height: auto; padding: 1 2; color: $text-muted; }
        &.empty #empty-note { display: block; }
        &.empty #groups { display: none; }
        & #reasons {
            height: auto;
            max-height: 5;
            padding: 0 1;
            border-top: solid $panel-lighten-2;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
    }
    """
    help_title = "Duplicates"

    def __init__(self) -> None:
        super().__init__()
        self.source = GroupSource()
        self.scanning = False
        self.scanned = False
        self.stale = False
        self.contact_count = 0
        self.scan_seconds = 0.0

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(Text("Likely duplicate contacts"), id="title")
        yield Static("", id="progress")
        yield Static("", id="empty-note")
        yield GroupList(self.source, id="groups")
        yield Static("", id="reasons")
        yield AppFooter()

    @property
    def groups(self) -> GroupList:
        return self.query_one("#groups", GroupList)

    @property
    def current(self) -> DuplicateGroup | None:
        row = self.groups.current
        return row.group if row is not None else None

    def on_mount(self) -> None:
        self.groups.focus()
        self.action_rescan()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("merge", "dismiss_group"):
            return self.is_mounted and self.current is not None
        return True

    def reload(self) -> None:
        """The contacts changed (an undo, ctrl+r, another process): scan again if that is quick, else say the
        list may be out of date."""
        if self.scanning:
            return
        if self.scan_seconds < AUTO_RESCAN_SECONDS:
            self.action_rescan()
        else:
            self.stale = True
            self.show_title()

    # Scanning ----------------------------------------------------------------------------------------------

    def action_rescan(self) -> None:
        self.scanning = True
        self.show_progress("contacts", 0, 0)
        self.scan()

    @work(thread=True, exclusive=True, group="duplicates-scan")
    def scan(self) -> None:
        worker = get_current_worker()
        counted = 0

        def progress(stage: str, done: int, total: int) -> None:
            nonlocal counted
            if worker.is_cancelled:
                raise _Stopped
            if stage == "contacts":
                counted = total
            self.app.call_from_thread(self.show_progress, stage, done, total)

        started = time.monotonic()
        try:
            with connection():
                found = duplicates.scan(progress)
        except _Stopped:
            return
        except CrmError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.scan_failed, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_groups, found, counted, time.monotonic() - started)

    def show_progress(self, stage: str, done: int, total: int) -> None:
        if not self.is_attached:
            return
        line = self.query_one("#progress", Static)
        what = STAGES.get(stage, stage)
        line.update(Text(f"Scanning… {what} {done:,} of {total:,}" if total else "Scanning…"))
        line.display = True

    def scan_failed(self, message: str) -> None:
        self.scanning = False
        self.query_one("#progress", Static).update(Text(f"The scan failed: {message} · r tries again"))

    def show_groups(self, found: list[DuplicateGroup], contact_count: int, seconds: float) -> None:
        if not self.is_attached:
            return
        self.scanning = False
        self.scanned = True
        self.stale = False
        self.contact_count = contact_count
        self.scan_seconds = seconds
        self.query_one("#progress", Static).display = False
        self.source.show(found)
        self.groups.reload()
        self.show_title()

    def show_title(self) -> None:
        count = len(self.source.rows)
        self.set_class(self.scanned and count == 0, "empty")
        contacts = plural(self.contact_count, "contact")
        self.query_one("#empty-note", Static).update(Text(f"No likely duplicates among {contacts}"))
        if not self.scanned:
            return
        groups = plural(count, "group")
        title = f"Likely duplicates: {groups} among {contacts}"
        if self.stale:
            title += " · contacts changed since: r rescans"
        self.query_one("#title", Static).update(Text(title))
        self.show_reasons()

    @on(RecordList.Changed)
    def show_reasons(self) -> None:
        """Who is in the group under the cursor, with their ids, and every reason it was found."""
        group = self.current
        reasons = self.query_one("#reasons", Static)
        reasons.display = group is not None
        if group is not None:
            reasons.update(Text("\n").join([Text(numbered_names(group), style="bold"),
                                             *(Text(reason, style="dim") for reason in group.reasons)]))
        self.refresh_bindings()

    # Acting on a group -------------------------------------------------------------------------------------

    @on(RecordList.Opened)
    def opened(self, event: RecordList.Opened) -> None:
        self.action_merge()

    def action_merge(self) -> None:
        group = self.current
        if group is None:
            return
        ids = group.contact_ids[:MERGE_AT_MOST]
        if len(group.contact_ids) > MERGE_AT_MOST:
            self.notify(f"At most {MERGE_AT_MOST} contacts merge at once: merging the first {MERGE_AT_MOST} of "
                        f"{len(group.contact_ids):,}; r then shows the rest", severity="warning")
        self.app.push_screen(MergeScreen(ids), lambda result: self.merged(group, result))

    def merged(self, group: DuplicateGroup, result: merge.MergeResult | None) -> None:
        if result is None:
            return
        if len(result.merged_ids) + 1 < len(group.contact_ids):
            self.action_rescan()
        else:
            self.drop(group, trashed=len(result.merged_ids))

    def drop(self, group: DuplicateGroup, trashed: int = 0) -> None:
        """Take a merged (its `trashed` others now in the trash) or dismissed group off the list, the cursor
        staying on the row that follows it."""
        self.source.remove(group)
        self.contact_count = max(0, self.contact_count - trashed)
        self.groups.reload()
        self.show_title()

    def action_dismiss_group(self) -> None:
        group = self.current
        if group is None:
            return
        question = Text.assemble(
            "Not duplicates: ", (numbered_names(group, NAMED_IN_QUESTION), "bold"),
            "? The scan will not pair them again (u undoes this).")
        self.app.push_screen(ConfirmScreen(question, "Not duplicates"),
                             lambda yes: self.dismiss_confirmed(group) if yes else None)

    def dismiss_confirmed(self, group: DuplicateGroup) -> None:
        self.drop(group)
        self.write_dismissal(group)

    @work(thread=True, group="duplicates-dismiss")
    def write_dismissal(self, group: DuplicateGroup) -> None:
        try:
            with connection():
                duplicates.dismiss_group(group.contact_ids)
        except CrmError as exc:
            self.app.call_from_thread(self.dismissal_failed, str(exc))
            return
        names = numbered_names(group, NAMED_IN_QUESTION)
        self.app.call_from_thread(self.notify, f"Not duplicates: {names} · u undoes")

    def dismissal_failed(self, message: str) -> None:
        self.notify(f"Nothing was marked: {message}", severity="error")
        self.action_rescan()
