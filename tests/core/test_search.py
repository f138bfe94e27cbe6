"""Full-text search: prefixes, accents, phones and emails, and queries built safely from anything typed."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from crm_tui.core import companies, contacts, search_index
from crm_tui.core.models import database


@pytest.fixture
def people(db, make_contact):
    made = {
        "emile": make_contact(first_name="Émile", last_name="Zola", emails=["emile.zola@charpentier.fr"],
                              phones=["+33 1 42 65 00 11"], company="Éditions Charpentier", tags=["auteur"]),
        "muller": make_contact(first_name="Jürgen", last_name="Müller", emails=["j.mueller@example.de"],
                               phones=["+49 (30) 1234-5678"], notes="Met at the Hannover fair."),
        "wang": make_contact(
            first_name="秀英", last_name="王", emails=["xiuying.wang@huaxin.cn"], phones=["138 0013 8000"]
        ),
        "omar": make_contact(first_name="عمر", last_name="حداد", emails=["omar.haddad@example.ae"]),
        "anna": make_contact(first_name="Anna", last_name="Zoller", emails=["anna@zoller.example"], title="CFO"),
    }
    return made


def found(text: str) -> set[int]:
    return {hit.id for hit in search_index.search_all(text) if hit.kind == "contact"}


def test_every_word_matches_as_a_prefix(people):
    assert found("zo") == {people["emile"].id, people["anna"].id}
    assert found("zola") == {people["emile"].id}
    assert found("zoll") == {people["anna"].id}
    assert found("em zo") == {people["emile"].id}
    assert found("zo an") == {people["anna"].id}
    assert found("zola nobody") == set()


@pytest.mark.parametrize(("typed", "who"), [
    ("muller", "muller"), ("MULLER", "muller"), ("Müller", "muller"), ("jurgen", "muller"),
    ("emile", "emile"), ("ÉMILE", "emile"), ("editions", "emile"), ("王", "wang"), ("秀英", "wang"),
    ("عمر", "omar"), ("hannover", "muller"), ("cfo", "anna"), ("auteur", "emile"),
])
def test_accents_and_case_are_folded_and_all_fields_are_searched(people, typed, who):
    assert found(typed) == {people[who].id}


@pytest.mark.parametrize(("typed", "who"), [
    ("30 1234", "muller"), ("4930", "muller"), ("4930123", "muller"), ("33142650011", "emile"),
    ("+33 1 42", "emile"), ("13800138000", "wang"), ("5678", "muller"),
])
def test_phone_numbers_match_by_their_parts_and_by_their_digits(people, typed, who):
    assert found(typed) == {people[who].id}


@pytest.mark.parametrize(("typed", "who"), [
    ("emile.zola@charpentier.fr", "emile"), ("j.mueller@example.de", "muller"), ("charpentier.fr", "emile"),
    ("xiuying", "wang"), ("huaxin.cn", "wang"), ("anna@zoller", "anna"),
])
def test_email_addresses_and_their_parts_are_found(people, typed, who):
    assert found(typed) == {people[who].id}


@pytest.mark.parametrize("name", ["Müller", "Zoë", "Ørsted", "Weiß", "Strauß", "İlker", "Nguyễn", "O'Brien"])
def test_a_name_typed_exactly_as_stored_is_found(db, make_contact, name):
    contact = make_contact(first_name=name, last_name="Testperson")
    assert found(name) == {contact.id}
    assert contacts.count(text=name) == 1


def test_hits_are_grouped_by_kind_in_a_fixed_order_with_titles_and_details(people):
    companies.create({"name": "Zola Consulting", "domain": "zola.example"})
    hits = search_index.search_all("zola")
    assert [(h.kind, h.title, h.detail) for h in hits] == [
        ("contact", "Émile Zola", "emile.zola@charpentier.fr"),
        ("company", "Zola Consulting", "zola.example"),
    ]


def test_limit_per_kind(db, make_contact):
    for i in range(15):
        make_contact(first_name=f"Smith{i:02d}", company="Smithers & Co")
    hits = search_index.search_all("smith", limit_per_kind=4)
    assert [h.kind for h in hits] == ["contact"] * 4 + ["company"]


def test_nothing_to_search_for_gives_nothing(people):
    assert search_index.match_query("") is None
    assert search_index.match_query(" -*:\"() ") is None
    assert search_index.search_all("   ") == []


def test_match_query_quotes_every_word_and_keeps_at_most_sixteen():
    assert search_index.match_query('NEAR(a AND "b"').casefold() == '"near"* "a"* "and"* "b"*'
    assert search_index.match_query(" ".join(f"w{i}" for i in range(30))).count("*") == 16


def test_query_keywords_are_plain_words(db, make_contact):
    contact = make_contact(first_name="Nearly", last_name="Andersen", notes="Not available")
    assert found("NEAR AND") == {contact.id}
    assert found("NOT") == {contact.id}
    assert found("near OR zebra") == set()


TRICKY = ['"', "*", "AND(", "NEAR", "-", ":", '"😀"', 'a"b', "NOT x", "^", "()", "OR", "a OR", "zola*", "col:x",
          "{a b}", "a + b", "'", "\\", "\x00", "\u200b", "ǅ", "ﬁ", "İ", "ß", "٣", "²", "ǅemal AND ^zo*"]


def anything_typed_runs(text: str) -> None:
    query = search_index.match_query(text)
    assert query is None or all(part.startswith('"') and part.endswith('"*') for part in query.split(" "))
    assert isinstance(search_index.search_all(text), list)
    assert contacts.count(text=text) >= 0
    assert companies.count(text=text) >= 0
    contacts.list_page(text=text, limit=5)


def _with_examples(test):
    for tricky in TRICKY:
        test = example(text=tricky)(test)
    return test


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text())
@_with_examples
def test_anything_typed_makes_a_query_that_runs(people, text):
    anything_typed_runs(text)


@pytest.mark.parametrize("tricky", TRICKY)
def test_tricky_inputs_search_without_error(people, tricky):
    anything_typed_runs(tricky)


def test_rebuild_index_finds_the_same_records(people):
    before = {text: found(text) for text in ("zo", "muller", "王", "4930")}
    search_index.rebuild_index()
    assert {text: found(text) for text in before} == before


def test_a_read_abandoned_by_its_caller_stops_in_any_plan_and_is_not_retried(db):
    """The list's reader abandons reads for a filter the user has changed; run_plans must not swallow that as a
    plan over budget and start the next plan."""
    from crm_tui.core.db import Interrupted, stop_when

    tried = []
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 5000000) SELECT count(*) FROM n"

    def run(plan):
        tried.append(plan)
        return database.execute_sql(slow).fetchone()

    started = time.perf_counter()
    with pytest.raises(Interrupted), stop_when(lambda: time.perf_counter() - started > 0.05):
        search_index.run_plans([("walk", 60.0), ("probe", 60.0), "lookup"], run)
    assert tried == ["walk"]
    with pytest.raises(Interrupted), stop_when(lambda: time.perf_counter() - started > 0.1):
        search_index.run_plans(["lookup"], run)
    assert database.execute_sql("SELECT 1").fetchone() == (1,)
