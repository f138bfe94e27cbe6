"""Actions on many contacts at once (tag, untag, trash) and purging records from the trash for good."""

from __future__ import annotations

import json

import pytest

from crm_tui.core import companies, contacts, search_index
from crm_tui.core.errors import NotFoundError, ValidationError
from crm_tui.core.models import Activity, Change, Company, ContactEmail, ContactPhone, ContactTag, Tag


def contact_changes(action: str) -> list[Change]:
    return list(Change.select().where((Change.entity == "contact") & (Change.action == action)).order_by(Change.id))


def test_add_tags_changes_only_live_contacts_that_lack_a_tag_each_with_its_own_change(db, make_contact):
    has_both = make_contact(first_name="Both", tags=["VIP", "new"])
    has_one = make_contact(first_name="One", tags=["vip"])
    bare = make_contact(first_name="Bare")
    trashed = make_contact(first_name="Trashed")
    contacts.delete(trashed.id)
    changed = contacts.add_tags([has_both.id, has_one.id, bare.id, trashed.id, 9999], [" vip ", "New", "new"])
    assert changed == 2
    assert contacts.get(has_one.id).tags == contacts.get(bare.id).tags == ["new", "VIP"]
    assert contacts.get(has_both.id).version == 1 and contacts.get(has_one.id).version == 2
    assert contacts.get(trashed.id, include_deleted=True).tags == []
    updates = contact_changes("update")
    assert [row.entity_id for row in updates] == [has_one.id, bare.id]
    assert len({row.batch_id for row in updates}) == 1
    assert json.loads(updates[1].before)["tags"] == [] and json.loads(updates[1].after)["tags"] == ["new", "VIP"]
    assert {c.id for c in contacts.iterate(text="new")} == {has_both.id, has_one.id, bare.id}


def test_add_tags_creates_missing_tags_in_the_same_batch(db, make_contact):
    anna = make_contact(first_name="Anna")
    contacts.add_tags([anna.id], ["Fresh"])
    rows = list(Change.select().order_by(Change.id))[-2:]
    assert [(row.entity, row.action) for row in rows] == [("tag", "create"), ("contact", "update")]
    assert rows[0].batch_id == rows[1].batch_id


def test_remove_tags_takes_them_off_and_ignores_unknown_names(db, make_contact):
    a = make_contact(first_name="A", tags=["old", "keep"])
    b = make_contact(first_name="B", tags=["keep"])
    assert contacts.remove_tags([a.id, b.id], ["OLD", "never-seen"]) == 1
    assert contacts.get(a.id).tags == ["keep"] and contacts.get(b.id).version == 1
    assert contacts.count(tag="old") == 0 and contacts.count(text="old") == 0
    assert contacts.remove_tags([a.id], ["never-seen"]) == 0
    assert [row.entity_id for row in contact_changes("update")] == [a.id]


def test_bad_tag_names_are_refused_before_anything_is_written(db, make_contact):
    anna = make_contact(first_name="Anna")
    with pytest.raises(ValidationError):
        contacts.add_tags([anna.id], ["a,b"])
    assert contacts.get(anna.id).version == 1 and Tag.select().count() == 0


def test_delete_many_moves_live_contacts_to_the_trash_as_one_batch(db, make_contact):
    people = [make_contact(first_name=f"P{n}") for n in range(5)]
    contacts.delete(people[0].id)
    assert contacts.delete_many(p.id for p in people) == 4
    assert contacts.count() == 0 and contacts.count(trash=True) == 5
    deletes = contact_changes("delete")
    assert len(deletes) == 5 and len({row.batch_id for row in deletes[1:]}) == 1
    assert deletes[0].batch_id != deletes[1].batch_id
    assert contacts.restore_many([p.id for p in people[:2]]) == 2 and contacts.count() == 2


def test_purge_removes_a_trashed_contact_and_its_rows_for_good(db, make_contact):
    ada = make_contact(first_name="Ada", emails=["ada@example.org"], phones=["+44 20 7946 0018"], tags=["vip"])
    note = Activity.create(kind="note", subject="met Ada", contact=ada.id)
    with pytest.raises(NotFoundError, match="not in the trash"):
        contacts.purge(ada.id)
    contacts.delete(ada.id)
    contacts.purge(ada.id)
    with pytest.raises(NotFoundError):
        contacts.get(ada.id, include_deleted=True)
    assert ContactEmail.select().count() == ContactPhone.select().count() == ContactTag.select().count() == 0
    assert Activity.get_by_id(note.id).contact_id is None
    [purge] = contact_changes("purge")
    assert purge.after is None and json.loads(purge.before)["emails"] == ["ada@example.org"]


def test_purge_of_a_company_leaves_its_contacts_without_one(db, make_contact):
    anna = make_contact(first_name="Anna", company="Gone BV")
    companies.delete(anna.company_id)
    companies.purge(anna.company_id)
    assert Company.select().count() == 0
    kept = contacts.get(anna.id)
    assert kept.company_id is None and kept.company is None
    assert [c.id for c in contacts.iterate(sort="company")] == [anna.id]
    assert search_index.search_all("gone") == []
    [purge] = Change.select().where(Change.action == "purge")
    assert (purge.entity, json.loads(purge.before)["name"]) == ("company", "Gone BV")
    with pytest.raises(NotFoundError):
        companies.purge(anna.company_id or 12345)
