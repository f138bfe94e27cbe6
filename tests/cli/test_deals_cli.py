"""`crm-tui deals ...`: add, list, show, edit, move, won, lost, delete, restore and purge, in text and JSON."""

from __future__ import annotations

import os

import pytest

from crm_tui.core import deals
from crm_tui.core.db import close_database, open_database

DEAL_KEYS = {"id", "title", "value", "value_minor", "currency", "pipeline", "pipeline_id", "stage", "stage_id",
             "probability", "status", "lost_reason", "contact_id", "contact", "company_id", "company",
             "expected_close", "closed_at", "stage_entered_at", "notes", "created_at", "updated_at", "deleted_at",
             "version", "next_step", "next_step_due"}


@pytest.fixture
def deal(cli):
    """Add a deal through the CLI and return its JSON record."""

    def make(*args: str) -> dict:
        result = cli("deals", "add", *args, "--json")
        assert result.code == 0, result.err
        return result.json()

    return make


@pytest.fixture
def settings_file():
    path = os.path.join(os.environ["XDG_CONFIG_HOME"], "crm-tui", "config.toml")
    os.makedirs(os.path.dirname(path), exist_ok=True)

    def write(text: str) -> str:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    return write


def stored(db_path, deal_id: int) -> deals.DealData:
    """The deal as the core services read it back from the database file."""
    open_database(db_path)
    try:
        return deals.get(deal_id, include_deleted=True)
    finally:
        close_database()


# Adding -----------------------------------------------------------------------------------------------------


def test_add_prints_the_new_id_and_show_gives_the_deal(cli):
    result = cli("deals", "add", "--title", "Website", "--value", "1200.50")
    assert (result.code, result.out, result.err) == (0, "1\n", "")
    shown = cli("deals", "show", "1", "--json").json()
    assert (shown["title"], shown["value"], shown["currency"]) == ("Website", "1200.50", "EUR")
    assert (shown["pipeline"], shown["stage"], shown["status"]) == ("Sales", "Lead", "open")


def test_add_json_is_the_documented_deal_with_the_value_as_a_decimal_string(cli, deal):
    record = deal("--title", "Website", "--value", "1200.50", "--currency", "usd", "--close", "2030-04-01",
                  "--note", "Phase one", "--pipeline", "Sales", "--stage", "Proposal")
    assert set(record) == DEAL_KEYS
    assert record["value"] == "1200.50" and isinstance(record["value"], str)
    assert (record["value_minor"], record["currency"], record["expected_close"], record["notes"]) == (
        120050, "USD", "2030-04-01", "Phase one")
    assert (record["stage"], record["probability"]) == ("Proposal", 50)
    shown = cli("deals", "show", str(record["id"]), "--json").json()
    assert {key: value for key, value in shown.items() if key != "history"} == record


def test_a_deal_in_json_names_its_next_step_the_open_task_due_soonest(cli, deal):
    record = deal("--title", "Fleet", "--value", "1200")
    assert (record["next_step"], record["next_step_due"]) == (None, None)
    for subject, due in (("Send the contract", "2030-05-02"), ("Call about the quote", "2030-04-01")):
        assert cli("tasks", "add", "--subject", subject, "--deal", str(record["id"]), "--due", due).code == 0
    shown = cli("deals", "show", str(record["id"]), "--json").json()
    assert shown["next_step"] == "Call about the quote" and shown["next_step_due"].startswith("2030-04-01")
    (listed,) = cli("deals", "list", "--json").json()
    assert (listed["next_step"], listed["next_step_due"]) == (shown["next_step"], shown["next_step_due"])


def test_an_empty_value_is_an_error_on_add_and_edit_and_changes_nothing(cli, deal, db_path):
    said = "error: --value is empty: give an amount such as 12500.50, or 0 for a deal of no value yet\n"
    for typed in ("", "  "):
        refused = cli("deals", "add", "--title", "Fleet", "--value", typed)
        assert (refused.code, refused.err) == (1, said)
    assert cli("deals", "list", "--json").json() == []
    record = deal("--title", "Fleet", "--value", "1200")
    refused = cli("deals", "edit", str(record["id"]), "--value", "")
    assert (refused.code, refused.err) == (1, said)
    assert stored(db_path, record["id"]).value_minor == 120000


def test_euro_formatted_value_is_stored_as_minor_units(cli, deal, db_path):
    record = deal("--title", "Fleet", "--value", "12.500,50", "--currency", "EUR")
    assert (record["value"], record["value_minor"]) == ("12500.50", 1250050)
    assert stored(db_path, record["id"]).value_minor == 1250050
    assert "EUR 12,500.50" in cli("deals", "list").out


@pytest.mark.parametrize("typed", ["12,34,5", "twelve", "12.", "-5"])
def test_bad_money_is_a_clear_error_and_adds_nothing(cli, typed):
    result = cli("deals", "add", "--title", "Bad", "--value", typed)
    assert result.code == 1 and result.out == ""
    assert result.err.startswith("error: value: ") and repr(typed) in result.err
    assert cli("deals", "list", "--json").json() == []


def test_title_and_value_are_required_on_add(cli):
    for args in (("--value", "10"), ("--title", "No value")):
        result = cli("deals", "add", *args)
        assert result.code == 2 and "required" in result.err
    blank = cli("deals", "add", "--title", "  ", "--value", "10")
    assert (blank.code, blank.err) == (1, "error: title: is required\n")


def test_currency_defaults_from_config_toml(cli, deal, settings_file):
    settings_file('currency = "USD"\n')
    assert deal("--title", "A", "--value", "10")["currency"] == "USD"
    assert deal("--title", "B", "--value", "10", "--currency", "CHF")["currency"] == "CHF"


def test_a_currency_setting_that_is_no_code_is_an_error_not_a_guess(cli, deal, settings_file):
    settings_file('currency = "dollars"\n')
    result = cli("deals", "add", "--title", "A", "--value", "10")
    assert result.code == 1 and "currency = 'dollars' is not a currency code" in result.err
    assert cli("deals", "list", "--json").json() == []
    assert deal("--title", "B", "--value", "10", "--currency", "USD")["currency"] == "USD"


def test_currency_falls_back_to_eur_without_settings_or_locale(deal):
    assert deal("--title", "A", "--value", "10")["currency"] == "EUR"


def test_broken_settings_fail_add_but_not_the_commands_that_do_not_need_them(cli, deal, settings_file):
    record = deal("--title", "Before", "--value", "10")
    path = settings_file("currency = \n")
    result = cli("deals", "add", "--title", "A", "--value", "10")
    assert result.code == 1 and result.out == ""
    assert result.err.startswith("error: ") and path in result.err
    assert cli("deals", "list", "--json").code == 0
    assert cli("deals", "show", str(record["id"])).code == 0
    assert cli("deals", "edit", str(record["id"]), "--title", "Renamed").code == 0
    currency = cli("deals", "edit", str(record["id"]), "--currency", "", "--value", "5")
    assert currency.code == 1 and path in currency.err
    assert cli("pipelines", "list").code == 0


def test_contact_by_id_and_company_by_name_are_linked(cli, add, deal):
    anna = add("--first", "Anna", "--last", "Berg")
    record = deal("--title", "Audit", "--value", "900", "--contact", f"#{anna['id']}", "--company", "Acme Oy")
    assert (record["contact_id"], record["contact"], record["company"]) == (anna["id"], "Anna Berg", "Acme Oy")
    assert [item["name"] for item in cli("companies", "list", "--json").json()] == ["Acme Oy"]
    by_name = deal("--title", "Second", "--value", "1", "--contact", "anna berg",
                   "--company", str(record["company_id"]))
    assert (by_name["contact_id"], by_name["company_id"]) == (anna["id"], record["company_id"])
    shown = cli("deals", "show", str(record["id"])).out
    assert f"  contact:        Anna Berg (#{anna['id']})" in shown.splitlines()
    assert f"  company:        Acme Oy (#{record['company_id']})" in shown.splitlines()


def test_unknown_contact_and_stage_are_errors(cli):
    contact = cli("deals", "add", "--title", "X", "--value", "1", "--contact", "#99")
    assert contact.code == 1 and "there is no contact #99" in contact.err
    stage = cli("deals", "add", "--title", "X", "--value", "1", "--stage", "Dreaming")
    assert stage.code == 1 and "has no stage 'Dreaming'" in stage.err
    assert cli("deals", "list", "--json").json() == []


# Listing ----------------------------------------------------------------------------------------------------


def test_list_text_is_one_aligned_line_a_deal(cli, deal):
    deal("--title", "Website", "--value", "1200.50", "--company", "Acme", "--close", "2030-05-01")
    deal("--title", "[bold]Big[/]", "--value", "12.500,50", "--stage", "Proposal")
    lines = cli("deals", "list").out.splitlines()
    assert len(lines) == 2
    assert lines[0].split() == ["1", "Website", "Acme", "Lead", "EUR", "1,200.50", "2030-05-01"]
    assert lines[1].split() == ["2", "[bold]Big[/]", "Proposal", "EUR", "12,500.50"]
    assert lines[0].index("Lead") == lines[1].index("Proposal")
    assert lines[0].index("1,200.50") + len("1,200.50") == lines[1].index("12,500.50") + len("12,500.50")


def test_list_json_streams_every_deal_with_its_keys(cli, deal):
    for number in range(3):
        deal("--title", f"Deal {number}", "--value", f"{number}.10")
    items = cli("deals", "list", "--json").json()
    assert [set(item) for item in items] == [DEAL_KEYS] * 3
    assert sorted(item["value"] for item in items) == ["0.10", "1.10", "2.10"]
    assert cli("deals", "list", "--json", "--limit", "2").json() == items[:2]
    assert cli("--json", "deals", "list").code == 0


def test_list_filters_and_sorts(cli, add, deal):
    anna = add("--first", "Anna")
    small = deal("--title", "Small", "--value", "10", "--contact", str(anna["id"]), "--close", "2030-01-02")
    big = deal("--title", "Big order", "--value", "5000", "--company", "Acme", "--stage", "Proposal")
    middle = deal("--title", "Middle", "--value", "300", "--close", "2030-01-01")
    assert cli("deals", "lost", str(middle["id"]), "--reason", "budget").code == 0

    def ids(*args: str) -> list[int]:
        result = cli("deals", "list", "--json", *args)
        assert result.code == 0, result.err
        return [item["id"] for item in result.json()]

    assert ids("--sort", "value") == [big["id"], middle["id"], small["id"]]
    assert ids("--sort", "close") == [middle["id"], small["id"], big["id"]]
    assert ids("--status", "open") == [small["id"], big["id"]]
    assert ids("--status", "lost") == [middle["id"]]
    assert ids("--stage", "proposal") == [big["id"]]
    assert ids("--pipeline", "Sales", "--stage", str(big["stage_id"])) == [big["id"]]
    assert ids("--stage", f"#{big['stage_id']}") == [big["id"]]
    assert ids("--search", "order") == [big["id"]]
    assert ids("--search", "acme") == [big["id"]]
    assert ids("--contact", str(anna["id"])) == [small["id"]]
    assert ids("--company", f"#{big['company_id']}") == [big["id"]]
    missing = cli("deals", "list", "--pipeline", "Nowhere")
    assert (missing.code, missing.err) == (1, "error: there is no pipeline 'Nowhere'\n")


def test_a_stage_name_several_pipelines_share_needs_the_pipeline(cli, deal):
    assert cli("pipelines", "add", "Partners").code == 0
    sales = deal("--title", "S", "--value", "1")
    partners = deal("--title", "P", "--value", "1", "--pipeline", "Partners")
    ambiguous = cli("deals", "list", "--stage", "Lead")
    assert ambiguous.code == 1 and "several pipelines have a stage 'Lead'" in ambiguous.err
    listed = cli("deals", "list", "--json", "--stage", "Lead", "--pipeline", "partners").json()
    assert [item["id"] for item in listed] == [partners["id"]] and sales["id"] != partners["id"]


def test_list_usage_errors_exit_2(cli):
    assert cli("deals", "list", "--status", "pending").code == 2
    assert cli("deals", "list", "--sort", "colour").code == 2
    assert cli("deals", "list", "--contact", "anna").code == 2
    limit = cli("deals", "list", "--limit", "0")
    assert limit.code == 1 and limit.err.startswith("error: limit")


# Editing, moving and closing --------------------------------------------------------------------------------


def test_edit_changes_only_the_fields_given(cli, deal, db_path):
    record = deal("--title", "Website", "--value", "1200.50", "--note", "keep me", "--close", "2030-01-01")
    result = cli("deals", "edit", str(record["id"]), "--title", "Web shop", "--value", "1.500,25", "--close", "",
                 "--json")
    assert result.code == 0, result.err
    edited = result.json()
    assert (edited["title"], edited["value"], edited["notes"], edited["expected_close"]) == (
        "Web shop", "1500.25", "keep me", "")
    assert edited["version"] == record["version"] + 1
    assert stored(db_path, record["id"]).value_minor == 150025
    text = cli("deals", "edit", str(record["id"]), "--stage", "Negotiation")
    assert text.code == 0 and "  stage:          Negotiation (75%)" in text.out.splitlines()


def test_edit_currency_needs_the_value_again(cli, deal):
    record = deal("--title", "A", "--value", "10")
    result = cli("deals", "edit", str(record["id"]), "--currency", "USD")
    assert result.code == 1 and "give the value again" in result.err
    changed = cli("deals", "edit", str(record["id"]), "--currency", "JPY", "--value", "1200", "--json").json()
    assert (changed["currency"], changed["value"], changed["value_minor"]) == ("JPY", "1200", 1200)


def test_move_by_name_and_by_id_writes_the_stage_history(cli, deal):
    record = deal("--title", "Website", "--value", "10")
    moved = cli("deals", "move", str(record["id"]), "qualified", "--json")
    assert moved.code == 0, moved.err
    assert (moved.json()["stage"], moved.json()["probability"]) == ("Qualified", 25)
    proposal = cli("pipelines", "list", "--json").json()[0]["stages"][2]
    assert cli("deals", "move", str(record["id"]), str(proposal["id"])).code == 0
    by_id = deal("--title", "By id", "--value", "1", "--stage", str(proposal["id"]))
    assert by_id["stage"] == "Proposal"
    shown = cli("deals", "show", str(record["id"]), "--json").json()
    assert shown["stage"] == "Proposal"
    assert [(step["from_stage"], step["to_stage"]) for step in shown["history"]] == [
        (None, "Lead"), ("Lead", "Qualified"), ("Qualified", "Proposal")]
    assert all(set(step) == {"at", "from_stage", "to_stage"} and step["at"] for step in shown["history"])
    text = cli("deals", "show", str(record["id"])).out.splitlines()
    assert text[0] == f"Website  (#{record['id']}, version 3)"
    assert "  stage history:" in text
    assert [line.strip().split("  ", 1)[1] for line in text[-3:]] == ["entered Lead", "Lead → Qualified",
                                                               "Qualified → Proposal"]


def test_move_to_a_stage_of_another_pipeline_is_refused(cli, deal):
    assert cli("pipelines", "add", "Partners", "--stage", "Pilot").code == 0
    record = deal("--title", "Website", "--value", "10")
    result = cli("deals", "move", str(record["id"]), "Pilot")
    assert result.code == 1 and "pipeline 'Sales' has no stage 'Pilot'" in result.err
    assert cli("deals", "show", str(record["id"]), "--json").json()["stage"] == "Lead"
    assert cli("deals", "move", str(record["id"])).code == 2


def test_won_and_lost_close_the_deal(cli, deal):
    first = deal("--title", "Won one", "--value", "10")
    second = deal("--title", "Lost one", "--value", "10")
    won = cli("deals", "won", str(first["id"]), "--json").json()
    assert (won["status"], won["stage"], won["lost_reason"]) == ("won", "Won", "")
    assert won["closed_at"]
    assert cli("deals", "lost", str(second["id"])).code == 2
    blank = cli("deals", "lost", str(second["id"]), "--reason", " ")
    assert blank.code == 1 and blank.err.startswith("error: --reason")
    lost = cli("deals", "lost", str(second["id"]), "--reason", "went with a competitor")
    assert lost.code == 0 and "  lost reason:    went with a competitor" in lost.out.splitlines()
    shown = cli("deals", "show", str(second["id"]), "--json").json()
    assert (shown["status"], shown["stage"], shown["lost_reason"]) == ("lost", "Lost", "went with a competitor")
    assert shown["history"][-1]["to_stage"] == "Lost"
    assert [item["id"] for item in cli("deals", "list", "--json", "--status", "won").json()] == [first["id"]]


def test_undo_takes_a_move_back(cli, deal):
    record = deal("--title", "Website", "--value", "10")
    assert cli("deals", "move", str(record["id"]), "Proposal").code == 0
    assert cli("undo").code == 0
    assert cli("deals", "show", str(record["id"]), "--json").json()["stage"] == "Lead"


# Trash ------------------------------------------------------------------------------------------------------


def test_delete_restore_and_purge(cli, deal, db_path):
    record = deal("--title", "Website", "--value", "10")
    key = str(record["id"])
    deleted = cli("deals", "delete", key)
    assert (deleted.code, deleted.out) == (0, f"deal {key} moved to the trash\n")
    assert cli("deals", "list", "--json").json() == []
    assert [item["id"] for item in cli("deals", "list", "--json", "--trash").json()] == [record["id"]]
    assert "  in trash since: " in cli("deals", "show", key).out
    edit = cli("deals", "edit", key, "--title", "No")
    assert edit.code == 1 and "in the trash" in edit.err
    restored = cli("deals", "restore", key, "--json")
    assert restored.json() == {"id": record["id"], "status": "restored"}
    assert [item["id"] for item in cli("deals", "list", "--json").json()] == [record["id"]]
    assert cli("deals", "purge", key).code == 1
    assert cli("deals", "delete", key).code == 0
    assert cli("deals", "purge", key).out == f"deal {key} purged\n"
    gone = cli("deals", "show", key)
    assert (gone.code, gone.err) == (1, f"error: deal {key} does not exist\n")


def test_missing_deals_are_errors_and_bad_ids_are_usage_errors(cli):
    for verb in ("show", "edit", "won", "delete", "restore"):
        result = cli("deals", verb, "42")
        assert result.code == 1 and result.err.startswith("error: deal 42 does not exist"), verb
    assert cli("deals", "show", "forty-two").code == 2
    assert cli("deals", "frobnicate").code == 2
    assert cli("deals").code == 2
