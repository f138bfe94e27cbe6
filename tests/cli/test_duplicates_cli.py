"""`crm-tui duplicates`: the scan's groups as text and JSON, the filters, and dismissing a pair."""

from __future__ import annotations

import pytest


@pytest.fixture
def crowd(add):
    """Ann Lee twice by email, Jan Jansen / Jan Janssen at one company, and a decoy namesake elsewhere."""
    return {
        "ann": add("--first", "Ann", "--last", "Lee", "--email", "ann.lee@gmail.com")["id"],
        "ann2": add("--first", "Ann", "--last", "Lee", "--email", "AnnLee+crm@gmail.com")["id"],
        "jan": add("--first", "Jan", "--last", "Jansen", "--company", "Acme")["id"],
        "jan2": add("--first", "Jan", "--last", "Janssen", "--company", "Acme")["id"],
        "decoy": add("--first", "Jan", "--last", "Jansen", "--company", "Globex")["id"],
    }


def test_duplicates_json_lists_groups_strongest_first(cli, crowd):
    result = cli("duplicates", "--json")
    assert result.code == 0, result.err
    assert result.json() == [
        {"contact_ids": [crowd["ann"], crowd["ann2"]], "names": ["Ann Lee", "Ann Lee"], "score": 100,
         "reasons": ["same email ann.lee@gmail.com"]},
        {"contact_ids": [crowd["jan"], crowd["jan2"]], "names": ["Jan Jansen", "Jan Janssen"], "score": 85,
         "reasons": ["similar names Jan Jansen / Jan Janssen at Acme (95)"]},
    ]


def test_duplicates_text_shows_score_ids_names_and_reasons(cli, crowd):
    result = cli("duplicates")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"100  #{crowd['ann']} Ann Lee, #{crowd['ann2']} Ann Lee",
        "     same email ann.lee@gmail.com",
        f" 85  #{crowd['jan']} Jan Jansen, #{crowd['jan2']} Jan Janssen",
        "     similar names Jan Jansen / Jan Janssen at Acme (95)",
    ]


def test_min_score_and_limit_filter_the_groups(cli, crowd):
    assert [group["score"] for group in cli("duplicates", "--min-score", "90", "--json").json()] == [100]
    assert [group["score"] for group in cli("duplicates", "--limit", "1", "--json").json()] == [100]
    assert cli("duplicates", "--min-score", "101").out == "No likely duplicates.\n"
    assert cli("duplicates", "--min-score", "101", "--json").json() == []
    refused = cli("duplicates", "--limit", "0")
    assert (refused.code, refused.err) == (1, "error: --limit must be at least 1\n")


def test_dismiss_hides_a_pair_until_undismissed(cli, crowd):
    ann, ann2 = crowd["ann"], crowd["ann2"]
    result = cli("duplicates", "dismiss", str(ann2), f"#{ann}", "--json")
    assert result.code == 0, result.err
    assert result.json() == {"ids": [ann2, ann], "status": "dismissed", "changed": True}
    assert cli("duplicates", "dismiss", str(ann), str(ann2)).out == f"contacts {ann} and {ann2}: already dismissed\n"
    assert [group["contact_ids"] for group in cli("duplicates", "--json").json()] == [[crowd["jan"], crowd["jan2"]]]
    assert cli("duplicates", "undismiss", str(ann), str(ann2)).out == f"contacts {ann} and {ann2}: undismissed\n"
    assert cli("duplicates", "undismiss", str(ann), str(ann2)).out == f"contacts {ann} and {ann2}: not dismissed\n"
    assert len(cli("duplicates", "--json").json()) == 2


def test_dismiss_refuses_bad_ids(cli, crowd):
    same = cli("duplicates", "dismiss", str(crowd["ann"]), str(crowd["ann"]))
    assert same.code == 1 and "cannot be a duplicate of itself" in same.err
    unknown = cli("duplicates", "dismiss", str(crowd["ann"]), "999")
    assert (unknown.code, unknown.err) == (1, "error: contacts: no contact 999\n")
    assert cli("duplicates", "dismiss", str(crowd["ann"])).code == 2
    assert cli("duplicates", "dismiss", "one", "two").code == 2


def test_duplicates_on_an_empty_database(cli):
    result = cli("duplicates")
    assert (result.code, result.out) == (0, "No likely duplicates.\n")
