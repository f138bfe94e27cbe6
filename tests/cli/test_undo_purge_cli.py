"""`crm-tui undo` and the purge verbs, as a person types them."""

from __future__ import annotations


def test_undo_prints_what_it_undid_and_walks_back(cli, add):
    ada = add("--first", "Ada", "--last", "Lovelace", "--company", "Engines")
    assert cli("contacts", "edit", str(ada["id"]), "--title", "Countess").code == 0
    first = cli("undo")
    assert first.code == 0 and first.out == "Undid: edited contact 'Ada Lovelace'\n"
    assert cli("contacts", "show", str(ada["id"]), "--json").json()["title"] == ""
    second = cli("undo", "--json")
    assert second.code == 0 and second.json() == {"undone": "Undid: added contact 'Ada Lovelace'"}
    assert cli("contacts", "list", "--json").json() == []
    assert cli("companies", "list", "--json").json() == []


def test_undo_with_nothing_to_undo_is_a_user_error(cli):
    result = cli("undo")
    assert result.code == 1 and result.out == ""
    assert result.err == "error: there is nothing to undo\n"


def test_purge_removes_a_contact_from_the_trash_for_good(cli, add):
    contact = add("--first", "Tijdelijk")
    contact_id = str(contact["id"])
    live = cli("contacts", "purge", contact_id)
    assert live.code == 1 and "not in the trash" in live.err
    cli("contacts", "delete", contact_id)
    purged = cli("contacts", "purge", contact_id, "--json")
    assert purged.code == 0 and purged.json() == {"id": contact["id"], "status": "purged"}
    assert cli("contacts", "show", contact_id).code == 1
    passed_over = cli("undo")
    assert passed_over.code == 1 and passed_over.err == "error: there is nothing to undo\n"


def test_purge_a_company(cli, add):
    anna = add("--first", "Anna", "--company", "Fleeting")
    company_id = str(anna["company_id"])
    cli("companies", "delete", company_id)
    assert cli("companies", "purge", company_id).out == f"company {company_id} purged\n"
    assert cli("companies", "list", "--trash", "--json").json() == []
    assert cli("contacts", "show", str(anna["id"]), "--json").json()["company_id"] is None
