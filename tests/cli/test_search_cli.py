"""`crm-tui search` with the query language, and saved searches: `search --save/--saved`, `searches ...`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_tui.core import activities, contacts, deals
from crm_tui.core.db import close_database, open_database
from crm_tui.core.models import utc_now


@pytest.fixture
def crm(db_path):
    """A few records of every kind in the CLI's database, written through the services."""
    open_database(db_path)
    try:
        anna = contacts.create(contacts.ContactDraft(first_name="Anna", last_name="Berg", company="Acme Corp",
                                                     tags=["vip"], emails=["anna@acme.example"]))
        bob = contacts.create(contacts.ContactDraft(first_name="Bob", last_name="Stone", company="Acme Corp",
                                                    notes="met anna at the fair"))
        deal = deals.create({"title": "Acme renewal", "company": "Acme Corp", "stage": "Proposal"})
        task = activities.create({"kind": "task", "subject": "Send proposal to Anna",
                                  "due_at": utc_now() - timedelta(days=1)})
        note = activities.create({"kind": "note", "body": "Anna prefers email", "company_id": anna.company_id})
        made = {"anna": anna.id, "bob": bob.id, "acme": anna.company_id, "deal": deal.id, "task": task.id,
                "note": note.id}
    finally:
        close_database()
    return made


def hits(cli, *query: str) -> list[tuple[str, int]]:
    result = cli("search", *query, "--json")
    assert result.code == 0, result.err
    assert all(set(hit) == {"kind", "id", "title", "detail"} for hit in result.json())
    return [(hit["kind"], hit["id"]) for hit in result.json()]


def test_search_takes_the_whole_query_language(cli, crm):
    assert hits(cli, "tag:vip") == [("contact", crm["anna"])]
    assert hits(cli, "company:acme", "stage:proposal") == [("deal", crm["deal"])]
    assert hits(cli, "is:overdue") == [("activity", crm["task"])]
    assert hits(cli, "kind:note") == [("note", crm["note"])]
    assert hits(cli, '"prefers email"') == [("note", crm["note"])]
    assert hits(cli, "anna -berg") == [("contact", crm["bob"]), ("activity", crm["task"]), ("note", crm["note"])]
    assert hits(cli, "anna", "-berg", "-prefers", "tag:vip") == []  # -word is part of the query, not an option
    assert hits(cli, "-berg", "anna", "-prefers") == [("contact", crm["bob"]), ("activity", crm["task"])]
    assert hits(cli, "company:acme") == [("contact", crm["anna"]), ("contact", crm["bob"]), ("company", crm["acme"]),
                                         ("deal", crm["deal"]), ("note", crm["note"])]
    assert hits(cli, "company:acme", "--limit", "1") == [("contact", crm["anna"]), ("company", crm["acme"]),
                                                         ("deal", crm["deal"]), ("note", crm["note"])]
    assert hits(cli, "tag:vip", "stage:proposal") == []
    assert hits(cli, "foo:bar") == []


def test_search_prints_kind_id_title_and_detail(cli, crm):
    result = cli("search", "kind:note")
    assert result.code == 0
    assert result.out.split() == ["note", str(crm["note"]), "Anna", "prefers", "email", "note", "·", "Acme", "Corp"]


def test_an_unknown_long_option_is_still_a_usage_error(cli, crm):
    assert cli("search", "anna", "--bogus").code == 2


def test_search_needs_a_query_or_a_saved_name(cli, crm):
    for args, message in ((("search",), "give a query, or --saved NAME"),
                          (("search", "anna", "--saved", "x"), "give a query or --saved NAME, not both"),
                          (("search", "anna", "--save", "a", "--saved", "b"), "give --save or --saved, not both")):
        result = cli(*args)
        assert (result.code, result.out, result.err) == (1, "", f"error: {message}\n")


def test_saving_running_and_listing_searches(cli, crm):
    saved = cli("search", "--save", "VIPs at Acme", "tag:vip", "company:acme", "--json")
    assert saved.code == 0, saved.err
    assert {key: saved.json()[key] for key in ("name", "query", "pinned")} == {
        "name": "VIPs at Acme", "query": "tag:vip company:acme", "pinned": False}
    assert hits(cli, "--saved", "vips at acme") == [("contact", crm["anna"])]
    assert cli("search", "--save", "Overdue", "is:overdue").out == "saved 'Overdue': is:overdue\n"
    listed = cli("searches", "--json").json()
    assert [(entry["name"], entry["query"]) for entry in listed] == [
        ("Overdue", "is:overdue"), ("VIPs at Acme", "tag:vip company:acme")]
    assert cli("searches", "list").out.splitlines() == [
        "  Overdue                         is:overdue", "  VIPs at Acme                    tag:vip company:acme"]


def test_a_taken_name_needs_replace(cli, crm):
    assert cli("search", "--save", "Mine", "anna").code == 0
    refused = cli("search", "--save", "MINE", "bob")
    assert (refused.code, refused.err) == (1, "error: name: a saved search named 'Mine' already exists\n")
    assert cli("search", "--save", "mine", "--replace", "bob").code == 0
    assert hits(cli, "--saved", "Mine") == [("contact", crm["bob"])]
    empty = cli("search", "--save", "Nothing", "-anna")
    assert (empty.code, empty.err) == (1, "error: query: finds nothing: it needs a word, a phrase or an operator\n")


def test_pin_unpin_and_delete(cli, crm):
    cli("search", "--save", "Leads", "stage:lead")
    pinned = cli("searches", "pin", "LEADS", "--json")
    assert pinned.code == 0 and pinned.json()["pinned"] is True
    assert cli("searches").out == "* Leads                           stage:lead\n"
    assert cli("searches", "unpin", "leads").out == "saved search 'Leads' unpinned\n"
    assert cli("searches", "--json").json()[0]["pinned"] is False
    assert cli("searches", "delete", "leads").out == "saved search 'leads' deleted\n"
    assert cli("searches", "--json").json() == []


@pytest.mark.parametrize("args", [("searches", "delete", "nope"), ("searches", "pin", "nope"),
                                  ("searches", "unpin", "nope"), ("search", "--saved", "nope")])
def test_unknown_saved_search_names_are_user_errors(cli, crm, args):
    result = cli(*args)
    assert (result.code, result.out, result.err) == (1, "", "error: there is no saved search named 'nope'\n")
