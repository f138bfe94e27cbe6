"""The contacts list filtered by a saved search (`pinned`): the same contacts however the set is read."""

from __future__ import annotations

import pytest

from crm_tui.core import contacts
from crm_tui.core.contacts import listing as contact_list

QUERIES = ("tag:vip", "tag:vip berlin", "berl", "company:acme -berlin", '"key account"', "tag:vip -hamburg",
           "berlin stage:won", "is:overdue")


@pytest.fixture
def people(db, make_contact):
    """24 contacts: every third a VIP, Berlin and Hamburg in turns, some at Acme, a few key accounts, one trashed."""
    made = []
    for i in range(24):
        made.append(make_contact(
            first_name=f"Person{i:02d}", last_name=("Zed", "Adams", "Mayer")[i % 3],
            company="Acme" if i % 4 == 0 else "Globex", tags=["vip"] if i % 3 == 0 else [],
            notes=("Berlin" if i % 2 == 0 else "Hamburg") + (" key account" if i % 5 == 0 else ""),
        ))
    contacts.delete_many([made[6].id])
    return made


def expected(people, query: str) -> list[int]:
    """The live contacts a query keeps, worked out in Python from how the fixture made them."""
    keep = {
        "tag:vip": lambda i: i % 3 == 0,
        "tag:vip berlin": lambda i: i % 3 == 0 and i % 2 == 0,
        "berl": lambda i: i % 2 == 0,
        "company:acme -berlin": lambda i: i % 4 == 0 and i % 2 == 1,
        '"key account"': lambda i: i % 5 == 0,
        "tag:vip -hamburg": lambda i: i % 3 == 0 and i % 2 == 0,
        "berlin stage:won": lambda i: i % 2 == 0,  # the deal operator is not the contact part
        "is:overdue": lambda i: False,  # nothing about contacts: no contact
    }[query]
    return sorted(contact.id for i, contact in enumerate(people) if keep(i) and i != 6)


def by_name(people, ids: list[int]) -> list[int]:
    """`ids` in the order of the unfiltered list by name."""
    wanted = set(ids)
    return [contact.id for contact in contact_list.iterate("name") if contact.id in wanted]


@pytest.mark.parametrize("lookup_below", [3_000, 1], ids=["looked-up", "walked"])
@pytest.mark.parametrize("query", QUERIES)
def test_pinned_search_keeps_its_contacts_in_every_read(people, monkeypatch, query, lookup_below):
    monkeypatch.setattr(contact_list, "PINNED_LOOKUP", lookup_below)
    wanted = expected(people, query)

    pages, cursor = [], None
    while True:
        page = contact_list.list_page("name", cursor, 4, pinned=query)
        pages += [contact.id for contact in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == by_name(people, wanted)
    assert contact_list.count(pinned=query) == len(wanted)
    assert list(contact_list.ids(pinned=query)) == wanted
    last = contact_list.list_page("name", None, 3, pinned=query, backwards=True)
    assert [contact.id for contact in last.items] == by_name(people, wanted)[-3:]


@pytest.mark.parametrize("lookup_below", [3_000, 1], ids=["looked-up", "walked"])
def test_pinned_search_combines_with_the_typed_filter_and_walks_neighbours(people, monkeypatch, lookup_below):
    monkeypatch.setattr(contact_list, "PINNED_LOOKUP", lookup_below)
    vip_in_berlin = expected(people, "tag:vip berlin")
    at_acme = [contact.id for contact in people if contact.id in vip_in_berlin and contact.company == "Acme"]
    page = contact_list.list_page("name", None, 50, text="acme", pinned="tag:vip berlin")
    assert sorted(contact.id for contact in page.items) == sorted(at_acme)
    assert contact_list.count(text="acme", pinned="tag:vip berlin") == len(at_acme)

    ordered = by_name(people, vip_in_berlin)
    assert contact_list.neighbour(ordered[0], 1, "name", pinned="tag:vip berlin") == ordered[1]
    assert contact_list.neighbour(ordered[-1], 1, "name", pinned="tag:vip berlin") is None


def test_a_long_word_is_walked_through_the_built_set(people, monkeypatch):
    """Words over the prefix index's length cannot be asked row by row cheaply; the set is built instead."""
    monkeypatch.setattr(contact_list, "PINNED_LOOKUP", 1)
    condition, _params, looked_up = contact_list._pinned_condition("hamburg")
    assert condition.startswith("+c.id IN") and not looked_up
    page = contact_list.list_page("updated", None, 50, pinned="hamburg")
    assert sorted(contact.id for contact in page.items) == sorted(
        contact.id for i, contact in enumerate(people) if i % 2 == 1)
