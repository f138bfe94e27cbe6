"""The deals section: a pipeline's open deals as a kanban board, moved along and closed from the keyboard.

One KanbanColumn a stage, side by side in a sideways-scrolling row that keeps the focused column in view. `v`
swaps the board for a table of the same deals. Every read and write runs in a thread worker; a move, won or lost
is one change that `u` undoes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from crm_tui import config
from crm_tui.core import deals
from crm_tui.core.db import connection
from crm_tui.core.deals import pipelines
from crm_tui.core.deals.listing import DealFilter, StageTotals
from crm_tui.core.deals.pipelines import PipelineData, StageData
from crm_tui.core.deals.service import DealData
from crm_tui.core.errors import CrmError
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.kit.filter_box import FilterBox
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.screens.deals.changes import DealChanges, Moved, read_totals
from crm_tui.ui.screens.deals.detail import DealDetailScreen
from crm_tui.ui.screens.deals.dialogs import PipelinePickerScreen
from crm_tui.ui.screens.deals.pipeline_settings import PipelineSettingsScreen
from crm_tui.ui.sources import DealSource
from crm_tui.ui.widgets.board import Board
from crm_tui.ui.widgets.board_status import BoardStatus
from crm_tui.ui.widgets.kanban import KanbanColumn

TOTALS_DELAY_SECONDS = 0.3
TABLE_SORTS = ("value", "close", "stage", "age")


class PipelineScreen(DealChanges, Screen[None]):
    BINDINGS = [
        Binding("left", "column(-1)", "Previous column", show=False, id="board.left"),
        Binding("right", "column(1)", "Next column", show=False, id="board.right"),
        Binding("H", "move(-1)", "Move back", id="board.move_back"),
        Binding("L", "move(1)", "Move on", id="board.move_on"),
        Binding("w", "won", "Won", id="board.won"),
        Binding("x", "lost", "Lost", id="board.lost"),
        Binding("a", "add", "Add", id="board.add"),
        Binding("e", "edit", "Edit", show=False, id="board.edit"),
        Binding("d", "delete", "Delete", show=False, id="board.delete"),
        Binding("slash", "filter", "Filter", show=False, id="board.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear_filter"),
        Binding("v", "toggle_table", "Table", id="board.table"),
        Binding("P", "pick_pipeline", "Pipeline", show=False, id="board.pipeline"),
        Binding("W", "toggle_outcome('won')", "Show won", show=False, id="board.show_won"),
        Binding("X", "toggle_outcome('lost')", "Show lost", show=False, id="board.show_lost"),
        Binding("S", "stages", "Stages", show=False, id="board.stages"),
    ]
    DEFAULT_CSS = """
    PipelineScreen {
        & #board-title { height: 1; padding: 0 1; background: $boost; }
        & #table { display: none; }
        &.-table #board { display: none; }
        &.-table #table { display: block; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.pipeline: PipelineData | None = None
        self.outcomes: set[str] = set()
        self._could_act = False
        self._pipeline_id: int | None = None

    # Layout ------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._load(None, "")
        yield AppHeader()
        yield Static("", id="board-title")
        yield FilterBox("Filter cards: title, notes, company…")
        yield Board(id="board")
        yield BoardStatus(id="board-status")
        yield AppFooter()

    @property
    def settings(self) -> dict[str, Any]:
        return getattr(self.app, "settings", {})

    @property
    def board(self) -> Board:
        return self.query_one(Board)

    @property
    def status(self) -> BoardStatus:
        return self.query_one(BoardStatus)

    @property
    def columns(self) -> list[KanbanColumn]:
        return self.board.columns

    @property
    def totals(self) -> dict[int, StageTotals]:
        return self.board.totals

    @property
    def table(self) -> RecordList | None:
        """The deals table, made the first time `v` shows it."""
        found = self.query("#table")
        return found.first(RecordList) if found else None

    @property
    def table_view(self) -> bool:
        return self.has_class("-table")

    @property
    def filter_text(self) -> str:
        return self.query_one("#filter", Input).value

    def on_screen_resume(self) -> None:
        """Back from a deal, a form or the stage manager: show what they changed."""
        if self.pipeline is not None:
            self.reload()

    def reload(self, pipeline_id: int | None = None) -> None:
        """Read the pipeline and every column again: after a change here, an undo, or another process. With
        `pipeline_id`, switch to that pipeline; a reload before it arrives (the screen resuming after the picker
        closes) keeps to it."""
        if pipeline_id is not None:
            self._pipeline_id = pipeline_id
        self._load(self._pipeline_id or (self.pipeline.id if self.pipeline else None), self.filter_text)

    @work(thread=True, exclusive=True, group="board-load")
    def _load(self, pipeline_id: int | None, text: str) -> None:
        """The pipeline and its column totals in one read, so the headers fill in with the first cards."""
        try:
            with connection():
                found = pipelines.list_pipelines()
                wanted = next((p for p in found if p.id == pipeline_id), None) or (found[0] if found else None)
                totals = read_totals(wanted.id, text) if wanted is not None else {}
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if not get_current_worker().is_cancelled:  # a newer reload (exclusive) has the fresher read
            self.app.call_from_thread(self._show_pipeline, wanted, totals)

    async def _show_pipeline(self, pipeline: PipelineData | None, totals: dict[int, StageTotals]) -> None:
        if pipeline is None:
            self.query_one("#board-title", Static).update("Every pipeline is archived · S unarchives one")
            return
        same = self.pipeline == pipeline and self.columns
        self.pipeline = pipeline
        self.board.totals = totals
        self._update_title()
        if same:
            for column in self.columns:
                column.reload()
            self._reload_table()
        else:
            await self._build_columns()
        self._show_totals(pipeline.id, totals)

    def _stages_shown(self) -> list[StageData]:
        assert self.pipeline is not None
        return [stage for stage in self.pipeline.stages if stage.outcome == "open" or stage.outcome in self.outcomes]

    async def _build_columns(self) -> None:
        query = ListQuery("close", filter=self.filter_text)
        target = await self.board.show(self._stages_shown(), query, config.stale_days(self.settings))
        if target is not None and not self.table_view:
            self.call_after_refresh(target.focus)
        self._reload_table(reset=True)

    def _table_filter(self) -> DealFilter:
        assert self.pipeline is not None
        return DealFilter(pipeline_id=self.pipeline.id, statuses=("open", *sorted(self.outcomes)))

    def _reload_table(self, reset: bool = False) -> None:
        table = self.table
        if table is None:
            return
        wanted = self._table_filter()
        if reset or table.source.wanted != wanted:
            table.source = DealSource(wanted, TABLE_SORTS)
            table.reload(keep_cursor=False)
        elif table.loaded:
            table.reload()

    def _update_title(self) -> None:
        pipeline = self.pipeline
        if pipeline is None:
            return
        shown = [name for name, outcome in (("won", "won"), ("lost", "lost")) if outcome in self.outcomes]
        parts = [Text(pipeline.name, style="bold"), Text(" pipeline", style="dim")]
        if shown:
            parts.append(Text(f" · with {' and '.join(shown)}", style="dim"))
        parts.append(Text(f"  {'v board' if self.table_view else 'v table'} · P pipeline · W/X won/lost · S stages",
                          style="dim"))
        self.query_one("#board-title", Static).update(Text.assemble(*parts))

    # Totals and the status line ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="board-totals")
    def _load_totals(self, pipeline_id: int, text: str) -> None:
        try:
            with connection():
                totals = read_totals(pipeline_id, text)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show_totals, pipeline_id, totals)

    def _show_totals(self, pipeline_id: int, totals: dict[int, StageTotals]) -> None:
        if self.pipeline is None or pipeline_id != self.pipeline.id:
            return
        self.board.set_totals(totals)
        self.update_status()

    @property
    def focused_column(self) -> KanbanColumn | None:
        return self.board.focused_column

    @on(RecordList.Changed)
    def update_status(self) -> None:
        can_act = self.current_deal() is not None
        if can_act != self._could_act:
            self._could_act = can_act
            self.refresh_bindings()
        column = self.focused_column
        self.status.show(column, self.totals.get(column.stage.id) if column else None, self.table_view)

    def on_descendant_focus(self) -> None:
        column = self.focused
        if isinstance(column, KanbanColumn):
            self.board.focus_stage = column.stage.id
        self.status.focus_moved(column.stage.id if isinstance(column, KanbanColumn) else None)
        self.update_status()

    # Moving between columns --------------------------------------------------------------------------------

    def action_column(self, step: int) -> None:
        if not self.table_view:
            self.board.step_focus(step)

    def activity_links(self) -> dict[str, int]:
        """The deal under the cursor, for `l` and `t` (see CrmApp.action_log)."""
        deal = self.current_deal()
        return {"deal_id": deal.id} if deal is not None else {}

    def history_target(self) -> tuple[str, int] | None:
        """The deal under the cursor, on the board or in the table, for `h` (see CrmApp.action_history)."""
        deal = self.current_deal()
        return ("deal", deal.id) if deal is not None else None

    def current_deal(self) -> DealData | None:
        if self.table_view:
            return self.table.current if self.table else None
        column = self.focused_column
        return column.current if column is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("move", "won", "lost", "edit", "delete"):
            return self.current_deal() is not None
        if action == "column":
            return not self.table_view
        return True

    # Filtering ---------------------------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one(FilterBox).open()

    def action_clear_filter(self) -> None:
        if self.query_one(FilterBox).close():
            self._focus_back()

    @on(Input.Changed, "#filter")
    def filter_cards(self, event: Input.Changed) -> None:
        self.board.set_filter(event.value)
        if self.table is not None:
            self.table.set_filter(event.value)
        self.set_timer(TOTALS_DELAY_SECONDS, self._totals_if_filter_is(event.value))

    def _totals_if_filter_is(self, text: str) -> Callable[[], None]:
        def run() -> None:
            if self.filter_text == text and self.pipeline is not None:
                self._load_totals(self.pipeline.id, text)

        return run

    @on(Input.Submitted, "#filter")
    def _focus_back(self) -> None:
        if self.table_view and self.table is not None:
            self.table.focus()
        else:
            self.board.focus_column()

    # Views -------------------------------------------------------------------------------------------------

    async def action_toggle_table(self) -> None:
        if self.pipeline is None:
            return
        if self.table is None:
            query = ListQuery(TABLE_SORTS[0], filter=self.filter_text)
            await self.mount(RecordList(DealSource(self._table_filter(), TABLE_SORTS), query, id="table"),
                             before="#board-status")
        self.toggle_class("-table")
        self._update_title()
        self._focus_back()
        self.refresh_bindings()

    async def action_toggle_outcome(self, outcome: str) -> None:
        self.outcomes ^= {outcome}
        self._update_title()
        if self.pipeline is not None:
            await self._build_columns()
        if outcome in self.outcomes and not self.table_view:
            stage = self.pipeline.outcome_stage(outcome) if self.pipeline else None
            self.board.focus_stage = stage.id if stage else None
            self.call_after_refresh(self._focus_back)

    def action_pick_pipeline(self) -> None:
        def picked(pipeline_id: int | None) -> None:
            if pipeline_id is not None and (self.pipeline is None or pipeline_id != self.pipeline.id):
                self.board.focus_stage = None
                self.reload(pipeline_id)

        self.app.push_screen(PipelinePickerScreen(self.pipeline.id if self.pipeline else None), picked)

    def action_stages(self) -> None:
        self.app.push_screen(PipelineSettingsScreen(self.pipeline.id if self.pipeline else None))

    # Moving cards ----------------------------------------------------------------------------------------

    def action_move(self, steps: int) -> None:
        deal = self.current_deal()
        if deal is not None:
            self._change(lambda: deals.step(deal.id, steps, deal.version), partial(self._moved, deal.stage_id))

    def _moved(self, from_stage: int, moved: Moved) -> None:
        """Follow the card: its new column gets the focus and the cursor lands on it, so L L moves it twice. Only
        the two columns it left and joined are read again."""
        deal = moved.deal
        for column in self.columns:
            if column.stage.id == deal.stage_id:
                column.hold_frames()
                column.reload(cursor=moved.row or 0)
                if not self.table_view:
                    column.focus()
            elif column.stage.id == from_stage:
                column.hold_frames()
                column.reload()
        self._reload_table()
        self._show_totals(self.pipeline.id if self.pipeline else 0, moved.totals)
        self.status.say(f"Moved '{deal.title}' to {deal.stage} · u undoes", deal.stage_id)

    @on(RecordList.Opened)
    def open_deal(self, event: RecordList.Opened) -> None:
        records = event.record_list

        def back(steps: int | None) -> None:
            if steps:
                records.move_to(records.cursor + steps)

        self.app.push_screen(DealDetailScreen(event.record.id, records.source, records.list_query), back)

    def open_by_id(self, deal_id: int) -> None:
        """Open a deal found elsewhere (the palette); n and p then walk the deals by value."""
        source = DealSource(self._table_filter() if self.pipeline else DealFilter(), TABLE_SORTS)
        self.app.push_screen(DealDetailScreen(deal_id, source, ListQuery(TABLE_SORTS[0])))
