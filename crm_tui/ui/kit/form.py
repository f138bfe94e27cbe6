"""Record forms: labelled fields, each error under its field, and saves that never silently overwrite.

A form remembers the text each field was loaded with, so it knows what the person changed: an edit sends only
those fields, Escape asks before throwing them away, and a save that finds the record changed elsewhere shows the
newer values and lets the person choose, instead of overwriting them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, Static, TextArea

from crm_tui.core.db import connection
from crm_tui.core.errors import ConflictError, CrmError, FieldError, ValidationError
from crm_tui.ui.kit.dialogs import ConfirmScreen, split_names

HINT = "ctrl+s save · esc cancel"
CONFLICT_HINT = "ctrl+s save yours · ctrl+l load newer · esc cancel"
CONFLICT_HELP = "ctrl+s saves your edits over it; ctrl+l drops them and loads it."


@dataclass(frozen=True)
class Field:
    """One thing a form asks for. `name` is the service's field name, the widget's id and `FieldError.field`.

    kind: "text" (one line), "list" (comma-separated), "lines" (free text) or "mapping" (`key: value` lines).
    check: a cheap test of the parsed value, run when the field loses focus; raises ValidationError.
    suggest: completes a prefix from the database (runs on a thread with its own connection).
    """

    name: str
    label: str
    kind: Literal["text", "list", "lines", "mapping"] = "text"
    placeholder: str = ""
    check: Callable[[Any], object] | None = None
    suggest: Callable[[str], str | None] | None = None

    @property
    def multiline(self) -> bool:
        return self.kind in ("lines", "mapping")

    def to_text(self, value: Any) -> str:
        if self.kind == "list":
            return ", ".join(value)
        if self.kind == "mapping":
            return "\n".join(f"{key}: {item}" for key, item in value.items())
        return value or ""

    def parse(self, text: str) -> Any:
        if self.kind == "list":
            return split_names(text)
        if self.kind == "mapping":
            return parse_mapping(self.name, text)
        return text


def parse_mapping(field: str, text: str) -> dict[str, str]:
    """`key: value` lines into a dict; blank lines are skipped, a line without `key:` is an error on `field`."""
    result = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip():
            raise ValidationError.single(field, f"line {number} is not in the form 'key: value'")
        result[key.strip()] = value.strip()
    return result


class ThreadSuggester(Suggester):
    """Input completion from a lookup that reads the database, kept off the UI thread."""

    def __init__(self, lookup: Callable[[str], str | None]) -> None:
        super().__init__(use_cache=True, case_sensitive=False)
        self.lookup = lookup

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(self._lookup, value)

    def _lookup(self, value: str) -> str | None:
        with connection():
            return self.lookup(value)


class Form(VerticalScroll, can_focus=False):
    """A record's fields, one row each, with an error line and a note line under each (hidden while empty)."""

    DEFAULT_CSS = """
    Form {
        height: auto;
        scrollbar-size-vertical: 1;
    }
    Form #form-panel {
        display: none;
        height: auto;
        margin: 0 0 1 0;
        padding: 0 1;
        border-left: thick $warning;
    }
    Form .form-row {
        height: 1;
    }
    Form .form-row.tall {
        height: 4;
    }
    Form .form-label {
        width: 14;
        color: $text-muted;
    }
    Form Input, Form TextArea {
        width: 1fr;
        padding: 0;
        background: $boost;
    }
    Form Input:focus, Form TextArea:focus {
        background: $accent 30%;
    }
    Form .form-error, Form .form-note {
        margin: 0 0 0 14;
        width: 1fr;
        height: auto;
        display: none;
    }
    Form .form-error {
        color: $error;
    }
    Form .form-note {
        color: $text-muted;
    }
    """

    def __init__(self, fields: Iterable[Field], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fields = {field.name: field for field in fields}
        self.loaded = {name: "" for name in self.fields}

    def compose(self) -> ComposeResult:
        yield Static("", id="form-panel")
        for field in self.fields.values():
            with Horizontal(classes="form-row tall" if field.multiline else "form-row"):
                yield Label(field.label, classes="form-label")
                if field.multiline:
                    yield TextArea(
                        id=field.name, placeholder=field.placeholder, compact=True, highlight_cursor_line=False
                    )
                else:
                    suggester = ThreadSuggester(field.suggest) if field.suggest else None
                    yield Input(placeholder=field.placeholder, id=field.name, suggester=suggester, compact=True)
            yield Label("", id=f"{field.name}-error", classes="form-error")
            yield Label("", id=f"{field.name}-note", classes="form-note")

    def text(self, name: str) -> str:
        widget = self.query_one(f"#{name}")
        return widget.text if isinstance(widget, TextArea) else widget.value

    def load(self, values: dict[str, Any]) -> None:
        """Fill every field from a record's values; "changed" is measured against what this loads."""
        for name, field in self.fields.items():
            text = field.to_text(values[name])
            widget = self.query_one(f"#{name}")
            if isinstance(widget, TextArea):
                widget.load_text(text)
            else:
                widget.value = text
            self.loaded[name] = text
        self.show_errors([])

    def changed(self) -> list[str]:
        return [name for name in self.fields if self.text(name) != self.loaded[name]]

    def collect(self, names: Iterable[str]) -> dict[str, Any]:
        """The parsed values of the fields `names`; a ValidationError lists every field that cannot be parsed."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        for name in names:
            try:
                values[name] = self.fields[name].parse(self.text(name))
            except ValidationError as exc:
                errors.extend(exc.errors)
        if errors:
            raise ValidationError(errors)
        return values

    def set_line(self, name: str, kind: Literal["error", "note"], message: str) -> None:
        """Show `message` on the error or note line under a field; "" hides the line."""
        line = self.query_one(f"#{name}-{kind}", Label)
        line.update(Text(message))
        line.display = bool(message)

    def show_panel(self, text: Text | None) -> None:
        """A message above the fields (None hides it), scrolled into view."""
        panel = self.query_one("#form-panel", Static)
        panel.update(text or "")
        panel.display = text is not None
        if text is not None:
            self.scroll_home(animate=False)

    def show_errors(self, errors: list[FieldError]) -> list[FieldError]:
        """Show each error under its field (clearing the rest), focus the topmost, and return those with no field."""
        messages: dict[str, list[str]] = {}
        for error in errors:
            messages.setdefault(error.field, []).append(error.message)
        for name in self.fields:
            self.set_line(name, "error", "\n".join(messages.get(name, [])))
        first = next((name for name in self.fields if name in messages), None)
        if first is not None:
            self.query_one(f"#{first}").focus()
            self.call_after_refresh(self.query_one(f"#{first}-error").scroll_visible)
        return [error for error in errors if error.field not in self.fields]

    def check(self, field: Field) -> None:
        try:
            value = field.parse(self.text(field.name))
            if field.check is not None:
                field.check(value)
        except ValidationError as exc:
            self.set_line(field.name, "error", exc.errors[0].message)
        else:
            self.set_line(field.name, "error", "")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        field = self.fields.get(event.widget.id or "")
        if field is not None and (field.check is not None or field.kind == "mapping"):
            self.check(field)

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()


def form_bindings(prefix: str) -> list[Binding]:
    """A form screen's keys, with ids under `prefix` (e.g. "contact_form.save") so users can remap them."""
    return [
        Binding("ctrl+s", "save", "Save", id=f"{prefix}.save"),
        Binding("escape", "cancel", "Cancel", id=f"{prefix}.cancel"),
        Binding("ctrl+l", "reload", "Load newer", id=f"{prefix}.reload"),
    ]


class RecordFormScreen(ModalScreen[int | None]):
    """Add (record None) or edit a record; dismisses with the saved record's id, or None when cancelled.

    Subclasses give FIELDS, NOUN, the SERVICE module (its `get` and `update`), `values_of` and `create_record`.
    Service calls run on a worker thread inside `connection()`.
    """

    FIELDS: tuple[Field, ...] = ()
    NOUN = "record"
    SERVICE: ModuleType
    DEFAULT_CSS = """
    RecordFormScreen {
        align: center middle;
    }
    RecordFormScreen #form-box {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        padding: 0 1;
    }
    RecordFormScreen #form-title {
        width: 1fr;
        text-style: bold;
    }
    RecordFormScreen #form-hint {
        width: 1fr;
        color: $text-muted;
    }
    """

    def __init__(self, record: Any = None) -> None:
        super().__init__()
        self.record = record
        self.newer: Any = None
        self.saving = False
        # What a preset field shows, and what is sent while it still shows that: an id, since names may repeat.
        self.preset_refs: dict[str, tuple[str, int | str]] = {}

    def show_presets(self, found: dict[str, tuple[str, int | str]]) -> None:
        """Fill preset fields (name: (shown, ref)) the person has not typed in yet; they count as unchanged."""
        form = self.form
        for name, (shown, ref) in found.items():
            if form.text(name) == form.loaded[name]:
                form.query_one(f"#{name}", Input).value = shown
                form.loaded[name] = shown
                self.preset_refs[name] = (shown, ref)

    def values_of(self, record: Any) -> dict[str, Any]:
        """The record's values by field name, as the service takes them."""
        raise NotImplementedError

    def create_record(self, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_record(self, record: Any, changes: dict[str, Any]) -> Any:
        """Save `changes` over `record`; ConflictError if it is no longer the stored version."""
        return self.SERVICE.update(record.id, record.version, **changes)

    def warning_before_save(self, base: Any, values: dict[str, Any]) -> Callable[[], None] | None:
        """A reason to hold the save back (the contact form's likely duplicates): None saves; else nothing is saved
        and the returned callable runs on the UI thread to show why. Runs in the save worker, in its connection,
        with `base` the record being edited (None when adding) and `values` what would be saved."""
        return None

    @property
    def form(self) -> Form:
        return self.query_one(Form)

    def heading(self) -> Text:
        if self.record is None:
            return Text(f"New {self.NOUN}")
        return Text.assemble("Edit ", self.record.name)

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Label(self.heading(), id="form-title")
            yield Form(self.FIELDS, id="form")
            yield Label(HINT, id="form-hint")

    def on_mount(self) -> None:
        if self.record is not None:
            self.form.load(self.values_of(self.record))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.newer is not None if action == "reload" else True

    def on_resize(self, event: events.Resize) -> None:
        """The fields scroll in what the screen leaves after the border, title and hint line."""
        self.form.styles.max_height = max(3, event.size.height - 4)

    def action_save(self) -> None:
        if self.saving:
            return
        names = list(self.form.fields) if self.record is None else self.form.changed()
        try:
            values = self.form.collect(names)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        if self.record is not None and not values:
            self.dismiss(self.record.id)
            return
        self.saving = True
        self.save(values)

    @work(thread=True, exclusive=True, group="record-form")
    def save(self, values: dict[str, Any]) -> None:
        base = self.newer or self.record
        try:
            with connection():
                held_back = self.warning_before_save(base, values)
                if held_back is not None:
                    self.app.call_from_thread(held_back)
                    return
                try:
                    saved = self.create_record(values) if base is None else self.update_record(base, values)
                except ConflictError:
                    self.app.call_from_thread(self.show_conflict, self.SERVICE.get(base.id))
                    return
        except ValidationError as exc:
            self.app.call_from_thread(self.show_errors, exc.errors)
        except CrmError as exc:
            self.app.call_from_thread(self.show_message, str(exc))
        else:
            self.app.call_from_thread(self.dismiss, saved.id)

    def show_errors(self, errors: list[FieldError]) -> None:
        """Errors under their fields; any without a field above them (a conflict panel stays up)."""
        self.saving = False
        unplaced = self.form.show_errors(errors)
        if unplaced or self.newer is None:
            self.show_message("\n".join(f"{error.field}: {error.message}" for error in unplaced))

    def show_message(self, message: str) -> None:
        self.saving = False
        self.form.show_panel(Text(message, style="bold") if message else None)

    def show_conflict(self, current: Any) -> None:
        """Someone saved the record since it was loaded: show what they changed and wait for ctrl+s or ctrl+l."""
        self.saving = False
        self.newer = current
        loaded, stored = self.values_of(self.record), self.values_of(current)
        text = Text.assemble(("Changed elsewhere since you opened it", "bold"))
        for name, field in self.form.fields.items():
            if loaded[name] != stored[name]:
                newer = " / ".join(field.to_text(stored[name]).splitlines()) or "(empty)"
                text.append(f"\n{field.label}: ", style="bold")
                text.append(newer)
        text.append(f"\n{CONFLICT_HELP}", style="italic")
        self.form.show_panel(text)
        self.query_one("#form-hint", Label).update(CONFLICT_HINT)
        self.refresh_bindings()

    def action_reload(self) -> None:
        """Drop the person's edits for the newer stored version."""
        if self.newer is None:
            return
        self.record, self.newer = self.newer, None
        self.form.load(self.values_of(self.record))
        self.query_one("#form-title", Label).update(self.heading())
        self.form.show_panel(None)
        self.query_one("#form-hint", Label).update(HINT)
        self.refresh_bindings()

    def action_cancel(self) -> None:
        if not self.form.changed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard your changes?", "Discard"), answered)
