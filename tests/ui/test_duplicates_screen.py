"""The duplicates screen at 80x24: the scan's groups listed strongest first, enter merges a group (which then leaves
the list), n marks one "not duplicates" after a yes (a rescan no longer finds it), and the empty state."""

from __future__ import annotations

from helpers import list_rows, press, screen_lines, screen_text, settle, shown

from crm_tui.core import contacts, duplicates
from crm_tui.core.contacts import bulk
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.screens.duplicates.duplicates import DuplicatesScreen, GroupList
from crm_tui.ui.screens.duplicates.merge import MergeScreen


def rows(app) -> list[str]:
    return list_rows(app.screen.query_one(GroupList))


def two_people(make_contact):
    """Ann Lee twice at Acme (the same email, names alike), Bo Chen twice by phone, and Cy Dorn alone."""
    ann = make_contact(first_name="Ann", last_name="Lee", company="Acme", emails=["ann@acme.example"])
    anne = make_contact(first_name="Anne", last_name="Lee", company="Acme", emails=["Ann@acme.example"])
    bo = make_contact(first_name="Bo", last_name="Chen", phones=["+1 617 555 0101"])
    bob = make_contact(first_name="Bob", last_name="Chen", phones=["+1 (617) 555-0101"])
    make_contact(first_name="Cy", last_name="Dorn", emails=["cy@dorn.example"])
    return ann, anne, bo, bob


async def test_lists_groups_strongest_first_with_every_reason_of_the_one_under_the_cursor(db, make_contact):
    ann, anne, bo, bob = two_people(make_contact)
    async with shown(DuplicatesScreen()) as (app, pilot):
        text = screen_text(app)
        assert "Likely duplicates: 2 groups among 5 contacts" in text
        first, second = rows(app)
        assert first.split()[0] == "100" and "Ann Lee, Anne Lee" in first and "same email ann@acme.example" in first
        assert second.split()[0] == "90" and "Bo Chen, Bob Chen" in second and "same phone" in second
        assert f"Ann Lee #{ann.id}, Anne Lee #{anne.id}" in text
        assert "similar names Ann Lee / Anne Lee at Acme" in text  # the group's second reason
        assert all(len(line) == 80 for line in screen_lines(app))

        await press(app, pilot, "down")
        assert f"Bo Chen #{bo.id}, Bob Chen #{bob.id}" in screen_text(app)
        assert "similar names Ann Lee" not in screen_text(app)


async def test_enter_merges_the_group_which_then_leaves_the_list(db, make_contact):
    ann, anne, bo, bob = two_people(make_contact)
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "equals_sign")
        assert isinstance(app.screen, DuplicatesScreen)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, MergeScreen)
        assert app.screen.contact_ids == (ann.id, anne.id)

        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, DuplicatesScreen)
        assert [row.split(maxsplit=1)[1].startswith("Bo Chen, Bob Chen") for row in rows(app)] == [True]
        assert "Likely duplicates: 1 group among 4 contacts" in screen_text(app)
        assert [contact.id for contact in contacts.list_page(limit=10).items if contact.id in (ann.id, anne.id)] \
            == [ann.id]

        await press(app, pilot, "enter", "ctrl+s")
        assert "No likely duplicates among 3 contacts" in screen_text(app)
        await press(app, pilot, "escape")
        assert not isinstance(app.screen, DuplicatesScreen)


async def test_n_marks_not_duplicates_after_a_yes_and_a_rescan_no_longer_finds_them(db, make_contact):
    ann, anne, bo, bob = two_people(make_contact)
    async with shown(DuplicatesScreen()) as (app, pilot):
        await press(app, pilot, "n")
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Not duplicates: Ann Lee #{ann.id}, Anne Lee #{anne.id}?" in screen_text(app)
        assert "u undoes this" in app.screen.question.plain

        await press(app, pilot, "n")  # no: nothing changes
        assert len(rows(app)) == 2 and not duplicates.is_dismissed(ann.id, anne.id)

        await press(app, pilot, "n", "y")
        assert isinstance(app.screen, DuplicatesScreen)
        assert duplicates.is_dismissed(ann.id, anne.id)
        assert [row.split()[0] for row in rows(app)] == ["90"]
        assert any(f"Not duplicates: Ann Lee #{ann.id}, Anne Lee #{anne.id}" in notice for notice in app.notices)

        await press(app, pilot, "r")
        assert len(rows(app)) == 1 and "Bo Chen, Bob Chen" in rows(app)[0]
        assert "Likely duplicates: 1 group among 5 contacts" in screen_text(app)


async def test_u_undoes_not_duplicates_and_the_pair_is_listed_again(db, make_contact):
    ann, anne, bo, bob = two_people(make_contact)
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "equals_sign", "n", "y")
        assert duplicates.is_dismissed(ann.id, anne.id) and len(rows(app)) == 1

        await press(app, pilot, "u")
        assert isinstance(app.screen, DuplicatesScreen)
        assert not duplicates.is_dismissed(ann.id, anne.id)
        assert [row.split()[0] for row in rows(app)] == ["100", "90"]


async def test_no_groups_says_how_many_contacts_were_looked_at(db, make_contact):
    make_contact(first_name="Ann", last_name="Lee", emails=["ann@acme.example"])
    async with shown(DuplicatesScreen()) as (app, pilot):
        assert "No likely duplicates among 1 contact" in screen_text(app)
        assert "Not duplicates" not in screen_text(app)  # nothing to act on: the footer says only r and esc
        await press(app, pilot, "enter", "n")
        assert isinstance(app.screen, DuplicatesScreen)


async def test_the_palette_finds_the_screen(db, make_contact):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "ctrl+p", *"find duplicate")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, DuplicatesScreen)
        assert "No likely duplicates among 0 contacts" in screen_text(app)


async def test_two_thousand_groups_page_like_any_list(db):
    drafts = [contacts.ContactDraft(first_name=f"Person{n // 2}", emails=[f"p@d{n // 2}.example"]) for n in range(4000)]
    bulk.create_contacts(drafts, "dup-test")
    async with shown(DuplicatesScreen()) as (app, pilot):
        assert "Likely duplicates: 2,000 groups among 4,000 contacts" in screen_text(app)
        await press(app, pilot, "G")
        assert "Person1999 #3999, Person1999 #4000" in screen_text(app)
        assert "row 2,000 of 2,000" in screen_text(app)
