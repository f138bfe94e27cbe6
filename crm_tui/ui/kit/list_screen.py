"""ListScreen: what the contacts and companies sections share: the list, its filter box, status line and actions.

Subclasses say which source they read and how to add, edit, open and delete their kind of record.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from crm_tui.core.db import connection
from crm_tui.core.errors import CrmError
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.kit.filter_box import FilterBox
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import RecordSource


class ListScreen(Screen[None]):
    """A section showing one kind of record in a RecordList."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="list.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="list.clear_filter"),
        Binding("a", "add", "Add", id="list.add"),
        Binding("e", "edit", "Edit", id="list.edit"),
        Binding("d", "delete", "Delete", id="list.delete"),
    ]
    noun = "record"
    plural = "records"
    link_field = ""
    """How an activity logged here links to the record under the cursor: "contact_id" or "company_id"."""
    _could_act = False
    filter_placeholder = "Filter…"

    def make_source(self) -> RecordSource:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield FilterBox(self.filter_placeholder)
        yield RecordList(self.make_source(), id="records")
        yield from self.compose_extra()
        yield AppFooter()

    def compose_extra(self) -> ComposeResult:
        yield from ()

    @property
    def records(self) -> RecordList:
        return self.query_one("#records", RecordList)

    def on_mount(self) -> None:
        self.records.focus()

    def on_screen_resume(self) -> None:
        if self.records.loaded:
            self.reload()

    def reload(self) -> None:
        """Read the list again, e.g. after a change made here or by another process."""
        self.records.reload()

    @on(RecordList.Changed)
    def update_keys(self) -> None:
        """Show the keys that act on a record only while there is one."""
        records = self.records
        can_act = records.current is not None or bool(records.marked_count)
        if can_act != self._could_act:
            self._could_act = can_act
            self.refresh_bindings()

    def activity_links(self) -> dict[str, int]:
        """The record under the cursor, for `l` and `t` (see CrmApp.action_log)."""
        current = self.records.current
        return {self.link_field: current.id} if current is not None and self.link_field else {}

    def history_target(self) -> tuple[str, int] | None:
        """The record under the cursor, for `h` (see CrmApp.action_history)."""
        current = self.records.current
        return (self.link_field.removesuffix("_id"), current.id) if current is not None and self.link_field else None

    # Filter ------------------------------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one(FilterBox).open()

    def action_clear_filter(self) -> None:
        if self.query_one(FilterBox).close():
            self.records.set_filter("")
        elif self.records.marked_count:
            self.records.clear_marks()
        self.records.focus()

    @on(Input.Changed, "#filter")
    def filter_records(self, event: Input.Changed) -> None:
        self.records.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def focus_records(self) -> None:
        self.records.focus()

    # Actions -----------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that act on a record are hidden while there is none to act on."""
        records = self.records
        if action == "edit" and records.current is None:
            return False
        if action == "delete" and records.current is None and not records.marked_count:
            return False
        return True

    @on(RecordList.Opened)
    def open_record(self, event: RecordList.Opened) -> None:
        def back(steps: int | None) -> None:
            if steps:
                self.records.move_to(self.records.cursor + steps)
            self.reload()

        self.app.push_screen(self.detail_screen(event.record.id, event.record_list), back)

    def open_by_id(self, record_id: int) -> None:
        """Open a record found elsewhere (the palette); n and p then walk this section's list."""
        self.app.push_screen(self.detail_screen(record_id, self.records), lambda _: self.reload())

    def detail_screen(self, record_id: int, record_list: RecordList) -> Screen:
        raise NotImplementedError

    def form_screen(self, record: Any | None) -> Screen:
        raise NotImplementedError

    def action_add(self) -> None:
        self.app.push_screen(self.form_screen(None), self.saved)

    def action_edit(self) -> None:
        if self.records.current is not None:
            self.load_for_edit(self.records.current.id)

    @work(thread=True, exclusive=True, group="list-edit")
    def load_for_edit(self, record_id: int) -> None:
        """Edit what is stored now, not the copy the list read earlier, so the form's version is current."""
        try:
            with connection():
                record = self.get_record(record_id)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.app.push_screen, self.form_screen(record), self.saved)

    def get_record(self, record_id: int) -> Any:
        raise NotImplementedError

    def saved(self, record_id: int | None) -> None:
        if record_id is not None:
            self.notify(f"Saved the {self.noun}")
            self.reload()

    def action_delete(self) -> None:
        records = self.records
        count = records.marked_count
        if count:
            question = Text(f"Move {count:,} marked {self.plural} to the trash?")
        elif records.current is not None:
            question = Text.assemble("Move ", (self.record_title(records.current), "bold"), " to the trash?")
        else:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete_records(bool(count), None if count else records.current.id)

        self.app.push_screen(ConfirmScreen(question, confirm_label="Move to trash"), confirmed)

    @work(thread=True, exclusive=True, group="list-delete")
    def delete_records(self, marked: bool, record_id: int | None) -> None:
        try:
            with connection():
                ids = list(self.records.marked_ids()) if marked else [record_id]
                done = self.trash(ids)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.deleted, done)

    def deleted(self, count: int) -> None:
        self.records.clear_marks()
        self.notify(f"Moved {count:,} {self.noun if count == 1 else self.plural} to the trash · u undoes")
        self.reload()

    def trash(self, ids: list[int]) -> int:
        """Move records to the trash as one change (so one undo brings them back); runs in a worker."""
        raise NotImplementedError

    def record_title(self, record: Any) -> str:
        return str(record.name)
