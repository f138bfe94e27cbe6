"""Demo data: the same for the same seed, multilingual, with deals and tasks, and careful with real data."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from crm_tui.core import contacts, demo, info, search_index
from crm_tui.core.activities import listing as activity_list
from crm_tui.core.activities.listing import ActivityFilter
from crm_tui.core.db import close_database, open_database
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.deals.listing import DealFilter
from crm_tui.core.errors import CrmError
from crm_tui.core.models import Activity, Change, Deal, Meta, Stage, Tag

NOW = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
HAN = re.compile(r"[\u4e00-\u9fff]")
ARABIC = re.compile(r"[\u0600-\u06ff]")
UMLAUT = re.compile(r"[äöüÄÖÜ]")


def in_id_order() -> list[contacts.ContactData]:
    return sorted(contacts.iterate(), key=lambda c: c.id)


def fingerprint() -> list[tuple]:
    return [(c.first_name, c.last_name, tuple(c.emails), tuple(c.phones), c.company, tuple(c.tags), c.birthday)
            for c in in_id_order()]


@pytest.fixture(scope="module")
def demo_300(tmp_path_factory):
    """One demo database of 300 contacts, built once for the module's read-only checks."""
    path = tmp_path_factory.mktemp("demo") / "crm.sqlite3"
    open_database(path)
    summary = demo.fill(300, seed=5, now=NOW)
    close_database()
    return path, summary


@pytest.fixture
def demo_db(demo_300):
    path, summary = demo_300
    opened = open_database(path)
    yield opened, summary
    close_database()


def test_same_seed_gives_the_same_data_in_two_databases(tmp_path, demo_300):
    path, _ = demo_300
    open_database(path)
    first = fingerprint()
    first_deals = [
        (d.title, d.value_minor, d.currency, d.stage_id, d.contact_id) for d in Deal.select().order_by(Deal.id)
    ]
    close_database()
    open_database(tmp_path / "second.sqlite3")
    try:
        demo.fill(300, seed=5, now=NOW)
        assert fingerprint() == first
        assert [(d.title, d.value_minor, d.currency, d.stage_id, d.contact_id)
                for d in Deal.select().order_by(Deal.id)] == first_deals
    finally:
        close_database()
    assert len(first) == 300


def test_another_seed_gives_other_data(tmp_path, demo_300):
    path, _ = demo_300
    open_database(path)
    first = fingerprint()
    close_database()
    open_database(tmp_path / "other.sqlite3")
    try:
        demo.fill(300, seed=6, now=NOW)
        assert fingerprint() != first
    finally:
        close_database()


def test_summary_matches_what_is_stored(demo_db):
    opened, summary = demo_db
    counts = info.describe(opened)["counts"]
    assert summary.contacts == counts["contacts"] == 300
    assert summary.companies == counts["companies"] > 0
    assert summary.deals == counts["deals"] == 30
    assert summary.activities == counts["activities"]
    assert Change.select().where(Change.batch_id == summary.batch_id).count() == (
        summary.contacts + summary.companies + summary.deals + summary.activities + Tag.select().count())
    assert info.describe(opened)["demo"] is True
    assert Meta.get(Meta.key == "demo").value == "5"


def test_names_come_in_several_scripts_with_umlauts(demo_db):
    names = [c.name for c in contacts.iterate()]
    assert sum(bool(HAN.search(name)) for name in names) >= 5
    assert sum(bool(ARABIC.search(name)) for name in names) >= 5
    assert sum(bool(UMLAUT.search(name)) for name in names) >= 3
    assert sum(name.isascii() for name in names) >= 100


def test_every_contact_is_valid_and_has_a_plausible_email(demo_db):
    for contact in contacts.iterate():
        assert contacts.validate(contact.to_draft()).emails == contact.emails
        assert contact.emails and all(email.isascii() for email in contact.emails)


def test_deals_spread_over_several_stages_and_tasks_are_open(demo_db):
    stages = {stage.id: stage for stage in Stage.select()}
    used = {deal.stage_id for deal in Deal.select()}
    assert len(used) >= 3
    for deal in Deal.select():
        assert deal.status == stages[deal.stage_id].outcome
        assert (deal.closed_at is None) == (deal.status == "open")
    open_tasks = Activity.select().where((Activity.kind == "task") & Activity.done_at.is_null()).count()
    assert open_tasks > 0
    assert {a.kind for a in Activity.select()} >= {"call", "email", "task"}


def test_most_open_deals_have_a_next_step_and_some_contacts_are_kept_in_touch_with(demo_db):
    open_deals = list(deal_list.iterate(DealFilter(statuses=("open",))))
    with_step = [deal for deal in open_deals if deal.next_step is not None]
    assert 0.5 < len(with_step) / len(open_deals) < 1
    for deal in with_step[:20]:
        step = next(task for task in activity_list.iterate(ActivityFilter(tasks="open", deal_id=deal.id))
                    if task.subject == deal.next_step)
        assert step.deal_id == deal.id and step.contact_id == deal.contact_id
    kept = [contact for contact in contacts.iterate() if contact.keep_in_touch_days]
    assert len(kept) == 15 and {contact.keep_in_touch_days for contact in kept} == set(demo.KEEP_IN_TOUCH_DAYS)
    for done in Activity.select().where(Activity.done_at.is_null(False)):
        assert done.occurred_at == done.done_at


def test_demo_records_are_searchable(demo_db):
    some = in_id_order()[0]
    word = some.last_name.split()[-1]
    assert some.id in {h.id for h in search_index.search_all(word, limit_per_kind=300) if h.kind == "contact"}
    deal = Deal.select().first()
    assert deal.id in {h.id for h in search_index.search_all(deal.title, limit_per_kind=300) if h.kind == "deal"}


def test_fill_refuses_a_database_with_records_unless_forced(db, make_contact):
    make_contact(first_name="Real", last_name="Customer")
    with pytest.raises(CrmError) as raised:
        demo.fill(20, seed=1, now=NOW)
    assert "--force" in str(raised.value)
    assert contacts.count() == 1
    summary = demo.fill(20, seed=1, now=NOW, force=True)
    assert summary.contacts == 20
    assert contacts.count() == 21
    assert contacts.count(text="real customer") == 1


def test_fill_twice_needs_force(db):
    demo.fill(20, seed=1, now=NOW)
    with pytest.raises(CrmError):
        demo.fill(20, seed=1, now=NOW)
    demo.fill(20, seed=2, now=NOW, force=True)
    assert contacts.count() == 40


def test_fill_needs_at_least_one_contact(db):
    with pytest.raises(CrmError):
        demo.fill(0)
    assert demo.is_empty()


def test_progress_reports_each_stage_up_to_its_total(db):
    seen = []
    demo.fill(50, seed=3, now=NOW, on_progress=lambda stage, done, total: seen.append((stage, done, total)))
    finals = {stage: (done, total) for stage, done, total in seen}
    assert set(finals) == {"contacts", "deals", "activities"}
    assert all(done == total for done, total in finals.values())
