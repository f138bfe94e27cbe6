"""KanbanColumn: one stage of the board, its deals drawn as cards and read a page at a time.

It is a RecordList whose records take several lines, so a stage of 10,000 deals pages, caches and scrolls
exactly as a list of a million contacts does. Its header (the stage, its count and totals per currency) is
handed in by the board, which totals every column in one query.
"""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from crm_tui.core.deals.listing import StageTotals
from crm_tui.core.deals.pipelines import StageData
from crm_tui.core.deals.service import DealData
from crm_tui.core.money import format_compact
from crm_tui.core.text import fit, plural
from crm_tui.ui import sources
from crm_tui.ui.kit.reader import DatabaseReader
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.sources import DealSource

CARD_LINES = 3
CURSOR_BAR = "▌"
NO_NEXT_STEP = "?"


def short_date(day: str, today: date) -> str:
    """`Dec 24` this year, `Jan 2027` in another: what fits on a card."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return day
    return parsed.strftime("%b %d" if parsed.year == today.year else "%b %Y")


def header_rows(stage: StageData, totals: StageTotals | None, currencies: int) -> list[tuple[str, str]]:
    """The column header as (left, right) text pairs: the stage and its probability, the count, then the value
    and weighted value in each currency (`currencies` lines, so every column's header is as tall)."""
    totals = totals or StageTotals()
    count = plural(totals.count, "deal")
    lines = [(stage.name, f"{stage.probability}%"), (count, "")]
    shown = list(totals.currencies[:currencies])
    hidden = len(totals.currencies) - len(shown)
    if hidden:
        shown = shown[:-1]
        hidden += 1
    for item in shown:
        lines.append((format_compact(item.total_minor, item.currency),
                      "w " + format_compact(item.weighted_minor, item.currency, with_code=False)))
    if hidden:
        lines.append((f"+{hidden} more currencies", ""))
    while len(lines) < 2 + currencies:
        lines.append(("", ""))
    return lines


class KanbanColumn(RecordList):
    """A stage's deals as cards: title, who it is with and days in the stage, value and expected close.

    `!` marks what needs attention, so it shows in 16 colours too: a close date that has passed, and days in
    the stage beyond the stale limit; `?` after the title marks an open deal with no next step (no open task).
    It moves with the list's keys (so a remapped list key works here too); sorting and marks are the list's alone.
    """

    NOT_ON_CARDS = frozenset({"cycle_sort", "toggle_mark", "invert_marks"})
    COMPONENT_CLASSES = RecordList.COMPONENT_CLASSES | {
        "kanban--title", "kanban--muted", "kanban--alert", "kanban--stage", "kanban--stage-focus",
    }
    DEFAULT_CSS = """
    KanbanColumn {
        width: 20;
        height: 1fr;
        scrollbar-size-vertical: 0;
        border-right: vkey $panel-lighten-1;
        & > .kanban--title { text-style: bold; }
        & > .kanban--muted { color: $text-muted; }
        & > .kanban--alert { color: $text-error; text-style: bold; }
        & > .kanban--stage { text-style: bold; background: $panel; }
        & > .kanban--stage-focus { text-style: bold; background: $accent 50%; }
        & > .record-list--header { color: $text-muted; text-style: none; }
    }
    """
    row_height = CARD_LINES + 1
    status_lines = 0

    def __init__(self, stage: StageData, source: DealSource, query: ListQuery, stale_days: int,
                 totals: StageTotals | None, currencies: int, readers: tuple[DatabaseReader, DatabaseReader]) -> None:
        super().__init__(source, query, readers=readers)
        self.stage = stage
        self.stale_days = stale_days
        self.totals = totals
        self.currencies = currencies
        self.header_lines = 3 + currencies
        self._header = header_rows(stage, totals, currencies)

    def set_totals(self, totals: StageTotals | None, currencies: int) -> None:
        """Show new figures in the header (`currencies` lines of them, as many as the tallest column needs)."""
        self.totals = totals
        if currencies != self.currencies:
            self.currencies = currencies
            self.header_lines = 3 + currencies
            self._update_size()
        self._header = header_rows(self.stage, totals, currencies)
        self.refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in self.NOT_ON_CARDS

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # Drawing -----------------------------------------------------------------------------------------------

    def _pair(self, left: str, right: str, width: int, style: Style, right_style: Style | None = None,
              prefix: str = " ") -> Strip:
        """`left … right` in `width` cells: the right part is kept whole and the left cut with "…" to fit."""
        room = width - cell_len(prefix) - (cell_len(right) + 1 if right else 0)
        segments = [Segment(prefix, style), Segment(fit(left, room), style)]
        if right:
            segments += [Segment(" ", style), Segment(right, right_style or style)]
        return Strip(segments).crop(0, width).extend_cell_length(width, style)

    def render_header(self, y: int, width: int) -> Strip:
        base = self.rich_style
        if y == self.header_lines - 1:
            return Strip([Segment("─" * width, base + self.get_component_rich_style("kanban--muted"))])
        left, right = self._header[y]
        if y == 0:
            style = base + self.get_component_rich_style("kanban--stage-focus" if self.has_focus else "kanban--stage")
            return self._pair(left, right, width, style)
        return self._pair(left, right, width, base + self.get_component_rich_style("kanban--muted"))

    def render_empty(self, row: int, part: int, width: int) -> Strip:
        if row == 0 and part == 0 and self.total == 0:
            text = "no deals match" if self.list_query.filter else "no deals"
            return self._pair(text, "", width, self.rich_style + self.get_component_rich_style("kanban--muted"))
        return Strip.blank(width, self.rich_style)

    def render_record(self, record: DealData, row: int, part: int, width: int) -> Strip:
        base = self.rich_style
        if part >= CARD_LINES:
            return Strip.blank(width, base)
        selected = row == self.cursor
        # The cursor's background last, over each part's own colours, so it runs across the whole card.
        cursor = Style(bgcolor=self._cursor_style(row).bgcolor) if selected else Style()
        prefix = CURSOR_BAR if selected and self.has_focus else " "
        alert = base + self.get_component_rich_style("kanban--alert") + cursor
        muted = base + self.get_component_rich_style("kanban--muted") + cursor
        if part == 0:
            style = base + self.get_component_rich_style("kanban--title") + cursor
            no_next_step = record.status == "open" and record.next_step is None
            return self._pair(record.title, NO_NEXT_STEP if no_next_step else "", width, style, alert, prefix=prefix)
        if part == 1:
            days, days_style = self._days(record, alert)
            return self._pair(record.client or "—", days, width, muted, days_style, prefix=prefix)
        close, close_style = self._close(record, alert, muted)
        return self._pair(format_compact(record.value_minor, record.currency), close, width, base + cursor,
                          close_style, prefix=prefix)

    def _days(self, record: DealData, alert: Style) -> tuple[str, Style | None]:
        if record.status != "open":
            return "", None
        now = sources.current_time()
        days = record.days_in_stage(now)
        return (f"!{days}d", alert) if record.is_stale(self.stale_days, now) else (f"{days}d", None)

    def _close(self, record: DealData, alert: Style, muted: Style) -> tuple[str, Style]:
        today = sources.current_time().astimezone().date()
        if record.status == "lost":
            return record.lost_reason[:12], muted
        if record.status == "won" and record.closed_at:
            return short_date(record.closed_at[:10], today), muted
        if not record.expected_close:
            return "", muted
        shown = short_date(record.expected_close, today)
        return ("!" + shown, alert) if record.is_overdue(today) else (shown, muted)

    def status(self) -> str:
        """Where the cursor is, for the board's status line."""
        total = self.total
        if total == 0:
            return f"{self.stage.name}: no deals"
        of = "…" if total is None else f"{total:,}"
        return f"{self.stage.name}: card {self.cursor + 1:,} of {of}"

    def header_text(self) -> Text:
        """The header's words, a line each, without the padding that aligns them."""
        return Text("\n").join(Text(f"{left} {right}".strip()) for left, right in self._header)
