"""The merge screen at 80x24: marked contacts side by side, a value picked per field, the result previewed, merged
with ctrl+s (one undo takes it back), refused when a contact changed behind its back, and M without two marks."""

from __future__ import annotations

from helpers import screen_lines, screen_text, settle, shown

from crm_tui.core import activities, contacts, deals
from crm_tui.core.errors import NotFoundError
from crm_tui.ui.app import CrmApp
from crm_tui.ui.screens.duplicates.merge import MergeScreen
from crm_tui.ui.widgets.merge_table import MergeTable


async def press(app, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


def notices(app) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def line_with(app, text: str) -> str:
    return next(line for line in screen_lines(app) if text in line)


async def go_to(app, pilot, field: str) -> None:
    """Move the merge table's cursor to the row of `field` with up and down, as a person would."""
    table = app.screen.query_one(MergeTable)
    steps = [choice.field for choice in table.fields].index(field) - table.row
    await press(app, pilot, *["down" if steps > 0 else "up"] * abs(steps))


def trashed(contact_id: int) -> bool:
    try:
        contacts.get(contact_id)
    except NotFoundError:
        return True
    return False


def people(make_contact):
    """Two records of one person: shared company and last name, different title, emails, tags and notes."""
    ann = make_contact(first_name="Ann", last_name="Lee", title="Engineer", company="Acme", emails=["ann@acme.example"],
                       tags=["vip"], notes="Met at the fair.\nLikes tea.")
    anne = make_contact(first_name="Anne", last_name="Lee", title="Head of Sales", company="Acme",
                        emails=["anne.lee@mail.example"], phones=["+1 617 555 0101"], tags=["customer"],
                        notes="Prefers email.", birthday="1980-04-02")
    return ann, anne


async def open_merge(app, pilot) -> MergeScreen:
    """Mark both contacts, put the cursor back on the first (Ann, so she is kept) and press M."""
    await settle(app, pilot)
    await press(app, pilot, "space", "space", "g", "M")
    assert isinstance(app.screen, MergeScreen)
    return app.screen


async def test_marked_contacts_merge_with_a_picked_title_and_u_restores_both(db, make_contact):
    ann, anne = people(make_contact)
    deal = deals.create({"title": "Licences", "contact": anne.id})
    call = activities.create({"kind": "call", "subject": "Intro call", "contact_id": anne.id})
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_merge(app, pilot)
        assert f"1 Ann Lee #{ann.id} (kept)" in line_with(app, "(kept)")
        assert f"2 Anne Lee #{anne.id}" in line_with(app, "(kept)")
        title = line_with(app, "Title")
        assert "✓ Engineer" in title and "  Head of Sales" in title and "✓ Head of Sales" not in title
        header = line_with(app, "(kept)")  # a value not taken keeps the tick's place, lined up under its contact
        assert title.index("Head of Sales") == header.index("2 Anne Lee") + 2
        assert title.index("Engineer") == header.index("1 Ann Lee") + 2
        assert line_with(app, "Company").count("✓ Acme") == 2  # the same value, whoever it is taken from
        assert "Result        Ann Lee · Engineer · Acme" in screen_text(app)
        assert "Moves 1 deal and 1 activity to Ann Lee" in screen_text(app)
        assert all(len(line) == 80 for line in screen_lines(app))

        await go_to(app, pilot, "title")
        await press(app, pilot, "right")
        title = line_with(app, "Title")
        assert "✓ Head of Sales" in title and "✓ Engineer" not in title
        text = screen_text(app)
        assert "Result        Ann Lee · Head of Sales · Acme" in text
        assert "Emails        ann@acme.example, anne.lee@mail.example" in text
        assert "Phones        +1 617 555 0101" in text
        assert "Tags          vip, customer" in text
        assert "Notes         Met at the fair. · Prefers email." in text
        assert f"Anne Lee #{anne.id} goes to the trash" in text
        assert contacts.get(ann.id).title == "Engineer"  # a preview writes nothing

        await press(app, pilot, "ctrl+s")
        assert not isinstance(app.screen, MergeScreen)
        kept = contacts.get(ann.id)
        assert (kept.first_name, kept.title, kept.birthday) == ("Ann", "Head of Sales", "1980-04-02")
        assert kept.emails == ["ann@acme.example", "anne.lee@mail.example"]
        assert sorted(kept.tags) == ["customer", "vip"]
        assert trashed(anne.id)
        assert deals.get(deal.id).contact_id == ann.id
        assert activities.get(call.id).contact_id == ann.id
        assert "Merged 2 contacts into 'Ann Lee' · u undoes" in notices(app)
        assert app.screen.records.marked_count == 0
        assert "Anne Lee" not in screen_text(app)

        await press(app, pilot, "u")
        assert contacts.get(ann.id).title == "Engineer"
        assert contacts.get(anne.id).title == "Head of Sales"
        assert deals.get(deal.id).contact_id == anne.id
        assert activities.get(call.id).contact_id == anne.id
        assert "Anne Lee" in screen_text(app)


async def test_k_keeps_the_contact_under_the_cursor_and_number_keys_pick_a_column(db, make_contact):
    ann, anne = people(make_contact)
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_merge(app, pilot)
        await press(app, pilot, "2", "k")
        assert f"2 Anne Lee #{anne.id} (kept)" in line_with(app, "(kept)")
        assert "Merge 2 contacts into Anne Lee" in screen_text(app)
        assert "✓ Head of Sales" in line_with(app, "Title")
        await go_to(app, pilot, "title")
        await press(app, pilot, "1")
        assert "✓ Engineer" in line_with(app, "Title")
        await go_to(app, pilot, "birthday")
        await press(app, pilot, "1")
        assert "Ann Lee has no birthday to pick" in screen_text(app)
        await press(app, pilot, "ctrl+s")
        kept = contacts.get(anne.id)
        assert (kept.first_name, kept.title, kept.birthday) == ("Anne", "Engineer", "1980-04-02")
        assert trashed(ann.id)


async def test_a_contact_changed_behind_the_screens_back_stops_the_merge(db, make_contact):
    ann, anne = people(make_contact)
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_merge(app, pilot)
        contacts.update(anne.id, anne.version, title="Chief Revenue Officer")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, MergeScreen)
        text = screen_text(app)
        assert "Nothing was merged" in text and f"contact {anne.id} was changed elsewhere" in text
        assert "  Chief Revenue Officer" in line_with(app, "Title")  # shown as it is now
        assert not trashed(anne.id) and contacts.get(ann.id).version == ann.version
        assert contacts.get(anne.id).emails == ["anne.lee@mail.example"]

        await press(app, pilot, "ctrl+s")  # what is shown now is what merges
        assert not isinstance(app.screen, MergeScreen)
        assert trashed(anne.id) and contacts.get(ann.id).title == "Engineer"


async def test_m_with_fewer_than_two_marks_explains_and_esc_cancels(db, make_contact):
    ann, anne = people(make_contact)
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "M")
        await press(app, pilot, "space", "M")
        assert notices(app).count("Mark 2 or more contacts (space) to merge them") == 2
        assert not isinstance(app.screen, MergeScreen)
        await press(app, pilot, "space", "M", "escape")
        assert not isinstance(app.screen, MergeScreen)
        assert app.screen.records.marked_count == 2
        assert not trashed(ann.id) and not trashed(anne.id)


async def test_more_contacts_than_fit_scroll_sideways_and_names_show_as_typed(make_contact):
    first = make_contact(first_name="[b]Al[/b]", title="One")
    others = [make_contact(first_name=f"Ann{number}", title=f"Title {number}") for number in range(2, 6)]
    async with shown(MergeScreen([first.id, *(other.id for other in others)])) as (app, pilot):
        assert "1-3 of 5" in screen_text(app)
        assert f"1 [b]Al[/b] #{first.id} (kept)" in screen_text(app)
        assert "Title 4" not in screen_text(app)
        await go_to(app, pilot, "title")
        await press(app, pilot, "5")
        assert "3-5 of 5" in screen_text(app)
        assert "✓ Title 5" in line_with(app, "Title")
        assert app.screen.query_one(MergeTable).current_contact.id == others[-1].id


async def test_inverted_marks_merge_every_contact_but_the_unmarked(db, make_contact):
    ann, anne = people(make_contact)
    bob = make_contact(first_name="Bob", last_name="Stone")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "G", "space", "asterisk", "M")
        assert isinstance(app.screen, MergeScreen)
        assert app.screen.contact_ids == (ann.id, anne.id)
        assert "Bob" not in screen_text(app)
        await press(app, pilot, "ctrl+s")
        assert trashed(anne.id) and not trashed(bob.id)
