"""The app as a person uses it at 80x24: sections, the list keys, filter, delete and undo, tags and marks, help,
the palette, the trash, the welcome and the demo database, settings, and changes made by another process."""

from __future__ import annotations

import asyncio
import tomllib

from helpers import list_rows, screen_lines, screen_text, settle
from textual.widgets import Input

from crm_tui import config
from crm_tui.core import activities, companies, contacts, demo
from crm_tui.core.db import close_database, open_database
from crm_tui.core.models import database
from crm_tui.ui.app import CrmApp, binding_ids
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.screens.audit.trash import TrashScreen
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.help import HelpScreen


def listed_names(app) -> list[str]:
    """The first column of the rows on screen (the list's header line excluded)."""
    records = app.screen.query_one(RecordList)
    top = records.region.y + 1
    lines = screen_lines(app)[top: top + records.visible_rows]
    return [line[2:].split("  ")[0].strip() for line in lines if line.strip()]


async def press(app, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


def people(*names: str, **fields) -> list[contacts.ContactData]:
    return [contacts.create(contacts.ContactDraft(first_name=first, last_name=last, **fields))
            for first, last in (name.split() for name in names)]


async def test_list_shows_contacts_with_columns_that_fit_80_columns(db):
    people("Ada Lovelace", emails=["ada@example.com"], phones=["+44 20 7946 0000"], company="Babbage & Co")
    people("Grace Hopper", emails=["grace.brewster.murray.hopper@navy.example.mil"], company="US Navy")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "1 Contacts" in text and "2 Companies" in text
        row = next(line for line in screen_lines(app) if "Ada Lovelace" in line)
        for value in ("Babbage & Co", "ada@example.com", "+44 20 7946 0000"):
            assert value in row
        long_email = next(line for line in screen_lines(app) if "Grace Hopper" in line)
        assert "grace.brewster.murray" in long_email and "…" in long_email
        assert all(len(line) == 80 for line in screen_lines(app))
        assert "row 1 of 2 · sort: name" in text


async def test_moving_sorting_and_the_status_line(db):
    for number in range(60):
        people(f"Person P{number:02d}")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        records = app.screen.query_one(RecordList)
        await press(app, pilot, "j", "j", "down")
        assert records.current.name == "Person P03"
        await press(app, pilot, "k")
        assert "row 3 of 60" in screen_text(app)
        await press(app, pilot, "G")
        assert records.current.name == "Person P59"
        assert listed_names(app)[-1] == "Person P59"
        await press(app, pilot, "g")
        assert records.cursor == 0
        await press(app, pilot, "pagedown")
        assert records.cursor == records.visible_rows
        await press(app, pilot, "ctrl+u")
        assert records.cursor == 0
        await press(app, pilot, "s")
        assert "sort: company" in screen_text(app)
        await press(app, pilot, "s")
        assert "sort: updated" in screen_text(app)
        assert listed_names(app)[0] == "Person P59"


async def test_filter_by_words_and_by_tag_and_escape_clears(db):
    people("Ada Lovelace", "Alan Turing", tags=["vip"])
    people("Grace Hopper", "Ada Palmer")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "slash", *"ada")
        assert listed_names(app) == ["Ada Lovelace", "Ada Palmer"]
        assert "filter: ada" in screen_text(app)
        app.screen.query_one("#filter", Input).value = ""
        await press(app, pilot, *"tag:vip")
        assert listed_names(app) == ["Ada Lovelace", "Alan Turing"]
        await press(app, pilot, "space", *"ada")
        assert listed_names(app) == ["Ada Lovelace"]
        await press(app, pilot, "escape")
        assert len(listed_names(app)) == 4
        assert "filter:" not in screen_text(app)


async def test_user_data_is_shown_as_text_never_as_markup(db):
    people("[red]x[/] [bold]y")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "[red]x[/] [bold]y" in screen_text(app)


async def test_delete_asks_then_moves_to_trash_and_u_undoes(db):
    ada, grace = people("Ada Lovelace", "Grace Hopper")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "d")
        assert "Move Ada Lovelace to the trash?" in screen_text(app)
        await press(app, pilot, "n")
        assert contacts.count() == 2
        await press(app, pilot, "d", "y")
        assert contacts.count() == 1
        assert listed_names(app) == ["Grace Hopper"]
        await press(app, pilot, "u")
        assert contacts.count() == 2
        assert listed_names(app) == ["Ada Lovelace", "Grace Hopper"]


async def test_ctrl_y_redoes_what_u_undid_and_says_when_there_is_nothing(db):
    people("Ada Lovelace", "Grace Hopper")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "d", "y", "u")
        assert listed_names(app) == ["Ada Lovelace", "Grace Hopper"]
        await press(app, pilot, "ctrl+y")
        assert listed_names(app) == ["Grace Hopper"]
        assert "Redid: moved contact 'Ada Lovelace' to the trash" in toast_texts(app)
        app.clear_notifications()
        await press(app, pilot, "ctrl+y")
        assert toast_texts(app) == ["there is nothing to redo"]


async def test_records_in_the_trash_over_trash_days_are_purged_at_start(db):
    old, _ = people("Old Friend", "Grace Hopper")
    contacts.delete(old.id)
    database.execute_sql("UPDATE contact SET deleted_at = '2020-01-01T00:00:00.000000Z' WHERE id = ?", (old.id,))
    app = CrmApp(db, settings={"trash_days": 30})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "Purged 1 record that had been in the trash over 30 days" in toast_texts(app)
    assert contacts.count(trash=True) == 0


async def test_marks_invert_and_bulk_tag_untag_and_delete(db):
    people("Ada Lovelace", "Alan Turing", "Grace Hopper", "Linus Torvalds")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "space", "space")
        assert "2 marked" in screen_text(app)
        await press(app, pilot, "asterisk")
        assert "2 marked" in screen_text(app)
        await press(app, pilot, "T")
        await press(app, pilot, *"speaker")
        await press(app, pilot, "ctrl+s")
        assert sorted(c.name for c in contacts.iterate(tag="speaker")) == ["Grace Hopper", "Linus Torvalds"]
        await press(app, pilot, "u")
        assert contacts.count(tag="speaker") == 0
        await press(app, pilot, "g", "space", "space", "d", "y")
        assert sorted(c.name for c in contacts.iterate()) == ["Grace Hopper", "Linus Torvalds"]
        await press(app, pilot, "u")
        assert contacts.count() == 4


async def test_t_edits_the_tags_of_the_contact_under_the_cursor(db):
    [ada] = people("Ada Lovelace", tags=["old"])
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "T")
        box = app.screen.query_one(Input)
        assert box.value == "old"
        box.value = "math, pioneer"
        await press(app, pilot, "enter")
        assert contacts.get(ada.id).tags == ["math", "pioneer"]


async def test_enter_opens_the_detail_and_escape_comes_back_to_the_next_row(db):
    people("Ada Lovelace", "Alan Turing", "Grace Hopper")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        await press(app, pilot, "n")
        assert "Alan Turing" in screen_text(app)
        await press(app, pilot, "escape")
        assert app.screen.query_one(RecordList).current.name == "Alan Turing"


async def test_add_from_the_list_shows_the_new_contact(db):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "a", *"Ada", "tab", *"Lovelace", "ctrl+s")
        assert [c.name for c in contacts.iterate()] == ["Ada Lovelace"]
        assert listed_names(app) == ["Ada Lovelace"]


async def test_sections_switch_with_number_keys_and_companies_open_to_their_people(db):
    people("Ada Lovelace", "Charles Babbage", company="Analytical Engines")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "2")
        assert app.current_mode == "companies"
        assert "Analytical Engines" in listed_names(app)[0]
        await press(app, pilot, "enter")
        text = screen_text(app)
        assert "Ada Lovelace" in text and "Charles Babbage" in text
        await press(app, pilot, "escape", "1")
        assert app.current_mode == "contacts"


async def test_help_lists_keys_by_group_from_the_bindings(db):
    people("Ada Lovelace")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        groups = app.screen.groups
        assert list(groups)[0] == "In the list" and list(groups)[-1] == "Everywhere"
        assert ("s", "Sort") in groups["In the list"]
        assert ("u", "Undo") in groups["Everywhere"]
        assert ("a", "Add") in groups["Contacts"]
        assert "Invert marks" in screen_text(app)
        await press(app, pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keymap_from_settings_remaps_a_key_and_help_shows_it(db):
    app = CrmApp(db, settings={"keymap": {"list.add": "A", "nonsense.id": "x"}})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert any("nonsense.id" in str(n.message) for n in app._notifications)
        await press(app, pilot, "A")
        assert "New contact" in screen_text(app)
        await press(app, pilot, "escape", "question_mark")
        assert ("A", "Add") in app.screen.groups["Contacts"]


def test_every_binding_has_an_id():
    from textual.binding import Binding
    from textual.dom import DOMNode

    pending, missing = [DOMNode], []
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("crm_tui."):
            own = cls.__dict__.get("BINDINGS", [])
            missing += [f"{cls.__name__}: {b.key}" for b in own if isinstance(b, Binding) and not b.id]
    assert missing == []
    assert {"app.undo", "list.sort", "list.filter", "app.help"} <= binding_ids(CrmApp.__new__(CrmApp))


async def test_palette_goes_to_a_contact_by_name(db):
    people("Ada Lovelace", "Grace Hopper")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "ctrl+p", *"grace")
        await asyncio.sleep(0.3)
        await settle(app, pilot)
        assert "Grace Hopper" in screen_text(app)
        await press(app, pilot, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert "Grace Hopper" in screen_text(app)


async def test_palette_opens_the_trash_which_restores_and_purges(db):
    ada, grace = people("Ada Lovelace", "Grace Hopper")
    contacts.delete(ada.id)
    contacts.delete(grace.id)
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "ctrl+p", *"trash")
        await asyncio.sleep(0.2)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, TrashScreen)
        rows = list_rows(app.screen.query_one(RecordList))  # kind first: the trash lists every kind together
        assert sorted(row.removeprefix("contact").strip().split("  ")[0] for row in rows) == ["Ada Lovelace",
                                                                                            "Grace Hopper"]
        records = app.screen.query_one(RecordList)
        first = records.current.name
        await press(app, pilot, "r")
        assert [c.name for c in contacts.iterate()] == [first]
        await press(app, pilot, "x", "y")
        assert contacts.count(trash=True) == 0
        await press(app, pilot, "escape")
        assert listed_names(app) == [first]


async def test_empty_database_welcomes_and_D_opens_a_separate_demo_database_the_palette_leaves(db):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        for offer in ("add your first contact", "import contacts", "try it on demo data"):
            assert offer in text
        await press(app, pilot, "D")
        await settle(app, pilot)
        assert app.is_demo and app.opened.path == db.path.parent / "demo.sqlite3" == config.demo_db_path(db.path)
        assert "DEMO" in screen_lines(app)[0]
        assert "row 1 of 500" in screen_text(app)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Back to your database" in titles and "Try the demo database" not in titles
        app.leave_demo()
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert not app.is_demo and app.opened.path == db.path
        assert "DEMO" not in screen_lines(app)[0] and "add your first contact" in screen_text(app)
    close_database()
    open_database(db.path)
    assert demo.is_empty()


async def test_another_process_changing_the_database_shows_without_a_restart(db):
    people("Ada Lovelace")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        people("Grace Hopper")
        for _ in range(40):
            await asyncio.sleep(0.1)
            await settle(app, pilot)
            if "Grace Hopper" in listed_names(app):
                break
        assert listed_names(app) == ["Ada Lovelace", "Grace Hopper"]


async def test_theme_comes_from_settings_and_a_change_is_saved(db):
    app = CrmApp(db, settings={"theme": "ansi-dark"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == "ansi-dark"
        app.theme = "nord"
        await settle(app, pilot)
    assert tomllib.loads(config.config_path().read_text())["theme"] == "nord"


async def test_deal_settings_that_are_wrong_are_reported_at_start(db):
    app = CrmApp(db, settings={"currency": "dollars", "stale_days": -3})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        shown = [str(notice.message) for notice in app._notifications]
        assert any("currency = 'dollars' is not a currency code" in message for message in shown)
        assert any("stale_days = -3" in message for message in shown)


async def test_companies_delete_and_undo(db):
    acme = companies.create({"name": "Acme"})
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "2", "d", "y")
        assert companies.count() == 0
        await press(app, pilot, "u")
        assert companies.get(acme.id).name == "Acme"


def toast_texts(app) -> list[str]:
    """What each notification shows, rendered the way its toast renders it."""
    from textual.widgets._toast import Toast

    return [Toast(notification).render().plain for notification in app._notifications]


async def test_notifications_show_names_as_typed_never_as_markup(db):
    people("[b]Ada[/b] [x")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "d", "y", "u")
        assert "Undid: moved contact '[b]Ada[/b] [x' to the trash" in toast_texts(app)


async def test_tags_saved_from_the_list_never_overwrite_a_change_made_meanwhile(db):
    [ada] = people("Ada Lovelace", tags=["old"])
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        contacts.update(ada.id, ada.version, tags=["theirs"])
        await press(app, pilot, "T")
        app.screen.query_one(Input).value = "mine"
        await press(app, pilot, "enter")
        assert contacts.get(ada.id).tags == ["theirs"]
        assert any("changed elsewhere" in text for text in toast_texts(app))


async def test_an_open_detail_screen_shows_a_change_made_by_another_process(db):
    [ada] = people("Ada Lovelace", title="Analyst")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")
        contacts.update(ada.id, ada.version, title="Countess of Lovelace")
        for _ in range(40):
            await asyncio.sleep(0.1)
            await settle(app, pilot)
            if "Countess of Lovelace" in screen_text(app):
                break
        assert "Countess of Lovelace" in screen_text(app)


async def test_the_palette_lists_our_commands_once_each_and_none_of_textuals_own(db, make_contact):
    make_contact(first_name="Ann")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        commands = list(app.get_system_commands(app.screen))
    titles = [command.title for command in commands]
    assert len(titles) == len(set(titles)), titles
    for builtin in ("Copy selected text", "Focus Next", "Focus Previous", "Maximize", "Screenshot", "Keys",
                    "Find duplicates"):
        assert builtin not in titles
    assert not any("as soon as possible" in command.help for command in commands)
    for ours in ("Find duplicate contacts", "Theme", "Quit", "Export records", "Trash", "Back up the database"):
        assert ours in titles



async def test_a_screen_action_with_two_keys_is_one_palette_command_naming_both(db):
    activities.create({"kind": "task", "subject": "Send the quote", "due_at": None})
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        commands = [command for command in app.get_system_commands(app.screen) if command.title == "Done"]
    assert [command.help for command in commands] == ["Agenda · space or x"]
