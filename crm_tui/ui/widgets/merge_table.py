"""MergeTable: contacts side by side for a merge, one row a field and one column a contact, the chosen values ticked.

It draws a `merge.MergePlan` and moves a cell cursor; what a key does with that cell (pick, keep) is the screen's.
Only the rows and columns that fit are drawn: at 80 columns three contacts show, and more scroll sideways with the
cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from crm_tui.core.contacts.data import ContactData
from crm_tui.core.contacts.service import ADDRESS_FIELDS
from crm_tui.core.duplicates import merge
from crm_tui.core.text import cut, fit

LABEL_WIDTH = 14
MIN_COLUMN_WIDTH = 20
"""Narrower than this, a value says too little to choose by; at 80 columns three contacts fit, more scroll."""
EMPTY = "—"
CHOSEN = "✓ "
LABELS = {
    "first_name": "First name", "last_name": "Last name", "display_name": "Display name", "title": "Title",
    "company": "Company", merge.ADDRESS: "Address", "birthday": "Birthday", "keep_in_touch_days": "Keep in touch",
}


def contact_value(contact: ContactData, field: str) -> Any:
    """What one contact holds for a field of the plan (an address as its parts), None when nothing."""
    if field == merge.ADDRESS:
        parts = tuple(getattr(contact, name) for name in ADDRESS_FIELDS)
        return parts if any(parts) else None
    if field.startswith(merge.CUSTOM):
        value = contact.custom.get(field.removeprefix(merge.CUSTOM))
    else:
        value = getattr(contact, field)
    return None if value is None or value == "" else value


def label(field: str) -> str:
    return LABELS.get(field) or field.removeprefix(merge.CUSTOM)



class MergeTable(Widget, can_focus=True):
    """One row a field, one column a contact (in the order given, whichever is kept); the values the merge takes
    are ticked. The cursor is a cell: its column is the contact that left/right picked and `k` keeps."""

    COMPONENT_CLASSES = {
        "merge-table--header", "merge-table--kept", "merge-table--chosen", "merge-table--muted",
        "merge-table--contested", "merge-table--cursor-row", "merge-table--cursor",
    }
    DEFAULT_CSS = """
    MergeTable {
        height: 1fr;
        & > .merge-table--header { text-style: bold; color: $text-accent; }
        & > .merge-table--kept { text-style: bold reverse; color: $text-success; }
        & > .merge-table--chosen { text-style: bold; color: $text-success; }
        & > .merge-table--muted { color: $text-muted; }
        & > .merge-table--contested { text-style: bold; color: $text-warning; }
        & > .merge-table--cursor-row { background: $surface-lighten-1; }
        &:focus > .merge-table--cursor { background: $accent 50%; text-style: bold; }
    }
    """

    def __init__(self, contact_ids: Sequence[int], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.contact_ids = tuple(contact_ids)
        self.plan: merge.MergePlan | None = None
        self.row = 0
        self.column = 0
        self._top = 0
        self._first_column = 0

    @property
    def fields(self) -> tuple[merge.FieldChoice, ...]:
        """The fields some contact has a value for: the others have nothing to show or pick."""
        return tuple(choice for choice in self.plan.fields if choice.options) if self.plan else ()

    @property
    def current_field(self) -> merge.FieldChoice | None:
        fields = self.fields
        return fields[self.row] if fields else None

    @property
    def current_contact(self) -> ContactData | None:
        return self.contact(self.contact_ids[self.column])

    def contact(self, contact_id: int) -> ContactData | None:
        if self.plan is None:
            return None
        return next((c for c in (self.plan.keep, *self.plan.others) if c.id == contact_id), None)

    def show(self, plan: merge.MergePlan) -> None:
        self.plan = plan
        self.row = min(self.row, max(0, len(self.fields) - 1))
        self.refresh()

    def move(self, rows: int = 0, columns: int = 0) -> None:
        self.row = max(0, min(len(self.fields) - 1, self.row + rows))
        self.column = max(0, min(len(self.contact_ids) - 1, self.column + columns))
        self.refresh()

    def move_to_column(self, column: int) -> None:
        self.column = max(0, min(len(self.contact_ids) - 1, column))
        self.refresh()

    # Drawing -----------------------------------------------------------------------------------------------

    def _window(self, width: int) -> tuple[int, int]:
        """(first column shown, how many), keeping the cursor's column in view."""
        count = len(self.contact_ids)
        shown = max(1, min(count, (width - LABEL_WIDTH) // MIN_COLUMN_WIDTH))
        first = min(max(self._first_column, self.column - shown + 1), self.column)
        self._first_column = first
        return first, shown

    def _style(self, name: str) -> Style:
        """A component's own rules only, so a value's colour and the cursor row's background add up; the cursor's
        background is blended with the widget's, which only the full style does."""
        return self.get_component_rich_style(f"merge-table--{name}", partial=not name.startswith("cursor"))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if self.plan is None:
            return Strip([Segment(fit("Reading the contacts…" if y == 0 else "", width), base)])
        first, shown = self._window(width)
        column_width = (width - LABEL_WIDTH) // shown
        columns = range(first, first + shown)
        if y == 0:
            return self._header(columns, column_width, width, base)
        visible = max(1, self.size.height - 1)
        self._top = min(max(self._top, self.row - visible + 1), self.row)
        index = self._top + y - 1
        fields = self.fields
        if index >= len(fields):
            return Strip.blank(width, base)
        return self._row(index, fields[index], columns, column_width, width, base)

    def _header(self, columns: range, column_width: int, width: int, base: Style) -> Strip:
        header = base + self._style("header")
        count = len(self.contact_ids)
        where = f"{columns.start + 1}-{columns.stop} of {count}" if len(columns) < count else ""
        segments = [Segment(fit(where, LABEL_WIDTH), base + self._style("muted"))]
        for column in columns:
            contact_id = self.contact_ids[column]
            contact = self.contact(contact_id)
            name = contact.name if contact else f"#{contact_id}"
            kept = contact_id == self.plan.keep.id
            suffix = f" #{contact_id}" + (" (kept)" if kept else "")
            text = cut(f"{column + 1} {name}", column_width - 1 - cell_len(suffix)) + suffix
            style = header + self._style("kept") if kept else header
            segments += [Segment(fit(text, column_width - 1), style), Segment(" ", base)]
        return Strip(segments).crop(0, width).extend_cell_length(width, base)

    def _row(self, index: int, choice: merge.FieldChoice, columns: range, column_width: int, width: int,
             base: Style) -> Strip:
        on_row = index == self.row
        row_style = base + self._style("cursor-row") if on_row else base
        label_style = row_style + (self._style("contested") if choice.contested else self._style("muted"))
        segments = [Segment(fit(label(choice.field), LABEL_WIDTH - 1), label_style), Segment(" ", row_style)]
        for column in columns:
            value = contact_value(self.contact(self.contact_ids[column]), choice.field)
            chosen = value is not None and value == choice.value
            if value is None:
                text, style = "  " + EMPTY, row_style + self._style("muted")
            else:
                text = (CHOSEN if chosen else "  ") + merge.shown(value)
                style = row_style + self._style("chosen") if chosen else row_style
            if on_row and column == self.column:
                style += self._style("cursor")
            segments += [Segment(fit(text, column_width - 1), style), Segment(" ", row_style)]
        return Strip(segments).crop(0, width).extend_cell_length(width, row_style)
