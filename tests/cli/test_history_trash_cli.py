"""`crm-tui redo`, `history` and `trash`, as a person types them."""

from __future__ import annotations


def test_redo_takes_back_an_undo_and_says_so(cli, add):
    ada = add("--first", "Ada")
    cli("contacts", "edit", str(ada["id"]), "--title", "Countess")
    cli("undo")
    redone = cli("redo")
    assert redone.code == 0 and redone.out == "Redid: edited contact 'Ada'\n"
    assert cli("contacts", "show", str(ada["id"]), "--json").json()["title"] == "Countess"
    nothing = cli("redo")
    assert nothing.code == 1 and nothing.err == "error: there is nothing to redo\n"


def test_history_prints_each_change_with_its_fields_and_json_gives_them(cli, add):
    ada = add("--first", "Ada")
    cli("contacts", "edit", str(ada["id"]), "--title", "Countess")
    shown = cli("history", str(ada["id"]))
    assert shown.code == 0
    lines = shown.out.splitlines()
    assert lines[0].endswith("UTC  edited  [command line · " + lines[0].split(" · ")[-1])
    assert lines[1].split() == ["title:", "—", "→", "Countess"]
    assert "created" in lines[2]
    entries = cli("history", str(ada["id"]), "--json").json()
    assert [entry["action"] for entry in entries] == ["edited", "created"]
    assert entries[0]["fields"] == [{"field": "title", "old": "", "new": "Countess"}]
    assert entries[0]["source"] == "command line"
    missing = cli("history", "99", "--entity", "deal")
    assert missing.code == 1 and missing.err == "error: deal 99 does not exist and has no history\n"


def test_changes_made_for_a_user_of_the_ssh_server_name_them_and_ssh(cli, add, monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.9 51234 192.0.2.1 2222")
    monkeypatch.setenv("CRM_TUI_SSH_USER", "ann")
    ada = add("--first", "Ada")
    assert cli("history", str(ada["id"])).out.splitlines()[0].endswith("UTC  created  [SSH · ann]")
    [entry] = cli("history", str(ada["id"]), "--json").json()
    assert (entry["source"], entry["actor"]) == ("SSH", "ann")


def test_trash_lists_every_kind_restores_and_purges_only_with_yes(cli, add):
    ada = add("--first", "Ada")
    cli("contacts", "delete", str(ada["id"]))
    cli("deals", "add", "--title", "Licence", "--value", "100")
    cli("deals", "delete", "1")
    listed = cli("trash", "list", "--json").json()
    assert sorted((record["kind"], record["name"]) for record in listed) == [("contact", "Ada"), ("deal", "Licence")]
    assert cli("trash", "list", "--kind", "deal", "--json").json()[0]["name"] == "Licence"
    assert cli("trash", "restore", "contact", str(ada["id"])).out == f"contact {ada['id']} restored\n"
    refused = cli("trash", "purge", "--all")
    assert refused.code == 1
    assert refused.err == "error: this purges 1 record in the trash for good; add --yes to do it\n"
    assert len(cli("trash", "list", "--json").json()) == 1
    purged = cli("trash", "purge", "--all", "--yes")
    assert purged.code == 0 and purged.out == "purged 1 record for good (1 deal)\n"
    assert cli("trash", "list", "--json").json() == []
    unclear = cli("trash", "restore")
    assert unclear.code == 1 and "needs a KIND" in unclear.err
