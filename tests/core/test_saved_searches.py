"""Saved searches: names unique in any case, replacing a query, deleting, pinning; never in the audit log."""

from __future__ import annotations

import pytest

from crm_tui.core.errors import NotFoundError, ValidationError
from crm_tui.core.models import Change, SavedSearch
from crm_tui.core.search import saved as saved_searches


def test_a_saved_search_keeps_its_query_as_typed(db):
    saved = saved_searches.save("  VIPs  in   Berlin ", 'tag:vip "Berlin" -cancelled')
    assert (saved.name, saved.query, saved.pinned) == ("VIPs in Berlin", 'tag:vip "Berlin" -cancelled', False)
    assert saved_searches.get("vips in berlin") == saved
    assert saved_searches.get("VIPS IN BERLIN") == saved
    assert SavedSearch.get_by_id(saved.id).name_key == "vips in berlin"


def test_names_are_unique_in_any_case_and_accents(db):
    saved_searches.save("Émile's deals", "emile")
    for name in ("émile's deals", "EMILE'S DEALS", "Emile's  deals"):
        with pytest.raises(ValidationError) as raised:
            saved_searches.save(name, "other")
        assert [error.field for error in raised.value.errors] == ["name"]
        assert "already exists" in str(raised.value)
    assert [saved.query for saved in saved_searches.list_saved()] == ["emile"]


def test_replace_changes_the_query_and_keeps_the_name_and_pin(db):
    first = saved_searches.save("Hot leads", "stage:lead")
    saved_searches.set_pinned("hot leads", True)
    replaced = saved_searches.save("HOT LEADS", "stage:qualified is:won", replace=True)
    assert (replaced.id, replaced.name, replaced.query, replaced.pinned) == (
        first.id, "Hot leads", "stage:qualified is:won", True)
    assert replaced.created_at == first.created_at
    assert len(saved_searches.list_saved()) == 1


@pytest.mark.parametrize(("name", "query", "field"), [
    ("", "anna", "name"),
    ("   ", "anna", "name"),
    ("x" * 81, "anna", "name"),
    ("bad\x07name", "anna", "name"),
    ("ok", "", "query"),
    ("ok", "-anna", "query"),
    ("ok", '"" - *', "query"),
    ("ok", "a" * 1001, "query"),
])
def test_a_name_and_a_query_that_finds_something_are_required(db, name, query, field):
    with pytest.raises(ValidationError) as raised:
        saved_searches.save(name, query)
    assert [error.field for error in raised.value.errors] == [field]
    assert saved_searches.list_saved() == []


def test_a_name_of_eighty_characters_is_fine(db):
    assert saved_searches.save("n" * 80, "anna").name == "n" * 80


def test_list_is_by_name_and_pinned_lists_the_pinned_ones(db):
    for name in ("zeta", "Alpha", "émile", "Beta"):
        saved_searches.save(name, f"word{len(name)}")
    assert [saved.name for saved in saved_searches.list_saved()] == ["Alpha", "Beta", "émile", "zeta"]
    assert saved_searches.pinned() == []
    saved_searches.set_pinned("ZETA", True)
    saved_searches.set_pinned("alpha", True)
    assert [saved.name for saved in saved_searches.pinned()] == ["Alpha", "zeta"]
    assert saved_searches.set_pinned("alpha", False).pinned is False
    assert [saved.name for saved in saved_searches.pinned()] == ["zeta"]


def test_delete_and_unknown_names(db):
    saved_searches.save("Old", "anna")
    saved_searches.delete("OLD")
    assert saved_searches.list_saved() == []
    for call in (lambda: saved_searches.get("old"), lambda: saved_searches.delete("old"),
                 lambda: saved_searches.set_pinned("old", True)):
        with pytest.raises(NotFoundError, match="there is no saved search named 'old'"):
            call()


def test_saved_searches_are_not_in_the_audit_log(db):
    before = Change.select().count()
    saved_searches.save("Leads", "stage:lead")
    saved_searches.save("leads", "stage:qualified", replace=True)
    saved_searches.set_pinned("leads", True)
    saved_searches.delete("leads")
    assert Change.select().count() == before
