"""Undo: each kind of change taken back, batches as one, conflicts refused whole, a stack that outlives a restart."""

from __future__ import annotations

import sqlite3

import pytest

from crm_tui.core import companies, contacts, records, search_index
from crm_tui.core.audit import undo
from crm_tui.core.contacts import tags
from crm_tui.core.contacts.service import ContactDraft
from crm_tui.core.db import close_database, open_database
from crm_tui.core.errors import CannotUndoError, ConflictError, NotFoundError, NothingToUndoError
from crm_tui.core.models import Change, Company, Contact, ContactEmail, ContactPhone, ContactTag, Tag, database


def everything() -> dict:
    """Every row a user's data lives in, to show that a refused undo changed nothing at all."""
    return {model.__name__: list(model.select().order_by(*model._meta.sorted_fields[:2]).tuples())
            for model in (Contact, Company, ContactEmail, ContactPhone, Tag, ContactTag, Change)}


def draft_fields(contact: contacts.ContactData) -> dict:
    draft = contact.to_draft()
    return {name: getattr(draft, name) for name in draft.__dataclass_fields__}


def test_nothing_to_undo_on_a_new_database(db):
    with pytest.raises(NothingToUndoError, match="nothing to undo"):
        undo.undo_last()


def test_undo_create_moves_the_contact_and_what_it_brought_to_the_trash(db):
    ada = contacts.create(ContactDraft(first_name="Ada", last_name="Lovelace", company="Analytical Engines"))
    assert undo.undo_last() == "Undid: added contact 'Ada Lovelace'"
    assert contacts.get(ada.id, include_deleted=True).deleted_at is not None
    assert companies.get(ada.company_id, include_deleted=True).deleted_at is not None
    assert contacts.count() == 0 and companies.count() == 0
    assert search_index.search_all("lovelace") == []
    [original] = Change.select().where(Change.action == "create", Change.entity == "contact")
    undo_rows = list(Change.select().where(Change.undoes.is_null(False)))
    assert {row.undoes for row in undo_rows} == {original.batch_id}
    assert len({row.batch_id for row in undo_rows}) == 1 and undo_rows[0].batch_id != original.batch_id
    assert [(row.entity, row.action) for row in undo_rows] == [
        ("contact", "delete"), ("company", "delete"), ("change", "undo")]
    with pytest.raises(NothingToUndoError):
        undo.undo_last()


def test_undo_update_puts_back_fields_lists_tags_and_the_same_company(db, make_contact):
    ada = make_contact(first_name="Ada", last_name="Lovelace", company="Analytical Engines", title="Countess",
                       emails=["ada@engines.example"], phones=["+44 20 7946 0018"], tags=["math", "VIP"],
                       custom={"pen name": "A.A.L."})
    edited = contacts.update(ada.id, ada.version, first_name="Augusta", company="Babbage & Co", title="",
                             emails=["new@babbage.example", "second@babbage.example"], phones=[], tags=["poetry"],
                             custom={})
    assert undo.undo_last() == "Undid: edited contact 'Augusta Lovelace'"
    back = contacts.get(ada.id)
    assert draft_fields(back) == draft_fields(ada)
    assert back.company_id == ada.company_id and back.version == edited.version + 1
    assert companies.get(edited.company_id, include_deleted=True).deleted_at is not None
    assert [c.id for c in contacts.iterate(text="ada engines")] == [ada.id]
    assert contacts.count(text="babbage") == contacts.count(text="poetry") == 0
    assert contacts.list_page("company").items[0].company == "Analytical Engines"


def test_undo_delete_restores_and_undo_restore_trashes_again(db, make_contact):
    ada = make_contact(first_name="Ada")
    contacts.delete(ada.id)
    contacts.restore(ada.id)
    assert undo.undo_last() == "Undid: restored contact 'Ada' from the trash"
    assert contacts.count(trash=True) == 1
    assert undo.undo_last() == "Undid: moved contact 'Ada' to the trash"
    assert contacts.get(ada.id).deleted_at is None and search_index.search_all("ada")[0].id == ada.id


def test_company_update_and_delete_are_undone_and_contacts_follow(db, make_contact):
    anna = make_contact(first_name="Anna", company="Acme")
    company = companies.get(anna.company_id)
    companies.update(company.id, company.version, name="Acme Holding", domain="acme.example")
    companies.delete(company.id)
    assert undo.undo_last() == "Undid: moved company 'Acme Holding' to the trash"
    assert contacts.get(anna.id).company == "Acme Holding"
    assert undo.undo_last() == "Undid: edited company 'Acme Holding'"
    restored = companies.get(company.id)
    assert (restored.name, restored.domain) == ("Acme", "")
    assert contacts.get(anna.id).company == "Acme" and [c.id for c in contacts.iterate(text="acme")] == [anna.id]


def test_tag_rename_and_delete_are_undone(db, make_contact):
    a = make_contact(first_name="A", tags=["prospect", "kept"])
    b = make_contact(first_name="B", tags=["Prospect"])
    tag_id = Tag.get(Tag.name_key == "prospect").id
    tags.rename("prospect", "Kunde")
    tags.delete("kunde")
    assert undo.undo_last() == "Undid: deleted tag 'Kunde'"
    assert contacts.get(a.id).tags == ["kept", "Kunde"] and contacts.get(b.id).tags == ["Kunde"]
    assert Tag.get(Tag.name_key == "kunde").id == tag_id
    assert {c.id for c in contacts.iterate(text="kunde")} == {a.id, b.id}
    assert undo.undo_last() == "Undid: renamed tag 'prospect' to 'Kunde'"
    assert contacts.count(tag="prospect") == 2 and contacts.count(tag="kunde") == 0


def test_a_deleted_tag_comes_back_onto_a_tag_of_that_name_made_since(db, make_contact):
    old = make_contact(first_name="Old", tags=["gold"])
    tags.delete("gold")
    make_contact(first_name="New", tags=["Gold"])
    assert undo.undo_last() == "Undid: added contact 'New'"
    assert undo.undo_last() == "Undid: deleted tag 'gold'"
    assert contacts.get(old.id).tags == ["Gold"] and Tag.select().count() == 1


def test_bulk_tagging_and_bulk_trash_are_one_undo_each(db, make_contact):
    people = [make_contact(first_name=f"P{n:02d}", tags=["old"] if n % 2 else []) for n in range(12)]
    ids = [p.id for p in people]
    assert contacts.add_tags(ids, ["vip", "new"]) == 12
    assert contacts.remove_tags(ids, ["old"]) == 6
    assert contacts.delete_many(ids[:5]) == 5
    assert undo.undo_last() == "Undid: moved 5 contacts to the trash"
    assert contacts.count() == 12
    assert undo.undo_last() == "Undid: edited 6 contacts"
    assert contacts.count(tag="old") == 6
    assert undo.undo_last() == "Undid: edited 12 contacts"
    assert [draft_fields(c) for c in contacts.get_many(ids)] == [draft_fields(p) for p in people]
    assert contacts.count(tag="vip") == 0 and contacts.count(text="vip") == 0


def test_a_thousand_contacts_edited_at_once_are_undone_at_once(db):
    from crm_tui.core.contacts import bulk
    from crm_tui.core.records import new_batch_id

    bulk.create_contacts((ContactDraft(first_name=f"Person {n}", tags=["a"]) for n in range(1000)), new_batch_id())
    ids = list(contacts.ids())
    assert contacts.add_tags(ids, ["b"]) == 1000
    assert undo.undo_last() == "Undid: edited 1,000 contacts"
    assert contacts.count(tag="b") == 0 and contacts.count(tag="a") == 1000


def test_undo_again_walks_back_through_history(db, make_contact):
    ada = make_contact(first_name="Ada", company="Engines")
    contacts.update(ada.id, ada.version, last_name="Lovelace")
    assert undo.undo_last() == "Undid: edited contact 'Ada Lovelace'"
    assert undo.undo_last() == "Undid: added contact 'Ada'"
    assert contacts.count() == 0 and contacts.count(trash=True) == 1
    with pytest.raises(NothingToUndoError):
        undo.undo_last()


def test_an_edit_made_behind_the_history_s_back_is_a_conflict_and_nothing_changes(db, make_contact):
    ada = make_contact(first_name="Ada")
    contacts.update(ada.id, ada.version, notes="from the app")
    database.execute_sql("UPDATE contact SET notes = 'from another program', version = version + 1")
    before = everything()
    with pytest.raises(ConflictError, match="contact 'Ada' was changed since"):
        undo.undo_last()
    assert everything() == before


def test_a_tag_name_taken_again_since_is_a_conflict_and_nothing_changes(db, make_contact):
    make_contact(first_name="Ada", tags=["gold"])
    tags.rename("gold", "premium")
    make_contact(first_name="Ben", tags=["Gold"])
    undo.undo_last()
    before = everything()
    with pytest.raises(ConflictError, match="a tag 'Gold' exists again"):
        undo.undo_last()
    assert everything() == before


def test_the_undo_stack_survives_closing_and_reopening_the_database(tmp_path):
    path = tmp_path / "crm.sqlite3"
    open_database(path)
    ada = contacts.create(ContactDraft(first_name="Ada"))
    contacts.update(ada.id, ada.version, last_name="Lovelace")
    undo.undo_last()
    close_database()
    open_database(path)
    try:
        assert undo.undo_last() == "Undid: added contact 'Ada'"
        with pytest.raises(NothingToUndoError):
            undo.undo_last()
    finally:
        close_database()


def test_a_purge_is_final_and_undo_passes_over_it_to_older_changes(db, make_contact):
    bob = make_contact(first_name="Bob")
    ada = make_contact(first_name="Ada")
    contacts.delete(ada.id)
    contacts.purge(ada.id)
    contacts.update(bob.id, bob.version, last_name="Builder")
    assert undo.undo_last() == "Undid: edited contact 'Bob Builder'"
    assert undo.undo_last() == "Undid: added contact 'Bob'"
    assert contacts.get(bob.id, include_deleted=True).deleted_at is not None
    with pytest.raises(NothingToUndoError):
        undo.undo_last()
    with pytest.raises(NotFoundError):
        contacts.get(ada.id, include_deleted=True)


def test_a_batch_larger_than_undo_takes_is_refused_with_its_size(db, monkeypatch):
    from crm_tui.core.contacts import bulk

    monkeypatch.setattr(records, "MAX_UNDO_CHANGES", 3)
    bulk.create_contacts([ContactDraft(first_name=f"P{n}") for n in range(4)], "load-1")
    with pytest.raises(CannotUndoError, match=r"covers 4 records .*batch load-1"):
        undo.undo_last()
    assert contacts.count() == 4


def test_changes_without_a_batch_are_undone_one_at_a_time(tmp_path):
    path = tmp_path / "old.sqlite3"
    open_database(path)
    first = contacts.create(ContactDraft(first_name="First"))
    second = contacts.create(ContactDraft(first_name="Second"))
    close_database()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE change SET batch_id = NULL")
    conn.commit()
    conn.close()
    open_database(path)
    try:
        assert undo.undo_last() == "Undid: added contact 'Second'"
        created = Change.get((Change.entity == "contact") & (Change.entity_id == second.id))
        assert Change.select().where(Change.undoes == f"change:{created.id}").count() == 2
        assert undo.undo_last() == "Undid: added contact 'First'"
        assert contacts.count() == 0 and contacts.get(first.id, include_deleted=True).deleted_at is not None
    finally:
        close_database()
