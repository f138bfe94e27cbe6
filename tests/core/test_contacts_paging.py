"""Keyset pages of contacts in every sort order, forwards and backwards, with tag and text filters."""

from __future__ import annotations

import pytest

from crm_tui.core import contacts, search
from crm_tui.core.contacts import NO_COMPANY_SORT, ContactDraft
from crm_tui.core.db import close_database, open_database
from crm_tui.core.text import fold

FIRST = ("Anna", "émile", "Zoë", "Björn", "anna", "Ångström", "李", "Omar", "van", "ZACH", "Élodie", "bob")
LAST = ("de Vries", "Müller", "O'Brien", "Zola", "王", "müller", "Smith", "", "Ørsted", "Adams")
COMPANIES = ("", "Acme", "acme", "Zeta GmbH", "Äpfel AG", "华信", "")


@pytest.fixture(scope="module")
def paging_database(tmp_path_factory):
    """120 contacts with repeated, accented and mixed-case names, some without company; a few edited later.

    Built once for the module (the tests only read), then reopened for each test.
    """
    path = tmp_path_factory.mktemp("paging") / "crm.sqlite3"
    open_database(path)
    made = []
    for i in range(120):
        draft = ContactDraft(
            first_name=FIRST[i % len(FIRST)], last_name=LAST[(i * 7) % len(LAST)],
            company=COMPANIES[(i * 5) % len(COMPANIES)], tags=["even"] if i % 2 == 0 else ["odd"],
            notes="Walrus" if i % 3 == 0 else "",
        )
        made.append(contacts.create(draft))
    for contact in made[::17]:
        contacts.update(contact.id, contact.version, title="edited later")
    stored = [contacts.get(c.id) for c in made]
    close_database()
    return path, stored


@pytest.fixture
def hundred_twenty(paging_database):
    path, stored = paging_database
    open_database(path)
    yield stored
    close_database()


def expected_order(items: list[contacts.ContactData], sort: str) -> list[int]:
    if sort == "name":
        key = lambda c: (fold(c.name), c.id)  # noqa: E731
    elif sort == "company":
        key = lambda c: (fold(c.company) if c.company else NO_COMPANY_SORT, fold(c.name), c.id)  # noqa: E731
    else:
        return [c.id for c in sorted(items, key=lambda c: (c.updated_at, c.id), reverse=True)]
    return [c.id for c in sorted(items, key=key)]


def walk_forwards(sort: str, limit: int = 50, **filters) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = contacts.list_page(sort, after=cursor, limit=limit, **filters)
        pages.append([c.id for c in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", contacts.SORTS)
def test_forward_pages_visit_every_contact_once_in_sort_order(hundred_twenty, sort):
    pages = walk_forwards(sort)
    assert [len(page) for page in pages] == [50, 50, 20]
    visited = [contact_id for page in pages for contact_id in page]
    assert len(set(visited)) == 120
    assert visited == expected_order(hundred_twenty, sort)


@pytest.mark.parametrize("sort", contacts.SORTS)
def test_backwards_from_nothing_gives_the_last_page_and_keeps_going_back(hundred_twenty, sort):
    expected = expected_order(hundred_twenty, sort)
    last = contacts.list_page(sort, after=None, limit=50, backwards=True)
    assert [c.id for c in last.items] == expected[-50:]
    before = contacts.list_page(sort, after=last.next_cursor, limit=50, backwards=True)
    assert [c.id for c in before.items] == expected[-100:-50]
    first = contacts.list_page(sort, after=before.next_cursor, limit=50, backwards=True)
    assert [c.id for c in first.items] == expected[:20]
    assert first.next_cursor is None


def test_exact_multiple_of_the_page_size_visits_each_contact_once(hundred_twenty):
    pages = walk_forwards("name", limit=60)
    assert [len(page) for page in pages] in ([60, 60], [60, 60, 0])
    assert [i for page in pages for i in page] == expected_order(hundred_twenty, "name")


def test_iterate_streams_everything_or_the_first_n(hundred_twenty):
    assert [c.id for c in contacts.iterate("company")] == expected_order(hundred_twenty, "company")
    assert [c.id for c in contacts.iterate("name", limit=7)] == expected_order(hundred_twenty, "name")[:7]


def test_tag_filter_is_case_and_accent_insensitive_and_matches_count(hundred_twenty):
    even = [c for c in hundred_twenty if c.tags == ["even"]]
    assert contacts.count(tag="even") == len(even) == 60
    assert contacts.count(tag="EVEN") == 60
    visited = [i for page in walk_forwards("name", limit=25, tag="Even") for i in page]
    assert visited == expected_order(even, "name")
    assert contacts.count(tag="no-such-tag") == 0
    assert contacts.list_page(tag="no-such-tag").items == []


def test_text_filter_pages_and_count_agree(hundred_twenty):
    walrus = [c for c in hundred_twenty if c.notes == "Walrus"]
    assert contacts.count(text="walr") == len(walrus) == 40
    visited = [i for page in walk_forwards("updated", limit=15, text="WALRUS") for i in page]
    assert visited == expected_order(walrus, "updated")
    mullers = [c for c in hundred_twenty if "muller" in fold(c.name)]
    assert contacts.count(text="Muller") == len(mullers) > 0
    assert {c.id for c in contacts.iterate(text="muller")} == {c.id for c in mullers}


def test_tag_and_text_filters_combine(hundred_twenty):
    both = [c for c in hundred_twenty if c.tags == ["odd"] and c.notes == "Walrus"]
    assert contacts.count(tag="odd", text="walrus") == len(both) == 20
    assert [c.id for c in contacts.iterate("company", tag="odd", text="walrus")] == expected_order(both, "company")


def test_empty_text_means_no_filter(hundred_twenty):
    assert contacts.count(text="") == contacts.count(text=" ?! ") == 120


def test_unknown_sort_is_a_validation_error(db):
    from crm_tui.core.errors import ValidationError

    with pytest.raises(ValidationError) as raised:
        contacts.list_page("shoe size")
    assert raised.value.errors[0].field == "sort"


@pytest.mark.parametrize("sort", contacts.SORTS)
def test_backwards_on_an_empty_list_gives_an_empty_page(db, sort):
    page = contacts.list_page(sort, after=None, limit=50, backwards=True)
    assert page.items == [] and page.next_cursor is None


@pytest.mark.parametrize("plan", sorted(search.FILTER_PLANS))
def test_every_search_plan_gives_the_same_pages(db, make_contact, monkeypatch, plan):
    for number in range(60):
        make_contact(first_name=f"Anna {number:02d}", last_name="Berg" if number % 3 else "Stein")
    make_contact(first_name="Zoe", last_name="Berg")
    expected = [c.name for c in contacts.iterate(text="berg")]
    assert len(expected) == 41
    monkeypatch.setattr(search, "filter_plans", lambda match: [plan])
    names, cursor = [], None
    while True:
        page = contacts.list_page(after=cursor, limit=7, text="berg")
        names += [c.name for c in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert names == expected


def test_a_plan_over_its_time_budget_gives_way_to_the_next(db, make_contact, monkeypatch):
    for number in range(30):
        make_contact(first_name=f"Person {number:02d}", last_name="Berg")
    monkeypatch.setattr(search, "FEW_MATCHES", 1)
    monkeypatch.setattr(search, "MANY_MATCHES", 2)
    monkeypatch.setattr(search, "PLAN_BUDGET_SECONDS", -1.0)
    monkeypatch.setattr(search, "PROGRESS_CHECK_STEPS", 1)
    tried = []
    real_sql = search.contact_filter_sql

    def recording_sql(id_column, plan="lookup"):
        tried.append(plan)
        return real_sql(id_column, plan)

    monkeypatch.setattr(search, "contact_filter_sql", recording_sql)
    page = contacts.list_page(limit=10, text="berg")
    assert [c.name for c in page.items] == [f"Person {n:02d} Berg" for n in range(10)]
    assert tried == ["probe", "walk"]
