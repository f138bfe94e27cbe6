"""The line under the deals board: where the cursor is and the focused column's exact totals, or for a few seconds
what was just done ("Moved 'X' to Proposal · u undoes")."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.widgets import Static

from crm_tui.core.deals.listing import StageTotals
from crm_tui.core.money import format_money
from crm_tui.ui.widgets.kanban import KanbanColumn

MESSAGE_SECONDS = 5


class BoardStatus(Static):
    DEFAULT_CSS = """
    BoardStatus {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.message = ""
        self._message_stage: int | None = None

    def say(self, message: str, stage_id: int | None = None) -> None:
        """Show `message` for a few seconds, or until the focus moves to a column other than `stage_id`'s."""
        self.message = message
        self._message_stage = stage_id
        self.update(Text(message))
        self.display = True
        self.set_timer(MESSAGE_SECONDS, partial(self.unsay, message))

    def unsay(self, message: str = "") -> None:
        """Drop the message (only if it is still `message`, when given)."""
        if not message or self.message == message:
            self.message = ""
            self.screen.update_status()

    def focus_moved(self, stage_id: int | None) -> None:
        if stage_id != self._message_stage:
            self.message = ""

    def show(self, column: KanbanColumn | None, totals: StageTotals | None, table_view: bool) -> None:
        """The column's position and totals; nothing in the table view, whose list has its own status line."""
        if self.message:
            self.display = True
            return
        self.display = not table_view
        if table_view or column is None:
            self.update("")
            return
        money = [f"{format_money(item.total_minor, item.currency)} w "
                 f"{format_money(item.weighted_minor, item.currency, with_code=False)}"
                 for item in (totals.currencies if totals else ())]
        self.update(Text(" · ".join([column.status(), *money])))
