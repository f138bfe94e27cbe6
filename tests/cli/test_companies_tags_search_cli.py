"""`crm-tui companies ...`, `crm-tui tags ...` and `crm-tui search`."""

from __future__ import annotations

KINDS = ("contact", "company", "deal", "activity")


def test_companies_list_json_carries_ids_names_domains_and_counts(cli, add):
    made = cli("companies", "add", "--name", "Acme", "--domain", "https://www.acme.example/", "--json")
    assert made.code == 0, made.err
    acme = made.json()
    assert (acme["name"], acme["domain"], acme["contacts_count"]) == ("Acme", "acme.example", 0)
    add("--first", "Anna", "--company", "acme")
    add("--first", "Ben", "--company", "Beta BV")
    listed = cli("companies", "list", "--json").json()
    assert [{k: item[k] for k in ("id", "name", "domain", "contacts_count")} for item in listed] == [
        {"id": acme["id"], "name": "Acme", "domain": "acme.example", "contacts_count": 1},
        {"id": acme["id"] + 1, "name": "Beta BV", "domain": "", "contacts_count": 1},
    ]


def test_companies_add_prints_the_id_and_refuses_bad_domains(cli):
    assert cli("companies", "add", "--name", "Acme").out == "1\n"
    bad = cli("companies", "add", "--name", "Broken", "--domain", "not a domain")
    assert bad.code == 1 and bad.err.startswith("error: ") and "domain" in bad.err


def test_company_edit_renames_it_for_its_contacts(cli, add):
    anna = add("--first", "Anna", "--company", "Oldname")
    edited = cli("companies", "edit", str(anna["company_id"]), "--name", "Newname", "--json")
    assert edited.code == 0 and edited.json()["name"] == "Newname"
    assert cli("contacts", "show", str(anna["id"]), "--json").json()["company"] == "Newname"
    assert [c["id"] for c in cli("contacts", "list", "--search", "newname", "--json").json()] == [anna["id"]]


def test_company_delete_show_and_restore(cli, add):
    anna = add("--first", "Anna", "--company", "Fleeting")
    company_id = str(anna["company_id"])
    assert cli("companies", "delete", company_id).out == f"company {company_id} moved to the trash\n"
    assert cli("companies", "list", "--json").json() == []
    assert [c["name"] for c in cli("companies", "list", "--trash", "--json").json()] == ["Fleeting"]
    assert "in trash since" in cli("companies", "show", company_id).out
    assert cli("contacts", "show", str(anna["id"]), "--json").json()["company"] is None
    assert cli("companies", "restore", company_id).code == 0
    assert cli("companies", "show", company_id, "--json").json()["contacts_count"] == 1
    assert cli("companies", "show", "999").code == 1


def test_tags_list_rename_and_delete(cli, add):
    add("--first", "Anna", "--tag", "VIP", "--tag", "press")
    add("--first", "Ben", "--tag", "vip")
    listed = cli("tags", "list", "--json")
    assert listed.code == 0
    assert [(t["name"], t["contacts_count"]) for t in listed.json()] == [("press", 1), ("VIP", 2)]
    assert set(listed.json()[0]) == {"id", "name", "contacts_count"}
    renamed = cli("tags", "rename", "vip", "Gold", "--json")
    assert renamed.code == 0 and (renamed.json()["name"], renamed.json()["contacts_count"]) == ("Gold", 2)
    assert cli("tags", "rename", "gold", "PRESS").code == 1
    deleted = cli("tags", "delete", "press")
    assert deleted.code == 0 and deleted.out == "tag 'press' deleted\n"
    assert [t["name"] for t in cli("tags", "list", "--json").json()] == ["Gold"]
    assert {tuple(c["tags"]) for c in cli("contacts", "list", "--json").json()} == {("Gold",)}
    assert cli("tags", "delete", "press").code == 1


def test_tags_list_as_text(cli, add):
    add("--first", "Anna", "--tag", "VIP")
    assert cli("tags", "list").out.split() == ["VIP", "1"]


def test_search_groups_hits_by_kind(cli):
    assert cli("demo", "--contacts", "200", "--seed", "3").code == 0
    deal_title = None
    for company in cli("companies", "list", "--json").json():
        word = company["name"].split()[0]
        hits = cli("search", word, "--json", "--limit", "50").json()
        kinds = [hit["kind"] for hit in hits]
        assert kinds == sorted(kinds, key=KINDS.index), kinds
        assert all(set(hit) == {"kind", "id", "title", "detail"} for hit in hits)
        if {"contact", "company", "deal"} <= set(kinds):
            deal_title = next(hit["title"] for hit in hits if hit["kind"] == "deal")
            break
    assert deal_title is not None, "no company name found contacts, the company and a deal at once"
    text = cli("search", *deal_title.split()[:2])
    assert text.code == 0 and any(line.startswith("deal") for line in text.out.splitlines())


def test_search_finds_contacts_and_companies_with_a_limit_per_kind(cli, add):
    for name in ("Anna", "Anneke", "Annika"):
        add("--first", name, "--company", "Annex Ltd")
    hits = cli("search", "ann", "--json", "--limit", "2").json()
    assert [hit["kind"] for hit in hits] == ["contact", "contact", "company"]
    assert [hit["title"] for hit in hits] == ["Anna", "Anneke", "Annex Ltd"]
    assert cli("search", "nobody", "--json").json() == []
    assert cli("search", "ann", "nobody").out == ""


def test_search_limit_below_one_is_a_user_error(cli):
    result = cli("search", "anna", "--limit", "0")
    assert (result.code, result.out) == (1, "")
    assert result.err == "error: --limit must be at least 1\n"


def test_a_search_that_finds_nothing_says_so_on_stderr_and_exits_0(cli, add):
    add("--first", "Ann", "--tag", "vip")
    found = cli("search", "tag:nosuchtag")
    assert (found.code, found.out, found.err) == (0, "", "no match for 'tag:nosuchtag'\n")
    as_json = cli("search", "tag:nosuchtag", "--json")
    assert (as_json.code, as_json.json(), as_json.err) == (0, [], "no match for 'tag:nosuchtag'\n")
    assert cli("search", "tag:vip").err == ""
