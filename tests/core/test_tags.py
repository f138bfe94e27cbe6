"""Tags: one tag whatever the case or accents, renames and deletes that reach every contact."""

from __future__ import annotations

import json

import pytest

from crm_tui.core import contacts, search_index
from crm_tui.core.contacts import tags
from crm_tui.core.errors import NotFoundError, ValidationError
from crm_tui.core.models import Change, ContactTag, Tag


def test_case_and_accents_make_one_tag_and_the_first_spelling_wins(db, make_contact):
    a = make_contact(first_name="A", tags=["VIP", "Café"])
    b = make_contact(first_name="B", tags=["vip", "cafe"])
    c = make_contact(first_name="C", tags=["Vip"])
    assert Tag.select().count() == 2
    assert [(t.name, t.contacts_count) for t in tags.list_tags()] == [("Café", 2), ("VIP", 3)]
    assert b.tags == ["Café", "VIP"] and c.tags == ["VIP"]
    assert contacts.count(tag="vip") == contacts.count(tag="Vip") == 3
    assert {x.id for x in contacts.iterate(tag="CAFÉ")} == {a.id, b.id}
    assert Change.select().where(Change.entity == "tag").count() == 2


def test_clean_names_strip_squeeze_and_deduplicate_in_order():
    assert tags.clean_names(["  big   deal ", "Big Deal", "", "b", "B"]) == ["big deal", "b"]
    with pytest.raises(ValidationError):
        tags.clean_names(["a,b"])
    with pytest.raises(ValidationError):
        tags.clean_names(["x" * 61])


def test_list_tags_counts_live_contacts_only(db, make_contact):
    keep = make_contact(first_name="Keep", tags=["team"])
    gone = make_contact(first_name="Gone", tags=["team"])
    contacts.delete(gone.id)
    assert [(t.name, t.contacts_count) for t in tags.list_tags()] == [("team", 1)]
    assert [c.id for c in contacts.iterate(tag="team")] == [keep.id]


def test_rename_changes_the_tag_on_every_contact_and_in_search(db, make_contact):
    a = make_contact(first_name="A", tags=["prospect"])
    b = make_contact(first_name="B", tags=["Prospect", "other"])
    renamed = tags.rename("PROSPECT", "Kunde")
    assert (renamed.name, renamed.contacts_count) == ("Kunde", 2)
    assert contacts.get(a.id).tags == ["Kunde"]
    assert contacts.get(b.id).tags == ["Kunde", "other"]
    assert contacts.count(tag="kunde") == 2 and contacts.count(tag="prospect") == 0
    assert {h.id for h in search_index.search_all("kunde")} == {a.id, b.id}
    assert search_index.search_all("prospect") == []
    change = Change.select().where((Change.entity == "tag") & (Change.action == "update")).get()
    assert (json.loads(change.before), json.loads(change.after)) == ({"name": "prospect"}, {"name": "Kunde"})


def test_rename_to_another_spelling_of_itself_is_allowed(db, make_contact):
    make_contact(tags=["vip"])
    assert tags.rename("vip", "VIP").name == "VIP"
    assert [t.name for t in tags.list_tags()] == ["VIP"]


def test_rename_onto_an_existing_tag_or_to_nothing_is_refused(db, make_contact):
    make_contact(tags=["alpha", "beta"])
    with pytest.raises(ValidationError) as raised:
        tags.rename("alpha", "BETA")
    assert raised.value.errors[0].field == "name"
    with pytest.raises(ValidationError):
        tags.rename("alpha", "   ")
    with pytest.raises(NotFoundError):
        tags.rename("gamma", "delta")
    assert sorted(t.name for t in tags.list_tags()) == ["alpha", "beta"]


def test_delete_removes_the_tag_from_every_contact_and_logs_who_had_it(db, make_contact):
    a = make_contact(first_name="A", tags=["doomed", "kept"])
    b = make_contact(first_name="B", tags=["Doomed"])
    tags.delete("DOOMED")
    assert contacts.get(a.id).tags == ["kept"] and contacts.get(b.id).tags == []
    assert [t.name for t in tags.list_tags()] == ["kept"]
    assert ContactTag.select().count() == 1
    assert contacts.count(tag="doomed") == 0
    assert search_index.search_all("doomed") == []
    change = Change.select().where((Change.entity == "tag") & (Change.action == "delete")).get()
    assert json.loads(change.before) == {"name": "doomed", "contact_ids": [a.id, b.id]}
    with pytest.raises(NotFoundError):
        tags.delete("doomed")
