"""What the deals board does to deals: won, lost, add, edit, trash, and the worker every change runs in.

A mixin for PipelineScreen, which supplies `pipeline`, `filter_text`, `current_deal()`, `focused_column`,
`reload()` and its status line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import work

from crm_tui.core import deals
from crm_tui.core.db import connection
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.deals.listing import DealFilter, StageTotals
from crm_tui.core.deals.service import DealData
from crm_tui.core.errors import ConflictError, CrmError, NotFoundError
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.screens.deals.dialogs import LostReasonScreen
from crm_tui.ui.screens.deals.form import DealFormScreen


@dataclass(frozen=True)
class Moved:
    """A deal that changed, the row it landed on in its column, and the board's totals after the change."""

    deal: DealData
    row: int | None
    totals: dict[int, StageTotals]


def read_totals(pipeline_id: int, text: str) -> dict[int, StageTotals]:
    """Every board column's totals for the cards that `text` filters; runs in a worker."""
    return deal_list.stage_totals(DealFilter(pipeline_id=pipeline_id, text=text))


class DealChanges:
    """Won, lost, add, edit and trash on the deal under the cursor, each a thread worker, each one undo."""

    def _change(self, change: Callable[[], DealData], done: Callable[[Moved], None]) -> None:
        """Run a deal change in a worker; report a conflict or a refusal, else hand the deal, its new row and the
        new totals to `done`. What the worker needs of the screen is read here, on the UI thread."""
        self._run_change(change, done, self.pipeline.id if self.pipeline else None, self.filter_text)

    @work(thread=True, exclusive=True, group="board-write")
    def _run_change(self, change: Callable[[], DealData], done: Callable[[Moved], None], pipeline_id: int | None,
                    text: str) -> None:
        try:
            with connection():
                deal = change()
                row = deal_list.position(deal.id, DealFilter(stage_id=deal.stage_id, text=text), "close")
                totals = read_totals(pipeline_id, text) if pipeline_id is not None else {}
        except (ConflictError, NotFoundError) as exc:
            self.app.call_from_thread(self._changed_elsewhere, exc)
            return
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
            return
        self.app.call_from_thread(done, Moved(deal, row, totals))

    def _changed_elsewhere(self, error: CrmError) -> None:
        self.notify(f"{error} · the board shows it as it is now", severity="warning")
        self.reload()

    def _deal_closed(self, moved: Moved) -> None:
        self.status.unsay()
        deal = moved.deal
        self.notify(f"{'Won' if deal.status == 'won' else 'Lost'}: {deal.title} · u undoes")
        self.reload()

    def action_won(self) -> None:
        deal = self.current_deal()
        if deal is not None and deal.status != "won":
            self._change(lambda: deals.won(deal.id, deal.version), self._deal_closed)

    def action_lost(self) -> None:
        deal = self.current_deal()
        if deal is None:
            return

        def reason_given(reason: str | None) -> None:
            if reason is not None:
                self._change(lambda: deals.lost(deal.id, reason, deal.version), self._deal_closed)

        self.app.push_screen(LostReasonScreen(deal.title), reason_given)

    def action_add(self) -> None:
        if self.pipeline is None:
            return
        column = self.focused_column
        stage_id = column.stage.id if column is not None and column.stage.outcome == "open" else None
        self.app.push_screen(DealFormScreen(None, pipeline_id=self.pipeline.id, stage_id=stage_id), self._saved)

    def action_edit(self) -> None:
        deal = self.current_deal()
        if deal is not None:
            self._open_form(deal.id)

    @work(thread=True, exclusive=True, group="board-edit")
    def _open_form(self, deal_id: int) -> None:
        try:
            with connection():
                deal = deals.get(deal_id)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.app.push_screen, DealFormScreen(deal), self._saved)

    def _saved(self, deal_id: int | None) -> None:
        """The board reads itself again as it comes back from the form (`on_screen_resume`)."""
        if deal_id is not None:
            self.notify("Saved the deal")

    def action_delete(self) -> None:
        deal = self.current_deal()
        if deal is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._change(lambda: _trash(deal), self._trashed)

        question = Text.assemble("Move ", (deal.title, "bold"), " to the trash?")
        self.app.push_screen(ConfirmScreen(question, confirm_label="Move to trash"), confirmed)

    def _trashed(self, moved: Moved) -> None:
        self.status.unsay()
        self.notify(f"Moved '{moved.deal.title}' to the trash · u undoes")
        self.reload()


def _trash(deal: DealData) -> DealData:
    deals.delete(deal.id)
    return deals.get(deal.id, include_deleted=True)
