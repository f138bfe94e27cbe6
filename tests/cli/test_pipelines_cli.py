"""`crm-tui pipelines ...`: pipelines and their stages, listed with deal counts and managed from the shell."""

from __future__ import annotations

import pytest

PIPELINE_KEYS = {"id", "name", "position", "archived_at", "version", "open_deals", "stages"}
STAGE_KEYS = {"id", "pipeline_id", "name", "position", "probability", "outcome", "deals"}


@pytest.fixture
def deal(cli):
    def make(*args: str) -> dict:
        result = cli("deals", "add", "--value", "100", *args, "--json")
        assert result.code == 0, result.err
        return result.json()

    return make


def listed(cli, *args: str) -> list[dict]:
    result = cli("pipelines", "list", "--json", *args)
    assert result.code == 0, result.err
    return result.json()


def stage_names(cli, pipeline: str = "Sales") -> list[str]:
    found = next(item for item in listed(cli) if item["name"] == pipeline)
    return [stage["name"] for stage in found["stages"]]


def test_list_gives_the_default_pipeline_with_its_stages_and_deal_counts(cli, deal):
    deal("--title", "A")
    deal("--title", "B", "--stage", "Proposal")
    won = deal("--title", "C")
    assert cli("deals", "won", str(won["id"])).code == 0
    trashed = deal("--title", "D")
    assert cli("deals", "delete", str(trashed["id"])).code == 0
    [sales] = listed(cli)
    assert set(sales) == PIPELINE_KEYS and all(set(stage) == STAGE_KEYS for stage in sales["stages"])
    assert (sales["name"], sales["archived_at"], sales["open_deals"]) == ("Sales", None, 2)
    assert [(stage["name"], stage["probability"], stage["outcome"], stage["deals"]) for stage in sales["stages"]] == [
        ("Lead", 10, "open", 1), ("Qualified", 25, "open", 0), ("Proposal", 50, "open", 1),
        ("Negotiation", 75, "open", 0), ("Won", 100, "won", 1), ("Lost", 0, "lost", 0)]
    text = cli("pipelines", "list").out.splitlines()
    assert text[0] == f"Sales  (#{sales['id']})  2 open deals"
    assert text[1].split() == [str(sales["stages"][0]["id"]), "Lead", "10%", "open", "1", "deal"]
    assert text[5].split() == [str(sales["stages"][4]["id"]), "Won", "100%", "won", "1", "deal"]
    assert len({line.index("%") for line in text[1:]}) == 1


def test_add_with_stages_then_rename_and_move(cli):
    added = cli("pipelines", "add", "Partners", "--stage", "Intro", "--stage", "Pilot", "--json")
    assert added.code == 0, added.err
    assert [stage["name"] for stage in added.json()["stages"]] == ["Intro", "Pilot", "Won", "Lost"]
    assert cli("pipelines", "add", "Renewals").code == 0
    assert stage_names(cli, "Renewals") == ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    duplicate = cli("pipelines", "add", "partners")
    assert duplicate.code == 1 and "a pipeline called 'Partners' exists already" in duplicate.err
    renamed = cli("pipelines", "rename", "partners", "Channel")
    assert renamed.code == 0 and renamed.out.startswith("Channel  (#")
    assert [item["name"] for item in listed(cli)] == ["Sales", "Channel", "Renewals"]
    assert cli("pipelines", "move", "Renewals", "0").code == 0
    assert [item["name"] for item in listed(cli)] == ["Renewals", "Sales", "Channel"]
    assert cli("pipelines", "move", str(added.json()["id"]), "1").code == 0
    assert [item["name"] for item in listed(cli)] == ["Renewals", "Channel", "Sales"]
    assert cli("pipelines", "move", "Sales", "-1").code == 2
    assert cli("pipelines", "rename", "Nowhere", "X").code == 1


def test_archive_hides_a_pipeline_from_the_list_and_unarchive_brings_it_back(cli, deal):
    assert cli("pipelines", "add", "Partners").code == 0
    kept = deal("--title", "Kept", "--pipeline", "Partners")
    archived = cli("pipelines", "archive", "Partners", "--json")
    assert archived.code == 0 and archived.json()["archived_at"]
    assert [item["name"] for item in listed(cli)] == ["Sales"]
    everything = listed(cli, "--all")
    assert [(item["name"], bool(item["archived_at"])) for item in everything] == [("Sales", False), ("Partners", True)]
    assert "(#2, archived)" in cli("pipelines", "list", "--all").out
    assert cli("deals", "show", str(kept["id"]), "--json").json()["pipeline"] == "Partners"
    only = cli("pipelines", "archive", "Sales")
    assert only.code == 1 and "the only pipeline left open" in only.err
    assert cli("pipelines", "unarchive", "partners").code == 0
    assert [item["name"] for item in listed(cli)] == ["Sales", "Partners"]


def test_stages_add_rename_probability_and_move(cli):
    added = cli("pipelines", "stages", "add", "Sales", "Demo", "--probability", "40", "--position", "1", "--json")
    assert added.code == 0, added.err
    assert {key: added.json()[key] for key in ("name", "probability", "outcome", "position", "deals")} == {
        "name": "Demo", "probability": 40, "outcome": "open", "position": 1, "deals": 0}
    assert stage_names(cli) == ["Lead", "Demo", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    assert cli("pipelines", "stages", "add", "Sales", "Closing").code == 0
    assert stage_names(cli)[-3:] == ["Closing", "Won", "Lost"]
    assert cli("pipelines", "stages", "rename", "Sales", "demo", "Live demo").code == 0
    assert cli("pipelines", "stages", "probability", "Sales", "Live demo", "45%").code == 0
    assert cli("pipelines", "stages", "move", "Sales", "Live demo", "3").code == 0
    sales = listed(cli)[0]
    demo = next(stage for stage in sales["stages"] if stage["name"] == "Live demo")
    assert (demo["probability"], demo["position"]) == (45, 3)
    assert [stage["name"] for stage in sales["stages"]][:4] == ["Lead", "Qualified", "Proposal", "Live demo"]
    assert cli("pipelines", "stages", "rename", "Sales", str(demo["id"]), "Demo").code == 0
    assert "Demo" in stage_names(cli)


def test_stage_errors(cli):
    cases = [
        (("add", "Sales", "Lead"), "has a stage 'Lead' already"),
        (("add", "Sales", "Odd", "--probability", "150"), "150 is not between 0 and 100"),
        (("probability", "Sales", "Lead", "lots"), "not a whole number of percent"),
        (("rename", "Sales", "Nope", "X"), "has no stage 'Nope'"),
        (("move", "Sales", "Won", "0"), "Won and Lost always come after the open stages"),
        (("delete", "Sales", "Lost"), "Won and Lost cannot be deleted"),
        (("add", "Nowhere", "X"), "there is no pipeline 'Nowhere'"),
    ]
    for args, message in cases:
        result = cli("pipelines", "stages", *args)
        assert result.code == 1 and result.err.startswith("error: ") and message in result.err, (args, result.err)
    assert stage_names(cli) == ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    assert cli("pipelines", "stages", "move", "Sales", "Lead", "first").code == 2
    assert cli("pipelines", "stages").code == 2


def test_stage_delete_refuses_while_deals_remain_and_moves_them_when_told(cli, deal):
    live = deal("--title", "Live", "--stage", "Qualified")
    trashed = deal("--title", "Trashed", "--stage", "Qualified")
    assert cli("deals", "delete", str(trashed["id"])).code == 0
    refused = cli("pipelines", "stages", "delete", "Sales", "Qualified")
    assert refused.code == 1
    assert refused.err == "error: 2 deals are in 'Qualified'; say which stage they should move to\n"
    assert "Qualified" in stage_names(cli)
    outcome = cli("pipelines", "stages", "delete", "Sales", "Qualified", "--move-deals-to", "Won")
    assert outcome.code == 1 and "another open stage" in outcome.err
    done = cli("pipelines", "stages", "delete", "Sales", "Qualified", "--move-deals-to", "proposal")
    assert (done.code, done.out) == (0, "stage 'Qualified' of 'Sales' deleted, its 2 deals moved to 'Proposal'\n")
    assert stage_names(cli) == ["Lead", "Proposal", "Negotiation", "Won", "Lost"]
    assert cli("deals", "show", str(live["id"]), "--json").json()["stage"] == "Proposal"
    assert cli("deals", "restore", str(trashed["id"])).code == 0
    assert cli("deals", "show", str(trashed["id"]), "--json").json()["stage"] == "Proposal"
    empty = cli("pipelines", "stages", "delete", "Sales", "Negotiation", "--json")
    assert empty.json() == {"id": empty.json()["id"], "name": "Negotiation", "pipeline": "Sales", "status": "deleted",
                            "moved_deals": 0}


def test_deleting_a_stage_keeps_the_stage_history_of_deals_that_passed_through_it(cli, deal):
    record = deal("--title", "Website")
    assert cli("deals", "move", str(record["id"]), "Qualified").code == 0
    assert cli("deals", "move", str(record["id"]), "Proposal").code == 0
    assert cli("pipelines", "stages", "delete", "Sales", "Qualified").code == 0
    history = cli("deals", "show", str(record["id"]), "--json").json()["history"]
    assert [step["from_stage"] is None for step in history] == [True, False, False]
    assert [history[0]["to_stage"], history[2]["to_stage"]] == ["Lead", "Proposal"]
