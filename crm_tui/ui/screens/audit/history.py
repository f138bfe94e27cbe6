"""`h`: a record's history, newest change first, each with its time, what it did, where it came from, and every
field it changed as old → new.

The changes are read a page at a time (core/audit/history.py pages by change id), and the next page is read as the
cursor nears the end of what is shown, so a record edited ten thousand times opens as fast as one edited once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.worker import get_current_worker

from crm_tui.core import activities, companies, contacts, deals
from crm_tui.core.audit import history
from crm_tui.core.audit.history import FieldChange, HistoryEntry
from crm_tui.core.db import connection
from crm_tui.core.errors import CrmError, NotFoundError
from crm_tui.core.when import local_time
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.kit.detail import EMPTY

PAGE_SIZE = 50
LOAD_AHEAD = 5
"""Read the next page once the cursor is this many changes from the end of those shown."""
INDENT = "    "
LABEL_WIDTH = 22
"""Cells a field's name (and its colon) may take; custom fields can have long names."""
ARROW = " → "
_SERVICES = {"contact": contacts, "company": companies, "deal": deals, "activity": activities}
_FLATTENED = {code: " " for code in range(32)} | {ord("\n"): "↵"}


def cut(text: str, width: int) -> str:
    """`text` on one line, cut to `width` cells with … when longer: a value never wraps into the next change."""
    text = text.translate(_FLATTENED)
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + "…" if width > 0 else ""


def head_line(entry: HistoryEntry, width: int) -> Text:
    """`2026-11-27 15:02 · edited · app · alice`, with `(undone)` after a change an undo took back."""
    words = " · ".join(part for part in (entry.action, entry.source, entry.actor) if part)
    mark = "  (undone)" if entry.undone else ""
    stamp = local_time(entry.at)
    line = Text(stamp, style="bold")
    line.append(cut(f" · {words}", max(0, width - cell_len(stamp) - len(mark))))
    if mark:
        line.append(mark, style="italic")
    return line


def shares(old: int, new: int, room: int) -> tuple[int, int]:
    """Cells for the old and the new value when both must fit `room`: a short one whole, two long ones half each."""
    if old + new <= room:
        return old, new
    half = room // 2
    if old <= half:
        return old, room - old
    if new <= room - half:
        return room - new, new
    return half, room - half


def field_line(change: FieldChange, width: int, label_width: int = 0) -> Text:
    """`    title: — → Countess`: the old value struck through and dim, the new plain, both cut to share the width.
    `label_width` pads the label, so the values of one change start in one column."""
    name = cut(change.field + ":", LABEL_WIDTH)
    label = f"{INDENT}{name}{' ' * max(0, label_width - cell_len(name))} "
    old, new = change.old.translate(_FLATTENED) or EMPTY, change.new.translate(_FLATTENED) or EMPTY
    old_room, new_room = shares(cell_len(old), cell_len(new), max(2, width - cell_len(label) - len(ARROW)))
    line = Text(label, style="dim")
    line.append(cut(old, old_room), style="dim strike" if change.old else "dim")
    line.append(ARROW, style="dim")
    line.append(cut(new, new_room), style="" if change.new else "dim")
    return line


def entry_text(entry: HistoryEntry, width: int) -> Text:
    """One change as the list shows it: its head line, then a line a field; an undone change is dimmed."""
    label_width = min(LABEL_WIDTH, max((cell_len(change.field) + 1 for change in entry.fields), default=0))
    lines = [head_line(entry, width), *(field_line(change, width, label_width) for change in entry.fields)]
    text = Text("\n").join(lines)
    if entry.undone:
        text.stylize("dim")
    return text


def record_title(entity: str, record_id: int) -> str:
    """The record's name as the other screens show it; "" for a purged record, which has none left. In a worker."""
    try:
        return _SERVICES[entity].get(record_id, include_deleted=True).name
    except NotFoundError:
        return ""


class HistoryScreen(Screen[None]):
    """Every change to one record, newest first; esc goes back to where `h` was pressed."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="history.back"),
        Binding("j", "move(1)", "Down", show=False, id="history.down"),
        Binding("k", "move(-1)", "Up", show=False, id="history.up"),
        Binding("g", "first", "First", show=False, id="history.first"),
        Binding("G", "last", "Last loaded", show=False, id="history.last"),
    ]
    DEFAULT_CSS = """
    HistoryScreen {
        & #history-title { height: 1; padding: 0 1; text-style: bold; background: $boost; }
        & #changes { height: 1fr; scrollbar-size-vertical: 1; background: $background; }
        & #changes > .option-list--option { padding: 0 1; }
        & #changes > .option-list--option-highlighted { background: $boost; color: $foreground; }
        & #changes:focus > .option-list--option-highlighted { background: $accent 25%; color: $foreground; }
        & #history-status { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    }
    """
    help_title = "History"

    def __init__(self, entity: str, record_id: int, title: str | None = None) -> None:
        """`title` names the record in the title line; without it, the record's name is read with the first page."""
        super().__init__()
        self.entity = entity
        self.record_id = record_id
        self.title_text = title
        self.entries: list[HistoryEntry] = []
        self.complete = False
        self.loading = False
        self.problem = ""
        self._generation = 0
        self._width = 0

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(self._title(), id="history-title")
        yield OptionList(id="changes", compact=True, markup=False)
        yield Static(Text("Reading…"), id="history-status")
        yield AppFooter()

    @property
    def changes(self) -> OptionList:
        return self.query_one("#changes", OptionList)

    def on_mount(self) -> None:
        self.changes.focus()
        self.watch(self.changes, "scroll_y", self._scrolled, init=False)
        self.reload()

    def reload(self) -> None:
        """Read the history again from the newest change: after an undo, ctrl+r or a write by another process."""
        self._generation += 1
        self.loading = True
        self._read(self._generation, None, self.title_text is None)

    def _title(self) -> Text:
        if self.title_text == "":
            return Text(f"History of {self.entity} #{self.record_id} (purged)")
        return Text.assemble("History of ", self.title_text or "…", f" ({self.entity})")

    # Reading -----------------------------------------------------------------------------------------------

    @work(thread=True, group="history")
    def _read(self, generation: int, before: int | None, with_title: bool) -> None:
        """One page (and one more change, to know whether there are more) older than change `before`."""
        try:
            with connection():
                entries = history.record_history(self.entity, self.record_id, PAGE_SIZE + 1, before)
                title = record_title(self.entity, self.record_id) if with_title else None
        except CrmError as exc:
            self._deliver(self._failed, generation, str(exc))
            return
        self._deliver(self._arrived, generation, before, entries, title)

    def _deliver(self, callback: Callable[..., object], *args: Any) -> None:
        """Hand a worker's result to the UI thread, unless the screen has closed meanwhile."""
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(lambda: self.is_attached and callback(*args))

    def _arrived(self, generation: int, before: int | None, entries: list[HistoryEntry], title: str | None) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.problem = ""
        if title is not None:
            self.title_text = title
            self.query_one("#history-title", Static).update(self._title())
        self.complete = len(entries) <= PAGE_SIZE
        page = entries[:PAGE_SIZE]
        changes = self.changes
        width = self._line_width()
        if before is None:
            highlighted = changes.highlighted
            self.entries = page
            changes.set_options(entry_text(entry, width) for entry in page)
            if page:
                changes.highlighted = min(highlighted or 0, len(page) - 1)
        else:
            self.entries.extend(page)
            changes.add_options(entry_text(entry, width) for entry in page)
        self._width = width
        self.show_status()
        self._load_more_if_near_end()

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.loading = False
            self.problem = message
            self.show_status()

    def show_status(self) -> None:
        count = len(self.entries)
        if self.problem:
            status = self.problem
        elif not count:
            status = f"No changes recorded for this {self.entity}"
        elif self.complete:
            status = "1 change" if count == 1 else f"All {count:,} changes"
        else:
            status = f"The latest {count:,} changes · more load as you scroll"
        self.query_one("#history-status", Static).update(Text(status))

    def _load_more_if_near_end(self) -> None:
        highlighted = self.changes.highlighted
        if highlighted is not None and highlighted >= len(self.entries) - 1 - LOAD_AHEAD:
            self._read_next()

    def _read_next(self) -> None:
        if self.entries and not self.complete and not self.loading:
            self.loading = True
            self._read(self._generation, self.entries[-1].change_id, False)

    @on(OptionList.OptionHighlighted, "#changes")
    def _highlighted(self) -> None:
        self._load_more_if_near_end()

    def _scrolled(self) -> None:
        """Scrolled to the end with the mouse wheel or the scrollbar: read the next page as well."""
        changes = self.changes
        if changes.scroll_y >= changes.max_scroll_y - 1:
            self._read_next()

    # Layout ------------------------------------------------------------------------------------------------

    def _line_width(self) -> int:
        """Cells a change's line has: the list's width less the option's padding (a default before layout)."""
        width = self.changes.scrollable_content_region.width
        return max(20, width - 2) if width else 76

    def on_resize(self) -> None:
        self.call_after_refresh(self._cut_again)

    def _cut_again(self) -> None:
        """Cut the lines for the list's new width."""
        width = self._line_width()
        if self.entries and width != self._width:
            self._width = width
            changes = self.changes
            highlighted = changes.highlighted
            changes.set_options(entry_text(entry, width) for entry in self.entries)
            changes.highlighted = highlighted

    # Moving ------------------------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        changes = self.changes
        if step > 0:
            changes.action_cursor_down()
        else:
            changes.action_cursor_up()

    def action_first(self) -> None:
        self.changes.action_first()

    def action_last(self) -> None:
        self.changes.action_last()
