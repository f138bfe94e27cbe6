"""What UI tests share: waiting for workers, reading what a person sees, and showing one screen on its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from crm_tui.ui.app import register_screens
from crm_tui.ui.kit.record_list import RecordList


async def settle(app: App, pilot: Pilot) -> None:
    """Let workers and list readers finish, and their results reach the screen."""
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
        for _ in range(1000):
            if not any(records.busy for records in app.screen.query(RecordList)):
                break
            await pilot.pause()
    await pilot.pause()


def shown_text(app: App) -> str:
    """The text of every Static on the current screen that is displayed (scrolled into view or not)."""
    return "\n".join(
        str(widget.visual) for widget in app.screen.query(Static)
        if all(node.display for node in widget.ancestors_with_self if hasattr(node, "display"))
    )


class ScreenApp(App[None]):
    """An empty app with one screen pushed over it; records what that screen dismisses with, and notifications.
    Its screens open records' detail screens through navigation, as in the real app."""

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        register_screens()
        self.under_test = screen
        self.results: list = []
        self.notices: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(self.under_test, self.results.append)

    def notify(self, message: str, **kwargs: Any) -> None:
        self.notices.append(str(message))
        super().notify(message, **kwargs)


async def press(app: App, pilot: Pilot, *keys: str) -> None:
    """Press keys as a person would, then let what they started finish."""
    await pilot.press(*keys)
    await settle(app, pilot)


@asynccontextmanager
async def shown(screen: Screen, size: tuple[int, int] = (80, 24)) -> AsyncIterator[tuple[ScreenApp, Pilot]]:
    """Run a ScreenApp showing `screen`, settled, for the body of an `async with`."""
    app = ScreenApp(screen)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        yield app, pilot


def title_of(app: App) -> str:
    """The bold title of a detail screen."""
    return str(app.screen.query_one(".detail-title", Static).visual)


def list_rows(record_list: RecordList) -> list[str]:
    """The rows a list draws between its header and its status line, as a person reads them."""
    rows = (record_list.render_line(y).text.strip() for y in range(1, record_list.size.height - 1))
    return [row for row in rows if row]


def screen_lines(app: App) -> list[str]:
    """Every line of the terminal as the user sees it, modal screens and all."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app: App) -> str:
    return "\n".join(screen_lines(app))
