"""The dialogs every screen builds on: the base dialog, a yes/no question and a picker from a list."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, ScreenResultType
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option


def split_names(text: str) -> list[str]:
    """The parts of a comma-separated line, stripped, blanks dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


class DialogScreen(ModalScreen[ScreenResultType]):
    """A centred box with a title, some controls, an error line and a hint line."""

    DEFAULT_CSS = """
    DialogScreen {
        align: center middle;
    }
    DialogScreen .dialog {
        width: 60;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        padding: 0 1;
    }
    DialogScreen .dialog-title {
        text-style: bold;
        width: 1fr;
        margin: 0 0 1 0;
    }
    DialogScreen Input {
        margin: 0 0 1 0;
    }
    DialogScreen .dialog-error {
        color: $error;
        width: 1fr;
        display: none;
    }
    DialogScreen .dialog-hint {
        color: $text-muted;
        width: 1fr;
    }
    DialogScreen .dialog-buttons {
        height: auto;
        align-horizontal: center;
        margin: 0 0 1 0;
    }
    DialogScreen .dialog-buttons Button {
        margin: 0 1;
    }
    """

    def show_error(self, message: str) -> None:
        error = self.query_one(".dialog-error", Label)
        error.update(Text(message))
        error.display = bool(message)


class ConfirmScreen(DialogScreen[bool]):
    """Ask a yes/no question; dismisses True for yes."""

    AUTO_FOCUS = "#confirm"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "Cancel", id="confirm.cancel"),
    ]

    def __init__(self, question: str | Text, confirm_label: str = "Yes") -> None:
        super().__init__()
        self.question = Text(question) if isinstance(question, str) else question
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text(self.confirm_label), id="confirm", variant="primary", compact=True)
                yield Button("No", id="cancel", compact=True)
            yield Label("y/enter yes · n/esc no", classes="dialog-hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")


class PickerScreen(DialogScreen[int | None]):
    """Choose one of a few records by name; dismisses with its id, or None. `choices` may be filled in later
    (`show_choices`), for a list read in a worker."""

    AUTO_FOCUS = "#choices"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]
    DEFAULT_CSS = """
    PickerScreen #choices {
        height: auto;
        max-height: 12;
        margin: 0 0 1 0;
        border: none;
        padding: 0;
    }
    """

    def __init__(self, question: str | Text, hint: str, choices: list[tuple[int, str]] | None = None,
                 current: int | None = None) -> None:
        super().__init__()
        self.question = Text(question) if isinstance(question, str) else question
        self.hint = hint
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield OptionList(id="choices")
            yield Label("", classes="dialog-error")
            yield Label(self.hint, classes="dialog-hint")

    def on_mount(self) -> None:
        if self.choices is not None:
            self.show_choices(self.choices)

    def show_choices(self, choices: list[tuple[int, str]]) -> None:
        listed = self.query_one("#choices", OptionList)
        listed.add_options(Option(Text(name), id=str(choice_id)) for choice_id, name in choices)
        ids = [choice_id for choice_id, _ in choices]
        if ids:
            listed.highlighted = ids.index(self.current) if self.current in ids else 0

    @on(OptionList.OptionSelected, "#choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
