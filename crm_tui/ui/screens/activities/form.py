"""Log a call, meeting, email or note, or add a task: a compact form that fits 80x24 without scrolling.

Times are typed as people say them ("yesterday 15:00", "fri", "+3d") and read back under the field as they are
understood before anything is saved; what cannot be read is an error there, never a guess. Links are typed as
names (completed from the database) or `#id`; a form started from a record is pre-linked to it and to what it
brings along (a deal's contact and company, a contact's company), so every timeline involved shows the activity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label

from crm_tui.core import activities
from crm_tui.core.activities import links as activity_links
from crm_tui.core.activities.links import LINK_FIELDS
from crm_tui.core.activities.service import TASK, ActivityData
from crm_tui.core.db import connection
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.errors import CrmError, ValidationError
from crm_tui.core.when import instant, local_time, parse_when
from crm_tui.ui import sources
from crm_tui.ui.kit.form import HINT, Field, Form, RecordFormScreen, form_bindings
from crm_tui.ui.lookups import company_starting, contact_starting, first_starting

KIND_KEYS = {"call": "c", "meeting": "m", "email": "e", "note": "n"}
DEFAULT_KIND = "call"
WHEN_PLACEHOLDER = "empty is now; e.g. yesterday 15:00, 2h ago, fri 10am"
DUE_PLACEHOLDER = "empty is no due date; e.g. tomorrow, fri 10am, +3d, next week"
END_OF_DAY = "end of day"


@dataclass(frozen=True)
class WhenField(Field):
    """A date and time typed as people say it, read as of the UI clock into a UTC instant. "past" is when something
    happened (blank is now), "future" a due date (blank is none; a bare day is its end, 23:59 local)."""

    direction: Literal["past", "future"] = "past"

    def parse(self, text: str) -> datetime | None:
        now = sources.current_time()
        if not text.strip():
            return now if self.direction == "past" else None
        return instant(text, now, direction=self.direction, field=self.name)

    def understood(self, text: str) -> str:
        """How `text` reads, in local time: "Fri 4 Dec 10:00", or "yesterday, Thu 3 Dec 15:00" with the date spelt
        out for the days named by a word; ValidationError when it cannot be read."""
        now = sources.current_time()
        when = parse_when(text, now, direction=self.direction, field=self.name)
        shown, dated = when.describe(now), when.describe(now, relative=False)
        if shown != dated:
            shown = f"{shown.split(' ')[0]}, {dated}"
        return shown if when.has_time or self.direction == "past" else f"{shown}, {END_OF_DAY}"


def added_summary(activity: ActivityData) -> str:
    """What was added, e.g. "Logged the call 'Renewal' with Ann Lee" or "Added the task 'X', due 2026-12-04 23:59"."""
    if activity.is_task:
        due = f", due {local_time(activity.due_at)}" if activity.due_at else ""
        return f"Added the task '{activity.name}'{due}"
    with_whom = next((name for name in (activity.contact, activity.company, activity.deal) if name), None)
    return f"Logged the {activity.kind} '{activity.name}'" + (f" with {with_whom}" if with_whom else "")


def deal_starting(prefix: str) -> str | None:
    """The first live deal, by title, whose title starts with `prefix`."""
    if not prefix.strip():
        return None
    found = deal_list.list_page(deal_list.DealFilter(text=prefix), limit=20).items
    return first_starting(prefix, [deal.title for deal in found])


LINKS = (
    Field("contact_id", "Contact", placeholder="name or #id (→ completes); empty is none", suggest=contact_starting),
    Field("company_id", "Company", placeholder="name or #id (→ completes); empty is none", suggest=company_starting),
    Field("deal_id", "Deal", placeholder="title or #id (→ completes); empty is none", suggest=deal_starting),
)
LOG_FIELDS = (
    Field("subject", "Subject"),
    Field("body", "Body", "lines"),
    WhenField("occurred_at", "When", placeholder=WHEN_PLACEHOLDER, direction="past"),
    *LINKS,
)
TASK_FIELDS = (
    Field("subject", "Subject"),
    WhenField("due_at", "Due", placeholder=DUE_PLACEHOLDER, direction="future"),
    Field("body", "Notes", "lines"),
    *LINKS,
)


class KindRow(Widget, can_focus=True):
    """What kind of activity is logged, as four choices: a choice's letter picks it and moves on to the subject,
    so `c`, a subject and ctrl+s log a call. Only this row reads those letters; in the fields they are text."""

    help_title = "Kind"
    BINDINGS = [
        *(Binding(key, f"pick('{kind}')", kind.title(), id=f"log_form.kind_{kind}", show=False)
          for kind, key in KIND_KEYS.items()),
        Binding("left", "step(-1)", "Previous kind", id="log_form.kind_previous", show=False),
        Binding("right,space", "step(1)", "Next kind", id="log_form.kind_next", show=False),
    ]
    COMPONENT_CLASSES = {"kind-row--chosen", "kind-row--key"}
    DEFAULT_CSS = """
    KindRow {
        width: 1fr;
        height: 1;
        background: $boost;
    }
    KindRow:focus {
        background: $accent 30%;
    }
    KindRow > .kind-row--chosen {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    KindRow > .kind-row--key {
        text-style: bold underline;
    }
    """
    GAP = 2

    kind: reactive[str] = reactive(DEFAULT_KIND)

    def choices(self) -> list[tuple[str, str]]:
        """(kind, label) in order, e.g. ("call", " c call ")."""
        return [(kind, f" {key} {kind} ") for kind, key in KIND_KEYS.items()]

    def render(self) -> Text:
        text = Text(no_wrap=True)
        chosen = self.get_component_rich_style("kind-row--chosen")
        key = self.get_component_rich_style("kind-row--key", partial=True)
        for kind, label in self.choices():
            start = len(text)
            text.append(label, style=chosen if kind == self.kind else "")
            text.stylize(key, start + 1, start + 2)
            text.append(" " * self.GAP)
        return text

    def action_pick(self, kind: str) -> None:
        self.kind = kind
        self.screen.focus_next()

    def action_step(self, step: int) -> None:
        kinds = list(KIND_KEYS)
        self.kind = kinds[(kinds.index(self.kind) + step) % len(kinds)] if self.kind in kinds else kinds[0]

    def on_click(self, event: events.Click) -> None:
        start = 0
        for kind, label in self.choices():
            if start <= event.x < start + len(label):
                self.kind = kind
                return
            start += len(label) + self.GAP


class LogForm(Form):
    """The fields of a logged activity under its kind row. The kind counts as changed only against a stored
    activity: picking one on a new form is not typing to lose."""

    def __init__(self, fields: tuple[Field, ...], *, id: str | None = None) -> None:
        super().__init__(fields, id=id)
        self.loaded_kind: str | None = None

    def compose(self) -> ComposeResult:
        parts = super().compose()
        yield next(parts)  # the message panel stays on top
        with Horizontal(classes="form-row"):
            yield Label("Kind", classes="form-label")
            yield KindRow(id="kind")
        yield from parts

    @property
    def kind(self) -> str:
        return self.query_one(KindRow).kind

    def load(self, values: dict[str, Any]) -> None:
        super().load(values)
        self.loaded_kind = values.get("kind")
        if self.loaded_kind is not None:
            self.query_one(KindRow).kind = self.loaded_kind

    def changed(self) -> list[str]:
        changed = super().changed()
        return [*changed, "kind"] if self.loaded_kind is not None and self.kind != self.loaded_kind else changed

    def collect(self, names: Iterable[str]) -> dict[str, Any]:
        names = list(names)
        values = super().collect([name for name in names if name != "kind"])
        return {**values, "kind": self.kind} if "kind" in names else values


def link_text(name: str | None, linked_id: int | None) -> str:
    """What a link field shows for a stored link: the name, or `#id` where the record has none to show."""
    if linked_id is None:
        return ""
    return name if name is not None else f"#{linked_id}"


class ActivityFormScreen(RecordFormScreen):
    """What the log and task forms share: links typed or pre-set, and dates read back as they are typed."""

    NOUN = "activity"
    SERVICE = activities
    NEW_TITLE = "New activity"

    def __init__(self, activity: ActivityData | None = None, *, contact_id: int | None = None,
                 company_id: int | None = None, deal_id: int | None = None) -> None:
        super().__init__(activity)
        self.presets = {"contact_id": contact_id, "company_id": company_id, "deal_id": deal_id}
        self.new_kind = TASK

    def heading(self) -> Text:
        return Text(self.NEW_TITLE) if self.record is None else super().heading()

    def values_of(self, record: ActivityData) -> dict[str, Any]:
        return {
            "kind": record.kind, "subject": record.subject, "body": record.body,
            "occurred_at": local_time(record.occurred_at), "due_at": local_time(record.due_at),
            "contact_id": link_text(record.contact, record.contact_id),
            "company_id": link_text(record.company, record.company_id),
            "deal_id": link_text(record.deal, record.deal_id),
        }

    def service_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """What the service takes (runs on the worker, in `connection()`): typed links as ids, a preset link by
        the id it was opened with while it still shows that name."""
        typed: dict[str, str] = {}
        sent: dict[str, Any] = {}
        for name, value in values.items():
            if name in LINK_FIELDS:
                shown, ref = self.preset_refs.get(name, (None, None))
                typed[name] = f"#{ref}" if ref is not None and value == shown else value
            else:
                sent[name] = value
        return {**sent, **activity_links.find_links(typed)}

    def create_record(self, values: dict[str, Any]) -> ActivityData:
        """Add the activity (on the save worker) and say what was added, as stored."""
        created = activities.create({**self.service_values(values), "kind": self.new_kind})
        self.app.call_from_thread(self.notify, f"{added_summary(created)} · u undoes")
        return created

    def update_record(self, record: ActivityData, changes: dict[str, Any]) -> ActivityData:
        return activities.update(record.id, record.version, **self.service_values(changes))

    # Presets -----------------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()
        if self.record is None and any(ref is not None for ref in self.presets.values()):
            self.read_presets(dict(self.presets))

    @work(thread=True, exclusive=True, group="activity-form-presets")
    def read_presets(self, wanted: dict[str, int | None]) -> None:
        with connection():
            found = activity_links.link_presets(**wanted)
        self.app.call_from_thread(self.show_presets, found)

    # Dates read back -----------------------------------------------------------------------------------------

    @on(Input.Changed)
    def read_back(self, event: Input.Changed) -> None:
        """Under a date field, what it understood as it is typed, or why it cannot be read."""
        field = self.form.fields.get(event.input.id or "")
        if not isinstance(field, WhenField):
            return
        note, error = "", ""
        if event.value.strip():
            try:
                note = field.understood(event.value)
            except ValidationError as exc:
                error = exc.errors[0].message
        self.form.set_line(field.name, "note", note)
        self.form.set_line(field.name, "error", error)


class LogFormScreen(ActivityFormScreen):
    """Log a call, meeting, email or note (or edit one). Opens on the kind row: `c`, a subject, ctrl+s."""

    FIELDS = LOG_FIELDS
    NEW_TITLE = "Log an activity"
    BINDINGS = form_bindings("log_form")

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Label(self.heading(), id="form-title")
            yield LogForm(self.FIELDS, id="form")
            yield Label(HINT, id="form-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(KindRow).focus()

    def action_save(self) -> None:
        self.new_kind = self.query_one(LogForm).kind
        super().action_save()


class TaskFormScreen(ActivityFormScreen):
    """Add a task (or edit one): a subject, when it is due (bare days are due at their end), notes and links."""

    FIELDS = TASK_FIELDS
    NEW_TITLE = "New task"
    BINDINGS = form_bindings("task_form")


def edit_screen(activity: ActivityData) -> ModalScreen[int | None]:
    """The form that edits `activity`: the task form for a task, the log form for anything logged."""
    return TaskFormScreen(activity) if activity.is_task else LogFormScreen(activity)


def open_editor(host: Widget, activity_id: int, saved: Callable[[int | None], object]) -> None:
    """Edit an activity as it is stored now, not the copy a list read earlier, so the form's version is current:
    read on a worker, then the right form for its kind; a read that fails is said, and nothing opens."""

    def load() -> None:
        try:
            with connection():
                activity = activities.get(activity_id)
        except CrmError as exc:
            host.app.call_from_thread(host.notify, str(exc), severity="error")
            return
        host.app.call_from_thread(lambda: host.app.push_screen(edit_screen(activity), saved))

    host.run_worker(load, thread=True, exclusive=True, group="activity-edit")
