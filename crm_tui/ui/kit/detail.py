"""What the detail screens share: labelled fields in titled sections, local times, and a screen that steps
through the list it was opened from.

A detail screen reads its record in a thread worker and renders plain data. Keys move to the next or previous
record of that list, and escape hands back how many steps were taken, so the list can move its cursor to match.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from crm_tui.core.db import connection
from crm_tui.core.errors import ConflictError, CrmError, NotFoundError
from crm_tui.core.when import local_time
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.kit.record_source import ListQuery

EMPTY = "—"
LABEL_WIDTH = 13
STEP_KEYS = Binding.Group("Next/prev", compact=True)



def plain(value: str) -> Text:
    """User data as text that is shown exactly as typed, never read as markup."""
    return Text(value)


class FieldRow(Horizontal):
    """`Label        value`; a list shows one value a line, and an empty field a dimmed dash."""

    DEFAULT_CSS = f"""
    FieldRow {{
        height: auto;
        & > .field-label {{ width: {LABEL_WIDTH}; color: $text-muted; }}
        & > .field-value {{ width: 1fr; }}
        & > .field-value.-empty {{ color: $text-muted; }}
    }}
    """

    def __init__(self, label: str, value: str | Sequence[str]) -> None:
        super().__init__()
        self.label = label
        self.values = [value] if isinstance(value, str) else list(value)

    def compose(self) -> ComposeResult:
        shown = "\n".join(value for value in self.values if value)
        yield Static(plain(self.label), classes="field-label")
        yield Static(plain(shown or EMPTY), classes="field-value" if shown else "field-value -empty")


class Section(Vertical):
    """A titled group of field rows or paragraphs."""

    DEFAULT_CSS = """
    Section {
        height: auto;
        margin: 1 0 0 0;
        & > .section-title { text-style: bold; color: $text-accent; }
        & > .paragraph { width: 1fr; }
        & > .paragraph.-muted { color: $text-muted; }
    }
    """

    def __init__(self, title: str | None, *children: Widget) -> None:
        heading = [] if title is None else [Static(plain(title), classes="section-title")]
        super().__init__(*heading, *children)


def paragraph(text: str | Text, muted: bool = False) -> Static:
    """Free text such as notes: kept as written, line breaks and all; empty text is a dimmed dash."""
    content = plain(text) if isinstance(text, str) else text
    muted = muted or not content.plain
    return Static(content if content.plain else plain(EMPTY), classes="paragraph -muted" if muted else "paragraph")


def time_rows(record: Any) -> list[FieldRow]:
    """When a record was created and last changed, in local time."""
    return [FieldRow("Created", local_time(record.created_at)), FieldRow("Updated", local_time(record.updated_at))]


def detail_bindings(prefix: str) -> list[Binding]:
    """The keys every detail screen has, with ids under `prefix` (e.g. `contact_detail.next`)."""
    return [
        Binding("escape", "back", "Back", id=f"{prefix}.back"),
        Binding("n", "step(1)", "Next", id=f"{prefix}.next", group=STEP_KEYS),
        Binding("p", "step(-1)", "Previous", id=f"{prefix}.previous", group=STEP_KEYS),
        Binding("e", "edit", "Edit", id=f"{prefix}.edit"),
        Binding("d", "delete", "Delete", id=f"{prefix}.delete"),
    ]


class DetailScreen(Screen[int]):
    """One record with all its fields. Dismisses with the net number of steps moved through the list."""

    DEFAULT_CSS = """
    DetailScreen {
        & > #banner { display: none; height: auto; padding: 0 1; background: $warning 30%; }
        & > #banner.shown { display: block; }
        & > #card { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
        & .detail-title { text-style: bold; }
    }
    """
    noun = "record"
    link_field: ClassVar[str]
    """How an activity logged here links to the record: "contact_id", "company_id" or "deal_id"."""

    def __init__(self, record_id: int, source: Any, query: ListQuery) -> None:
        super().__init__()
        self.record_id = record_id
        self.source = source
        self.list_query = query
        self.record: Any | None = None
        self.steps = 0
        self._moves: deque[int] = deque()
        self._moving = False

    # What a subclass supplies ------------------------------------------------------------------------------

    service: ClassVar[Any]
    """The core module of the record's kind: `get(id, include_deleted=)` and `delete(id)`."""
    form_type: ClassVar[type[Screen]]
    """The form that edits the record: built with the record, dismissing with its id or None."""

    def sections(self, record: Any) -> Iterable[Widget]:
        raise NotImplementedError

    def fetch(self, record_id: int) -> Any:
        """Read the record, trashed ones too, so a record opened from the trash can be shown."""
        return self.service.get(record_id, include_deleted=True)

    # Layout and loading ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("", id="banner")
        yield VerticalScroll(id="card")
        yield from self.compose_extra()
        yield AppFooter()

    def compose_extra(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#card").focus()
        self.reload()

    def reload(self) -> None:
        """Read the record again, e.g. after it was changed here or by another process."""
        self._load(self.record_id)

    @work(thread=True, exclusive=True, group="detail-load")
    def _load(self, record_id: int) -> None:
        try:
            with connection():
                record = self.fetch(record_id)
        except NotFoundError:
            self._reply(self._gone, record_id)
            return
        self._reply(self.show, record)

    def _reply(self, callback: Callable[..., object], *args: Any) -> None:
        """Hand a worker's result to the UI thread, unless a newer worker or closing the screen made it moot."""

        def deliver() -> None:
            if self.is_attached:
                callback(*args)

        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(deliver)

    def show(self, record: Any) -> None:
        """Render `record`; one read for a record the screen has since moved away from is dropped."""
        if record.id != self.record_id:
            return
        self.record = record
        trashed = record.deleted_at is not None
        self._set_banner(f"In the trash since {local_time(record.deleted_at)}" if trashed else "")
        card = self.query_one("#card", VerticalScroll)
        with self.app.batch_update():
            card.remove_children()
            card.mount_all([Static(plain(record.name), classes="detail-title"), *self.sections(record)])
        self.refresh_bindings()

    def _gone(self, record_id: int) -> None:
        if record_id == self.record_id:
            self.record = None
            self._set_banner(f"This {self.noun} no longer exists · esc goes back")
            self.refresh_bindings()

    def _set_banner(self, message: str) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(plain(message))
        banner.set_class(bool(message), "shown")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete", "tags", "company"):
            return self.record is not None and self.record.deleted_at is None
        return True

    def activity_links(self) -> dict[str, int]:
        """This record, for `l` and `t` (see CrmApp.action_log); none while it is in the trash or gone."""
        record = self.record
        return {self.link_field: record.id} if record is not None and record.deleted_at is None else {}

    def history_target(self) -> tuple[str, int] | None:
        """The record shown, in the trash or purged too, for `h` (see CrmApp.action_history)."""
        return self.link_field.removesuffix("_id"), self.record_id

    # Moving through the list -------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(self.steps)

    def action_step(self, step: int) -> None:
        """Queue a move, so keys pressed faster than records are read all count, in order."""
        self._moves.append(step)
        if not self._moving:
            self._next_move()

    def _next_move(self) -> None:
        if self._moves:
            self._moving = True
            self._find_neighbour(self.record_id, self._moves.popleft())

    @work(thread=True, exclusive=True, group="detail-move")
    def _find_neighbour(self, record_id: int, step: int) -> None:
        try:
            with connection():
                found = self.source.neighbour(record_id, step, self.list_query)
                record = None if found is None else self.fetch(found)
        except CrmError as exc:
            self._reply(self._moved, step, None, exc)
            return
        self._reply(self._moved, step, record, None)

    def _moved(self, step: int, record: Any | None, error: CrmError | None) -> None:
        self._moving = False
        if record is None:
            self._moves.clear()
            if error is not None:
                self.changed_elsewhere(error)
            else:
                self.notify(f"This is the {'last' if step > 0 else 'first'} {self.noun}")
            return
        self.record_id = record.id
        self.steps += step
        self.show(record)
        self.query_one("#card", VerticalScroll).scroll_home(animate=False)
        self._next_move()

    # Changing the record -----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="detail-write")
    def run_change(self, change: Callable[[], object], done: Callable[[], object]) -> None:
        """Run a service call that changes the record, then `done` on the UI thread; a record changed or deleted
        elsewhere meanwhile is reported and shown as it is now."""
        try:
            with connection():
                change()
        except (ConflictError, NotFoundError) as exc:
            self._reply(self.changed_elsewhere, exc)
            return
        except CrmError as exc:
            self._reply(partial(self.notify, str(exc), severity="error", markup=False))
            return
        self._reply(done)

    def changed_elsewhere(self, error: CrmError) -> None:
        if isinstance(error, ConflictError):
            message = f"This {self.noun} was changed elsewhere; here is the latest version. Apply your edit again."
        else:
            message = f"This {self.noun} was deleted or moved to the trash elsewhere."
        self.notify(message, severity="warning")
        self.reload()

    def action_edit(self) -> None:
        if self.record is not None:
            self.app.push_screen(self.form_type(self.record), lambda _saved: self.reload())

    def action_delete(self) -> None:
        record = self.record
        if record is None:
            return
        question = Text.assemble("Move ", (record.name, "bold"), " to the trash?")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_change(lambda: self.service.delete(record.id), lambda: self._deleted(record.name))

        self.app.push_screen(ConfirmScreen(question, confirm_label="Move to trash"), confirmed)

    def _deleted(self, name: str) -> None:
        self.notify(f"Moved '{name}' to the trash — u undoes", markup=False)
        self.dismiss(self.steps)
