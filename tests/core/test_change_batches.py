"""Change batches: every Change row of one user action shares one batch id, so one undo reverts the action."""

from __future__ import annotations

import pytest

from crm_tui.core import companies, contacts
from crm_tui.core.contacts import bulk, tags
from crm_tui.core.contacts.service import ContactDraft
from crm_tui.core.models import Change
from crm_tui.core.records import change_batch, new_batch_id, record_change


def batches() -> list[tuple[str, str, str | None]]:
    return [(row.entity, row.action, row.batch_id) for row in Change.select().order_by(Change.id)]


def test_a_contact_that_brings_a_company_and_tags_is_one_batch(db):
    contacts.create(ContactDraft(first_name="Ada", company="Analytical Engines", tags=["vip", "math"]))
    rows = batches()
    assert [(entity, action) for entity, action, _ in rows] == [
        ("company", "create"), ("tag", "create"), ("tag", "create"), ("contact", "create")]
    assert len({batch for _, _, batch in rows}) == 1 and rows[0][2] is not None


def test_each_user_action_gets_a_batch_of_its_own(db, make_contact):
    ada = make_contact(first_name="Ada", tags=["vip"])
    ada = contacts.update(ada.id, ada.version, company="Babbage", tags=["vip", "new"])
    contacts.delete(ada.id)
    contacts.restore(ada.id)
    tags.rename("new", "fresh")
    tags.delete("fresh")
    company = companies.get(ada.company_id)
    companies.update(company.id, company.version, domain="babbage.example")
    companies.delete(company.id)
    companies.restore(company.id)
    by_batch: dict[str, list[tuple[str, str]]] = {}
    for entity, action, batch in batches():
        by_batch.setdefault(batch, []).append((entity, action))
    assert list(by_batch.values()) == [
        [("tag", "create"), ("contact", "create")],
        [("company", "create"), ("tag", "create"), ("contact", "update")],
        [("contact", "delete")], [("contact", "restore")], [("tag", "update")], [("tag", "delete")],
        [("company", "update")], [("company", "delete")], [("company", "restore")],
    ]


def test_writes_inside_change_batch_share_its_id_and_nesting_reuses_the_outer_batch(db, make_contact):
    with change_batch() as outer:
        first = make_contact(first_name="One")
        with change_batch() as inner:
            make_contact(first_name="Two")
        contacts.delete(first.id)
    assert inner == outer
    assert {batch for _, _, batch in batches()} == {outer}
    make_contact(first_name="Three")
    assert batches()[-1][2] not in (None, outer)


def test_an_explicit_batch_id_is_used_and_record_change_takes_the_open_batch(db):
    companies.create({"name": "Given"}, batch_id="import-1")
    with change_batch("mine") as batch:
        record_change("company", 1, "update", {"name": "a"}, {"name": "b"})
    assert batch == "mine"
    assert [batch for _, _, batch in batches()] == ["import-1", "mine"]


def test_bulk_loads_keep_their_batch_id_for_contacts_companies_and_tags(db):
    batch = new_batch_id()
    drafts = [ContactDraft(first_name="Émile", company="Charpentier", tags=["auteur"]),
              ContactDraft(first_name="Jürgen", company="Fischer", tags=["vip", "Auteur"])]
    bulk.create_contacts(drafts, batch)
    rows = batches()
    assert sorted((entity, action) for entity, action, _ in rows) == [
        ("company", "create"), ("company", "create"), ("contact", "create"), ("contact", "create"),
        ("tag", "create"), ("tag", "create")]
    assert {batch_id for _, _, batch_id in rows} == {batch}


def test_an_undo_batch_cannot_be_folded_into_another_batch(db):
    with change_batch():
        with pytest.raises(RuntimeError):
            with change_batch(undoes="some-batch"):
                pass
