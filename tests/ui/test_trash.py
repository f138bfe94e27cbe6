"""The trash screen at 80x24: every kind together, newest deletion first; the kind filter; restore (and `u`); purge and
empty, each only after a yes; the empty trash; and the source's paging, on which every way a list reads agrees."""

from __future__ import annotations

import pytest
from helpers import list_rows, press, screen_text, settle

from crm_tui.core import activities, companies, contacts, deals, demo
from crm_tui.core.audit import trash
from crm_tui.core.errors import NotFoundError
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.screens.audit.history import HistoryScreen
from crm_tui.ui.screens.audit.trash import TrashList, TrashScreen, TrashSource

QUERY = ListQuery("deleted")


@pytest.fixture
def trashed(db):
    """A contact, a company, a deal and an activity, deleted in that order (so listed the other way round), and a
    contact that stays."""
    ada = contacts.create(contacts.ContactDraft(first_name="Ada", last_name="Lovelace", title="Countess"))
    contacts.create(contacts.ContactDraft(first_name="Grace", last_name="Hopper"))
    acme = companies.create({"name": "Acme Ltd", "domain": "acme.example"})
    deal = deals.create({"title": "Big rollout", "value": "100"})
    call = activities.create({"kind": "call", "subject": "Intro call", "occurred_at": "2026-03-03T09:00:00.000000Z"})
    contacts.delete(ada.id)
    companies.delete(acme.id)
    deals.delete(deal.id)
    activities.delete(call.id)
    return {"db": db, "ada": ada, "acme": acme, "deal": deal, "call": call}


def trash_many(count: int) -> list[int]:
    """`count` contacts moved to the trash one by one, and ten that stay; the trashed ids."""
    ids = [contacts.create(draft).id for draft in demo.contact_drafts(count + 10, seed=3)]
    for contact_id in ids[:count]:
        contacts.delete(contact_id)
    return ids[:count]


def rows(app) -> list[str]:
    return list_rows(app.screen.query_one(TrashList))


def kinds_and_names(app) -> list[tuple[str, str]]:
    """Each row's kind (the first 8 cells) and name, as shown."""
    return [(row[:8].strip(), row[9:].split("  ")[0]) for row in rows(app)]


def title(app) -> str:
    return str(app.screen.query_one("#title").visual)


def notices(app) -> list[str]:
    return [notification.message for notification in app._notifications]


def note(app) -> str:
    shown = app.screen.query_one("#empty-note")
    return str(shown.visual) if shown.display else ""


async def open_trash(app, pilot) -> None:
    await settle(app, pilot)
    app.action_trash()
    await settle(app, pilot)
    assert isinstance(app.screen, TrashScreen)


async def test_every_kind_is_listed_together_newest_deletion_first(trashed):
    app = CrmApp(trashed["db"])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trash(app, pilot)
        assert kinds_and_names(app) == [("activity", "Intro call"), ("deal", "Big rollout"), ("company", "Acme Ltd"),
                                        ("contact", "Ada Lovelace")]
        assert screen_text(app).split("\n")[2].split() == ["Kind", "Name", "Detail", "Deleted"]
        assert "acme.example" in rows(app)[2] and "Countess" in rows(app)[3]
        assert title(app) == "Trash: every kind · 1 contact · 1 company · 1 deal · 1 activity"
        assert "row 1 of 4" in screen_text(app)
        assert note(app) == ""


async def test_f_cycles_through_the_kinds(trashed):
    app = CrmApp(trashed["db"])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trash(app, pilot)
        await press(app, pilot, "f")
        assert title(app).startswith("Trash: contacts · ")
        assert kinds_and_names(app) == [("contact", "Ada Lovelace")]
        await press(app, pilot, "f")
        assert kinds_and_names(app) == [("company", "Acme Ltd")]
        await press(app, pilot, "f")
        assert kinds_and_names(app) == [("deal", "Big rollout")]
        await press(app, pilot, "f")
        assert kinds_and_names(app) == [("activity", "Intro call")]
        await press(app, pilot, "f")
        assert title(app).startswith("Trash: every kind · ")
        assert len(rows(app)) == 4


async def test_r_restores_the_row_which_leaves_the_list_and_u_puts_it_back(trashed):
    app = CrmApp(trashed["db"])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trash(app, pilot)
        await press(app, pilot, "j", "r")
        assert deals.get(trashed["deal"].id).deleted_at is None
        assert ("deal", "Big rollout") not in kinds_and_names(app)
        assert "Restored deal 'Big rollout' · u undoes" in notices(app)
        assert title(app) == "Trash: every kind · 1 contact · 1 company · 1 activity"
        await press(app, pilot, "u")
        assert ("deal", "Big rollout") in kinds_and_names(app)
        assert trash.count_trashed()["deal"] == 1


async def test_purge_asks_first_and_only_purges_on_yes(trashed):
    app = CrmApp(trashed["db"])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trash(app, pilot)
        await press(app, pilot, "G", "P")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Purge Ada Lovelace for good? This cannot be undone." in screen_text(app)
        await press(app, pilot, "n")
        assert trash.count_trashed()["contact"] == 1
        assert ("contact", "Ada Lovelace") in kinds_and_names(app)
        await press(app, pilot, "P", "y")
        assert trash.count_trashed()["contact"] == 0
        with pytest.raises(NotFoundError):
            contacts.get(trashed["ada"].id, include_deleted=True)
        assert ("contact", "Ada Lovelace") not in kinds_and_names(app)
        assert contacts.count() == 1


async def test_empty_asks_with_the_count_and_purges_everything_on_yes(trashed):
    app = CrmApp(trashed["db"])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trash(app, pilot)
        await press(app, pilot, "E")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.plain == ("Empty the trash: purge all 4 records in it (1 contact, 1 company, "
                                             "1 deal, 1 activity) for good? This cannot be undone.")
        assert "purge all 4 records" in screen_text(app)
        await press(app, pilot, "escape")
        assert sum(trash.count_trashed().values()) == 4
        await press(app, pilot, "E", "y")
        assert sum(trash.count_trashed().values()) == 0
        assert contacts.count() == 1
        assert rows(app) == []
        assert note(app).startswith("The trash is empty.")
        assert title(app) == "Trash: every kind · empty"
        await press(app, pilot, "E")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_an_empty_kind_says_so_and_points_to_the_others(db):
    ada = contacts.create(contacts.ContactDraft(first_name="Ada", last_name="Lovelace"))
    contacts.delete(ada.id)
    app = CrmApp(db, settings={"trash_days": 14})
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trash(app, pilot)
        assert note(app) == ""
        await press(app, pilot, "f", "f")
        assert note(app) == "No deleted companies · f shows another kind"
        await press(app, pilot, "f", "f", "f", "f")
        await press(app, pilot, "P", "y")
        assert note(app) == ("The trash is empty. Deleted contacts, companies, deals and activities wait here for 14 "
                             "days.")


async def test_h_in_the_trash_shows_the_record_history(trashed):
    app = CrmApp(trashed["db"])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trash(app, pilot)
        await press(app, pilot, "G", "h")
        assert isinstance(app.screen, HistoryScreen)
        assert "moved to the trash" in screen_text(app)
        assert "History of Ada Lovelace (contact)" in screen_text(app)


def test_the_source_reads_the_same_rows_every_way_a_list_asks(db):
    """Forward by keyset, by offset, the last rows by offset from the end, and the page above a row."""
    ids = trash_many(120)
    source = TrashSource()
    everything = trash.list_trashed(limit=1000)
    assert len(everything) == 120 and source.count(QUERY) == 120
    first = source.fetch(QUERY, None, False, 0, 50)
    assert first.items == everything[:50] and first.next_cursor == first.keys[-1]
    assert source.fetch(QUERY, first.keys[-1], False, 0, 50).items == everything[50:100]
    assert source.fetch(QUERY, None, False, 100, 50).items == everything[100:]
    assert source.fetch(QUERY, None, True, 0, 20).items == everything[100:]
    assert source.fetch(QUERY, None, True, 20, 50).items == everything[50:100]
    middle = source.fetch(QUERY, None, False, 60, 10)
    assert source.fetch(QUERY, middle.keys[0], True, 0, 50).items == everything[10:60]
    assert source.fetch(QUERY, first.keys[0], True, 0, 50).items == []
    assert sorted(source.ids(QUERY)) == sorted(ids)
    assert TrashSource(("deal",)).fetch(QUERY, None, False, 0, 50).items == []


async def test_a_long_trash_pages_and_jumps_to_its_oldest_deletion(db):
    trash_many(120)
    oldest = trash.list_trashed(limit=1000)[-1]
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trash(app, pilot)
        await press(app, pilot, "G")
        records = app.screen.query_one(TrashList)
        assert records.current == oldest
        assert "row 120 of 120" in screen_text(app)
        await press(app, pilot, "g")
        assert records.current == trash.list_trashed(limit=1)[0]
