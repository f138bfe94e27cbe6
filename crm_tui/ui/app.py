"""CrmApp: the full-screen CRM. Sections are Textual modes; screens call core services in thread workers.

The app also owns what is global: undo, refresh, help, the command palette, the theme and keymap from the
settings file, switching to the demo database, and noticing when another process changes the database.
"""

from __future__ import annotations

import gc
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from crm_tui import config
from crm_tui.core import backups, demo
from crm_tui.core.activities import listing as activity_list
from crm_tui.core.activities.listing import ActivityFilter
from crm_tui.core.audit import trash, undo
from crm_tui.core.db import OpenDatabase, close_database, connection, open_database
from crm_tui.core.deals.listing import DealFilter
from crm_tui.core.errors import CrmError
from crm_tui.core.models import format_timestamp
from crm_tui.core.records import set_source
from crm_tui.ui import navigation, sources
from crm_tui.ui.commands import RecordsProvider
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.screens.activities.agenda import AgendaScreen
from crm_tui.ui.screens.activities.form import LogFormScreen, TaskFormScreen
from crm_tui.ui.screens.activities.log import ActivityLogScreen
from crm_tui.ui.screens.audit.history import HistoryScreen
from crm_tui.ui.screens.audit.trash import TrashScreen
from crm_tui.ui.screens.companies.companies import CompaniesScreen
from crm_tui.ui.screens.companies.detail import CompanyDetailScreen
from crm_tui.ui.screens.contacts.contacts import ContactsScreen
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.deals.detail import DealDetailScreen
from crm_tui.ui.screens.deals.pipeline import PipelineScreen
from crm_tui.ui.screens.duplicates.merge import MergeScreen
from crm_tui.ui.screens.help import HelpScreen

POLL_SECONDS = 1.0
# Each connection's SQLite page cache. Small, so the app's memory does not grow with the database: the operating
# system caches the file anyway, and the list readers keep their connections (and so the hot pages) open.
APP_CACHE_KIB = 2_000
# Once the first screen is built, its objects (Textual's DOM, styles, our modules) live as long as the app. Moving
# them out of the collector's reach stops a full collection from scanning them: those took 35-40 ms, a visible
# hitch in the middle of paging.
FREEZE_AFTER_SECONDS = 1.0
DEFAULT_THEME = "textual-dark"


def register_screens() -> None:
    """Tell navigation how each kind's detail screen is made, with its kind's whole list behind `n` and `p`."""

    def deal_detail(record_id: int) -> Screen:
        deal_source = sources.DealSource(DealFilter())
        return DealDetailScreen(record_id, deal_source, ListQuery(deal_source.sorts[0]))

    navigation.register_detail_screens({
        "contact": lambda record_id: ContactDetailScreen(
            record_id, sources.ContactSource(), ListQuery(sources.ContactSource.sorts[0])),
        "company": lambda record_id: CompanyDetailScreen(
            record_id, sources.CompanySource(), ListQuery(sources.CompanySource.sorts[0])),
        "deal": deal_detail,
    })


class CrmApp(App[None]):
    TITLE = "crm-tui"
    # (key, title, mode): only the sections that exist yet.
    SECTIONS = (("1", "Contacts", "contacts"), ("2", "Companies", "companies"), ("3", "Deals", "deals"),
                ("4", "Activities", "activities"), ("5", "Agenda", "agenda"))
    MODES = {"contacts": ContactsScreen, "companies": CompaniesScreen, "deals": PipelineScreen,
             "activities": ActivityLogScreen, "agenda": AgendaScreen}
    DEFAULT_MODE = "contacts"
    COMMANDS = App.COMMANDS | {RecordsProvider}
    BINDINGS = [
        Binding("1", "switch_mode('contacts')", "Contacts", show=False, id="app.contacts"),
        Binding("2", "switch_mode('companies')", "Companies", show=False, id="app.companies"),
        Binding("3", "switch_mode('deals')", "Deals", show=False, id="app.deals"),
        Binding("4", "switch_mode('activities')", "Activities", show=False, id="app.activities"),
        Binding("5", "switch_mode('agenda')", "Agenda", show=False, id="app.agenda"),
        Binding("l", "log", "Log", show=False, id="app.log"),
        Binding("t", "add_task", "Task", show=False, id="app.task"),
        Binding("h", "history", "History", show=False, id="app.history"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("u", "undo", "Undo", show=False, id="app.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="app.redo"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="app.refresh"),
        Binding("ctrl+p", "command_palette", "Palette: trash, export, theme", show=False, priority=True,
                id="app.palette"),
        Binding("ctrl+f", "search", "Search", show=False, priority=True, id="app.search"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl"),
    ]

    def __init__(self, opened: OpenDatabase, is_demo: bool = False, settings: dict[str, Any] | None = None):
        super().__init__()
        register_screens()
        set_source("app")
        self.opened = opened
        self.own_database = opened.path
        """The database the app was started on: the demo database can be left for it."""
        self.is_demo = is_demo
        self.settings = settings or {}
        self.database_label = describe_database(opened.path)
        self._data_version: int | None = None
        self._poll_connection: sqlite3.Connection | None = None
        self._poll_lock = threading.Lock()
        """Held while the poll connection is opened, used or closed: closing it (on unmount, or a switch of database)
        while a poll worker is inside a query crashes the process in sqlite3."""
        self._saving_theme = False

    def on_mount(self) -> None:
        theme = self.settings.get("theme", DEFAULT_THEME)
        if theme in self.available_themes:
            self.theme = theme
        else:
            self.notify(f"Unknown theme {theme!r} in {config.config_path()}; using {DEFAULT_THEME}", severity="warning")
        self._saving_theme = True
        self.theme_changed_signal.subscribe(self, self.save_theme)
        self.apply_keymap(self.settings.get("keymap", {}))
        for problem in config.settings_problems(self.settings):
            self.notify(problem, severity="warning")
        self.tell_overdue()
        self.purge_old_trash()
        self.back_up_daily()
        self.poll_for_changes()
        self.set_interval(POLL_SECONDS, self.poll_for_changes)
        self.set_timer(FREEZE_AFTER_SECONDS, gc.freeze)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification is plain text: most carry a record's name or an error about what the user typed,
        and a contact called `[b]x` must neither turn bold nor break the toast. Widgets' `notify` comes here."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # Settings ----------------------------------------------------------------------------------------------

    def apply_keymap(self, keymap: Any) -> None:
        """Remap keys by binding id, from `[keymap]` in the settings file; mistakes are reported, not ignored."""
        if not keymap:
            return
        if not isinstance(keymap, dict):
            self.notify("[keymap] in the settings file must be a table of binding id = \"keys\"", severity="error")
            return
        known = binding_ids(self)
        valid = {}
        for binding_id, keys in keymap.items():
            if binding_id not in known:
                self.notify(f"keymap: no binding has the id {binding_id!r}", severity="warning")
            elif not isinstance(keys, str) or not keys.strip():
                self.notify(f"keymap: {binding_id} needs keys as a string, such as \"ctrl+n\"", severity="warning")
            else:
                valid[binding_id] = keys
        self.set_keymap(valid)

    @work(thread=True, exclusive=True, group="trash")
    def purge_old_trash(self) -> None:
        """At start-up, purge what has been in the trash longer than `trash_days` (default 30), and say so."""
        days = config.trash_days(self.settings)
        try:
            with connection():
                purged = sum(trash.purge_expired(days).values())
        except CrmError as exc:
            self.call_from_thread(self.notify, f"The trash could not be emptied of old records: {exc}",
                                  severity="warning")
            return
        if purged:
            records = "1 record" if purged == 1 else f"{purged:,} records"
            self.call_from_thread(self.notify, f"Purged {records} that had been in the trash over {days} days")

    @work(thread=True, exclusive=True, group="backup")
    def back_up_daily(self) -> None:
        """On the first start of a day, copy the database to its backups folder and rotate the old copies away
        (`backups_daily`, `backups_weekly`). Silent when it works; a database with nothing in it is not copied."""
        if self.opened.read_only:
            return
        keep_daily, keep_weekly = config.kept_backups(self.settings)
        try:
            with connection():
                if not demo.is_empty():
                    backups.daily_backup(self.opened.path, date.today(), keep_daily, keep_weekly)
        except (CrmError, OSError, sqlite3.Error) as exc:
            self.call_from_thread(self.notify, f"Today's backup could not be made: {exc}", severity="warning")

    @work(thread=True, exclusive=True, group="backup")
    def back_up_now(self) -> None:
        """The palette's backup: a copy in the backups folder, and where it went."""
        try:
            with connection():
                made = backups.make_backup(self.opened.path, datetime.now())
        except (CrmError, OSError, sqlite3.Error) as exc:
            self.call_from_thread(self.notify, f"The backup could not be made: {exc}", severity="error")
            return
        self.call_from_thread(self.notify, f"Backed up to {made.path}")

    @work(thread=True, exclusive=True, group="overdue")
    def tell_overdue(self) -> None:
        """At start-up, say how many open tasks are overdue: a task nobody sees is a promise broken."""
        now = format_timestamp(sources.current_time())
        try:
            with connection():
                overdue = activity_list.count(ActivityFilter(tasks="open", until=now))
        except CrmError:
            return
        if overdue:
            tasks = "1 task is" if overdue == 1 else f"{overdue:,} tasks are"
            self.call_from_thread(self.notify, f"{tasks} overdue · 5 opens the agenda", severity="warning")

    def save_theme(self, theme: Any) -> None:
        if self._saving_theme:
            try:
                config.save_setting("theme", theme.name)
            except (OSError, config.SettingsError) as exc:
                self.notify(f"Could not save the theme: {exc}", severity="error")

    # Global actions ----------------------------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_refresh(self) -> None:
        """Every screen that shows stored data has `reload`: lists, details, the trash. Not once the app is closing:
        the poll for other processes' changes can land while the screens come down."""
        refresh = getattr(self.screen, "reload", None)
        if refresh is not None and self.is_running and self.screen.is_attached:
            refresh()

    # Logging and tasks, from anywhere ---------------------------------------------------------------------

    def activity_links(self) -> dict[str, int]:
        """The record the current screen is on, as the link a new activity gets: {"contact_id": 12}, or {}."""
        links = getattr(self.screen, "activity_links", None)
        return links() if links is not None else {}

    def action_log(self) -> None:
        self.push_screen(LogFormScreen(**self.activity_links()), self.activity_saved)

    def action_add_task(self) -> None:
        self.push_screen(TaskFormScreen(**self.activity_links()), self.activity_saved)

    def activity_saved(self, activity_id: int | None) -> None:
        """The form has said what it saved; the screen under it shows it (a detail screen's timeline, say)."""
        if activity_id is not None:
            self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`l` and `t` belong to the screens behind a dialog, not to the dialog (or form) itself; `h` works where
        there is a record to show the history of."""
        if action in ("log", "add_task", "undo", "redo") and isinstance(self.screen, MergeScreen):
            return False  # there `u` would seem to take back a pick, and a record's change behind the table
        if action in ("log", "add_task"):
            return not isinstance(self.screen, ModalScreen)
        if action == "history":
            return self.history_target() is not None
        if action == "search":  # a dialog keeps its own keys (the export dialog's ctrl+f, say)
            return not isinstance(self.screen, ModalScreen)
        return True

    def history_target(self) -> tuple[str, int] | None:
        """The record under the cursor or shown on the current screen, as (entity, id), for `h`; None elsewhere."""
        target = getattr(self.screen, "history_target", None)
        return target() if target is not None else None

    def action_history(self) -> None:
        target = self.history_target()
        if target is not None:
            self.push_screen(HistoryScreen(*target))

    def action_export(self) -> None:
        from crm_tui.ui.screens.interop.export_dialog import ExportScreen  # the writers load only when someone exports

        self.push_screen(ExportScreen())

    def action_search(self, query: str = "") -> None:
        """Search everything (ctrl+f, or a saved search from the palette); on the search screen, its query line."""
        from crm_tui.ui.screens.search.search import SearchScreen

        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen(query))
        elif query:
            self.screen.show_query(query)
        else:
            self.screen.query_input.focus()

    def action_trash(self) -> None:
        self.push_screen(TrashScreen())

    def action_find_duplicates(self) -> None:
        from crm_tui.ui.screens.duplicates.duplicates import (
            DuplicatesScreen,  # the scan needs numpy: loaded when first used
        )

        if not isinstance(self.screen, DuplicatesScreen):
            self.push_screen(DuplicatesScreen())

    def action_undo(self) -> None:
        self.take_back(undo.undo_last)

    def action_redo(self) -> None:
        self.take_back(undo.redo_last)

    @work(thread=True, exclusive=True, group="undo")
    def take_back(self, step: Callable[[], str]) -> None:
        """Undo or redo one change in a worker, then say what it was and show the data as it is now."""
        try:
            with connection():
                description = step()
        except CrmError as exc:
            self.call_from_thread(self.notify, str(exc), severity="warning")
            return
        self.call_from_thread(self.undone, description)

    def undone(self, description: str) -> None:
        self.notify(description)
        self.action_refresh()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for key, title, mode in self.SECTIONS:
            yield SystemCommand(f"Go to {title}", f"Section {key}", partial(self.switch_mode, mode))
        yield SystemCommand("Search everything", "Contacts, companies, deals, activities and notes · ctrl+f",
                            self.action_search)
        yield SystemCommand("Log an activity", "A call, meeting, email or note · l", self.action_log)
        yield SystemCommand("Add a task", "With a due date such as fri or +3d · t", self.action_add_task)
        yield SystemCommand("Export records", "CSV, vCard or the JSON backup of everything", self.action_export)
        yield SystemCommand("Back up the database", "A copy now, beside the daily ones (crm-tui backup --list)",
                            self.back_up_now)
        yield SystemCommand("Find duplicate contacts", "Merge them, or say they are different people · = on "
                            "the contacts list", self.action_find_duplicates)
        yield SystemCommand("Trash", "Deleted contacts, companies, deals and activities: restore or purge",
                            self.action_trash)
        yield SystemCommand("Undo", "Undo the last change", self.action_undo)
        yield SystemCommand("Redo", "Take back the last undo · ctrl+y", self.action_redo)
        yield SystemCommand("Refresh", "Read the database again", self.action_refresh)
        yield SystemCommand("Help", "Every key on this screen", self.action_help)
        if self.opened.path != self.own_database:
            yield SystemCommand("Back to your database", f"Leave the demo database for {self.own_database.name}",
                                self.leave_demo)
        elif not self.is_demo:
            yield SystemCommand("Try the demo database", "Open a separate database full of demo data",
                                self.action_open_demo)
        yield SystemCommand("Theme", "Colours of the app; the one you pick is kept in the settings",
                            self.action_change_theme)
        yield SystemCommand("Quit", "Leave crm-tui · q", self.action_quit)
        # The screen's own keys, once each with all their keys: not Textual's (focus, copy: they have no id) nor
        # the app's, listed above.
        keys: dict[str, tuple[list[str], str]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            if (active.enabled and binding.description and binding.id and active.node is screen
                    and not binding.action.startswith("app.")):
                shown, _action = keys.setdefault(binding.description, ([], binding.action))
                shown.append(self.get_key_display(binding))
        where = screen.__class__.__name__.removesuffix("Screen")
        for description, (shown, action) in keys.items():
            yield SystemCommand(description, f"{where} · {' or '.join(shown)}", partial(screen.run_action, action))

    def open_record(self, kind: str, record_id: int) -> None:
        """Go to a contact, company or deal found in the palette: its section, then its detail screen."""
        mode = {"contact": "contacts", "company": "companies", "deal": "deals"}[kind]
        self.switch_mode(mode)
        self.call_later(self._open_in_section, record_id)

    def _open_in_section(self, record_id: int) -> None:
        section = self.screen
        opener = getattr(section, "open_by_id", None)
        if opener is not None:
            opener(record_id)

    # The demo database -------------------------------------------------------------------------------------

    def action_open_demo(self) -> None:
        self.notify("Opening the demo database…")
        self.open_demo()

    @work(thread=True, exclusive=True, group="demo")
    def open_demo(self) -> None:
        """Fill (once) and open a separate demo database, so the user's own one stays clean."""
        path = config.demo_db_path(self.own_database)
        try:
            opened = open_database(path, cache_kib=APP_CACHE_KIB)
            with connection():
                summary = demo.fill(demo.DEFAULT_CONTACTS) if demo.is_empty() else None
        except CrmError as exc:
            self.call_from_thread(self.notify, f"Could not open the demo database: {exc}", severity="error")
            return
        self.call_from_thread(self.switched_database, opened, summary)

    @work(thread=True, exclusive=True, group="demo")
    def leave_demo(self) -> None:
        """Back to the database the app was started on."""
        try:
            opened = open_database(self.own_database, cache_kib=APP_CACHE_KIB)
            with connection():
                is_demo = demo.holds_demo_data()
        except CrmError as exc:
            self.call_from_thread(self.notify, f"Could not open {self.own_database}: {exc}", severity="error")
            return
        self.call_from_thread(self.switched_database, opened, None, is_demo)

    def switched_database(self, opened: OpenDatabase, summary: demo.DemoSummary | None,
                          is_demo: bool = True) -> None:
        self.opened.connection.close()
        self.opened = opened
        self.is_demo = is_demo
        self.database_label = describe_database(opened.path)
        self._reset_poll()
        if summary is not None:
            self.notify(f"Demo database at {opened.path}: {summary.contacts} contacts, {summary.deals} deals, "
                        f"{summary.activities} activities. Your own database is untouched.")
        for stack in self._screen_stacks.values():
            for screen in stack:
                refresh = getattr(screen, "reload", None)
                if refresh is not None and screen.is_mounted:
                    refresh()
        for header in self.screen.query("AppHeader"):
            header.update_header()
        self.tell_overdue()

    # Changes by other processes ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="poll")
    def poll_for_changes(self) -> None:
        """`PRAGMA data_version` changes when another connection commits; reading it costs microseconds."""
        with self._poll_lock:
            if not self.is_running:  # the app is closing: its connection is closed for good
                return
            try:
                if self._poll_connection is None:
                    uri = f"{Path(self.opened.path).as_uri()}?mode=ro"
                    self._poll_connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
                version = self._poll_connection.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                return
            previous, self._data_version = self._data_version, version
        if previous is not None and version != previous and self.is_running:
            self.call_from_thread(self.action_refresh)

    def _reset_poll(self) -> None:
        with self._poll_lock:
            if self._poll_connection is not None:
                self._poll_connection.close()
            self._poll_connection = None
            self._data_version = None

    def on_unmount(self) -> None:
        self._reset_poll()


def binding_ids(app: App) -> set[str]:
    """Every binding id that the app and the crm-tui screens and widgets define, for checking a keymap."""
    found: set[str] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is type(app) or cls.__module__.startswith("crm_tui.ui"):
            own = cls.__dict__.get("BINDINGS", [])
            found.update(binding.id for binding in own if isinstance(binding, Binding) and binding.id)
    return found


def describe_database(path: Path) -> str:
    """The database as the header shows it: its name when in the usual place, else its path with ~ for home; in a
    session of the built-in SSH server, whose session it is and the database's name (the path is the server's)."""
    path = Path(path)
    remote_user = config.ssh_user()
    if remote_user:
        return f"{remote_user} · {path.name}"
    if path.parent == config.data_dir():
        return path.name
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def run_app(db_path: Path) -> int:
    """Open the database, run the app until the user quits, and return the exit status for the shell."""
    try:
        settings = config.load_settings()
        opened = open_database(db_path, cache_kib=APP_CACHE_KIB, make_folders=config.is_default_db_path(db_path))
    except (CrmError, config.SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        CrmApp(opened, is_demo=demo.holds_demo_data(), settings=settings).run()
    finally:
        close_database()
    return 0
