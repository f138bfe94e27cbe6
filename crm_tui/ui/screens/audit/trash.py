"""The trash: deleted contacts, companies, deals and activities together, newest deletion first, to restore (which
`u` undoes) or to purge for good (which nothing undoes, so it asks first).

The list reads the trash a page at a time by keyset (core/audit/trash.py `list_trashed`), whatever its size.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from crm_tui import config
from crm_tui.core.audit import trash
from crm_tui.core.audit.trash import TrashedRecord
from crm_tui.core.db import connection
from crm_tui.core.errors import CrmError
from crm_tui.core.records import Page
from crm_tui.core.text import KIND_PLURALS, plural
from crm_tui.core.when import local_time
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.kit.record_list import MovingOnlyList, RecordList
from crm_tui.ui.kit.record_source import Column, ListQuery

KIND_CYCLE: tuple[str | None, ...] = (None, *trash.KINDS)
WALK_PAGE = 500
"""Rows a step when the trash must be walked from its start (a jump, or a page above one already read)."""

TRASH_COLUMNS = (
    Column("Kind", lambda record: record.kind, min_width=8, max_width=8, weight=0),
    Column("Name", lambda record: record.name, min_width=20, max_width=60, weight=3),
    Column("Detail", lambda record: record.detail, min_width=12, max_width=40, weight=2),
    Column("Deleted", lambda record: local_time(record.deleted_at), min_width=16, max_width=16, weight=0),
)


def key(record: TrashedRecord) -> tuple[str, str, int]:
    """A row's place in the trash's order, as `list_trashed(after=...)` takes it."""
    return record.deleted_at, record.kind, record.id


def counted(counts: dict[str, int], separator: str = " · ") -> str:
    """`3 contacts · 1 deal`, the kinds there are; "" for an empty trash."""
    shown = []
    for kind, count in counts.items():
        if count:
            shown.append(plural(count, kind, KIND_PLURALS[kind]))
    return separator.join(shown)


class TrashSource:
    """The trash, or one kind of it, as a RecordList reads it. Read newest first by keyset from a row; the other
    ways a list asks (by offset, or the page above a row) walk from the start, which only a jump needs."""

    plural = "records in the trash"
    columns = TRASH_COLUMNS
    sorts = ("deleted",)

    def __init__(self, kinds: tuple[str, ...] = trash.KINDS) -> None:
        self.kinds = kinds

    def fetch(self, query: ListQuery, after: tuple | None, backwards: bool, offset: int, limit: int) -> Page:
        if backwards and after is not None:
            rows = self._before(after, limit)
        elif backwards:  # the last rows, `offset` from the end
            end = max(0, self.count(query) - offset)
            rows = trash.list_trashed(self.kinds, None, end)[max(0, end - limit):] if end else []
        else:
            rows = trash.list_trashed(self.kinds, after, offset + limit)[offset:]
        keys = [key(row) for row in rows]
        return Page(rows, keys[-1] if len(rows) == limit else None, keys)

    def _before(self, after: tuple, limit: int) -> list[TrashedRecord]:
        kept: deque[TrashedRecord] = deque(maxlen=limit)
        for row in self._walk():
            if key(row) <= tuple(after):
                break
            kept.append(row)
        return list(kept)

    def _walk(self) -> Iterator[TrashedRecord]:
        cursor = None
        while rows := trash.list_trashed(self.kinds, cursor, WALK_PAGE):
            yield from rows
            cursor = key(rows[-1])

    def count(self, query: ListQuery) -> int:
        counts = trash.count_trashed()
        return sum(counts[kind] for kind in self.kinds)

    def ids(self, query: ListQuery) -> Iterator[int]:
        return (row.id for row in self._walk())


class TrashList(MovingOnlyList):
    """The trash's rows: kinds share ids (contact 5, deal 5), so a row is acted on by itself."""


class TrashScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="trash.back"),
        Binding("f", "kind", "Kind", id="trash.kind"),
        Binding("r", "restore", "Restore", id="trash.restore"),
        Binding("P,x", "purge", "Purge", id="trash.purge"),
        Binding("E", "empty", "Empty trash", id="trash.empty"),
    ]
    DEFAULT_CSS = """
    TrashScreen {
        & #title { height: 1; padding: 0 1; text-style: bold; color: $text-warning; }
        & #empty-note { display: none; height: auto; padding: 1 2; color: $text-muted; }
        &.empty #empty-note { display: block; }
    }
    """
    help_title = "Trash"

    def __init__(self) -> None:
        super().__init__()
        self.kind: str | None = None
        self.counts: dict[str, int] | None = None
        self._could_act = False

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("", id="title")
        yield Static("", id="empty-note")
        yield TrashList(TrashSource(), ListQuery("deleted"), id="records")
        yield AppFooter()

    @property
    def records(self) -> TrashList:
        return self.query_one("#records", TrashList)

    def on_mount(self) -> None:
        self.show_title()
        self.records.focus()
        self.read_counts()

    def on_screen_resume(self) -> None:
        if self.records.loaded:
            self.reload()

    def reload(self) -> None:
        """Read the trash again: after a restore or purge here, an undo, ctrl+r, or a write by another process."""
        self.records.reload()
        self.read_counts()

    def history_target(self) -> tuple[str, int] | None:
        """The record under the cursor, for `h` (see CrmApp.action_history)."""
        current = self.records.current
        return (current.kind, current.id) if current is not None else None

    # What is shown -----------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="trash-count")
    def read_counts(self) -> None:
        try:
            with connection():
                counts = trash.count_trashed()
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.counts_arrived, counts)

    def counts_arrived(self, counts: dict[str, int]) -> None:
        if self.is_attached:
            self.counts = counts
            self.show_title()
            self.show_empty()

    def show_title(self) -> None:
        shown = "every kind" if self.kind is None else KIND_PLURALS[self.kind]
        parts = [f"Trash: {shown}"]
        if self.counts is not None:
            parts.append(counted(self.counts) or "empty")
        self.query_one("#title", Static).update(Text(" · ".join(parts)))

    def show_empty(self) -> None:
        """Say so when the list is empty: the trash itself, or only the kind shown."""
        empty = self.records.total == 0
        self.set_class(empty, "empty")
        if not empty:
            return
        if self.kind is None or not any((self.counts or {}).values()):
            days = config.trash_days(getattr(self.app, "settings", {}))
            kept = f"for {days} days" if days else "until purged"
            note = f"The trash is empty. Deleted contacts, companies, deals and activities wait here {kept}."
        else:
            note = f"No deleted {KIND_PLURALS[self.kind]} · f shows another kind"
        self.query_one("#empty-note", Static).update(Text(note))

    @on(RecordList.Changed, "#records")
    def list_changed(self) -> None:
        self.show_empty()
        can_act = self.records.current is not None
        if can_act != self._could_act:
            self._could_act = can_act
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("restore", "purge"):
            return self.records.current is not None
        return True

    # Actions -----------------------------------------------------------------------------------------------

    def action_kind(self) -> None:
        """Show the next kind: every kind, contacts, companies, deals, activities, and round again."""
        self.kind = KIND_CYCLE[(KIND_CYCLE.index(self.kind) + 1) % len(KIND_CYCLE)]
        records = self.records
        records.source = TrashSource(trash.KINDS if self.kind is None else (self.kind,))
        records.set_query(ListQuery("deleted"))
        self.show_title()

    def action_restore(self) -> None:
        record = self.records.current
        if record is not None:
            self.apply("restore", record)

    def action_purge(self) -> None:
        record = self.records.current
        if record is None:
            return
        question = Text.assemble("Purge ", (record.name, "bold"), " for good? This cannot be undone.")
        self.app.push_screen(ConfirmScreen(question, confirm_label="Purge"),
                             lambda yes: yes and self.apply("purge", record))

    @work(thread=True, exclusive=True, group="trash")
    def apply(self, action: str, record: TrashedRecord) -> None:
        try:
            with connection():
                if action == "restore":
                    trash.restore(record.kind, record.id)
                else:
                    trash.purge(record.kind, record.id)
        except CrmError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        if action == "restore":
            done = f"Restored {record.kind} '{record.name}' · u undoes"
        else:
            done = f"Purged {record.kind} '{record.name}'"
        self.app.call_from_thread(self.applied, done)

    def action_empty(self) -> None:
        self.count_to_empty()

    @work(thread=True, exclusive=True, group="trash")
    def count_to_empty(self) -> None:
        """Count what is in the trash now, so the question names what `y` purges."""
        try:
            with connection():
                counts = trash.count_trashed()
        except CrmError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        self.app.call_from_thread(self.ask_to_empty, counts)

    def ask_to_empty(self, counts: dict[str, int]) -> None:
        total = sum(counts.values())
        if not total:
            self.notify("The trash is already empty")
            return
        what = "the 1 record" if total == 1 else f"all {total:,} records"
        kinds = counted(counts, ", ")
        question = Text(f"Empty the trash: purge {what} in it ({kinds}) for good? This cannot be undone.")
        self.app.push_screen(ConfirmScreen(question, confirm_label="Empty trash"),
                             lambda yes: yes and self.empty_trash())

    @work(thread=True, exclusive=True, group="trash")
    def empty_trash(self) -> None:
        """Purge everything deleted until now, as one change."""
        try:
            with connection():
                purged = sum(trash.purge_older_than(0).values())
        except CrmError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        self.app.call_from_thread(self.applied, f"Purged {'1 record' if purged == 1 else f'{purged:,} records'}")

    def applied(self, message: str) -> None:
        self.notify(message)
        self.reload()

    def failed(self, message: str) -> None:
        self.notify(message, severity="error")
        self.reload()
