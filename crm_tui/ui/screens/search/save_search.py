"""The dialog that names a query to keep it as a saved search (ctrl+s on the search screen)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from crm_tui.core.db import connection
from crm_tui.core.errors import CrmError, ValidationError
from crm_tui.core.search import saved as saved_searches
from crm_tui.core.search.saved import SavedSearchData
from crm_tui.ui.kit.dialogs import DialogScreen


class SaveSearchScreen(DialogScreen[SavedSearchData | None]):
    """Name the query to save. A name already taken is refused under the field; ctrl+s again replaces that one."""

    AUTO_FOCUS = "#name"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save_search.save"),
        Binding("escape", "cancel", "Cancel", id="save_search.cancel"),
    ]

    def __init__(self, query: str) -> None:
        super().__init__()
        self.search_query = query
        self._may_replace: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("Save the search ") + Text(self.search_query, style="bold"), classes="dialog-title")
            yield Input(placeholder="a name, such as VIPs in Berlin", id="name")
            yield Label("", classes="dialog-error")
            yield Label("enter save · esc cancel", classes="dialog-hint")

    @on(Input.Changed, "#name")
    def name_changed(self) -> None:
        self._may_replace = None
        self.show_error("")

    @on(Input.Submitted, "#name")
    def action_save(self) -> None:
        name = self.query_one("#name", Input).value
        self.store(name, replace=name == self._may_replace)

    @work(thread=True, exclusive=True, group="save-search")
    def store(self, name: str, replace: bool) -> None:
        try:
            with connection():
                search = saved_searches.save(name, self.search_query, replace=replace)
        except ValidationError as exc:
            error = exc.errors[0]
            self.app.call_from_thread(self.refused, name, error.field, error.message)
            return
        except CrmError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.app.call_from_thread(self.dismiss, search)

    def refused(self, name: str, field: str, message: str) -> None:
        if field == "name" and "already exists" in message:
            self._may_replace = name
            message += " · ctrl+s again replaces it"
        self.show_error(message)

    def action_cancel(self) -> None:
        self.dismiss(None)
