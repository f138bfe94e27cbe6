"""The activity log in core: activities, done tasks and deal stage changes in one feed, newest first; its
filters; pages by keyset forwards and backwards and by offset; and the indexes each arm walks (checked by query
plan, not by timing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm_tui.core import activities, deals
from crm_tui.core.activities import feed
from crm_tui.core.activities.feed import FeedFilter
from crm_tui.core.errors import ValidationError
from crm_tui.core.models import database, format_timestamp

ALL = FeedFilter()
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("db")


def at(hours: float = 0) -> str:
    return format_timestamp(NOW + timedelta(hours=hours))


@pytest.fixture
def clock(monkeypatch):
    """Stamp the deal moves and task completions made next with the time `at(hours)`."""

    def set_to(hours: float) -> None:
        monkeypatch.setattr(deals.service, "now_text", lambda: at(hours))
        monkeypatch.setattr(activities.service, "now_text", lambda: at(hours))

    return set_to


def log(subject: str, hours: float, kind: str = "call", **links) -> activities.ActivityData:
    return activities.create({"kind": kind, "subject": subject, "occurred_at": at(hours), **links})


def subjects(entries) -> list[str]:
    return [entry.subject for entry in entries]


@pytest.fixture
def story(make_contact, clock):
    """Anna at Acme and a deal with her, its moves and the calls around them, hour by hour (hour 0 newest)."""
    anna = make_contact(first_name="Anna", last_name="de Vries", company="Acme")
    bob = make_contact(first_name="Bob", last_name="Stone")
    clock(-10)
    rollout = deals.create({"title": "Rollout", "contact": anna.id, "company": "Acme"})
    log("Intro call", -9, contact_id=anna.id, company_id=anna.company_id)
    clock(-8)
    deals.move(rollout.id, "Qualified")
    log("Email Bob", -7, kind="email", contact_id=bob.id)
    log("Demo", -6, kind="meeting", contact_id=anna.id, deal_id=rollout.id)
    clock(-5)
    deals.move(rollout.id, "Proposal")
    log("Note on pricing", -4, kind="note", deal_id=rollout.id)
    clock(-3)
    other = deals.create({"title": "Side project", "contact": bob.id})
    return {"anna": anna, "bob": bob, "rollout": rollout, "other": other}


NEWEST_FIRST = ["added in Lead", "Note on pricing", "Qualified → Proposal", "Demo", "Email Bob", "Lead → Qualified",
                "Intro call", "added in Lead"]


def test_activities_and_stage_changes_are_merged_newest_first(story):
    entries = list(feed.iterate(ALL))
    assert subjects(entries) == NEWEST_FIRST
    assert [entry.kind for entry in entries] == ["stage", "note", "stage", "meeting", "email", "stage", "call", "stage"]
    assert [entry.at for entry in entries] == [at(hours) for hours in (-3, -4, -5, -6, -7, -8, -9, -10)]
    assert feed.count(ALL) == 8


def test_entries_carry_their_links_and_ids_unique_across_kinds(story):
    entries = list(feed.iterate(ALL))
    assert len({entry.id for entry in entries}) == len(entries)
    move = entries[2]
    assert move.id < 0 and move.activity_id is None and move.version == 0
    assert (move.deal_id, move.deal, move.contact, move.company) == (story["rollout"].id, "Rollout", "Anna de Vries",
                                                                     "Acme")
    demo = entries[3]
    assert demo.id == demo.activity_id > 0 and demo.version == 1
    assert (demo.contact, demo.deal, demo.company) == ("Anna de Vries", "Rollout", None)
    assert demo.name == "Demo"


def test_each_filter(story):
    anna, bob, rollout = story["anna"], story["bob"], story["rollout"]

    def shown(**fields) -> list[str]:
        wanted = FeedFilter(**fields)
        found = subjects(feed.iterate(wanted))
        assert feed.count(wanted) == len(found)
        return found

    assert shown(kinds=("meeting",)) == ["Demo"]
    assert shown(kinds=("stage",)) == ["added in Lead", "Qualified → Proposal", "Lead → Qualified", "added in Lead"]
    assert shown(kinds=("call", "email")) == ["Email Bob", "Intro call"]
    assert shown(kinds=()) == []
    # A contact: their activities and the stage changes of their deals.
    assert shown(contact_id=anna.id) == ["Qualified → Proposal", "Demo", "Lead → Qualified", "Intro call",
                                         "added in Lead"]
    assert shown(contact_id=bob.id) == ["added in Lead", "Email Bob"]
    # A company: the activities linked to it and its deals' stage changes.
    assert shown(company_id=anna.company_id) == ["Qualified → Proposal", "Lead → Qualified", "Intro call",
                                                 "added in Lead"]
    # A deal: its activities and its stage changes between them.
    assert shown(deal_id=rollout.id) == ["Note on pricing", "Qualified → Proposal", "Demo", "Lead → Qualified",
                                         "added in Lead"]
    assert shown(deal_id=rollout.id, kinds=("stage",)) == ["Qualified → Proposal", "Lead → Qualified",
                                                           "added in Lead"]
    assert shown(since=at(-7), until=at(-4)) == ["Qualified → Proposal", "Demo", "Email Bob"]
    # Text: activities by subject and body, stage changes by their deal's title.
    assert shown(text="pricing") == ["Note on pricing"]
    assert shown(text="rollout") == ["Qualified → Proposal", "Lead → Qualified", "added in Lead"]
    assert shown(text="side") == ["added in Lead"]


def test_unknown_kinds_are_refused(db):
    with pytest.raises(ValidationError, match="'visit' is not one of"):
        feed.count(FeedFilter(kinds=("visit",)))


def test_trashed_activities_and_the_stage_changes_of_trashed_deals_are_left_out(story):
    demo = next(entry for entry in feed.iterate(ALL) if entry.subject == "Demo")
    activities.delete(demo.activity_id)
    deals.delete(story["rollout"].id)
    entries = list(feed.iterate(ALL))
    assert subjects(entries) == ["added in Lead", "Note on pricing", "Email Bob", "Intro call"]
    assert entries[1].deal is None and entries[1].deal_id == story["rollout"].id
    activities.restore(demo.activity_id)
    deals.restore(story["rollout"].id)
    assert subjects(feed.iterate(ALL)) == NEWEST_FIRST


def test_a_done_task_appears_at_its_done_time_and_an_open_one_not_at_all(story, clock):
    task = activities.create({"kind": "task", "subject": "Send contract", "due_at": at(-1)})
    activities.create({"kind": "task", "subject": "Still open", "due_at": at(-2)})
    assert "Send contract" not in subjects(feed.iterate(ALL))
    clock(-6.5)
    activities.set_done(task.id, True)
    entries = list(feed.iterate(ALL))
    assert subjects(entries)[3:5] == ["Demo", "Send contract"]
    assert entries[4].kind == "task" and entries[4].at == at(-6.5)
    assert "Still open" not in subjects(entries)
    assert subjects(feed.iterate(FeedFilter(kinds=("task",)))) == ["Send contract"]


@pytest.fixture
def crowd(make_contact, clock):
    """Thirty-odd events, many at the very same time, some of an activity and a stage change with the same own id."""
    contact = make_contact(first_name="Crowd")
    for number in range(12):
        clock(-(number // 4))
        deal = deals.create({"title": f"Deal {number}", "contact": contact.id})
        log(f"Call {number}", -(number // 4), contact_id=contact.id)
        if number % 3 == 0:
            deals.move(deal.id, "Qualified")
            log(f"Note {number}", -(number // 4), kind="note", contact_id=contact.id)
    return contact


def walk(wanted: FeedFilter, size: int) -> list[feed.FeedEntry]:
    """Every entry read `size` at a time through the cursors."""
    seen: list[feed.FeedEntry] = []
    cursor = None
    while True:
        page = feed.list_page(wanted, cursor, size)
        assert len(page.keys) == len(page.items) <= size
        seen += page.items
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("wanted", [ALL, FeedFilter(kinds=("stage",)), FeedFilter(contact_id=1)],
                         ids=["all", "stage changes", "one contact"])
def test_paging_forwards_backwards_and_by_offset_gives_the_rows_of_one_read(crowd, wanted):
    whole = feed.list_page(wanted, limit=1000)
    ids = [entry.id for entry in whole.items]
    assert len(ids) == len(set(ids)) == feed.count(wanted) > 10
    for size in (1, 2, 3, 7):
        assert [entry.id for entry in walk(wanted, size)] == ids
    for row, key in enumerate(whole.keys):
        before = feed.list_page(wanted, after=key, limit=3, backwards=True)
        assert [entry.id for entry in before.items] == ids[max(0, row - 3):row]
        after = feed.list_page(wanted, after=key, limit=3)
        assert [entry.id for entry in after.items] == ids[row + 1:row + 4]
        assert feed.list_page(wanted, limit=1, offset=row).items[0].id == ids[row]
    last = feed.list_page(wanted, limit=5, backwards=True)
    assert [entry.id for entry in last.items] == ids[-5:]
    assert [entry.id for entry in feed.list_page(wanted, limit=4, backwards=True, offset=2).items] == ids[-6:-2]


def test_iterate_stops_at_a_limit(crowd):
    assert len(list(feed.iterate(ALL, limit=5))) == 5


def plan(wanted: FeedFilter, after: tuple | None = None) -> list[str]:
    sql, params = feed.keys_sql(wanted, after, True, 50, 0)
    return [row[3] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]


@pytest.mark.parametrize("wanted", [ALL, FeedFilter(kinds=("meeting",)), FeedFilter(kinds=("call", "note")),
                                    FeedFilter(kinds=("stage",)), FeedFilter(since=at(-5), until=at(-1))],
                         ids=["all", "one kind", "two kinds", "stage changes", "dates"])
def test_every_arm_walks_an_index_in_order_at_any_depth(db, wanted):
    for after in (None, (at(-3), 5, feed.ACTIVITY_RANK), (at(-3), 5, feed.STAGE_RANK)):
        steps = plan(wanted, after)
        assert not any("TEMP B-TREE" in step for step in steps), steps
        assert not any(step.startswith("SCAN a") for step in steps), steps


@pytest.mark.parametrize("link", ["contact_id", "company_id", "deal_id"])
def test_a_timeline_walks_its_record_index_and_sorts_only_that_records_stage_changes(db, link):
    steps = plan(FeedFilter(**{link: 7}))
    assert f"SEARCH a USING INDEX activity_{link}_occurred_at_id ({link}=? AND occurred_at>?)" in steps
    assert sum("TEMP B-TREE" in step for step in steps) == 1
    assert any("USING INDEX deal_stage_change_deal_id (deal_id=?)" in step for step in steps), steps


@pytest.mark.parametrize("text", ["c", "call", "rollout", "no such words"])
def test_every_text_plan_finds_the_same_entries(story, text):
    """Which plan runs depends on how many rows match; whichever does, the page must be the same."""
    found = set()
    for activity_plan in feed.TEXT_PLANS:
        for deal_plan in feed.TEXT_PLANS:
            sql, params = feed.keys_sql(FeedFilter(text=text), None, True, 50, 0, activity_plan, deal_plan)
            found.add(tuple(tuple(row) for row in database.execute_sql(sql, params)))
    assert len(found) == 1
    assert [key[1:] for key in feed.list_page(FeedFilter(text=text)).keys] == [key[1:] for key in found.pop()]


def test_few_matches_are_looked_up_and_many_found_in_time_order(story, monkeypatch):
    match = '"call"*'
    assert feed._activity_plans(match) == ["lookup"]
    monkeypatch.setattr(feed, "SOME_MATCHES", 1)
    assert feed._activity_plans(match) == [feed.WALK, "lookup"]
    assert feed._activity_plans('"cal"*') == [feed.PROBE, feed.WALK, "lookup"]
