"""The tag dialogs of the contacts screens: a contact's tags (`T` on a contact) and tags for marked contacts."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioButton, RadioSet

from crm_tui.core.contacts import tags
from crm_tui.core.errors import ValidationError
from crm_tui.ui.kit.dialogs import DialogScreen, split_names


def read_tags(dialog: DialogScreen) -> list[str] | None:
    """The clean tag names typed into the dialog's #tags, or None after showing why they are not."""
    try:
        return tags.clean_names(split_names(dialog.query_one("#tags", Input).value))
    except ValidationError as exc:
        dialog.show_error(exc.errors[0].message)
        return None


class TagEditScreen(DialogScreen[list[str] | None]):
    """Edit a list of tags as one comma-separated line; dismisses the clean names, or None when cancelled."""

    AUTO_FOCUS = "#tags"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="tag_edit.save"),
        Binding("escape", "cancel", "Cancel", id="tag_edit.cancel"),
    ]

    def __init__(self, title: str, tags: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.tags = list(tags)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(", ".join(self.tags), placeholder="tags, comma-separated", id="tags")
            yield Label("", classes="dialog-error")
            yield Label("enter save · esc cancel", classes="dialog-hint")

    @on(Input.Submitted)
    def action_save(self) -> None:
        names = read_tags(self)
        if names is not None:
            self.dismiss(names)

    def action_cancel(self) -> None:
        self.dismiss(None)


class BulkTagScreen(DialogScreen[tuple[str, list[str]] | None]):
    """Add tags to, or remove tags from, `count` chosen contacts; dismisses ("add" | "remove", names) or None."""

    AUTO_FOCUS = "#tags"
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="bulk_tag.apply"),
        Binding("escape", "cancel", "Cancel", id="bulk_tag.cancel"),
    ]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        noun = "contact" if self.count == 1 else "contacts"
        with Vertical(classes="dialog"):
            yield Label(f"Tags for {self.count:,} {noun}", classes="dialog-title")
            yield Input(placeholder="tags, comma-separated", id="tags")
            yield Label("", classes="dialog-error")
            with RadioSet(id="mode"):
                yield RadioButton("Add these tags", value=True, id="add")
                yield RadioButton("Remove these tags", id="remove")
            yield Label("tab add/remove · enter apply · esc cancel", classes="dialog-hint")

    @property
    def mode(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else "add"

    @on(Input.Submitted)
    def action_apply(self) -> None:
        names = read_tags(self)
        if names == []:
            self.show_error("type at least one tag")
        elif names:
            self.dismiss((self.mode, names))

    def action_cancel(self) -> None:
        self.dismiss(None)
