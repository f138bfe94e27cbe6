"""PagedList: the reading half of a RecordList: which pages of rows it wants, read on reader threads, and the total.

A page is read by keyset from a cached neighbour when there is one (cheap at any depth), else by offset (a jump with
`G`, or a scrollbar drag). The total is counted after the first page is shown, since counting a million rows takes
longer than reading 50. The cursor lives here too, since a reload keeps it and a total clamps it; RecordList
(record_list.py) draws the rows and answers the keys.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from textual import on
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView

from crm_tui.core.records import Page
from crm_tui.ui.kit.page_cache import CachedPage, PageCache, ReadState
from crm_tui.ui.kit.reader import DatabaseReader, Request
from crm_tui.ui.kit.record_source import ListQuery, Marks, RecordSource

PAGE_SIZE = 50
CACHED_PAGES = 40
COUNT_DELAY_SECONDS = 0.3
HOLD_SECONDS = 0.15
# The column titles on the first line and the status ("row X of N", sort, filter, marks) on the last. The status
# is drawn by the list itself so that it changes in the same frame as the rows: as a widget of its own it was
# redrawn a frame later, and that second frame made the next key wait for Textual's frame clock.
HEADER_LINES = 1
STATUS_LINES = 1


class _Delivered(Message):
    """A reader thread's result, handed to the UI thread."""

    def __init__(self, apply: Callable[[], None]) -> None:
        super().__init__()
        self.apply = apply


def start_readers(app: Any) -> tuple[DatabaseReader, DatabaseReader]:
    """Two reader threads, one for pages and one for counts, on the database the app has open."""
    current = partial(getattr, app, "opened", None)
    readers = DatabaseReader("record-pages", current), DatabaseReader("record-count", current)
    for reader in readers:
        reader.start()
    return readers


class PagedList(ScrollView):
    """What a RecordList draws from: the query and its marks, the pages read, the total, and the cursor.

    The subclass draws the rows (`render_line`, noting each page it draws with `_want`) and defines the `Changed`
    message posted when the cursor, the total or the rows change."""

    row_height = 1
    """Lines a record takes: 1 for a table row, more for a card (see KanbanColumn)."""
    header_lines = HEADER_LINES
    status_lines = STATUS_LINES

    def __init__(self, source: RecordSource, query: ListQuery | None = None, *, id: str | None = None,
                 readers: tuple[DatabaseReader, DatabaseReader] | None = None) -> None:
        """`readers` (pages, counts) lets several lists share two reader threads, as the board's columns do;
        their owner starts and stops them. Without, the list runs its own."""
        super().__init__(id=id)
        self.source = source
        self.list_query = query or ListQuery(source.sorts[0])
        self.cursor = 0
        self.marks = Marks()
        self.loaded = False
        self._state = ReadState()
        self._pages = PageCache(CACHED_PAGES)
        self._queued_filter: str | None = None
        self._filter_in_flight = False
        self._wanted: set[int] = set()
        self._held_frames: contextlib.AbstractContextManager | None = None
        self._shared_readers = readers is not None
        self._page_reader, self._count_reader = readers or (None, None)

    # Reading -----------------------------------------------------------------------------------------------

    @property
    def total(self) -> int | None:
        """How many records the list holds; None until they have been counted."""
        return self._state.total

    @property
    def row_count(self) -> int:
        """Rows the scroll range covers: the total once known, else what has been read plus a page."""
        state = self._state
        if state.total is not None:
            return state.total
        read = (state.furthest_page + 2) * PAGE_SIZE if state.furthest_page >= 0 else 0
        return max(state.estimate, read)

    @property
    def filtering(self) -> bool:
        """A filter is being read, or waits for the one being read."""
        return self._filter_in_flight or self._queued_filter is not None

    def record_at(self, row: int) -> Any | None:
        page = self._pages.get(row // PAGE_SIZE)
        if page is None or row % PAGE_SIZE >= len(page.items):
            return None
        return page.items[row % PAGE_SIZE]

    @property
    def current(self) -> Any | None:
        """The record under the cursor, if it has been read."""
        return self.record_at(self.cursor)

    def reload(self, *, keep_cursor: bool = True, cursor: int | None = None) -> None:
        """Read everything again (after a change here or in another process), keeping what is shown until the
        new pages arrive so the screen does not flash. `cursor` puts the cursor on that row (a record known to
        have moved there)."""
        previous = self._state
        self._state = ReadState(generation=previous.generation + 1)
        if cursor is not None:
            self._state.estimate = max(previous.total or previous.estimate, cursor + 1)
            self._update_size()
            self.move_to(cursor)
        elif keep_cursor:
            self._state.estimate = previous.total if previous.total is not None else previous.estimate
        else:
            self._pages.clear()
            self.cursor = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self._request(self.cursor // PAGE_SIZE)
        self.refresh()

    def set_filter(self, text: str) -> None:
        """Filter as the user types. While one filter is being read, later keystrokes wait and only the last runs,
        so a fast typist never queues a query per key."""
        if text == self.list_query.filter and self._queued_filter is None:
            return
        self.hold_frames()
        if self._filter_in_flight:
            self._queued_filter = text
            return
        self._apply_query(replace(self.list_query, filter=text))

    def hold_frames(self) -> None:
        """Draw the typed character (or the key's other effects) and the rows it selects in one frame, unless the
        rows take over HOLD_SECONDS.

        Textual draws at most one frame per 1/60 s and, after drawing one straight away, skips to the tick after
        next: the frame echoing the key pushed the frame with the rows 17-33 ms later than they were ready. The
        hold is short enough that the typed character never seems to lag."""
        if self._held_frames is None:
            self._held_frames = self.app.batch_update()
            self._held_frames.__enter__()
            self.set_timer(HOLD_SECONDS, self._release_frames)

    def _release_frames(self) -> None:
        held, self._held_frames = self._held_frames, None
        if held is not None:
            held.__exit__(None, None, None)

    def set_query(self, query: ListQuery) -> None:
        self._apply_query(query)

    def _apply_query(self, query: ListQuery) -> None:
        self.list_query = query
        if self.marks.inverted:
            self.marks = Marks()
        self._filter_in_flight = True
        self.reload(keep_cursor=False)

    # Fetching ----------------------------------------------------------------------------------------------

    def _request(self, index: int) -> None:
        state = self._state
        cached = self._pages.get(index)
        if index < 0 or index in state.pending or (cached is not None and cached.generation == state.generation):
            return
        if state.total is not None and index * PAGE_SIZE >= state.total:
            return
        state.pending.add(index)
        self._fetch_page(state.generation, index, self._plan(index))

    def _plan(self, index: int) -> tuple[tuple | None, bool, int, int]:
        """(after, backwards, offset, limit): from a neighbour page's edge key when one is fresh, else by offset."""
        fresh = self._state.generation
        before, after = self._pages.get(index - 1), self._pages.get(index + 1)
        if before is not None and before.generation == fresh and before.keys:
            return before.keys[-1], False, 0, PAGE_SIZE
        if after is not None and after.generation == fresh and after.keys:
            return after.keys[0], True, 0, PAGE_SIZE
        total = self._state.total
        if total is not None and index * PAGE_SIZE > total // 2:
            end = min(total, (index + 1) * PAGE_SIZE)
            return None, True, total - end, end - index * PAGE_SIZE
        return None, False, index * PAGE_SIZE, PAGE_SIZE

    def _read(self, reader: DatabaseReader, generation: int, run: Callable[[], Any],
              done: Callable[[int, Any], None]) -> None:
        """Run `run` on a reader thread; `done(generation, result)` follows on the UI thread if still wanted."""
        reader.submit(Request(
            run=run,
            deliver=lambda result: self.post_message(_Delivered(partial(done, generation, result))),
            wanted=lambda: generation == self._state.generation,
            failed=lambda error: self.post_message(_Delivered(partial(self._read_failed, generation, error))),
        ))

    @on(_Delivered)
    def _apply_delivery(self, message: _Delivered) -> None:
        message.stop()
        message.apply()

    def _read_failed(self, generation: int, error: Exception) -> None:
        if generation == self._state.generation:
            self._state.pending.clear()
            self._filter_in_flight = False
            self.notify(str(error), severity="error")

    def _fetch_page(self, generation: int, index: int, plan: tuple[tuple | None, bool, int, int]) -> None:
        after, backwards, offset, limit = plan
        query = self.list_query
        self._read(self._page_reader, generation,
                   lambda: self.source.fetch(query, after, backwards, offset, limit),
                   partial(self._page_arrived, index=index))

    def _page_arrived(self, generation: int, page: Page, index: int) -> None:
        state = self._state
        if generation != state.generation:
            return
        repaint = not self.loaded or self._shows_page(index)
        total_before = state.total
        state.pending.discard(index)
        self._pages.set(index, CachedPage(page.items, page.keys, generation))
        state.furthest_page = max(state.furthest_page, index)
        self._filter_in_flight = False
        if state.total is None and len(page.items) < PAGE_SIZE:
            self._set_total(index * PAGE_SIZE + len(page.items))
        elif state.total is None and not state.counting:
            state.counting = True
            if self.list_query.filter:
                self.set_timer(COUNT_DELAY_SECONDS, partial(self._count, generation))
            else:
                self.call_after_refresh(self._count, generation)
        self.loaded = True
        self._update_size()
        if repaint or state.total != total_before:
            self.refresh()
        self.post_message(self.Changed(self))
        if self._queued_filter is not None:
            text, self._queued_filter = self._queued_filter, None
            if text != self.list_query.filter:
                self._apply_query(replace(self.list_query, filter=text))
                return
        self.call_later(self._release_frames)

    def _shows_page(self, index: int) -> bool:
        """Whether a row of page `index` is on screen. A page read ahead for later needs no repaint now: over a slow
        SSH link, repainting the same rows would send them all again."""
        rows_high = max(0, self.scrollable_content_region.height - self.header_lines - self.status_lines)
        first = round(self.scroll_y) // self.row_height
        last = (round(self.scroll_y) + rows_high) // self.row_height
        return index * PAGE_SIZE <= last and (index + 1) * PAGE_SIZE > first

    def _count(self, generation: int) -> None:
        """Count once the first rows are painted: on a million rows it takes longer than they do. While the user
        types a filter, wait for a pause: a count per keystroke would compete with reading the next filter's rows."""
        if generation != self._state.generation:
            return
        query = self.list_query
        self._read(self._count_reader, generation, lambda: self.source.count(query), self._count_arrived)

    def _count_arrived(self, generation: int, total: int) -> None:
        if generation == self._state.generation:
            self._set_total(total)
            self.refresh()
            self.post_message(self.Changed(self))

    def _set_total(self, total: int) -> None:
        self._state.total = total
        self.cursor = min(self.cursor, max(0, total - 1))
        self._update_size()
        if self._state.jump_to_end:
            self._state.jump_to_end = False
            self.move_to(total - 1)

    def _update_size(self) -> None:
        lines = self.row_count * self.row_height + self.header_lines + self.status_lines
        self.virtual_size = Size(self.scrollable_content_region.width, lines)

    def on_resize(self) -> None:
        self._update_size()

    def on_mount(self) -> None:
        if not self._shared_readers:
            self._page_reader, self._count_reader = start_readers(self.app)
        self.reload(keep_cursor=False)

    def on_unmount(self) -> None:
        self._release_frames()
        if not self._shared_readers:
            self._page_reader.stop()
            self._count_reader.stop()

    @property
    def busy(self) -> bool:
        """Reading: a page or the count is on its way, or a filter waits. Tests wait for this to be False."""
        if self._page_reader is None or self._count_reader is None:
            return not self.loaded
        state = self._state
        return bool(state.pending or (state.counting and state.total is None) or self.filtering
                    or self._page_reader.busy or self._count_reader.busy)

    # Reading ahead -----------------------------------------------------------------------------------------

    def _want(self, page_index: int) -> None:
        """Note a page drawn on screen; the pages wanted are requested together once drawing is done."""
        if not self._wanted:
            self.call_later(self._request_wanted)
        self._wanted.add(page_index)

    def _request_wanted(self) -> None:
        """Request the pages on screen, and those two screens above and below, so paging rarely meets a gap."""
        top = self.top_row
        bottom = top + self.visible_rows
        reach = 2 * self.visible_rows
        for row in (top - reach, bottom + reach):
            self._wanted.add(max(0, min(row, self.row_count - 1)) // PAGE_SIZE)
        wanted, self._wanted = self._wanted, set()
        for index in sorted(wanted):
            self._request(index)

    # Moving ------------------------------------------------------------------------------------------------

    @property
    def visible_rows(self) -> int:
        lines = self.scrollable_content_region.height - self.header_lines - self.status_lines
        return max(1, lines // self.row_height)

    @property
    def top_row(self) -> int:
        """The first row on screen."""
        return round(self.scroll_y) // self.row_height

    def move_to(self, row: int) -> None:
        """Put the cursor on `row`, scrolling as little as needed to show it."""
        last = self.row_count - 1
        self.cursor = max(0, min(row, last))
        top = self.top_row
        if self.cursor < top:
            self.scroll_to(y=self.cursor * self.row_height, animate=False, immediate=True)
        elif self.cursor >= top + self.visible_rows:
            self.scroll_to(y=(self.cursor - self.visible_rows + 1) * self.row_height, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Changed(self))
