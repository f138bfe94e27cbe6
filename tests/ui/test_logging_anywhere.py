"""`l`, `t` and `i` from the lists: logging and tasks from wherever the user is (a contact in the list, a deal
card, a detail screen, or no record at all), the keys they replaced (tags are `T`, the board's next column is
`→`), and importing a file from the contacts list."""

from __future__ import annotations

from helpers import list_rows, screen_lines, settle
from textual.widgets import Input

from crm_tui.core import activities, contacts, deals
from crm_tui.core.activities import listing as activity_list
from crm_tui.core.activities.listing import ActivityFilter
from crm_tui.core.interop.csv.mapping import FIELDS_BY_ENTITY
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.screens.activities.form import LogFormScreen, TaskFormScreen
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.contacts.tags import TagEditScreen
from crm_tui.ui.screens.interop.column_mapping import ColumnMappingScreen
from crm_tui.ui.screens.interop.import_flow import ImportScreen


async def press(app, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


def logged() -> list[activities.ActivityData]:
    return list(activity_list.iterate(ActivityFilter()))


async def test_a_call_is_logged_from_the_contacts_list_in_a_few_keys(db, make_contact):
    make_contact(first_name="Aaron", last_name="Abbot")
    ann = make_contact(first_name="Ann", last_name="Lee", company="Acme")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", "l")
        assert isinstance(app.screen, LogFormScreen)
        await press(app, pilot, "c")
        await pilot.press(*"Talked about the renewal")
        await press(app, pilot, "ctrl+s")
        assert not isinstance(app.screen, LogFormScreen)
        [call] = logged()
        assert (call.kind, call.subject, call.contact_id, call.company) == ("call", "Talked about the renewal",
                                                                            ann.id, "Acme")
        assert "Logged the call 'Talked about the renewal' with Ann Lee · u undoes" in [
            str(n.message) for n in app._notifications]
        await press(app, pilot, "u")
        assert logged() == []


async def test_t_adds_a_task_for_the_deal_under_the_cursor_on_the_board(db):
    deal = deals.create({"title": "Atlas renewal", "value": "1000"})
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "3", "t")
        assert isinstance(app.screen, TaskFormScreen)
        await pilot.press(*"Send the quote")
        await press(app, pilot, "ctrl+s")
        [task] = activity_list.iterate(ActivityFilter(tasks="open"))
        assert (task.subject, task.deal_id) == ("Send the quote", deal.id)
        assert "Added the task 'Send the quote' · u undoes" in [str(n.message) for n in app._notifications]
        assert deals.get(deal.id).next_step == "Send the quote"
        lead = [line.split("▕")[0] for line in screen_lines(app)]
        assert "▌Atlas renewal     " in lead  # the card lost its `?`: the deal has a next step now


async def test_l_in_a_detail_screen_links_that_record_and_t_with_no_record_links_nothing(db, make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        await press(app, pilot, "l", "n")
        await pilot.press(*"Met at the fair")
        await press(app, pilot, "ctrl+s")
        assert [(a.kind, a.contact_id) for a in logged()] == [("note", ann.id)]
        await press(app, pilot, "escape", "2", "t")
        assert isinstance(app.screen, TaskFormScreen)
        assert all(not field.value for field in app.screen.query(Input) if field.id.endswith("_id"))


async def test_tags_moved_to_T_and_l_and_t_stay_out_of_dialogs(db, make_contact):
    make_contact(first_name="Ann", tags=["old"])
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "T")
        assert isinstance(app.screen, TagEditScreen)
        await press(app, pilot, "escape")
        await press(app, pilot, "d")  # the confirmation dialog
        await press(app, pilot, "t", "l")
        assert isinstance(app.screen, ConfirmScreen)
        assert contacts.count() == 1


EMAILS_IN_PICKER = list(FIELDS_BY_ENTITY["contact"]).index("emails")


async def test_i_in_the_contacts_list_imports_a_csv_after_placing_its_unknown_columns(db, make_contact, tmp_path):
    make_contact(first_name="Zed")
    source = tmp_path / "people.csv"
    source.write_text("Name,Mail,Shoe size\r\nAda Lovelace,ada@example.com,39\r\n", encoding="utf-8")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "i")
        assert isinstance(app.screen, ImportScreen)
        await pilot.press(*str(source))
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ColumnMappingScreen)
        await press(app, pilot, "j", "space")  # Mail: pick Emails in the list of fields
        await press(app, pilot, *["down"] * EMAILS_IN_PICKER, "enter")
        await press(app, pilot, "ctrl+s")  # Shoe size, left unplaced, is kept as a custom field
        await press(app, pilot, "c")
        await press(app, pilot, "enter")
        await press(app, pilot, "enter")
        assert not isinstance(app.screen, ImportScreen)
        ada = next(contact for contact in contacts.iterate() if contact.name == "Ada Lovelace")
        assert (ada.emails, ada.custom) == (["ada@example.com"], {"Shoe size": "39"})
        assert [row.split()[0] for row in list_rows(app.screen.query_one(RecordList))] == ["Ada", "Zed"]
