"""The contact form's duplicate warning at 80x24: ctrl+s on someone already in the CRM shows who and why instead of
saving, a second ctrl+s saves, an edit makes the next ctrl+s check again, ctrl+o opens the other contact, and a
contact being edited is never its own duplicate."""

from __future__ import annotations

from helpers import press, screen_lines, screen_text, settle, shown, title_of
from test_forms import fill, panel

from crm_tui.core import contacts
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.contacts.form import ContactFormScreen


def stored_names() -> list[str]:
    return sorted(contact.name for contact in contacts.list_page(limit=50).items)


async def test_a_known_email_warns_and_a_second_ctrl_s_saves(db, make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee", emails=["ann@x.org"])
    async with shown(ContactFormScreen()) as (app, pilot):
        await fill(app, pilot, {"first_name": "Annie", "last_name": "Lee", "emails": "ANN@x.org"})
        await press(app, pilot, "ctrl+s")
        assert f"Ann Lee #{ann.id}: same email ann@x.org" in panel(app)
        assert "ctrl+s saves anyway · ctrl+o opens Ann Lee" in panel(app)
        assert "ctrl+s save anyway · ctrl+o open Ann Lee · esc cancel" in screen_text(app)
        assert all(len(line) == 80 for line in screen_lines(app))
        assert app.results == [] and stored_names() == ["Ann Lee"]

        await press(app, pilot, "ctrl+s")
        assert stored_names() == ["Ann Lee", "Annie Lee"]
        saved = contacts.get(app.results[0])
        assert saved.name == "Annie Lee" and saved.emails == ["ANN@x.org"]


async def test_an_edit_after_the_warning_clears_it_and_the_next_ctrl_s_checks_again(db, make_contact):
    make_contact(first_name="Ann", last_name="Lee", emails=["ann@x.org"], phones=["+31 20 555 0101"])
    async with shown(ContactFormScreen()) as (app, pilot):
        await fill(app, pilot, {"first_name": "Annie", "emails": "ann@x.org"})
        await press(app, pilot, "ctrl+s")
        assert "same email ann@x.org" in panel(app)

        await fill(app, pilot, {"phones": "0031 20 555 0101"})
        await settle(app, pilot)
        assert panel(app) == "" and "ctrl+s save · esc cancel" in screen_text(app)
        await press(app, pilot, "ctrl+s")
        assert app.results == []
        assert "same email ann@x.org" in panel(app)  # the strongest reason; the phone is the same person

        for field in ("emails", "phones"):
            app.screen.query_one(f"#{field}").focus()
            await press(app, pilot, "end", "ctrl+u")
        await fill(app, pilot, {"emails": "annie@y.org"})
        await press(app, pilot, "ctrl+s")  # checked again: nobody has these, so it saves
        assert len(app.results) == 1 and stored_names() == ["Ann Lee", "Annie"]


async def test_ctrl_o_asks_before_dropping_the_typing_and_opens_the_other_contact(db, make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee", company="Acme", emails=["ann@acme.example"])
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "a")
        await fill(app, pilot, {"first_name": "Ann", "last_name": "Lee", "company": "Acme"})
        await press(app, pilot, "ctrl+s")
        assert f"Ann Lee #{ann.id}: same name at Acme" in panel(app)

        await press(app, pilot, "ctrl+o")
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "n")
        assert isinstance(app.screen, ContactFormScreen)

        await press(app, pilot, "ctrl+o", "y")
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.record_id == ann.id and "Ann Lee" in title_of(app)
        assert stored_names() == ["Ann Lee"]


async def test_editing_a_contact_never_warns_about_itself(db, make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee", company="Acme", emails=["ann@acme.example"])
    async with shown(ContactFormScreen(contacts.get(ann.id))) as (app, pilot):
        await fill(app, pilot, {"emails": ", ann.lee@acme.example", "last_name": "-Smith"})
        await press(app, pilot, "ctrl+s")
        assert app.results == [ann.id]
        assert contacts.get(ann.id).emails == ["ann@acme.example", "ann.lee@acme.example"]


async def test_editing_warns_of_another_contact_only_when_who_they_are_changes(db, make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee", emails=["ann@acme.example"])
    anne = make_contact(first_name="Anne", last_name="Lee", emails=["anne@acme.example"])
    async with shown(ContactFormScreen(contacts.get(anne.id))) as (app, pilot):
        await fill(app, pilot, {"notes": "Met at the fair"})
        await fill(app, pilot, {"emails": ", ann@acme.example"})
        await press(app, pilot, "ctrl+s")
        assert f"Ann Lee #{ann.id}: same email ann@acme.example" in panel(app)
        assert f"#{anne.id}" not in panel(app)
        await press(app, pilot, "ctrl+s")
        assert app.results == [anne.id]

    anne = contacts.get(anne.id)
    async with shown(ContactFormScreen(anne)) as (app, pilot):
        await fill(app, pilot, {"title": "CTO"})  # not who she is: saved without a check
        await press(app, pilot, "ctrl+s")
        assert app.results == [anne.id] and contacts.get(anne.id).title == "CTO"
