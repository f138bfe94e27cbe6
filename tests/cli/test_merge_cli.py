"""`crm-tui merge KEEP_ID OTHER_ID...`: the dry run's preview, --pick, --json, the merge itself and its undo."""

from __future__ import annotations

import pytest


@pytest.fixture
def duplicates(cli, add):
    """Ann (kept) and Anne, with a deal and a call linked to Anne."""
    ann = add("--first", "Ann", "--last", "Lee", "--company", "Acme", "--email", "ann@acme.com",
              "--note", "Met at the fair.")
    anne = add("--first", "Anne", "--last", "Lee", "--company", "Globex", "--email", "ANN@acme.com",
               "--email", "anne@globex.com", "--city", "Amsterdam", "--street", "Main 1", "--tag", "lead",
               "--note", "Prefers email.", "--set", "shoe=42")
    assert cli("deals", "add", "--title", "Licences", "--value", "1200", "--contact", str(anne["id"])).code == 0
    assert cli("log", "--kind", "call", "--subject", "Intro call", "--contact", str(anne["id"])).code == 0
    return ann, anne


def test_the_dry_run_previews_each_field_and_what_moves_and_writes_nothing(cli, duplicates):
    ann, anne = duplicates
    before = cli("contacts", "list", "--json").json()
    result = cli("merge", str(ann["id"]), str(anne["id"]), "--dry-run")
    assert result.code == 0, result.err
    keep, other = ann["id"], anne["id"]
    assert result.out.splitlines() == [
        f"Merge #{other} Anne Lee into #{keep} Ann Lee:",
        f"  first_name          Ann                                       from #{keep}",
        f"                      Anne                                      --pick first_name={other}",
        f"  last_name           Lee                                       from #{keep}",
        f"  company             Acme                                      from #{keep}",
        f"                      Globex                                    --pick company={other}",
        f"  address             Main 1, Amsterdam                         from #{other}",
        f"  custom:shoe         42                                        from #{other}",
        "  emails              ann@acme.com, anne@globex.com",
        "  tags                lead",
        f"  notes               Met at the fair.                          from #{keep}",
        f"                      Prefers email.                            from #{other}",
        f"Moves 1 deal and 1 activity to #{keep}; 1 contact goes to the trash.",
        "Dry run: nothing was written.",
    ]
    assert cli("contacts", "list", "--json").json() == before
    assert cli("undo").out == "Undid: added activity 'Intro call'\n"  # the last change is still the call


def test_a_pick_shows_in_the_dry_run_and_takes_effect_in_the_merge(cli, duplicates):
    ann, anne = duplicates
    preview = cli("merge", str(ann["id"]), str(anne["id"]), "--pick", f"company={anne['id']}", "--dry-run", "--json")
    company = next(field for field in preview.json()["fields"] if field["field"] == "company")
    assert company == {"field": "company", "chosen": anne["id"], "value": "Globex", "options": [
        {"contact_id": ann["id"], "value": "Acme"}, {"contact_id": anne["id"], "value": "Globex"}]}
    merged = cli("merge", str(ann["id"]), str(anne["id"]), "--pick", f"company=#{anne['id']}", "--json")
    assert merged.code == 0, merged.err
    assert merged.json()["contact"]["company"] == "Globex"


def test_the_dry_run_json_carries_the_choices_the_merged_contact_and_the_counts(cli, duplicates):
    ann, anne = duplicates
    plan = cli("merge", str(ann["id"]), str(anne["id"]), "--dry-run", "--json").json()
    assert (plan["dry_run"], plan["keep"], plan["merged"]) == (True, ann["id"], [anne["id"]])
    assert (plan["deals_moved"], plan["activities_moved"]) == (1, 1)
    address = next(field for field in plan["fields"] if field["field"] == "address")
    assert address["value"] == {"street": "Main 1", "city": "Amsterdam", "region": "", "postal_code": "",
                                "country": ""}
    assert plan["result"]["emails"] == ["ann@acme.com", "anne@globex.com"]
    assert plan["result"]["notes"] == "Met at the fair.\n\nPrefers email."
    assert plan["result"]["custom"] == {"shoe": "42"}


def test_the_merge_says_what_it_did_and_undo_takes_all_of_it_back(cli, duplicates):
    ann, anne = duplicates
    result = cli("merge", str(ann["id"]), str(anne["id"]))
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"Merged #{anne['id']} into #{ann['id']} Ann Lee: moved 1 deal and 1 activity; the merged contacts are in "
        "the trash.",
        "`crm-tui undo` takes the whole merge back.",
    ]
    assert [contact["id"] for contact in cli("contacts", "list", "--json").json()] == [ann["id"]]
    [deal] = cli("deals", "list", "--json").json()
    assert deal["contact_id"] == ann["id"]
    undone = cli("undo")
    assert undone.code == 0 and undone.out == "Undid: merged 2 contacts into 'Ann Lee'\n"
    assert [contact["name"] for contact in cli("contacts", "list", "--json").json()] == ["Ann Lee", "Anne Lee"]
    assert cli("deals", "list", "--json").json()[0]["contact_id"] == anne["id"]
    assert cli("contacts", "show", str(ann["id"]), "--json").json()["emails"] == ["ann@acme.com"]


def test_the_merge_json_gives_the_merged_contact_and_the_batch(cli, duplicates):
    ann, anne = duplicates
    done = cli("merge", str(ann["id"]), str(anne["id"]), "--json").json()
    assert (done["dry_run"], done["keep"], done["merged"]) == (False, ann["id"], [anne["id"]])
    assert (done["deals_moved"], done["activities_moved"]) == (1, 1)
    assert done["contact"]["tags"] == ["lead"] and len(done["batch_id"]) == 32


@pytest.mark.parametrize(("args", "error"), [
    (["{keep}", "{keep}"], "error: others: contact {keep} is the one kept; it cannot be merged into itself\n"),
    (["{keep}", "999"], "error: contact 999 does not exist or is in the trash\n"),
    (["{keep}", "{other}", "--pick", "company"], "error: --pick takes FIELD=ID, such as company=12, not 'company'\n"),
    (["{keep}", "{other}", "--pick", "city={other}"],
     "error: city: the address is one choice: pick it as a whole, address=ID\n"),
    (["{keep}", "{other}", "--pick", "title={other}"], "error: title: contact {other} has no title to pick\n"),
])
def test_mistakes_are_user_errors_and_merge_nothing(cli, duplicates, args, error):
    ann, anne = duplicates
    ids = {"keep": ann["id"], "other": anne["id"]}
    result = cli("merge", *(arg.format(**ids) for arg in args))
    assert (result.code, result.out, result.err) == (1, "", error.format(**ids))
    assert len(cli("contacts", "list", "--json").json()) == 2


def test_the_ids_are_required(cli):
    result = cli("merge", "1")
    assert result.code == 2 and "OTHER_ID" in result.err
