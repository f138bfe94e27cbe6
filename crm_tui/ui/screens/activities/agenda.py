"""The agenda (section 5): open tasks by when they are due, contacts to get in touch with, and open deals with no
next step, in one list under headings.

The list is virtual like every other (RecordList): the source counts each section first and then reads only the
rows asked for, by offset within each section (core/activities/agenda.py), so 50,000 overdue tasks cost a page. A row's
key is its row number, which turns RecordList's neighbour-page cursors back into offsets.

Tasks done since midnight stay in their group, ticked: a mis-typed space is undone by another, in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Input, Label, Static

from crm_tui.core import activities, money
from crm_tui.core.activities import agenda as agenda_rows
from crm_tui.core.activities.agenda import Heading
from crm_tui.core.activities.follow_ups import KeepInTouch
from crm_tui.core.activities.service import ActivityData
from crm_tui.core.db import connection
from crm_tui.core.deals.service import DealData
from crm_tui.core.errors import CrmError, ValidationError
from crm_tui.core.models import format_timestamp, parse_timestamp
from crm_tui.core.records import Page
from crm_tui.core.text import plural
from crm_tui.core.when import When, instant, local_time, parse_when
from crm_tui.ui import sources
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.kit.dialogs import DialogScreen
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import Column, ListQuery, column_widths
from crm_tui.ui.navigation import detail_screen, linked_record
from crm_tui.ui.screens.activities.form import LogFormScreen, TaskFormScreen, open_editor
from crm_tui.ui.text import with_whom

EMPTY_AGENDA = "Nothing due. t adds a task."

TASK_COLUMNS = (
    Column("", lambda task: "[x]" if task.done_at else "[ ]", min_width=3, max_width=3, weight=0),
    Column("Due", lambda task: local_time(task.due_at), min_width=16, max_width=16, weight=0),
    Column("Task", lambda task: task.subject, min_width=20, max_width=60, weight=3),
    Column("With", lambda task: with_whom(task), min_width=12, max_width=30, weight=2),
)
CONTACT_COLUMNS = (
    Column("Contact", lambda contact: " · ".join(filter(None, (contact.name, contact.company))), min_width=20,
           max_width=50, weight=3),
    Column("Last contact", lambda contact: f"every {contact.every_days} days", min_width=30, max_width=44, weight=2),
)
DEAL_COLUMNS = (
    Column("Deal", lambda deal: deal.title, min_width=16, max_width=50, weight=3),
    Column("Stage", lambda deal: deal.stage, min_width=10, max_width=16, weight=1),
    Column("Value", lambda deal: money.format_money(deal.value_minor, deal.currency), min_width=14, max_width=20,
           weight=0),
    Column("Client", lambda deal: deal.client, min_width=10, max_width=30, weight=2),
)



def due_text(task: ActivityData, now: datetime) -> str:
    """When a task is due, as its group needs it: `overdue 2d`, just the time today, the day ahead (no time in
    another year, so it fits). A done task is no longer overdue: it shows when it was due."""
    if task.due_at is None:
        return ""
    due = parse_timestamp(task.due_at)
    timed = not agenda_rows.is_end_of_day(task.due_at)
    if due < now and task.done_at is None:
        late = now - due
        if late.days:
            return f"overdue {late.days}d"
        hours = late.seconds // 3600
        return f"overdue {hours}h" if hours else f"overdue {late.seconds // 60}m"
    if due.astimezone().date() == now.astimezone().date():
        return f"{due.astimezone():%H:%M}" if timed else "today"
    return When(due, timed and due.astimezone().year == now.astimezone().year).describe(now)


def last_contact(contact: KeepInTouch, now: datetime) -> str:
    """`last contact 45 days ago · every 30 days`, or `never in touch · every 30 days`."""
    days = contact.days_since(now)
    every = f"every {plural(contact.every_days, 'day')}"
    if days is None:
        return f"never in touch · {every}"
    return f"last contact {plural(days, 'day')} ago · {every}"


class AgendaSource(agenda_rows.AgendaPages):
    """The agenda as a RecordList reads it, on the UI's clock."""

    plural = "entries"
    columns = TASK_COLUMNS
    sorts = ("due",)

    def __init__(self) -> None:
        super().__init__(lambda: sources.current_time())

    def fetch(self, query: ListQuery, after: tuple | None, backwards: bool, offset: int, limit: int) -> Page:
        return self.page(after, backwards, offset, limit)

    def count(self, query: ListQuery) -> int:
        return self.layout().total

    def ids(self, query: ListQuery) -> Iterator[int]:
        return iter(())


MOVES = {"cursor_down", "cursor_up", "first", "last", "page_down", "page_up"}


class AgendaList(RecordList, inherit_bindings=False):
    """The agenda's rows under their headings; the cursor steps over headings, which nothing acts on."""

    # Only the list's moving keys: space, s, * and enter mean something else on the agenda (its screen's keys).
    BINDINGS = [binding for binding in RecordList.BINDINGS if binding.action in MOVES]
    COMPONENT_CLASSES = RecordList.COMPONENT_CLASSES | {"agenda--heading", "agenda--done"}
    DEFAULT_CSS = """
    AgendaList {
        & > .agenda--heading { text-style: bold; color: $text-accent; }
        & > .agenda--done { color: $text-muted; text-style: strike; }
    }
    """
    source: AgendaSource

    @property
    def now(self) -> datetime:
        layout = self.source.last_layout
        return layout.now if layout is not None else sources.current_time()

    def is_heading(self, row: int) -> bool:
        return isinstance(self.record_at(row), Heading)

    def move_to(self, row: int) -> None:
        """Step over a heading in the direction of travel; at the top, show the first heading but stay below it."""
        step = -1 if row < self.cursor else 1
        target = max(0, min(row, self.row_count - 1))
        while self.is_heading(target) and 0 <= target + step < self.row_count:
            target += step
        if self.is_heading(target):
            target -= step
        super().move_to(target)
        if row <= 0:
            self.scroll_to(y=0, animate=False, immediate=True)

    def settle_cursor(self) -> None:
        """After a read, a cursor left on a heading (the first row, or rows that moved) goes to the row below."""
        if self.is_heading(self.cursor):
            self.move_to(self.cursor + 1)

    def render_header(self, y: int, width: int) -> Strip:
        today = self.now.astimezone()
        title = f"Agenda · {today:%A} {today.day} {today:%B %Y}"
        return self._strip("  ", [title], [width - 2], width, self.get_component_rich_style("record-list--header"))

    def render_record(self, record: object, row: int, part: int, width: int) -> Strip:
        style = self.rich_style + self._cursor_style(row)
        now = self.now
        if isinstance(record, Heading):
            style += self.get_component_rich_style("agenda--heading")
            return self._strip(" ", [record.label], [width - 2], width, style)
        if isinstance(record, ActivityData):
            if record.done_at:
                style += self.get_component_rich_style("agenda--done")
            cells = [column.value(record) for column in TASK_COLUMNS]
            cells[1] = due_text(record, now)
            return self._strip("  ", cells, column_widths(TASK_COLUMNS, width), width, style)
        if isinstance(record, KeepInTouch):
            cells = [column.value(record) for column in CONTACT_COLUMNS]
            cells[1] = last_contact(record, now)
            return self._strip("  ", cells, column_widths(CONTACT_COLUMNS, width), width, style)
        cells = [column.value(record) for column in DEAL_COLUMNS]
        return self._strip("  ", cells, column_widths(DEAL_COLUMNS, width), width, style)

    def status(self) -> str:
        """Where the cursor is: its section, and the row among that section's."""
        if self.total == 0:
            return "nothing due"
        layout = self.source.last_layout
        section = layout.section_at(self.cursor) if layout is not None else None
        if section is None:
            return f"row {self.cursor + 1:,}"
        return f"{section.heading.title} · {self.cursor - section.first_row:,} of {section.heading.members:,}"


class SnoozeScreen(DialogScreen[datetime | None]):
    """When a task is now due, typed ("mon", "fri 10am", "+3d"): what it understood shows under the field as it is
    typed, or why it cannot be read. Dismisses with the UTC instant (a bare day: its end), or None."""

    AUTO_FOCUS = "#when"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="snooze.cancel")]
    DEFAULT_CSS = """
    SnoozeScreen #when { margin: 0; }
    SnoozeScreen #when-note { color: $text-muted; width: 1fr; margin: 0 0 1 0; }
    SnoozeScreen #when-note.-error { color: $error; }
    """

    def __init__(self, task: ActivityData) -> None:
        super().__init__()
        self.snoozing = task

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text.assemble("Snooze ", (self.snoozing.subject, "bold"), " to"), classes="dialog-title")
            yield Input(placeholder='e.g. "mon", "fri 10am", "+3d", "2026-12-01"', id="when")
            yield Label("", id="when-note")
            yield Label("enter snooze · esc cancel", classes="dialog-hint")

    @on(Input.Changed)
    def show_understood(self) -> datetime | None:
        """Under the field, the day it was read as, or why it cannot be; returns the instant when there is one."""
        text = self.query_one("#when", Input).value
        now = sources.current_time()
        note = self.query_one("#when-note", Label)
        message, wanted = "", None
        if text.strip():
            try:
                message = "→ " + parse_when(text, now, direction="future", field="due_at").describe(now)
                wanted = instant(text, now, direction="future", field="due_at")
            except ValidationError as exc:
                message = exc.errors[0].message
        note.update(Text(message))
        note.set_class(bool(text.strip()) and wanted is None, "-error")
        return wanted

    @on(Input.Submitted)
    def snooze(self) -> None:
        if not self.query_one("#when", Input).value.strip():
            note = self.query_one("#when-note", Label)
            note.update(Text("type when it is due, e.g. \"mon\" or \"+3d\""))
            note.add_class("-error")
            return
        wanted = self.show_understood()
        if wanted is not None:
            self.dismiss(wanted)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AgendaScreen(Screen[None]):
    """What to do next: tick tasks off, snooze them, add the next step to a deal, get back in touch."""

    BINDINGS = [
        Binding("space,x", "toggle_done", "Done", id="agenda.toggle_done"),
        Binding("z", "snooze", "+1 day", id="agenda.snooze"),
        Binding("Z", "snooze_to", "Snooze to", show=False, id="agenda.snooze_to"),
        Binding("t", "add_task", "Task", id="agenda.add_task"),
        Binding("l", "log", "Log", id="agenda.log"),
        Binding("e", "edit", "Edit", show=False, id="agenda.edit"),
        Binding("enter", "open", "Open", show=False, id="agenda.open"),
    ]
    DEFAULT_CSS = """
    AgendaScreen #empty-note { display: none; height: auto; padding: 1 2; color: $text-muted; }
    AgendaScreen.empty #empty-note { display: block; }
    """
    help_title = "Agenda"
    TASK_ACTIONS = frozenset({"toggle_done", "snooze", "snooze_to", "edit"})

    def __init__(self) -> None:
        super().__init__()
        self._row_kind: type | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(EMPTY_AGENDA, id="empty-note")
        yield AgendaList(AgendaSource(), id="records")
        yield AppFooter()

    @property
    def records(self) -> AgendaList:
        return self.query_one("#records", AgendaList)

    @property
    def current(self) -> ActivityData | KeepInTouch | DealData | None:
        """The row under the cursor, if it is one to act on (not a heading, and read)."""
        record = self.records.current
        return None if isinstance(record, Heading) else record

    def on_mount(self) -> None:
        self.records.focus()

    def on_screen_resume(self) -> None:
        if self.records.loaded:
            self.reload()

    def reload(self) -> None:
        """Count and read everything again: after a change here, an undo, ctrl+r, or a write by another process."""
        self.records.source.invalidate()
        self.records.reload()

    @on(RecordList.Changed, "#records")
    def list_changed(self) -> None:
        records = self.records
        records.settle_cursor()
        self.set_class(records.total == 0, "empty")
        kind = type(self.current)
        if kind is not self._row_kind:
            self._row_kind = kind
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys for tasks show on tasks only; enter on any row."""
        if action in self.TASK_ACTIONS:
            return isinstance(self.current, ActivityData)
        if action == "open":
            return self.current is not None
        return True

    # Changing tasks ----------------------------------------------------------------------------------------

    def action_toggle_done(self) -> None:
        task = self.current
        if isinstance(task, ActivityData):
            self.set_done(task, task.done_at is None)

    @work(thread=True, exclusive=True, group="agenda-change")
    def set_done(self, task: ActivityData, done: bool) -> None:
        try:
            with connection():
                activities.set_done(task.id, done, expected_version=task.version)
        except CrmError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        verb = "Done" if done else "Open again"
        self.app.call_from_thread(self.changed, f"{verb}: {task.subject}")

    def action_snooze(self) -> None:
        task = self.current
        if isinstance(task, ActivityData) and self.can_snooze(task):
            due = agenda_rows.snoozed(task.due_at, sources.current_time())
            self.set_due(task, due)

    def action_snooze_to(self) -> None:
        task = self.current
        if not isinstance(task, ActivityData) or not self.can_snooze(task):
            return

        def chosen(due: datetime | None) -> None:
            if due is not None:
                self.set_due(task, due)

        self.app.push_screen(SnoozeScreen(task), chosen)

    def can_snooze(self, task: ActivityData) -> bool:
        if task.done_at is not None:
            self.notify("That task is done; space opens it again")
            return False
        return True

    @work(thread=True, exclusive=True, group="agenda-change")
    def set_due(self, task: ActivityData, due: datetime) -> None:
        try:
            with connection():
                activities.update(task.id, task.version, due_at=due)
        except CrmError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        when = When(due, not agenda_rows.is_end_of_day(format_timestamp(due)))
        self.app.call_from_thread(self.changed, f"Due {when.describe(sources.current_time())}: {task.subject}")

    def changed(self, message: str) -> None:
        self.notify(f"{message} · u undoes")
        self.reload()

    def failed(self, message: str) -> None:
        self.notify(message, severity="error")
        self.reload()

    # Forms -------------------------------------------------------------------------------------------------

    def links(self, record: object) -> dict[str, int | None]:
        """What a new task or log entry from this row is about."""
        if isinstance(record, ActivityData):
            return {"contact_id": record.contact_id, "company_id": record.company_id, "deal_id": record.deal_id}
        if isinstance(record, KeepInTouch):
            return {"contact_id": record.id}
        if isinstance(record, DealData):
            return {"contact_id": record.contact_id, "company_id": record.company_id, "deal_id": record.id}
        return {}

    def history_target(self) -> tuple[str, int] | None:
        """The task, contact or deal on the row under the cursor, for `h` (see CrmApp.action_history)."""
        record = self.current
        if isinstance(record, ActivityData):
            return "activity", record.id
        if isinstance(record, KeepInTouch):
            return "contact", record.id
        return ("deal", record.id) if isinstance(record, DealData) else None

    def action_add_task(self) -> None:
        """A new task; on a deal without a next step or a contact to get back to, one about them."""
        record = self.current
        links = {} if isinstance(record, ActivityData) else self.links(record)
        self.app.push_screen(TaskFormScreen(**links))  # the form says what it added; the agenda reads itself again

    def action_log(self) -> None:
        """Log a call, meeting, email or note with who (or what) the row is about."""
        self.app.push_screen(LogFormScreen(**self.links(self.current)))

    def action_edit(self) -> None:
        task = self.current
        if isinstance(task, ActivityData):
            open_editor(self, task.id, self.saved)

    def saved(self, activity_id: int | None) -> None:
        """The agenda reads itself again as the form closes (on_screen_resume)."""
        if activity_id is not None:
            self.notify("Saved · u undoes")

    # Opening what a row is about ---------------------------------------------------------------------------

    def action_open(self) -> None:
        if self.current is not None:
            self.open_record(self.current)

    @on(RecordList.Opened, "#records")
    def opened(self, event: RecordList.Opened) -> None:
        if not isinstance(event.record, Heading):
            self.open_record(event.record)

    def open_record(self, record: ActivityData | KeepInTouch | DealData) -> None:
        """A task's deal, else its contact, else its company; a contact to get in touch with; a deal."""
        if isinstance(record, ActivityData):
            linked = linked_record(record)
        elif isinstance(record, KeepInTouch):
            linked = ("contact", record.id)
        else:
            linked = ("deal", record.id)
        if linked is None:
            self.notify("This task is not linked to a contact, company or deal")
            return
        self.app.push_screen(detail_screen(*linked))
