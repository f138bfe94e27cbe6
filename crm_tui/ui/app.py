"""CrmApp: the full-screen CRM. Screens call core services in thread workers and render the plain data back."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from crm_tui.core import demo
from crm_tui.core.db import OpenDatabase, close_database, open_database
from crm_tui.core.errors import CrmError
from crm_tui.ui.screens.contacts import ContactsScreen


class CrmApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "crm-tui"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit_ctrl"),
    ]

    def __init__(self, opened: OpenDatabase, is_demo: bool = False):
        super().__init__()
        self.opened = opened
        self.sub_title = f"{opened.path}" + ("  DEMO" if is_demo else "")

    def get_default_screen(self) -> ContactsScreen:
        """The contacts list is the first screen, so keys typed while the app starts already reach it."""
        return ContactsScreen()


def run_app(db_path: Path) -> int:
    """Open the database, run the app until the user quits, and return the exit status for the shell."""
    try:
        opened = open_database(db_path)
    except CrmError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        CrmApp(opened, is_demo=demo.holds_demo_data()).run()
    finally:
        close_database()
    return 0
