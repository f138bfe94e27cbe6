"""`h` and the history screen at 80x24: from a contact row, a board card, the deals table, deal detail, the activity
log and the agenda; fields old → new, undone changes, long values cut to fit, and a long history read page by page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers import press, screen_lines, settle
from textual.widgets import OptionList

from crm_tui.core import activities, contacts, deals, records
from crm_tui.core.audit import history
from crm_tui.core.audit.history import FieldChange, HistoryEntry
from crm_tui.ui import sources
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.detail import local_time
from crm_tui.ui.screens.audit.history import PAGE_SIZE, HistoryScreen, entry_text, field_line
from crm_tui.ui.screens.deals.detail import DealDetailScreen
from crm_tui.ui.screens.deals.pipeline import PipelineScreen

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setattr(sources, "current_time", lambda: NOW)


def ada() -> contacts.ContactData:
    return contacts.create(contacts.ContactDraft(first_name="Ada", last_name="Lovelace", title="Countess"))


def words(app) -> list[str]:
    """Each line on screen with its runs of spaces as one, so that assertions do not count padding."""
    return [" ".join(line.split()) for line in screen_lines(app)]


def said(app) -> str:
    return "\n".join(words(app))


def status(app) -> str:
    return str(app.screen.query_one("#history-status").visual)


async def test_h_on_a_contact_row_shows_the_edit_newest_first_with_old_and_new(db, monkeypatch):
    monkeypatch.setattr(records, "_source", "cli")
    person = ada()
    contacts.update(person.id, person.version, title="Mathematician", city="London")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        lines = words(app)
        assert "History of Ada Lovelace (contact)" in lines[1]
        edit, *_ = history.record_history("contact", person.id)
        assert lines[2].strip() == f"{local_time(edit.at)} · edited · command line · {edit.actor}"
        assert {lines[3].strip(), lines[4].strip()} == {"title: Countess → Mathematician", "city: — → London"}
        assert "created" in lines[5]
        assert "first name: — → Ada" in said(app)
        created = [line for line in screen_lines(app)[6:] if " → " in line]
        assert len(created) == 3 and len({line.index("—") for line in created}) == 1  # the values in one column
        assert status(app) == "All 2 changes"
        await press(app, pilot, "escape")
        assert not isinstance(app.screen, HistoryScreen)
        await press(app, pilot, "enter", "h")
        assert (app.screen.entity, app.screen.record_id) == ("contact", person.id)
        assert "title: Countess → Mathematician" in said(app)


async def test_the_old_value_is_struck_and_user_data_is_never_markup():
    entry = HistoryEntry(7, "2026-03-04T10:00:00.000000Z", "edited", "app", "", (
        FieldChange("title", "[b]old[/b]", "[red]new"), FieldChange("city", "", "London")), undone=False)
    text = entry_text(entry, 76)
    assert text.plain.split("\n")[1] == "    title: [b]old[/b] → [red]new"
    old_span = next(span for span in text.spans if text.plain[span.start:span.end] == "[b]old[/b]")
    assert "strike" in str(old_span.style)
    dash = next(span for span in text.spans if text.plain[span.start:span.end] == "—")
    assert "strike" not in str(dash.style)


def test_long_values_are_cut_to_the_width_with_an_ellipsis_and_share_it():
    line = field_line(FieldChange("notes", "a" * 200, "b\nc" * 100), 76).plain
    assert len(line) == 76
    old, new = line.strip().removeprefix("notes: ").split(" → ")
    assert old.endswith("…") and new.endswith("…") and "↵" in new
    assert abs(len(old) - len(new)) <= 1
    short = field_line(FieldChange("title", "Dr", "x" * 200), 76).plain
    assert short.startswith("    title: Dr → xxx") and short.endswith("…") and len(short) == 76


async def test_an_undone_edit_is_marked_and_the_undo_is_listed(db):
    person = ada()
    contacts.update(person.id, person.version, title="Mathematician")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "u", "h")
        text = said(app)
        assert "edited (by an undo) · app" in text
        edited = next(line for line in words(app) if "· edited · " in line)
        assert edited.rstrip().endswith("(undone)")
        assert "title: Mathematician → Countess" in text


async def test_a_long_history_is_read_a_page_at_a_time_as_the_cursor_nears_its_end(db):
    person = ada()
    for number in range(120):
        person = contacts.update(person.id, person.version, title=f"Title {number}")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "h")
        screen = app.screen
        assert len(screen.entries) == PAGE_SIZE
        assert status(app) == f"The latest {PAGE_SIZE} changes · more load as you scroll"
        assert "title: Title 118 → Title 119" in said(app)
        await press(app, pilot, "G")
        assert len(screen.entries) == 2 * PAGE_SIZE
        assert screen.query_one(OptionList).highlighted == PAGE_SIZE - 1
        await press(app, pilot, "G")
        assert len(screen.entries) == 121
        assert status(app) == "All 121 changes"
        await press(app, pilot, "G")
        assert "first name: — → Ada" in said(app)
        assert [entry.change_id for entry in screen.entries] == sorted(
            (entry.change_id for entry in screen.entries), reverse=True)
        assert len({entry.change_id for entry in screen.entries}) == 121


async def test_j_past_the_loaded_changes_reads_more(db):
    person = ada()
    for number in range(60):
        person = contacts.update(person.id, person.version, title=f"Title {number}")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "h")
        for _ in range(PAGE_SIZE - 5):
            await pilot.press("j")
        await settle(app, pilot)
        assert len(app.screen.entries) == 61
        assert status(app) == "All 61 changes"


async def test_h_on_a_board_card_in_the_table_and_in_deal_detail(db):
    deal = deals.create({"title": "Big rollout", "value": "100"})
    deals.move(deal.id, "Qualified")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "3")
        assert isinstance(app.screen, PipelineScreen)
        await press(app, pilot, "right", "h")
        assert isinstance(app.screen, HistoryScreen)
        text = said(app)
        assert "History of Big rollout (deal)" in text
        assert "title: — → Big rollout" in text and "created" in text
        assert "stage: Lead → Qualified" in text
        await press(app, pilot, "escape", "v", "h")
        assert (app.screen.entity, app.screen.record_id) == ("deal", deal.id)
        await press(app, pilot, "escape", "v", "enter")
        assert isinstance(app.screen, DealDetailScreen)
        await press(app, pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        assert "History of Big rollout (deal)" in said(app)
        await press(app, pilot, "escape")
        assert isinstance(app.screen, DealDetailScreen)


async def test_left_still_moves_between_board_columns(db):
    deals.create({"title": "Big rollout", "value": "100", "stage": "Qualified"})
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "3")
        board = app.screen
        start = board.focused_column.stage.name
        await press(app, pilot, "right", "left")
        assert board.focused_column.stage.name == start


async def test_h_on_an_activity_in_the_log_and_on_a_task_in_the_agenda(db):
    person = ada()
    call = activities.create({"kind": "call", "subject": "Intro call", "contact_id": person.id,
                              "occurred_at": "2026-03-03T09:00:00.000000Z"})
    activities.update(call.id, call.version, subject="Intro call with Ada")
    task = activities.create({"kind": "task", "subject": "Send the quote", "due_at": "2026-03-04T16:00:00.000000Z"})
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "4", "h")
        assert (app.screen.entity, app.screen.record_id) == ("activity", call.id)
        assert "subject: Intro call → Intro call with Ada" in said(app)
        await press(app, pilot, "escape", "5")
        while app.screen.records.current is None or app.screen.records.current.id != task.id:
            await press(app, pilot, "j")
        await press(app, pilot, "h")
        assert (app.screen.entity, app.screen.record_id) == ("activity", task.id)
        assert "History of Send the quote (activity)" in said(app)


async def test_h_does_nothing_where_there_is_no_record(db):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "h")
        assert not isinstance(app.screen, HistoryScreen)


async def test_a_purged_record_still_shows_its_history(db):
    person = ada()
    contacts.delete(person.id)
    contacts.purge(person.id)
    async with CrmApp(db).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await settle(app, pilot)
        app.push_screen(HistoryScreen("contact", person.id))
        await settle(app, pilot)
        text = said(app)
        assert f"History of contact #{person.id} (purged)" in text
        assert "purged" in text and "moved to the trash" in text and "created" in text
