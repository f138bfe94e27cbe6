"""Small deal dialogs: why a deal was lost (offering the reasons given before), and which pipeline to show."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from crm_tui.core.db import connection
from crm_tui.core.deals import listing as deal_list, pipelines
from crm_tui.core.errors import CrmError
from crm_tui.core.text import fold
from crm_tui.ui.kit.dialogs import DialogScreen, PickerScreen

LOST_HINT = "↑↓ pick an earlier reason · enter save · esc cancel"


class LostReasonScreen(DialogScreen[str | None]):
    """Ask why a deal was lost. Earlier reasons are offered below the input, narrowed by what is typed, so the
    same reason is spelled the same way each time; a new one can be typed. Dismisses with the reason, or None."""

    AUTO_FOCUS = "#reason"
    BINDINGS = [
        Binding("down", "pick(1)", "Next reason", show=False, id="lost_reason.next"),
        Binding("up", "pick(-1)", "Previous reason", show=False, id="lost_reason.previous"),
        Binding("escape", "cancel", "Cancel", id="lost_reason.cancel"),
    ]
    DEFAULT_CSS = """
    LostReasonScreen #reasons {
        height: auto;
        max-height: 8;
        margin: 0 0 1 0;
        border: none;
        padding: 0;
        background: $boost;
    }
    """

    def __init__(self, title: str, reason: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.reason = reason
        self.known: list[str] = []
        self.matching: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Why was '{self.title_text}' lost?"), classes="dialog-title")
            yield Input(self.reason, placeholder="a reason, e.g. price", id="reason")
            yield Label("", classes="dialog-error")
            yield OptionList(id="reasons")
            yield Label(LOST_HINT, classes="dialog-hint")

    def on_mount(self) -> None:
        offered = self.offered
        offered.can_focus = False  # the typing stays in the input; up and down move through the reasons
        offered.display = False
        self.read_reasons()

    @property
    def offered(self) -> OptionList:
        return self.query_one("#reasons", OptionList)

    @work(thread=True, exclusive=True, group="lost-reasons")
    def read_reasons(self) -> None:
        try:
            with connection():
                reasons = deal_list.lost_reasons()
        except CrmError as exc:
            self.app.call_from_thread(partial(self.notify, str(exc), severity="error"))
            return
        self.app.call_from_thread(self.show_reasons, reasons)

    def show_reasons(self, reasons: list[str]) -> None:
        self.known = reasons
        self.narrow(self.query_one("#reason", Input).value)

    def narrow(self, typed: str) -> None:
        """Offer the earlier reasons that contain what is typed (ignoring case and accents), none picked yet."""
        key = fold(typed.strip())
        self.matching = [reason for reason in self.known if key in fold(reason)]
        offered = self.offered
        offered.clear_options()
        offered.add_options(Option(Text(reason)) for reason in self.matching)
        offered.highlighted = None
        offered.display = bool(self.matching)

    @on(Input.Changed, "#reason")
    def typed(self, event: Input.Changed) -> None:
        self.show_error("")
        self.narrow(event.value)

    def action_pick(self, step: int) -> None:
        offered = self.offered
        count = offered.option_count
        if not count:
            return
        current = offered.highlighted
        if current is None:
            offered.highlighted = 0 if step > 0 else count - 1
        elif 0 <= current + step < count:
            offered.highlighted = current + step
        else:
            offered.highlighted = None  # past either end: back to what is typed

    @on(Input.Submitted, "#reason")
    def save(self) -> None:
        offered = self.offered
        picked = offered.highlighted
        if picked is not None and offered.display:
            self.dismiss(self.matching[picked])
            return
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.show_error("type a reason, or pick one with ↑↓")
            return
        self.dismiss(reason)

    @on(OptionList.OptionSelected, "#reasons")
    def clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.matching[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class PipelinePickerScreen(PickerScreen):
    """Choose a pipeline (archived ones are left out); dismisses with its id, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pipeline_picker.cancel")]

    def __init__(self, current: int | None = None) -> None:
        super().__init__("Show which pipeline?", "↑↓ choose · enter show · esc cancel", current=current)

    def on_mount(self) -> None:
        self.read_pipelines()

    @work(thread=True, exclusive=True, group="pipeline-picker")
    def read_pipelines(self) -> None:
        try:
            with connection():
                found = pipelines.list_pipelines()
        except CrmError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.app.call_from_thread(self.show_choices, [(pipeline.id, pipeline.name) for pipeline in found])
