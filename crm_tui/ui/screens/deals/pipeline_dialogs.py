"""Dialogs of the pipeline settings: typing a name (and a probability), and choosing where a stage's deals go."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from crm_tui.core.db import connection
from crm_tui.core.deals.pipelines import StageData
from crm_tui.core.errors import CrmError, FieldError, ValidationError
from crm_tui.ui.kit.dialogs import DialogScreen, PickerScreen

Saved = TypeVar("Saved")


@dataclass(frozen=True)
class PromptField:
    """One input of a PromptScreen. `name` is the field a ValidationError names ("name", "probability")."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""


class PromptScreen(DialogScreen[Saved | None], Generic[Saved]):
    """Ask for one or two values and save them with `save`, a service call run in a thread worker. A refusal is
    shown under the field it is about and the dialog stays open, so the person can correct what they typed.
    Dismisses with what `save` returned, or None when cancelled."""

    AUTO_FOCUS = "Input"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]
    DEFAULT_CSS = """
    PromptScreen .prompt-field { height: auto; margin: 0 0 1 0; }
    PromptScreen .prompt-field Input { margin: 0; }
    """

    def __init__(self, title: str | Text, fields: Sequence[PromptField],
                 save: Callable[[dict[str, str]], Saved]) -> None:
        super().__init__()
        self.title_text = Text(title) if isinstance(title, str) else title
        self.fields = list(fields)
        self.save = save
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            for field in self.fields:
                with Vertical(classes="prompt-field"):
                    yield Label(field.label)
                    yield Input(field.value, placeholder=field.placeholder, id=field.name)
                    yield Label("", id=f"{field.name}-error", classes="dialog-error")
            hint = "tab next field · enter save · esc cancel" if len(self.fields) > 1 else "enter save · esc cancel"
            yield Label(hint, classes="dialog-hint")

    def show_error(self, message: str, field: str | None = None) -> None:
        """Show `message` under `field`, or under the first field when it names none of them."""
        names = [each.name for each in self.fields]
        shown = field if field in names else names[0]
        error = self.query_one(f"#{shown}-error", Label)
        error.update(Text(message))
        error.display = bool(message)

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        if event.input.id:
            self.show_error("", event.input.id)

    @on(Input.Submitted)
    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self._save({field.name: self.query_one(f"#{field.name}", Input).value for field in self.fields})

    @work(thread=True, exclusive=True, group="prompt-save")
    def _save(self, values: dict[str, str]) -> None:
        try:
            with connection():
                result = self.save(values)
        except ValidationError as exc:
            self.app.call_from_thread(self._refused, exc.errors)
            return
        except CrmError as exc:
            self.app.call_from_thread(self._refused, [FieldError("", str(exc))])
            return
        self.app.call_from_thread(self._saved, result)

    def _saved(self, result: Saved) -> None:
        self.dismiss(result)

    def _refused(self, errors: list[FieldError]) -> None:
        self.saving = False
        for error in errors:
            self.show_error(error.message, error.field)
        wrong = next((field.name for field in self.fields if field.name == errors[0].field), self.fields[0].name)
        self.query_one(f"#{wrong}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class StagePickerScreen(PickerScreen):
    """Choose the stage that the deals of a stage being deleted move to; dismisses with its id, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="stage_picker.cancel")]

    def __init__(self, question: str | Text, stages: Sequence[StageData]) -> None:
        super().__init__(question, "↑↓ choose · enter move the deals there · esc cancel",
                         [(stage.id, stage.name) for stage in stages])
