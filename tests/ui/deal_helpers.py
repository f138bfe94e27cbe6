"""What the deal screen tests share: an app that carries settings, as CrmApp does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from helpers import ScreenApp, settle
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Label


class SettingsApp(ScreenApp):
    def __init__(self, screen: Screen, settings: dict[str, Any]) -> None:
        super().__init__(screen)
        self.settings = settings


@asynccontextmanager
async def shown_with(screen: Screen, settings: dict[str, Any]) -> AsyncIterator[tuple[SettingsApp, Pilot]]:
    """Like `shown`, at 80x24, in an app whose settings are `settings`."""
    app = SettingsApp(screen, settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        yield app, pilot


def line(app: App, field: str, kind: str = "error") -> str:
    """The error (or note) line under a form field, as shown; "" while it is hidden."""
    label = app.screen.query_one(f"#{field}-{kind}", Label)
    return str(label.render()) if label.display else ""
