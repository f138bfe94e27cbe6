"""`crm-tui contacts ...`: add, list, show, edit, delete and restore, in text and JSON."""

from __future__ import annotations

import json

import pytest

CONTACT_KEYS = {"id", "first_name", "last_name", "name", "emails", "phones", "company", "title", "tags", "notes",
                "created_at", "updated_at"}


def test_demo_then_list_json_gives_every_contact_with_its_fields(cli):
    assert cli("demo", "--contacts", "1000").code == 0
    listed = cli("contacts", "list", "--json")
    assert listed.code == 0, listed.err
    items = listed.json()
    assert len(items) == 1000
    assert len({item["id"] for item in items}) == 1000
    for item in items:
        assert CONTACT_KEYS <= set(item), item
        assert isinstance(item["emails"], list) and isinstance(item["tags"], list)
    assert [item["id"] for item in cli("contacts", "list", "--json", "--limit", "7").json()] == [
        item["id"] for item in items[:7]]


def test_add_prints_the_new_id_as_text(cli):
    result = cli("contacts", "add", "--first", "Anna", "--last", "de Vries")
    assert result.code == 0 and result.err == ""
    assert result.out == "1\n"
    assert cli("contacts", "show", "1", "--json").json()["name"] == "Anna de Vries"


def test_add_prints_the_record_as_json(add):
    record = add("--first", "Émile", "--last", "Zola", "--email", "emile@zola.example", "--email", "ez@example.fr",
                 "--phone", "+33 1 42 65 00 11", "--tag", "auteur", "--company", "Charpentier", "--title", "Author",
                 "--birthday=--04-02", "--note", "Wrote a lot.", "--set", "pen=EZ", "--city", "Paris")
    assert record["id"] == 1
    assert (record["name"], record["company"], record["title"]) == ("Émile Zola", "Charpentier", "Author")
    assert record["emails"] == ["emile@zola.example", "ez@example.fr"]
    assert record["phones"] == ["+33 1 42 65 00 11"] and record["tags"] == ["auteur"]
    assert (record["birthday"], record["notes"], record["custom"], record["city"]) == (
        "--04-02", "Wrote a lot.", {"pen": "EZ"}, "Paris")


def test_birthday_without_year_is_accepted_in_both_spellings(add):
    assert add("--first", "A", "--birthday", "12-24")["birthday"] == "--12-24"
    assert add("--first", "B", "--birthday=--12-24")["birthday"] == "--12-24"


def test_markup_in_a_name_is_stored_and_printed_byte_for_byte(cli, add):
    name = "[bold]x[/]"
    record = add("--first", name, "--note", "[red]not red[/red]")
    assert record["first_name"] == name
    shown = cli("contacts", "show", str(record["id"]))
    assert shown.out.splitlines()[0] == f"{name}  (#{record['id']}, version 1)"
    assert "[red]not red[/red]" in shown.out
    listed = cli("contacts", "list")
    assert name in listed.out.splitlines()[0]
    assert cli("contacts", "list", "--json").json()[0]["first_name"] == name
    assert cli("contacts", "show", str(record["id"]), "--json").json()["name"] == name


@pytest.mark.parametrize(("args", "word"), [
    (("--first", "Anna", "--email", "not-an-email"), "emails"),
    (("--last", "", "--phone", "+31 20 555 0101"), "first_name"),
    (("--first", "Anna", "--birthday", "31-31"), "birthday"),
    (("--first", "Anna", "--set", "no-equals-sign"), "--set"),
])
def test_invalid_input_exits_1_with_an_error_line_and_stores_nothing(cli, args, word):
    result = cli("contacts", "add", *args)
    assert result.code == 1
    assert result.err.startswith("error: ") and word in result.err
    assert result.out == ""
    assert cli("contacts", "list", "--json").json() == []


def test_show_of_a_missing_contact_exits_1(cli):
    result = cli("contacts", "show", "999")
    assert result.code == 1
    assert result.err.startswith("error: ") and "999" in result.err
    assert result.out == ""


def test_edit_adds_and_removes_tags_and_sets_custom_fields(cli, add):
    contact = add("--first", "Anna", "--tag", "old", "--tag", "keep", "--set", "team=sales")
    result = cli("contacts", "edit", str(contact["id"]), "--add-tag", "VIP", "--add-tag", "new",
                 "--remove-tag", "OLD", "--set", "linkedin=https://example.com/in/anna", "--title", "CFO", "--json")
    assert result.code == 0, result.err
    edited = result.json()
    assert edited["tags"] == ["keep", "new", "VIP"]
    assert edited["custom"] == {"team": "sales", "linkedin": "https://example.com/in/anna"}
    assert edited["title"] == "CFO" and edited["version"] == 2
    shown = cli("contacts", "show", str(contact["id"]), "--json").json()
    assert shown == edited
    assert [t["name"] for t in cli("tags", "list", "--json").json()] == ["keep", "new", "old", "VIP"]


def test_edit_as_text_prints_the_contact(cli, add):
    contact = add("--first", "Anna")
    result = cli("contacts", "edit", str(contact["id"]), "--last", "Jansen", "--email", "anna@jansen.example")
    assert result.code == 0
    assert result.out.splitlines()[0] == f"Anna Jansen  (#{contact['id']}, version 2)"
    assert "anna@jansen.example" in result.out


def test_edit_with_an_invalid_value_changes_nothing(cli, add):
    contact = add("--first", "Anna", "--email", "anna@example.com")
    result = cli("contacts", "edit", str(contact["id"]), "--email", "broken")
    assert result.code == 1 and result.err.startswith("error: ")
    assert cli("contacts", "show", str(contact["id"]), "--json").json() == contact


def test_delete_and_restore(cli, add):
    contact = add("--first", "Tijdelijk")
    deleted = cli("contacts", "delete", str(contact["id"]), "--json")
    assert deleted.code == 0 and deleted.json() == {"id": contact["id"], "status": "moved to the trash"}
    assert cli("contacts", "list", "--json").json() == []
    assert [c["id"] for c in cli("contacts", "list", "--trash", "--json").json()] == [contact["id"]]
    shown = cli("contacts", "show", str(contact["id"]))
    assert shown.code == 0 and "in trash since" in shown.out
    assert cli("contacts", "delete", str(contact["id"])).code == 1
    restored = cli("contacts", "restore", str(contact["id"]))
    assert restored.code == 0 and restored.out == f"contact {contact['id']} restored\n"
    assert [c["id"] for c in cli("contacts", "list", "--json").json()] == [contact["id"]]


def test_list_filters_by_search_and_tag_and_sorts(cli, add):
    add("--first", "Zoë", "--tag", "vip", "--company", "Alpha")
    add("--first", "Anna", "--company", "Zulu")
    add("--first", "Müller", "--tag", "VIP")
    names = lambda *args: [c["first_name"] for c in cli("contacts", "list", "--json", *args).json()]  # noqa: E731
    assert names() == ["Anna", "Müller", "Zoë"]
    assert names("--sort", "company") == ["Zoë", "Anna", "Müller"]
    assert names("--sort", "updated") == ["Müller", "Anna", "Zoë"]
    assert names("--tag", "Vip") == ["Müller", "Zoë"]
    assert names("--search", "muller") == ["Müller"]


def test_list_as_text_prints_one_aligned_line_a_contact(cli, add):
    add("--first", "王", "--last", "秀英", "--email", "wang@example.cn", "--company", "华信")
    add("--first", "Anna", "--email", "anna@example.com")
    lines = cli("contacts", "list").out.splitlines()
    assert len(lines) == 2
    assert lines[0].split() == ["2", "Anna", "anna@example.com"]
    assert "王 秀英" in lines[1] and lines[1].rstrip().endswith("华信")


@pytest.mark.parametrize("as_json", [False, True])
def test_limit_zero_is_a_user_error_with_no_output(cli, add, as_json):
    add("--first", "Anna")
    result = cli("contacts", "list", "--limit", "0", *(["--json"] if as_json else []))
    assert result.code == 1
    assert result.err.startswith("error: ") and "limit" in result.err
    assert result.out == ""


def test_empty_list_as_json_is_an_empty_array(cli):
    result = cli("contacts", "list", "--json")
    assert result.code == 0 and json.loads(result.out) == []


def test_keep_in_touch_is_set_shown_refused_when_wrong_and_cleared(cli):
    assert cli("contacts", "add", "--first", "Kim", "--keep-in-touch", "30").out.strip() == "1"
    assert "keep in touch:  every 30 days" in cli("contacts", "show", "1").out
    wrong = cli("contacts", "edit", "1", "--keep-in-touch", "often")
    assert wrong.code == 1 and wrong.err == "error: keep_in_touch_days: 'often' is not a number of days, such as 30\n"
    assert cli("contacts", "edit", "1", "--keep-in-touch", "").code == 0
    assert cli("contacts", "show", "1", "--json").json()["keep_in_touch_days"] is None


def test_a_contact_known_only_by_email_is_shown_and_sorted_by_it_until_it_has_a_name(cli):
    made = cli("contacts", "add", "--email", "zoe@example.org", "--json").json()
    assert made["name"] == "zoe@example.org" and made["first_name"] == ""
    assert cli("contacts", "add", "--first", "Yann").code == 0
    assert [row["name"] for row in cli("contacts", "list", "--json").json()] == ["Yann", "zoe@example.org"]
    assert "zoe@example.org" in cli("search", "zoe").out
    named = cli("contacts", "edit", str(made["id"]), "--first", "Anna", "--json").json()
    assert named["name"] == "Anna"
    assert [row["name"] for row in cli("contacts", "list", "--json").json()] == ["Anna", "Yann"]


def test_adding_someone_already_in_the_crm_warns_with_their_id_and_if_new_skips(cli):
    ann = cli("contacts", "add", "--first", "Ann", "--last", "Lee", "--email", "ann@x.org", "--json").json()
    again = cli("contacts", "add", "--first", "Annie", "--email", "ANN@x.org")
    assert again.code == 0 and again.out.strip().isdigit()
    assert again.err == (f"warning: Ann Lee #{ann['id']} may be the same person (same email ann@x.org); "
                         f"`crm-tui merge {ann['id']} {again.out.strip()}` merges them\n")
    skipped = cli("contacts", "add", "--first", "Ann", "--email", "ann@x.org", "--if-new", "--json")
    assert skipped.code == 0 and skipped.json()["id"] == ann["id"]
    assert skipped.err == f"not added: Ann Lee #{ann['id']} is likely the same person (same email ann@x.org)\n"
    added = cli("contacts", "add", "--first", "Bo", "--email", "bo@y.org", "--if-new")
    assert added.code == 0 and added.err == ""
    assert len(cli("contacts", "list", "--json").json()) == 3


def test_a_contact_known_only_by_email_is_named_by_it_in_the_duplicate_warning(cli):
    solo = cli("contacts", "add", "--email", "solo@x.org", "--json").json()
    again = cli("contacts", "add", "--first", "Sol", "--email", "solo@x.org")
    assert again.err.startswith(f"warning: solo@x.org #{solo['id']} may be the same person (same email solo@x.org)")
