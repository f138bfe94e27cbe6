"""Add a contact. Errors from the service's validation appear under the field they concern."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from crm_tui.core import contacts
from crm_tui.core.db import connection
from crm_tui.core.errors import ValidationError

# (input id, label, ContactDraft field, takes a comma-separated list)
FIELDS = (
    ("first_name", "First name", "first_name", False),
    ("last_name", "Last name", "last_name", False),
    ("emails", "Emails", "emails", True),
    ("phones", "Phones", "phones", True),
    ("company", "Company", "company", False),
    ("title", "Title", "title", False),
    ("tags", "Tags", "tags", True),
)


class ContactFormScreen(ModalScreen[int | None]):
    AUTO_FOCUS = "#first_name"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="contact_form.cancel"),
        Binding("ctrl+s", "save", "Save", id="contact_form.save"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form"):
            yield Label("New contact  (ctrl+s saves, esc cancels)")
            for input_id, label, _, is_list in FIELDS:
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="field-label")
                    yield Input(placeholder="comma-separated" if is_list else "", id=input_id)
                yield Label("", id=f"{input_id}-error", classes="field-error")
            yield Button("Save", id="save", variant="primary")

    def draft(self) -> contacts.ContactDraft:
        values = {}
        for input_id, _, field, is_list in FIELDS:
            text = self.query_one(f"#{input_id}", Input).value
            values[field] = [part.strip() for part in text.split(",") if part.strip()] if is_list else text
        return contacts.ContactDraft(**values)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.save(self.draft())

    @work(thread=True, exclusive=True, group="contact-form")
    def save(self, draft: contacts.ContactDraft) -> None:
        try:
            with connection():
                created = contacts.create(draft)
        except ValidationError as exc:
            self.app.call_from_thread(self.show_errors, exc)
            return
        self.app.call_from_thread(self.dismiss, created.id)

    def show_errors(self, error: ValidationError) -> None:
        for label in self.query(".field-error"):
            label.update("")
            label.remove_class("shown")
        for field_error in error.errors:
            label = self.query_one(f"#{field_error.field}-error", Label)
            label.update(field_error.message)
            label.add_class("shown")
        self.query_one(f"#{error.errors[0].field}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
