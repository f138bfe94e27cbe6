"""RecordList: a keyboard list over any number of records, reading only the pages that are on screen.

A `ScrollView` whose virtual height is the row count; `render_line` draws each visible row from an LRU cache of
pages, and a missing page is read on a reader thread (reader.py) and painted when it lands. Which pages to read, and
reading them, is PagedList's (paged_list.py); this module draws the rows and answers the keys, marks and status.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from crm_tui.core.text import cut, one_line
from crm_tui.ui.kit.paged_list import PAGE_SIZE, PagedList
from crm_tui.ui.kit.record_source import MARK_WIDTH, Marks, column_widths


class RecordList(PagedList, can_focus=True, inherit_bindings=False):
    """The list every section shows: contacts, companies, the trash, the people at a company."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("pagedown,ctrl+d", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("s", "cycle_sort", "Sort", show=False, id="list.sort"),
        Binding("space", "toggle_mark", "Mark", show=False, id="list.mark"),
        Binding("asterisk", "invert_marks", "Invert marks", show=False, id="list.invert_marks"),
        Binding("enter", "open", "Open", show=False, id="list.open"),
    ]
    COMPONENT_CLASSES = {
        "record-list--header", "record-list--cursor", "record-list--marked", "record-list--loading",
        "record-list--status",
    }
    DEFAULT_CSS = """
    RecordList {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        & > .record-list--header { text-style: bold; color: $text-accent; }
        & > .record-list--cursor { background: $surface-lighten-1; }
        &:focus > .record-list--cursor { background: $accent 40%; text-style: bold; }
        & > .record-list--marked { color: $text-warning; }
        & > .record-list--loading { color: $text-muted; }
        & > .record-list--status { background: $panel; color: $text-muted; }
    }
    """

    class Opened(Message):
        """The user pressed enter on a record."""

        def __init__(self, record_list: RecordList, record: Any) -> None:
            super().__init__()
            self.record_list = record_list
            self.record = record

        @property
        def control(self) -> RecordList:
            return self.record_list

    class Changed(Message):
        """The cursor, total, sort, filter or marks changed: time to redraw a status line."""

        def __init__(self, record_list: RecordList) -> None:
            super().__init__()
            self.record_list = record_list

        @property
        def control(self) -> RecordList:
            return self.record_list

    # Drawing -----------------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y < self.header_lines:
            return self.render_header(y, width)
        if y >= self.scrollable_content_region.height - self.status_lines:
            status = set_cell_size(" " + one_line(self.status()), width)
            return Strip([Segment(status, self.rich_style + self.get_component_rich_style("record-list--status"))])
        row, part = divmod(round(self.scroll_y) + y - self.header_lines, self.row_height)
        if row >= self.row_count:
            return self.render_empty(row, part, width)
        page_index = row // PAGE_SIZE
        self._want(page_index)
        record = self.record_at(row)
        style = self.rich_style
        if record is None:
            if part:
                return Strip.blank(width, style)
            return self._strip(" " * MARK_WIDTH, ["…"], [width - MARK_WIDTH], width,
                               style + self._cursor_style(row) + self.get_component_rich_style("record-list--loading"))
        return self.render_record(record, row, part, width)

    def render_header(self, y: int, width: int) -> Strip:
        widths = column_widths(tuple(self.source.columns), width)
        cells = [column.title for column in self.source.columns]
        return self._strip(" " * MARK_WIDTH, cells, widths, width, self.get_component_rich_style(
            "record-list--header"))

    def render_empty(self, row: int, part: int, width: int) -> Strip:
        """A line below the last record."""
        return Strip.blank(width, self.rich_style)

    def render_record(self, record: Any, row: int, part: int, width: int) -> Strip:
        """Line `part` of the record on `row`: a list draws one line of columns."""
        style = self.rich_style
        marked = self.marks.holds(record.id)
        if marked:
            style += self.get_component_rich_style("record-list--marked")
        style += self._cursor_style(row)
        cells = [column.value(record) for column in self.source.columns]
        widths = column_widths(tuple(self.source.columns), width)
        return self._strip("● " if marked else "  ", cells, widths, width, style)

    def _cursor_style(self, row: int) -> Style:
        return self.get_component_rich_style("record-list--cursor") if row == self.cursor else Style()

    @staticmethod
    def _strip(mark: str, cells: list[str], widths: Sequence[int], width: int, style: Style) -> Strip:
        """One line of plain text (user data is never read as markup), each cell cut or padded to its width.

        A segment per cell keeps columns aligned wherever the line is drawn by position, as in SVG screenshots."""
        segments = [Segment(mark, style)]
        used = cell_len(mark)
        for cell, cell_width in zip(cells, widths, strict=False):
            segments.append(Segment(set_cell_size(cut(str(cell), cell_width), cell_width + 1), style))
            used += cell_width + 1
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments).crop(0, width)

    # Moving ------------------------------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        if self._state.total is None:
            self._state.jump_to_end = True
            return
        self.move_to(self._state.total - 1)

    def action_page_down(self) -> None:
        self.scroll_to(y=(self.top_row + self.visible_rows) * self.row_height, animate=False, immediate=True)
        self.move_to(self.cursor + self.visible_rows)

    def action_page_up(self) -> None:
        self.scroll_to(y=max(0, self.top_row - self.visible_rows) * self.row_height, animate=False, immediate=True)
        self.move_to(self.cursor - self.visible_rows)

    def action_cycle_sort(self) -> None:
        sorts = list(self.source.sorts)
        self._apply_query(replace(self.list_query, sort=sorts[(sorts.index(self.list_query.sort) + 1) % len(sorts)]))

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self, self.current))

    def on_click(self, event: events.Click) -> None:
        if self.header_lines <= event.y < self.scrollable_content_region.height - self.status_lines:
            self.move_to((round(self.scroll_y) + event.y - self.header_lines) // self.row_height)
            if event.chain == 2:
                self.action_open()

    # Marks -------------------------------------------------------------------------------------------------

    @property
    def marked_count(self) -> int:
        if not self.marks.inverted:
            return len(self.marks.ids)
        return max(0, (self.total or 0) - len(self.marks.ids))

    def action_toggle_mark(self) -> None:
        record = self.current
        if record is None:
            return
        self.marks = replace(self.marks, ids=self.marks.ids ^ {record.id}, query=self.list_query)
        self.move_to(self.cursor + 1)

    def action_invert_marks(self) -> None:
        self.marks = replace(self.marks, inverted=not self.marks.inverted, query=self.list_query)
        self.refresh()
        self.post_message(self.Changed(self))

    def clear_marks(self) -> None:
        self.marks = Marks()
        self.refresh()
        self.post_message(self.Changed(self))

    def marked_ids(self) -> Iterator[int]:
        """The marked ids; for inverted marks, read from the source, so call it in a worker thread."""
        marks = self.marks
        if not marks.inverted:
            return iter(sorted(marks.ids))
        wanted = marks.query or self.list_query
        return (record_id for record_id in self.source.ids(wanted) if record_id not in marks.ids)

    def status(self) -> str:
        """'row X of N', the sort, the filter and the marks, for the screen's status line."""
        total = self.total
        if total == 0:
            position = f"no {self.source.plural}"
        elif total is None:
            position = f"row {self.cursor + 1:,} of … (counting)"
        else:
            position = f"row {self.cursor + 1:,} of {total:,}"
        parts = [position, f"sort: {self.list_query.sort}"]
        if self.list_query.filter:
            parts.append(f"filter: {self.list_query.filter}")
        if self.marked_count:
            parts.append(f"{self.marked_count:,} marked")
        return " · ".join(parts)


class MovingOnlyList(RecordList, inherit_bindings=False):
    """A list whose rows the screen acts on one at a time (the trash, duplicate groups): only the moving keys, no
    marks, one order, and `enter` left to the screen so its footer can name what it does."""

    BINDINGS = [binding for binding in RecordList.BINDINGS
                if binding.action not in ("toggle_mark", "invert_marks", "cycle_sort", "open")]
