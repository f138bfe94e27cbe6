"""Board: the kanban board's columns side by side, scrolling sideways to keep the focused one in view.

The columns share two reader threads (pages, counts) owned by the board, and their headers' totals, which the
board gets for all of them from one query.
"""

from __future__ import annotations

from textual.containers import HorizontalScroll

from crm_tui.core.deals.listing import DealFilter, StageTotals
from crm_tui.core.deals.pipelines import StageData
from crm_tui.ui.kit.paged_list import start_readers
from crm_tui.ui.kit.reader import DatabaseReader
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.sources import DealSource
from crm_tui.ui.widgets.kanban import KanbanColumn

MAX_CURRENCY_LINES = 3
# Four columns side by side at 80 columns; more than fit scroll sideways.
MIN_COLUMN_WIDTH = 20


class Board(HorizontalScroll, can_focus=False, inherit_bindings=False):
    """The columns side by side. Without a scroll container's arrow keys: ← and → move the focus between columns
    (the screen's keys), and the board scrolls to follow it."""

    DEFAULT_CSS = """
    Board {
        height: 1fr;
        scrollbar-size-horizontal: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.totals: dict[int, StageTotals] = {}
        self.focus_stage: int | None = None
        self._readers: tuple[DatabaseReader, DatabaseReader] | None = None

    @property
    def readers(self) -> tuple[DatabaseReader, DatabaseReader]:
        if self._readers is None:
            self._readers = start_readers(self.app)
        return self._readers

    def on_unmount(self) -> None:
        for reader in self._readers or ():
            reader.stop()

    @property
    def columns(self) -> list[KanbanColumn]:
        return list(self.query(KanbanColumn))

    def column_of(self, stage_id: int | None) -> KanbanColumn | None:
        return next((column for column in self.columns if column.stage.id == stage_id), None)

    async def show(self, stages: list[StageData], query: ListQuery, stale_days: int) -> KanbanColumn | None:
        """Build a column for each of `stages`; returns the one to focus (the stage focused before, else the
        first)."""
        lines = self._currency_lines(stages)
        columns = [
            KanbanColumn(stage, DealSource(DealFilter(stage_id=stage.id), ("close",)), query, stale_days,
                         self.totals.get(stage.id, StageTotals()), lines, self.readers)
            for stage in stages
        ]
        with self.app.batch_update():
            await self.remove_children()
            await self.mount_all(columns)
            self.size_columns()
        return next((c for c in columns if c.stage.id == self.focus_stage), columns[0] if columns else None)

    def set_totals(self, totals: dict[int, StageTotals]) -> None:
        self.totals = totals
        columns = self.columns
        lines = self._currency_lines([column.stage for column in columns])
        for column in columns:
            column.set_totals(totals.get(column.stage.id), lines)

    def _currency_lines(self, stages: list[StageData]) -> int:
        """Lines every column header gives to currencies: as many as the column with most needs, 1 to 3."""
        most = max((len(self.totals[stage.id].currencies) for stage in stages if stage.id in self.totals), default=1)
        return max(1, min(MAX_CURRENCY_LINES, most))

    def on_resize(self) -> None:
        self.size_columns()

    def size_columns(self) -> None:
        """Share the board's width between the columns, none narrower than MIN_COLUMN_WIDTH."""
        columns = self.columns
        if columns:
            width = max(MIN_COLUMN_WIDTH, self.size.width // len(columns))
            for column in columns:
                column.styles.width = width

    @property
    def focused_column(self) -> KanbanColumn | None:
        """The column with the focus, or the one that last had it."""
        focused = self.screen.focused
        if isinstance(focused, KanbanColumn) and focused.parent is self:
            return focused
        return self.column_of(self.focus_stage)

    def step_focus(self, step: int) -> None:
        """Focus the column `step` places to the right (negative: left) of the focused one."""
        columns = self.columns
        if columns:
            current = self.focused_column
            index = columns.index(current) if current in columns else 0
            columns[max(0, min(len(columns) - 1, index + step))].focus()

    def focus_column(self) -> None:
        column = self.focused_column or (self.columns[0] if self.columns else None)
        if column is not None:
            column.focus()

    def set_filter(self, text: str) -> None:
        for column in self.columns:
            column.set_filter(text)
