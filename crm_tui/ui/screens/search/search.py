"""SearchScreen (ctrl+f): every kind of record matching a query, grouped, as you type; and the saved searches.

Each keystroke runs `search_groups` under the keystroke budget in a worker of one exclusive group; results carry
the generation they were asked for, so a slow answer to an older query is dropped. A group the budget cut short
says "more may match", and once typing pauses the query runs again without a budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.core import activities
from crm_tui.core.db import connection
from crm_tui.core.errors import CrmError
from crm_tui.core.search import saved as saved_searches
from crm_tui.core.search.query import KEYSTROKE_BUDGET, SearchGroup, SearchHit, parse, search_groups
from crm_tui.core.search.saved import SavedSearchData
from crm_tui.ui import sources
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.kit.dialogs import ConfirmScreen, PickerScreen
from crm_tui.ui.navigation import detail_screen, linked_record
from crm_tui.ui.screens.search.save_search import SaveSearchScreen

OPERATOR_HELP = 'tag:vip company:acme stage:proposal kind:call is:overdue -word "exact phrase"'
GROUP_TITLES = {"contact": "Contacts", "company": "Companies", "deal": "Deals", "activity": "Activities",
                "note": "Notes"}
LIMIT_PER_KIND = 10
TITLE_WIDTH = 40  # cells: the details line up after the titles
PAUSE_SECONDS = 0.3


@dataclass(frozen=True)
class _Results:
    """What one run of a query found, for the generation (keystroke) that asked."""

    generation: int
    groups: tuple[SearchGroup, ...]
    budgeted: bool


class SearchResults(OptionList):
    """The results under the query. Up from the first row goes back to the query; typing goes on typing there."""

    def action_cursor_up(self) -> None:
        if self.highlighted is None or self.highlighted == self.first_enabled():
            self.screen.query_one("#query", Input).focus()
            return
        super().action_cursor_up()

    def first_enabled(self) -> int | None:
        return next((index for index, option in enumerate(self.options) if not option.disabled), None)

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character and event.key != "p":
            event.stop()
            event.prevent_default()
            query = self.screen.query_one("#query", Input)
            query.focus()
            query.insert_text_at_cursor(event.character)


class SearchScreen(Screen[None]):
    """One query line, what was understood of it, and the first matches of each kind."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="search.close"),
        Binding("ctrl+s", "save", "Save search", id="search.save"),
        Binding("ctrl+o", "open_saved", "Saved", id="search.saved"),
        Binding("down", "into_results", "Results", show=False, id="search.results"),
        Binding("p", "pin", "Pin", id="search.pin"),
        Binding("delete", "delete_saved", "Delete", id="search.delete"),
    ]
    DEFAULT_CSS = """
    SearchScreen #query {
        border: none;
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    SearchScreen #understood {
        color: $text-muted;
        padding: 0 1;
        height: auto;
        max-height: 2;
    }
    SearchScreen #results {
        height: 1fr;
        border: none;
        padding: 0;
    }
    SearchScreen #results > .option-list--option-disabled {
        text-style: bold;
        color: $accent;
    }
    """

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query
        self._generation = 0
        self._pause: Timer | None = None
        self._choices: dict[str, SearchHit | SavedSearchData] = {}

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Input(self.initial_query, placeholder="Search everything…", id="query", select_on_focus=False)
        yield Static("", id="understood")
        yield SearchResults(id="results", compact=True, markup=False)
        yield AppFooter()

    @property
    def query_input(self) -> Input:
        return self.query_one("#query", Input)

    @property
    def results(self) -> SearchResults:
        return self.query_one("#results", SearchResults)

    def on_mount(self) -> None:
        self.query_input.focus()
        self.search_for(self.query_input.value)

    def reload(self) -> None:
        """Run the query again (ctrl+r, or a change made by another process)."""
        self.search_for(self.query_input.value, budget=None)

    def show_query(self, text: str) -> None:
        """Put a query in the line (a saved search run, or a palette entry) and search for it."""
        self.query_input.value = text
        self.query_input.cursor_position = len(text)
        self.query_input.focus()

    # Searching ---------------------------------------------------------------------------------------------

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        self.search_for(event.value)

    def search_for(self, text: str, budget: float | None = KEYSTROKE_BUDGET) -> None:
        self._generation += 1
        if self._pause is not None:
            self._pause.stop()
            self._pause = None
        understood = self.query_one("#understood", Static)
        if not text.strip():
            understood.update(Text(OPERATOR_HELP))
            self.read_saved(self._generation)
            return
        understood.update(Text(parse(text).describe()))
        self.run_search(text, self._generation, budget)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, text: str, generation: int, budget: float | None) -> None:
        try:
            with connection():
                groups = search_groups(text, LIMIT_PER_KIND, sources.current_time(), budget)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.show_results, _Results(generation, tuple(groups), budget is not None))

    def show_results(self, results: _Results) -> None:
        if results.generation != self._generation:
            return
        choices: dict[str, SearchHit | SavedSearchData] = {}
        options: list[Option] = []
        for group in results.groups:
            if not group.hits and group.complete:
                continue
            heading = GROUP_TITLES[group.kind] + ("" if group.complete else " · more may match")
            options.append(Option(Text(" " + heading), disabled=True))
            for hit in group.hits:
                key = f"{hit.kind}:{hit.id}"
                choices[key] = hit
                title = Text(hit.title or "(untitled)")
                if hit.detail:
                    title.truncate(TITLE_WIDTH, overflow="ellipsis", pad=True)
                line = Text("  ") + title
                if hit.detail:
                    line += Text("  ") + Text(hit.detail, style="dim")
                options.append(Option(line, id=key))
        if not options:
            options.append(Option(Text(" Nothing matches"), disabled=True))
        self._fill(options, choices)
        if results.budgeted and not all(group.complete for group in results.groups):
            self._pause = self.set_timer(PAUSE_SECONDS, partial(self._search_fully, results.generation))

    def _search_fully(self, generation: int) -> None:
        """Typing has paused: run the query to the end, so no group says "more may match" for want of time."""
        if generation == self._generation:
            self._generation += 1
            self.run_search(self.query_input.value, self._generation, None)

    def _fill(self, options: list[Option], choices: dict[str, SearchHit | SavedSearchData]) -> None:
        """Show new rows, the cursor staying on the record (or saved search) it was on when that is still listed."""
        results = self.results
        was = self.results.get_option_at_index(results.highlighted).id if results.highlighted is not None else None
        results.clear_options()
        results.add_options(options)
        self._choices = choices
        kept = next((index for index, option in enumerate(options) if was and option.id == was), None)
        results.highlighted = kept if kept is not None else results.first_enabled()
        self.refresh_bindings()

    # Saved searches ----------------------------------------------------------------------------------------

    def saved_searches_or_say_why(self) -> list[SavedSearchData] | None:
        """The saved searches (in a worker); None, once the error is shown, if they could not be read."""
        try:
            with connection():
                return saved_searches.list_saved()
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return None

    @work(thread=True, exclusive=True, group="search")
    def read_saved(self, generation: int) -> None:
        saved = self.saved_searches_or_say_why()
        if saved is not None:
            self.app.call_from_thread(self.show_saved, generation, saved)

    def show_saved(self, generation: int, saved: list[SavedSearchData]) -> None:
        if generation != self._generation:
            return
        if not saved:
            self._fill([Option(Text(" No saved searches yet · type a query, then ctrl+s saves it"), disabled=True)],
                       {})
            return
        options = [Option(Text(" Saved searches · enter runs · p pins to the contacts list (F)"), disabled=True)]
        choices: dict[str, SearchHit | SavedSearchData] = {}
        for search in saved:
            key = f"saved:{search.id}"
            choices[key] = search
            line = Text("  ") + Text(search.name) + Text("  ") + Text(search.query, style="dim")
            if search.pinned:
                line += Text("  pinned", style="italic")
            options.append(Option(line, id=key))
        self._fill(options, choices)

    def highlighted_choice(self) -> SearchHit | SavedSearchData | None:
        results = self.results
        if results.highlighted is None:
            return None
        option = results.get_option_at_index(results.highlighted)
        return self._choices.get(option.id or "")

    def highlighted_saved(self) -> SavedSearchData | None:
        choice = self.highlighted_choice()
        return choice if isinstance(choice, SavedSearchData) else None

    def action_save(self) -> None:
        text = self.query_input.value
        if not text.strip():
            self.notify("Type a query first, then ctrl+s saves it")
            return
        self.app.push_screen(SaveSearchScreen(text), self.saved)

    def saved(self, search: SavedSearchData | None) -> None:
        if search is not None:
            self.notify(f"Saved the search {search.name} · ctrl+o runs it")

    def action_open_saved(self) -> None:
        self.pick_saved()

    @work(thread=True, exclusive=True, group="search-saved")
    def pick_saved(self) -> None:
        saved = self.saved_searches_or_say_why()
        if saved is None:
            return
        if not saved:
            self.app.call_from_thread(self.notify, "No saved searches yet: ctrl+s saves the current query")
            return
        queries = {search.id: search.query for search in saved}
        picker = PickerScreen("Run a saved search", "enter runs · esc cancel",
                              [(search.id, f"{search.name}  ·  {search.query}") for search in saved])

        def picked(search_id: int | None) -> None:
            if search_id in queries:
                self.show_query(queries[search_id])

        self.app.call_from_thread(self.app.push_screen, picker, picked)

    def action_pin(self) -> None:
        search = self.highlighted_saved()
        if search is not None:
            self.change_saved(search, pin=not search.pinned)

    def action_delete_saved(self) -> None:
        search = self.highlighted_saved()
        if search is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.change_saved(search, delete=True)

        self.app.push_screen(ConfirmScreen(Text.assemble("Delete the saved search ", (search.name, "bold"), "?"),
                                           confirm_label="Delete"), confirmed)

    @work(thread=True, exclusive=True, group="search-saved")
    def change_saved(self, search: SavedSearchData, pin: bool | None = None, delete: bool = False) -> None:
        try:
            with connection():
                if delete:
                    saved_searches.delete(search.name)
                else:
                    saved_searches.set_pinned(search.name, bool(pin))
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if delete:
            message = f"Deleted the saved search {search.name}"
        elif pin:
            message = f"Pinned {search.name}: F on the contacts list filters by it"
        else:
            message = f"Unpinned {search.name}"
        self.app.call_from_thread(self.changed_saved, message)

    def changed_saved(self, message: str) -> None:
        self.notify(message)
        if not self.query_input.value.strip():
            self.search_for("")

    # Moving and opening ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Pin and delete act on a saved search in the list (from the query line, p and delete are typing)."""
        if action in ("pin", "delete_saved"):
            return self.results.has_focus and self.highlighted_saved() is not None
        if action == "into_results":
            return self.query_input.has_focus
        return True

    @on(OptionList.OptionHighlighted, "#results")
    def highlight_moved(self) -> None:
        self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_into_results(self) -> None:
        results = self.results
        if results.option_count and results.first_enabled() is not None:
            results.focus()
            if results.highlighted is None:
                results.highlighted = results.first_enabled()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#query")
    def open_highlighted(self) -> None:
        choice = self.highlighted_choice()
        if choice is not None:
            self.open_choice(choice)

    @on(OptionList.OptionSelected, "#results")
    def open_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        choice = self._choices.get(event.option.id or "")
        if choice is not None:
            self.open_choice(choice)

    def open_choice(self, choice: SearchHit | SavedSearchData) -> None:
        if isinstance(choice, SavedSearchData):
            self.show_query(choice.query)
        elif choice.kind in ("activity", "note"):
            self.open_activity(choice.id)
        else:
            self.open_record(choice.kind, choice.id)

    def open_record(self, kind: str, record_id: int) -> None:
        """A contact, company or deal's detail over the search, so esc comes back to the results."""
        self.app.push_screen(detail_screen(kind, record_id), lambda _: self.reload())

    @work(thread=True, exclusive=True, group="search-open")
    def open_activity(self, activity_id: int) -> None:
        """An activity or note opens the record it is about, as in the activity log: its deal, else its contact,
        else its company."""
        try:
            with connection():
                activity = activities.get(activity_id)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        linked = linked_record(activity)
        if linked is None:
            self.app.call_from_thread(self.notify, "This activity is not linked to a contact, company or deal")
        else:
            self.app.call_from_thread(self.open_record, *linked)
