"""Keyset pages of contacts in every sort order, forwards and backwards, with tag and text filters."""

from __future__ import annotations

import functools

import pytest

from crm_tui.core import contacts, records, search_index
from crm_tui.core.contacts import listing as contact_list
from crm_tui.core.contacts.service import NO_COMPANY_SORT, ContactDraft
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


@pytest.mark.parametrize("plan", sorted(search_index.FILTER_PLANS))
def test_every_search_plan_gives_the_same_pages(db, make_contact, monkeypatch, plan):
    for number in range(60):
        make_contact(first_name=f"Anna {number:02d}", last_name="Berg" if number % 3 else "Stein")
    make_contact(first_name="Zoe", last_name="Berg")
    expected = [c.name for c in contacts.iterate(text="berg")]
    assert len(expected) == 41
    monkeypatch.setattr(search_index, "filter_plans", lambda match: [plan])
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
    monkeypatch.setattr(search_index, "SOME_MATCHES", 1)
    monkeypatch.setattr(search_index, "FEW_MATCHES", 2)
    monkeypatch.setattr(search_index, "WALK", ("walk", -1.0))
    monkeypatch.setattr(search_index, "QUICK_PROBE", ("probe", -1.0))
    monkeypatch.setattr(search_index, "PROGRESS_CHECK_STEPS", 1)
    tried = []
    real_sql = search_index.contact_filter_sql

    def recording_sql(id_column, plan="lookup"):
        tried.append(plan)
        return real_sql(id_column, plan)

    monkeypatch.setattr(search_index, "contact_filter_sql", recording_sql)
    page = contacts.list_page(limit=10, text="berg")
    assert [c.name for c in page.items] == [f"Person {n:02d} Berg" for n in range(10)]
    assert tried == ["walk", "probe", "lookup"]


@pytest.mark.parametrize("sort", contacts.SORTS)
def test_page_keys_are_the_cursors_of_their_rows(hundred_twenty, sort):
    expected = expected_order(hundred_twenty, sort)
    page = contacts.list_page(sort, limit=50)
    assert len(page.keys) == 50 and page.keys[-1] == page.next_cursor
    for position in (0, 17, 48):
        after = contacts.list_page(sort, after=page.keys[position], limit=1)
        assert [c.id for c in after.items] == [expected[position + 1]]
    last = contacts.list_page(sort, limit=30, backwards=True)
    assert [key[-1] for key in last.keys] == [c.id for c in last.items] == expected[-30:]
    assert last.keys[0] == last.next_cursor


@pytest.mark.parametrize("sort", contacts.SORTS)
def test_offset_jumps_to_the_same_rows_that_walking_reaches(hundred_twenty, sort):
    expected = expected_order(hundred_twenty, sort)
    for offset in (0, 7, 50, 115, 120, 500):
        page = contacts.list_page(sort, limit=10, offset=offset)
        assert [c.id for c in page.items] == expected[offset:offset + 10]
    from_end = contacts.list_page(sort, limit=10, offset=5, backwards=True)
    assert [c.id for c in from_end.items] == expected[-15:-5]
    cursor = contacts.list_page(sort, limit=10).keys[9]
    assert [c.id for c in contacts.list_page(sort, after=cursor, limit=5, offset=3).items] == expected[13:18]


@pytest.mark.parametrize("plan", sorted(search_index.FILTER_PLANS))
def test_offset_with_tag_and_text_filters_in_every_search_plan(hundred_twenty, monkeypatch, plan):
    monkeypatch.setattr(search_index, "filter_plans", lambda match: [plan])
    odd_walrus = [c for c in hundred_twenty if c.tags == ["odd"] and c.notes == "Walrus"]
    expected = expected_order(odd_walrus, "name")
    page = contacts.list_page("name", limit=6, offset=8, tag="odd", text="walrus")
    assert [c.id for c in page.items] == expected[8:14]
    back = contacts.list_page("name", limit=6, offset=2, tag="odd", text="walrus", backwards=True)
    assert [c.id for c in back.items] == expected[-8:-2]


def test_company_filter_lists_the_people_at_one_company(hundred_twenty):
    acme_id = next(c.company_id for c in hundred_twenty if c.company and fold(c.company) == "acme")
    at_acme = [c for c in hundred_twenty if c.company_id == acme_id]
    assert contacts.count(company_id=acme_id) == len(at_acme) > 0
    assert [c.id for c in contacts.iterate("name", company_id=acme_id)] == expected_order(at_acme, "name")
    both = [c for c in at_acme if c.tags == ["even"]]
    assert [c.id for c in contacts.list_page("name", tag="even", company_id=acme_id).items] == expected_order(
        both, "name")
    assert sorted(contacts.ids(company_id=acme_id)) == sorted(c.id for c in at_acme)


def test_ids_streams_every_matching_id_a_page_at_a_time(hundred_twenty, monkeypatch):
    monkeypatch.setattr(contact_list, "iterate_ids", functools.partial(records.iterate_ids, page_size=7))
    assert list(contacts.ids()) == sorted(c.id for c in hundred_twenty)
    walrus = [c for c in hundred_twenty if c.notes == "Walrus"]
    assert list(contacts.ids(text="walrus")) == sorted(c.id for c in walrus)
    assert list(contacts.ids(tag="odd", text="walrus")) == sorted(c.id for c in walrus if c.tags == ["odd"])
    assert list(contacts.ids(trash=True)) == []


@pytest.mark.parametrize("sort", contacts.SORTS)
def test_neighbours_in_list_order_and_none_past_either_end(hundred_twenty, sort):
    expected = expected_order(hundred_twenty, sort)
    assert contacts.neighbour(expected[0], -1, sort) is None
    assert contacts.neighbour(expected[-1], 1, sort) is None
    assert contacts.neighbour(expected[0], 1, sort) == expected[1]
    assert contacts.neighbour(expected[60], -1, sort) == expected[59]
    assert contacts.neighbour(expected[60], 3, sort) == expected[63]


def test_neighbours_respect_filters(hundred_twenty):
    even = expected_order([c for c in hundred_twenty if c.tags == ["even"]], "company")
    assert contacts.neighbour(even[0], 1, "company", tag="even") == even[1]
    assert contacts.neighbour(even[-1], 1, "company", tag="even") is None
    walrus = expected_order([c for c in hundred_twenty if c.notes == "Walrus"], "updated")
    assert contacts.neighbour(walrus[5], -1, "updated", text="walrus") == walrus[4]
    assert contacts.neighbour(walrus[0], -1, "updated", text="walrus") is None


def test_neighbour_of_a_missing_contact_or_a_zero_step_is_an_error(hundred_twenty):
    from crm_tui.core.errors import NotFoundError, ValidationError

    with pytest.raises(NotFoundError):
        contacts.neighbour(99_999, 1)
    with pytest.raises(ValidationError):
        contacts.neighbour(hundred_twenty[0].id, 0)
    with pytest.raises(ValidationError):
        contacts.list_page(offset=-1)
