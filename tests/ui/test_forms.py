"""The contact and company forms at 80x24: what a person types is saved, errors show under their field, and a
record changed elsewhere is never silently overwritten."""

from __future__ import annotations

from helpers import press, settle, shown
from textual.app import App
from textual.widgets import Input, Label, Static, TextArea

from crm_tui.core import companies, contacts
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.screens.companies.form import CompanyFormScreen
from crm_tui.ui.screens.contacts.form import NEW_COMPANY_NOTE, ContactFormScreen


async def fill(app: App, pilot, typed: dict[str, str]) -> None:
    """Focus each field in turn and type its text at the end of it, key by key (a newline is Enter)."""
    for field, text in typed.items():
        app.screen.query_one(f"#{field}").focus()
        await pilot.pause()
        await pilot.press("end", *("enter" if char == "\n" else char for char in text))


def line(app: App, field: str, kind: str = "error") -> str:
    """The error (or note) line under a field, as shown; "" while it is hidden."""
    label = app.screen.query_one(f"#{field}-{kind}", Label)
    return str(label.render()) if label.display else ""


def panel(app: App) -> str:
    widget = app.screen.query_one("#form-panel", Static)
    return str(widget.render()) if widget.display else ""


def value(app: App, field: str) -> str:
    widget = app.screen.query_one(f"#{field}")
    return widget.text if isinstance(widget, TextArea) else widget.value


CONTACT_TYPED = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "emails": "ada@example.org, ada@work.example",
    "phones": "+44 20 7946 0000",
    "company": "Analytical Engines",
    "title": "Countess",
    "tags": "math, vip",
    "display_name": "Lady Lovelace",
    "street": "12 St James's Square",
    "city": "London",
    "region": "Westminster",
    "postal_code": "SW1Y 4JH",
    "country": "UK",
    "birthday": "1815-12-10",
    "notes": "first programmer\nwrote notes",
    "custom": "pet: none\nera: Victorian",
}


async def test_add_saves_every_field_typed(db):
    async with shown(ContactFormScreen()) as (app, pilot):
        assert str(app.screen.query_one("#form-title", Label).render()) == "New contact"
        await fill(app, pilot, CONTACT_TYPED)
        await settle(app, pilot)
        assert line(app, "company", "note") == NEW_COMPANY_NOTE
        await press(app, pilot, "ctrl+s")
        assert len(app.results) == 1 and app.results[0] is not None
        saved = contacts.get(app.results[0])
    assert (saved.first_name, saved.last_name, saved.display_name, saved.title) == (
        "Ada", "Lovelace", "Lady Lovelace", "Countess")
    assert saved.emails == ["ada@example.org", "ada@work.example"]
    assert saved.phones == ["+44 20 7946 0000"]
    assert saved.company == "Analytical Engines"
    assert saved.tags == ["math", "vip"]
    assert (saved.street, saved.city, saved.region, saved.postal_code, saved.country) == (
        "12 St James's Square", "London", "Westminster", "SW1Y 4JH", "UK")
    assert saved.birthday == "1815-12-10"
    assert saved.notes == "first programmer\nwrote notes"
    assert saved.custom == {"pet": "none", "era": "Victorian"}


async def test_a_bad_email_shows_under_emails_and_saves_nothing(db):
    async with shown(ContactFormScreen()) as (app, pilot):
        await fill(app, pilot, {"first_name": "Ada", "emails": "ada@"})
        await pilot.press("tab")
        assert "is not an email address" in line(app, "emails"), "checked on leaving the field"
        await fill(app, pilot, {"emails": ", bob@"})
        await press(app, pilot, "ctrl+s")
        assert "'ada@' is not an email address" in line(app, "emails")
        assert "'bob@' is not an email address" in line(app, "emails")
        assert app.screen.focused is app.screen.query_one("#emails", Input)
        assert app.results == []
        assert contacts.count() == 0
        app.screen.query_one("#emails", Input).value = "ada@example.org"
        await pilot.press("tab")
        assert line(app, "emails") == ""


async def test_service_errors_show_under_their_fields(db):
    async with shown(ContactFormScreen()) as (app, pilot):
        await fill(app, pilot, {"birthday": "1815-13-40", "custom": "pet: none\nno colon here"})
        await press(app, pilot, "ctrl+s")
        assert "line 2 is not in the form 'key: value'" in line(app, "custom")
        app.screen.query_one("#custom", TextArea).load_text("pet: none")
        await press(app, pilot, "ctrl+s")
        assert line(app, "custom") == ""
        assert "is not a birthday" in line(app, "birthday")
        assert "a contact needs a name or an email" in line(app, "first_name")
        assert app.screen.focused is app.screen.query_one("#first_name", Input)
        assert contacts.count() == 0


async def test_ctrl_s_saves_from_inside_the_notes(db):
    async with shown(ContactFormScreen()) as (app, pilot):
        await fill(app, pilot, {"first_name": "Ada", "notes": "one\ntwo"})
        await press(app, pilot, "ctrl+s")
        assert contacts.get(app.results[0]).notes == "one\ntwo"


async def test_edit_sends_only_the_fields_touched(db, make_contact, monkeypatch):
    ada = make_contact(first_name="Ada", last_name="Lovelace", emails=["ada@example.org"], tags=["vip"],
                       custom={"pet": "none"}, company="Engines")
    sent = []
    real_update = contacts.update

    def spy(contact_id, version, **changes):
        sent.append(changes)
        return real_update(contact_id, version, **changes)

    monkeypatch.setattr(contacts, "update", spy)
    async with shown(ContactFormScreen(ada)) as (app, pilot):
        assert str(app.screen.query_one("#form-title", Label).render()) == "Edit Ada Lovelace"
        assert value(app, "emails") == "ada@example.org"
        assert value(app, "custom") == "pet: none"
        assert line(app, "company", "note") == ""
        await fill(app, pilot, {"title": "Countess"})
        await press(app, pilot, "ctrl+s")
        assert app.results == [ada.id]
    assert sent == [{"title": "Countess"}]
    stored = contacts.get(ada.id)
    assert (stored.title, stored.emails, stored.tags, stored.custom, stored.company) == (
        "Countess", ["ada@example.org"], ["vip"], {"pet": "none"}, "Engines")


async def test_escape_without_changes_closes_at_once(db, make_contact):
    async with shown(ContactFormScreen(make_contact(first_name="Ada"))) as (app, pilot):
        await press(app, pilot, "escape")
        assert app.results == [None]
        assert not isinstance(app.screen, ContactFormScreen)


async def test_escape_with_changes_asks_first(db):
    async with shown(ContactFormScreen()) as (app, pilot):
        await fill(app, pilot, {"first_name": "Ada", "notes": "escape is pressed in here"})
        await press(app, pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Discard your changes?" in str(app.screen.query_one(".dialog-title", Label).render())
        await press(app, pilot, "n")
        assert isinstance(app.screen, ContactFormScreen)
        assert value(app, "first_name") == "Ada"
        assert app.results == []
        await press(app, pilot, "escape")
        await press(app, pilot, "y")
        assert app.results == [None]
        assert contacts.count() == 0


async def test_company_is_completed_from_existing_companies(db):
    companies.create({"name": "Acme Ltd"})
    async with shown(ContactFormScreen()) as (app, pilot):
        await fill(app, pilot, {"first_name": "Ada", "company": "ac"})
        await settle(app, pilot)
        company = app.screen.query_one("#company", Input)
        assert company._suggestion == "Acme Ltd"
        assert line(app, "company", "note") == NEW_COMPANY_NOTE
        await press(app, pilot, "right")
        assert company.value == "Acme Ltd"
        assert line(app, "company", "note") == ""
        await press(app, pilot, "ctrl+s")
    assert contacts.get(app.results[0]).company == "Acme Ltd"
    assert companies.count() == 1


async def test_a_change_made_elsewhere_is_shown_and_kept_until_saved_over(db, make_contact):
    ada = make_contact(first_name="Ada", title="Engineer", city="London")
    async with shown(ContactFormScreen(ada)) as (app, pilot):
        contacts.update(ada.id, ada.version, title="Chief Executive")
        app.screen.query_one("#title", Input).value = "Architect"
        await fill(app, pilot, {"city": "!"})
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, ContactFormScreen)
        conflict = panel(app)
        assert "Changed elsewhere since you opened it" in conflict
        assert "Title: Chief Executive" in conflict
        assert "City" not in conflict
        assert contacts.get(ada.id).title == "Chief Executive"
        assert app.results == []
        await press(app, pilot, "ctrl+s")
        assert app.results == [ada.id]
    stored = contacts.get(ada.id)
    assert (stored.title, stored.city) == ("Architect", "London!")


async def test_ctrl_l_drops_the_edits_for_the_newer_version(db, make_contact):
    ada = make_contact(first_name="Ada", title="Engineer")
    async with shown(ContactFormScreen(ada)) as (app, pilot):
        contacts.update(ada.id, ada.version, title="Chief Executive", first_name="Augusta")
        await fill(app, pilot, {"title": "!"})
        await press(app, pilot, "ctrl+s")
        assert "First name: Augusta" in panel(app)
        app.screen.query_one("#emails", Input).value = "bad@"
        await press(app, pilot, "ctrl+s")
        assert "is not an email address" in line(app, "emails")
        assert "First name: Augusta" in panel(app), "an error on a field leaves the conflict in view"
        await press(app, pilot, "ctrl+l")
        assert panel(app) == "" and line(app, "emails") == ""
        assert (value(app, "title"), value(app, "first_name")) == ("Chief Executive", "Augusta")
        assert str(app.screen.query_one("#form-title", Label).render()) == "Edit Augusta"
        await press(app, pilot, "escape")
        assert app.results == [None]
    assert contacts.get(ada.id).title == "Chief Executive"


async def test_markup_typed_or_stored_is_shown_as_typed(db, make_contact):
    shouty = make_contact(first_name="[red]x[/]", last_name="[bold]")
    async with shown(ContactFormScreen(shouty)) as (app, pilot):
        assert str(app.screen.query_one("#form-title", Label).render()) == "Edit [red]x[/] [bold]"
        assert value(app, "first_name") == "[red]x[/]"
        app.screen.query_one("#emails", Input).value = "[b]@"
        await press(app, pilot, "ctrl+s")
        assert "'[b]@' is not an email address" in line(app, "emails")


async def test_company_form_adds_every_field_and_shows_errors_under_them(db):
    async with shown(CompanyFormScreen()) as (app, pilot):
        assert str(app.screen.query_one("#form-title", Label).render()) == "New company"
        await fill(app, pilot, {"domain": "not a domain", "phone": "call me"})
        await pilot.press("tab")
        assert "is not a phone number" in line(app, "phone")
        await press(app, pilot, "ctrl+s")
        assert "is not a domain name" in line(app, "domain")
        assert "is not a phone number" in line(app, "phone")
        assert companies.count() == 0
        app.screen.query_one("#domain", Input).value = ""
        app.screen.query_one("#phone", Input).value = ""
        await fill(app, pilot, {"name": "Acme [Ltd]", "domain": "acme.example", "phone": "+1 555 0100",
                                "address": "1 Main St", "notes": "big\nclient"})
        await press(app, pilot, "ctrl+s")
        saved = companies.get(app.results[0])
    assert (saved.name, saved.domain, saved.phone, saved.address, saved.notes) == (
        "Acme [Ltd]", "acme.example", "+1 555 0100", "1 Main St", "big\nclient")


async def test_company_form_edit_and_conflict(db):
    acme = companies.create({"name": "Acme", "domain": "acme.example", "notes": "old"})
    async with shown(CompanyFormScreen(acme)) as (app, pilot):
        assert str(app.screen.query_one("#form-title", Label).render()) == "Edit Acme"
        assert value(app, "domain") == "acme.example"
        companies.update(acme.id, acme.version, notes="newer\nnotes")
        await fill(app, pilot, {"address": "1 Main St"})
        await press(app, pilot, "ctrl+s")
        assert "Notes: newer / notes" in panel(app)
        assert companies.get(acme.id).address == ""
        await press(app, pilot, "ctrl+s")
        assert app.results == [acme.id]
    stored = companies.get(acme.id)
    assert (stored.name, stored.domain, stored.address, stored.notes) == (
        "Acme", "acme.example", "1 Main St", "newer\nnotes")


async def test_a_contact_deleted_elsewhere_is_said_above_the_form(db, make_contact):
    ada = make_contact(first_name="Ada")
    async with shown(ContactFormScreen(ada)) as (app, pilot):
        contacts.delete(ada.id)
        await fill(app, pilot, {"title": "Countess"})
        await press(app, pilot, "ctrl+s")
        assert "is in the trash" in panel(app)
        assert app.results == []


def test_every_form_key_has_an_id_to_remap():
    assert {binding.id for binding in ContactFormScreen.BINDINGS} == {
        "contact_form.save", "contact_form.cancel", "contact_form.reload", "contact_form.open_duplicate"}
    assert {binding.id for binding in CompanyFormScreen.BINDINGS} == {
        "company_form.save", "company_form.cancel", "company_form.reload"}


async def test_a_contact_with_only_an_email_is_saved_and_known_by_it(db):
    async with shown(ContactFormScreen()) as (app, pilot):
        await fill(app, pilot, {"emails": "solo@example.org"})
        await press(app, pilot, "ctrl+s")
    assert contacts.get(app.results[0]).name == "solo@example.org"
