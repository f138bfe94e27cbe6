"""The small dialogs at 80x24: each returns what the person chose, from the keyboard."""

from __future__ import annotations

import pytest
from helpers import press, shown
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, Label

from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.screens.contacts.tags import BulkTagScreen, TagEditScreen


async def answer(screen: Screen, *keys: str) -> list:
    async with shown(screen) as (app, pilot):
        await press(app, pilot, *keys)
        return app.results


def error_of(app: App) -> str:
    label = app.screen.query_one(".dialog-error", Label)
    return str(label.render()) if label.display else ""


@pytest.mark.parametrize(("keys", "expected"), [
    (("y",), True),
    (("enter",), True),
    (("n",), False),
    (("escape",), False),
    (("tab", "enter"), False),
])
async def test_confirm_returns_the_answer(keys, expected):
    assert await answer(ConfirmScreen("Discard your changes?"), *keys) == [expected]


async def test_confirm_shows_markup_in_the_question_as_typed():
    async with shown(ConfirmScreen("Move '[red]x[/]' to the trash?", confirm_label="Move to trash")) as (app, pilot):
        assert str(app.screen.query_one(".dialog-title", Label).render()) == "Move '[red]x[/]' to the trash?"
        assert "Move to trash" in str(app.screen.query_one("#confirm").render())


async def test_tag_edit_returns_the_clean_tags():
    async with shown(TagEditScreen("Tags of [b]Ada", ["vip", "golf"])) as (app, pilot):
        assert str(app.screen.query_one(".dialog-title", Label).render()) == "Tags of [b]Ada"
        tags = app.screen.query_one("#tags", Input)
        assert tags.value == "vip, golf"
        await press(app, pilot, "end", *", chess, VIP", "enter")
        assert app.results == [["vip", "golf", "chess"]]


async def test_tag_edit_ctrl_s_saves_and_escape_cancels():
    assert await answer(TagEditScreen("Tags", ["vip"]), "end", *",x", "ctrl+s") == [["vip", "x"]]
    assert await answer(TagEditScreen("Tags", ["vip"]), "end", *",x", "escape") == [None]


async def test_tag_edit_shows_a_bad_tag_and_stays():
    async with shown(TagEditScreen("Tags", [])) as (app, pilot):
        app.screen.query_one("#tags", Input).value = "x" * 61
        await press(app, pilot, "enter")
        assert "is too long" in error_of(app)
        assert app.results == []


async def test_bulk_tag_adds_by_default():
    assert await answer(BulkTagScreen(12), *"vip, golf", "enter") == [("add", ["vip", "golf"])]


async def test_bulk_tag_can_remove():
    assert await answer(BulkTagScreen(12), *"vip", "tab", "down", "enter", "ctrl+s") == [("remove", ["vip"])]


async def test_bulk_tag_needs_a_tag_and_escape_cancels():
    async with shown(BulkTagScreen(1)) as (app, pilot):
        assert str(app.screen.query_one(".dialog-title", Label).render()) == "Tags for 1 contact"
        await press(app, pilot, "enter")
        assert error_of(app) == "type at least one tag"
        assert app.results == []
        await press(app, pilot, "escape")
        assert app.results == [None]
