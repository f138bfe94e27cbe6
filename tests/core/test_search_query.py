"""The search query language: every operator, combined, exclusions, phrases, groups, trash, malformed queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from crm_tui.core import activities, companies, contacts, deals
from crm_tui.core.models import database
from crm_tui.core.search import query as search_query
from crm_tui.core.search.query import SearchQuery, parse, search, search_groups

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
def world(db, make_contact):
    anna = make_contact(first_name="Anna", last_name="Berg", company="Acme Corp", tags=["vip", "key account"],
                        emails=["anna@acme.example"])
    anneke = make_contact(first_name="Anneke", last_name="Jansen", company="Globex", tags=["vip-gold"])
    bob = make_contact(first_name="Bob", last_name="Stone", company="Acme Corp", tags=["press"],
                       notes="met anna at the fair")
    gone = make_contact(first_name="Annabel", last_name="Gone", company="Acme Corp", tags=["vip"])
    contacts.delete(gone.id)
    trashed_company = companies.create({"name": "Acme Trash Ltd"})
    companies.delete(trashed_company.id)
    acme = anna.company_id
    renewal = deals.create({"title": "Acme renewal", "company": "Acme Corp", "stage": "Proposal"})
    expansion = deals.create({"title": "Globex expansion", "company": "Globex", "stage": "Won"})
    side = deals.create({"title": "Anna side project", "stage": "Lost"})
    call = activities.create({"kind": "call", "subject": "Call Anna about renewal", "company_id": acme})
    meeting = activities.create({"kind": "meeting", "subject": "Year-end review", "company_id": acme})
    figures = activities.create({"kind": "email", "subject": "Figures", "body": "A review of the year, end of it"})
    note = activities.create({"kind": "note", "body": "Anna prefers email\nand short calls", "company_id": acme})
    day = timedelta(days=1)
    overdue = activities.create({"kind": "task", "subject": "Send proposal to Anna", "due_at": NOW - day})
    upcoming = activities.create({"kind": "task", "subject": "Prepare demo for Anna", "due_at": NOW + day})
    done = activities.create({"kind": "task", "subject": "Follow up with Anna", "due_at": NOW - 2 * day,
                              "done_at": NOW - day})
    trashed_call = activities.create({"kind": "call", "subject": "Call Anna again"})
    activities.delete(trashed_call.id)
    return SimpleNamespace(
        anna=("contact", anna.id), anneke=("contact", anneke.id), bob=("contact", bob.id),
        gone=("contact", gone.id), acme=("company", acme), globex=("company", anneke.company_id),
        renewal=("deal", renewal.id), expansion=("deal", expansion.id), side=("deal", side.id),
        call=("activity", call.id), meeting=("activity", meeting.id), figures=("activity", figures.id),
        note=("note", note.id), overdue=("activity", overdue.id), upcoming=("activity", upcoming.id),
        done=("activity", done.id), trashed_call=("activity", trashed_call.id),
    )


def found(text, now=NOW, limit=50) -> set[tuple[str, int]]:
    return {(hit.kind, hit.id) for hit in search(text, limit, now=now)}


def named(world, *names: str) -> set[tuple[str, int]]:
    return {getattr(world, name) for name in names}


@pytest.mark.parametrize(("query", "expected"), [
    ("tag:vip", ("anna",)),  # the tag named vip: not vip-gold, not the trashed Annabel
    ("TAG:VIP", ("anna",)),
    ("tag:vi", ("anna", "anneke")),  # no tag is named "vi": every tag starting with it
    ('tag:"key account"', ("anna",)),
    ('tag:"Key  Account"', ("anna",)),
    ("tag:nobody", ()),
    ("company:acme", ("acme", "anna", "bob", "renewal", "call", "meeting", "note")),
    ("company:glob", ("globex", "anneke", "expansion")),
    ('company:"acme corp"', ("acme", "anna", "bob", "renewal", "call", "meeting", "note")),
    ("stage:proposal", ("renewal",)),
    ("stage:pro", ("renewal",)),
    ("stage:won", ("expansion",)),
    ("stage:nothing", ()),
    ("is:won", ("expansion",)),
    ("is:lost", ("side",)),
    ("is:won is:lost", ("expansion", "side")),
    ("kind:call", ("call",)),
    ("kind:ca", ("call",)),
    ("kind:note", ("note",)),
    ("kind:call kind:meeting", ("call", "meeting")),
    ("kind:task", ("overdue", "upcoming", "done")),
    ("is:overdue", ("overdue",)),
    ("is:o", ("overdue",)),
])
def test_every_operator_selects_what_it_names(world, query, expected):
    assert found(query) == named(world, *expected)


@pytest.mark.parametrize(("query", "expected"), [
    ("tag:vip anna", ("anna",)),
    ("tag:vip bob", ()),
    ("company:acme bob", ("bob",)),
    ("company:acme anna", ("anna", "bob", "call", "note")),
    ("company:acme kind:call", ("call",)),
    ("company:acme stage:proposal", ("renewal",)),
    ("company:globex is:won", ("expansion",)),
    ("company:acme is:won", ()),
    ("company:acme is:overdue", ()),
    ("is:overdue anna", ("overdue",)),
    ("kind:task follow", ("done",)),
    ("company:acme tag:press", ("bob",)),
    ("tag:vip tag:press", ()),
    ("tag:vip stage:won", ()),
    ("kind:call is:won", ()),
    ("is:overdue kind:call", ()),
])
def test_operators_combine_and_narrow_the_kinds(world, query, expected):
    assert found(query) == named(world, *expected)


def test_words_search_every_kind_and_exclusions_leave_matches_out(world):
    assert found("anna") == named(world, "anna", "bob", "side", "call", "note", "overdue", "upcoming", "done")
    assert found("anna -berg") == named(world, "bob", "side", "call", "note", "overdue", "upcoming", "done")
    assert found('anna -"at the fair"') == named(world, "anna", "side", "call", "note", "overdue", "upcoming", "done")
    assert found("anna -renewal -proposal -demo -follow -side") == named(world, "anna", "bob", "note")
    assert found("anna -an") == set()
    assert found("tag:vip -berg") == set()
    assert found("kind:call -renewal") == set()
    assert found("company:acme -acme") == named(world, "call", "meeting", "note")  # their text names no Acme
    assert found("is:won -globex") == set()


def test_a_phrase_matches_its_words_in_order_and_words_in_any_order(world):
    assert found('"year end review"') == named(world, "meeting")
    assert found("year end review") == named(world, "meeting", "figures")
    assert found('"review year"') == set()
    assert found('"anna prefers"') == named(world, "note")


def test_hits_come_grouped_in_a_fixed_order_with_titles_and_details(world):
    hits = search("anna", now=NOW)
    kinds = [hit.kind for hit in hits]
    assert kinds == sorted(kinds, key=search_query.GROUPS.index)
    by_kind = {kind: [(hit.title, hit.detail) for hit in hits if hit.kind == kind] for kind in set(kinds)}
    assert by_kind["contact"] == [("Anna Berg", "anna@acme.example"), ("Bob Stone", "")]
    assert by_kind["deal"] == [("Anna side project", "Lost")]
    # no subject: the body's first line; the detail is the kind and whom it is about
    assert by_kind["note"] == [("Anna prefers email", "note · Acme Corp")]
    assert by_kind["activity"] == [("Follow up with Anna", "task"), ("Prepare demo for Anna", "task"),
                                   ("Send proposal to Anna", "task"), ("Call Anna about renewal", "call · Acme Corp")]


def test_each_group_holds_up_to_the_limit(world):
    hits = search("anna", 1, now=NOW)
    assert [hit.kind for hit in hits] == ["contact", "deal", "activity", "note"]
    assert search("anna", 0) == []


def test_trashed_records_never_show(world):
    assert found("annabel") == set()
    assert found("gone") == set()
    assert found("trash") == set()
    assert found("call again") == set()
    assert world.trashed_call not in found("kind:call")
    assert found("company:trash") == set()


def test_overdue_is_an_open_task_due_before_now(world):
    assert found("is:overdue", now=NOW) == named(world, "overdue")
    assert found("is:overdue", now=NOW + timedelta(days=2)) == named(world, "overdue", "upcoming")
    assert found("is:overdue", now=NOW - timedelta(days=3)) == set()
    ordered = [hit.id for hit in search("is:overdue", now=NOW + timedelta(days=2))]
    assert ordered == [world.upcoming[1], world.overdue[1]]  # the most recently due first


def test_nothing_positive_finds_nothing(world):
    for text in ("", "   ", "-anna", '-"anna berg"', "-tag:vip", "- -", '""', "*"):
        assert search(text) == [], text
        assert search_groups(text) == []


def test_groups_say_whether_they_are_complete(world):
    assert [(group.kind, group.complete) for group in search_groups("company:acme", now=NOW)] == [
        (kind, True) for kind in search_query.GROUPS]
    assert search_groups("company:acme", now=NOW, budget=60) == search_groups("company:acme", now=NOW)
    starved = search_groups("company:acme", now=NOW, budget=0)
    assert [group.kind for group in starved] == list(search_query.GROUPS)
    assert all(not group.complete and group.hits == () for group in starved)


@pytest.mark.parametrize("query", ["anna", "a", "an", "company:acme a", "kind:note a", "is:overdue a", "tag:vi a",
                                   "stage:pro a", "company:acme", "kind:call", "is:overdue", "company:acme -x",
                                   "kind:note -an", "stage:won -globex", "is:won", "company:acme is:won"])
def test_every_way_of_reading_a_group_gives_the_same_ids(world, monkeypatch, query):
    """The reads tried under a time budget must agree, or a slow machine would see other hits."""
    monkeypatch.setattr(search_query, "BROAD_MATCHES", 1)
    for group in parse(query).groups:
        plans = search_query._plans(group, parse(query), NOW, 50)
        results = {tuple(row[0] for row in database.execute_sql(plan.sql, plan.params)) for plan in plans or []}
        assert len(results) <= 1, (group, results)


MALFORMED = [
    # typed, what it is read as, the groups it searches
    ('"exact phr', "exact phr", search_query.GROUPS),
    ('tag:"key acc', "tag: key acc", search_query.GROUPS),
    ("tag:", "tag:", search_query.GROUPS),
    ('tag:""', "tag:", search_query.GROUPS),
    ("foo:bar", "foo:bar", search_query.GROUPS),
    ("is:nonsense", "is:nonsense", search_query.GROUPS),
    ("kind:x", "kind:x", search_query.GROUPS),
    ("company:&&", "company:&&", search_query.GROUPS),
    ('is:"a b"', 'is: "a b"', search_query.GROUPS),
    ("-", "", ()),
    ("- anna", "anna", search_query.GROUPS),
    ("-tag:vip", "-tag:vip", ()),
    ('-tag:"key account"', '-"key account"', ()),
    ("--x", "--x", ()),
    ('a"b c"d', 'a d "b c"', search_query.GROUPS),
    ("12:30 http://x.org", "12:30 http://x.org", search_query.GROUPS),
    ("Tag:VIP Is:Won", "tag:VIP is:won", ()),
    ("kind:c kind:call", "kind:call", ("activity",)),
    ("* & ()", "", ()),
]


@pytest.mark.parametrize(("typed", "read_as", "groups"), MALFORMED)
def test_malformed_queries_are_read_as_plain_words(world, typed, read_as, groups):
    query = parse(typed)
    assert str(query) == read_as
    assert query.groups == groups
    assert parse(str(query)) == query
    assert isinstance(search(typed), list)


def test_malformed_operators_search_their_words(world):
    assert found("anna:berg") == named(world, "anna")
    assert found("kind:anna") == set()  # the words kind and anna: nothing has both
    assert found('"anna berg') == named(world, "anna")


def test_the_query_says_what_it_understood():
    query = parse('ann "key account" -x tag:vip company:acme')
    assert query == SearchQuery(words=("ann",), phrases=("key account",), excluded=("x",), tags=("vip",),
                                companies=("acme",))
    assert query.describe() == 'contacts: matching ann "key account"; without x; tagged vip; at a company matching acme'
    assert parse("kind:ca is:o").describe() == "nothing: no kind of record takes all of kind:call is:overdue"
    assert parse("-x").describe() == "nothing to search for (exclusions alone select nothing)"
    assert parse("anna").describe() == "everything: matching anna"
    assert parse("is:won is:lost").describe() == "deals: that are won or lost"


def _contact_ids(sql: str, params: list) -> set[int]:
    return {row[0] for row in database.execute_sql(f"SELECT c.id FROM contact c WHERE c.id IN ({sql})", params)}


def _filtered_ids(condition: str, params: list) -> set[int]:
    sql = f"SELECT c.id FROM contact c WHERE c.deleted_at IS NULL AND {condition}"
    return {row[0] for row in database.execute_sql(sql, params)}


@pytest.mark.parametrize(("query", "expected"), [
    ("tag:vip", ("anna",)),
    ("tag:vi", ("anna", "anneke")),
    ("ann", ("anna", "anneke", "bob")),
    ("ann -berg", ("anneke", "bob")),
    ('"key account"', ("anna",)),
    ("company:acme", ("anna", "bob")),
    ("company:acme tag:press", ("bob",)),
    ("kind:call ann", ("anna", "anneke", "bob")),  # only the contact part counts
    ("stage:won", ()),
    ("-ann", ()),
])
def test_contact_ids_sql_selects_the_live_contacts_matching_the_contact_part(world, query, expected):
    ids = {getattr(world, name)[1] for name in expected}
    assert _contact_ids(*search_query.contact_ids_sql(query)) == ids
    filtered = search_query.contact_filter_sql(query)
    if filtered is not None:
        assert _filtered_ids(*filtered) == ids


def test_contact_filter_sql_declines_words_the_index_has_no_prefix_index_for(world):
    assert search_query.contact_filter_sql("anna") is None
    assert search_query.contact_filter_sql("company:acme") is None
    assert search_query.contact_filter_sql("ann -berg") is None
    assert search_query.contact_filter_sql('tag:vip "key account" ann') is not None


def test_a_tag_without_letters_is_matched_without_the_index(db, make_contact):
    plus = make_contact(first_name="Plus", tags=["++"])
    make_contact(first_name="Other", tags=["+"])
    assert found("tag:++") == {("contact", plus.id)}
    assert _contact_ids(*search_query.contact_ids_sql("tag:++")) == {plus.id}
    assert _contact_ids(*search_query.contact_ids_sql("tag:++ -plus")) == set()
    assert _filtered_ids(*search_query.contact_filter_sql("tag:++")) == {plus.id}


TOKENS = ["tag:", "company:", "stage:", "kind:", "is:", "-", '"', "vip", "anna", "acme", "call", "overdue", "won",
          "NEAR", "AND", "OR", "NOT", "*", "(", ")", ":", "^", "{a b}", "é", "王", "\x00", "\u200b", "ﬁ", "İ"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text() | st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=8).map("".join)
       | st.lists(st.sampled_from(TOKENS), max_size=8).map(" ".join))
@example(text='tag:"a" -"b" "c" kind:c is:o stage: company:"')
@example(text="-" * 40 + '"' * 33)
@example(text=" ".join(f"w{i}" for i in range(40)))
def test_any_text_parses_and_searches_without_error(world, text):
    query = parse(text)
    assert parse(str(query)) == query
    assert isinstance(query.describe(), str)
    assert isinstance(search(text, 3, now=NOW), list)
    assert isinstance(search_groups(text, 3, now=NOW, budget=1.0), list)
    _contact_ids(*search_query.contact_ids_sql(query))
    filtered = search_query.contact_filter_sql(query)
    if filtered is not None:
        _filtered_ids(*filtered)
