"""`crm-tui log`, `tasks`, `activities list` and `agenda`: typed times stored in UTC, lists, and the agenda."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

ACTIVITY_KEYS = {"id", "kind", "subject", "body", "occurred_at", "due_at", "done_at", "contact_id", "contact",
                 "company_id", "company", "deal_id", "deal", "created_at", "updated_at", "deleted_at", "version"}


def stored(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


@pytest.fixture
def run(cli):
    """Run a command with --json that must succeed and return its JSON."""

    def call(*args: str):
        result = cli(*args, "--json")
        assert result.code == 0, result.err
        return result.json()

    return call


def test_log_stores_an_iso_time_in_utc_with_its_links(run, add):
    anna = add("--first", "Anna", "--last", "Berg")
    logged = run("log", "--kind", "call", "--subject", "Intro call", "--body", "went well",
                 "--contact", f"#{anna['id']}", "--at", "2025-11-20T10:00:00Z")
    assert set(logged) >= ACTIVITY_KEYS
    assert logged["kind"] == "call"
    assert logged["occurred_at"] == "2025-11-20T10:00:00.000000Z"
    assert (logged["contact_id"], logged["contact"], logged["due_at"]) == (anna["id"], "Anna Berg", None)


def test_log_reads_relative_and_local_times(run, amsterdam):
    before = datetime.now(UTC)
    ago = stored(run("log", "--kind", "note", "--subject", "x", "--at", "2h ago")["occurred_at"])
    after = datetime.now(UTC)
    assert before - timedelta(hours=2, minutes=1) <= ago <= after - timedelta(hours=2) + timedelta(minutes=1)
    # Local wall-clock time (CET in January) and a bare day, which is the start of that local day.
    assert run("log", "--kind", "note", "--subject", "x", "--at", "2025-01-15 15:00")["occurred_at"] == \
        "2025-01-15T14:00:00.000000Z"
    assert run("log", "--kind", "note", "--subject", "x", "--at", "2025-01-15")["occurred_at"] == \
        "2025-01-14T23:00:00.000000Z"


def test_log_defaults_to_now(run):
    before = datetime.now(UTC) - timedelta(seconds=1)
    occurred = stored(run("log", "--kind", "email", "--subject", "Sent the deck")["occurred_at"])
    assert before <= occurred <= datetime.now(UTC) + timedelta(seconds=1)


def test_log_refuses_bad_input(cli):
    bad = cli("log", "--kind", "note", "--subject", "x", "--at", "blursday")
    assert bad.code == 1
    assert bad.err.startswith("error: --at: ")
    assert '"blursday" is not a date or time' in bad.err
    assert cli("log", "--kind", "fax", "--subject", "x").code == 2
    assert cli("log", "--kind", "note", "--subject", "x", "--contact", "99").code == 1
    assert cli("activities", "list", "--json").json() == []


def test_tasks_add_list_done_and_undone(run, amsterdam):
    later = run("tasks", "add", "--subject", "Later", "--due", "2025-12-01 09:00")
    soon = run("tasks", "add", "--subject", "Soon", "--due", "2025-11-01T08:00:00Z")
    undated = run("tasks", "add", "--subject", "Someday")
    assert later["kind"] == "task" and later["occurred_at"] is None
    assert later["due_at"] == "2025-12-01T08:00:00.000000Z"
    assert undated["due_at"] is None
    # A bare day for --due is the end of that local day.
    assert run("tasks", "add", "--subject", "Day", "--due", "2025-01-15")["due_at"] == "2025-01-15T22:59:00.000000Z"
    listed = run("tasks", "list")
    assert [task["subject"] for task in listed] == ["Day", "Soon", "Later", "Someday"]
    assert [task["subject"] for task in run("tasks", "list", "--limit", "2")] == ["Day", "Soon"]

    done = run("tasks", "done", str(soon["id"]))
    assert done["done_at"] is not None
    assert [task["id"] for task in run("tasks", "list", "--done")] == [soon["id"]]
    assert soon["id"] not in [task["id"] for task in run("tasks", "list", "--open")]
    assert run("tasks", "undone", f"#{soon['id']}")["done_at"] is None
    assert run("tasks", "list", "--done") == []


def test_tasks_text_and_errors(cli, run):
    task = run("tasks", "add", "--subject", "Send quote", "--due", "2025-11-01T08:00:00Z")
    text = cli("tasks", "list").out
    assert "[ ]" in text and "Send quote" in text and "2025-11-01" in text
    assert cli("tasks", "add", "--due", "tomorrow").code == 2  # --subject is required
    assert cli("tasks", "add", "--subject", "x", "--due", "blursday").code == 1
    assert cli("tasks", "done", "999").code == 1
    assert cli("tasks", "list", "--open", "--done").code == 2
    note = run("log", "--kind", "note", "--subject", "a note")
    refused = cli("tasks", "done", str(note["id"]))
    assert refused.code == 1 and "not a task" in refused.err
    assert "[x]" in cli("tasks", "done", str(task["id"])).out


def test_activities_list_filters_newest_first(run, add, cli):
    anna, bob = add("--first", "Anna"), add("--first", "Bob")
    run("log", "--kind", "call", "--subject", "Old call", "--contact", str(anna["id"]), "--at", "2025-01-10T10:00Z")
    run("log", "--kind", "meeting", "--subject", "Kick-off pricing", "--contact", str(anna["id"]),
        "--at", "2025-03-10T10:00Z")
    run("log", "--kind", "call", "--subject", "Bob call", "--contact", str(bob["id"]), "--at", "2025-02-10T10:00Z")
    run("tasks", "add", "--subject", "A task", "--contact", str(anna["id"]))

    assert [item["subject"] for item in run("activities", "list")] == ["Kick-off pricing", "Bob call", "Old call"]
    assert [item["subject"] for item in run("activities", "list", "--contact", str(anna["id"]))] == \
        ["Kick-off pricing", "Old call"]
    assert [item["subject"] for item in run("activities", "list", "--kind", "call")] == ["Bob call", "Old call"]
    assert [item["subject"] for item in run("activities", "list", "--since", "2025-02-01")] == \
        ["Kick-off pricing", "Bob call"]
    assert [item["subject"] for item in run("activities", "list", "--search", "pricing")] == ["Kick-off pricing"]
    assert len(run("activities", "list", "--limit", "1")) == 1
    text = cli("activities", "list", "--contact", str(bob["id"])).out
    assert "Bob call" in text and "call" in text and "2025-02-10" in text
    assert "Old call" not in text


def test_agenda_shows_overdue_and_today(cli, run, add, amsterdam):
    if datetime.now().astimezone().strftime("%H:%M") >= "23:58":
        pytest.skip("a task due 'today' (23:59) would be overdue before the test ends")
    anna = add("--first", "Anna", "--last", "Berg")
    late = run("tasks", "add", "--subject", "Chase invoice", "--due=-2h", "--contact", str(anna["id"]))
    today = run("tasks", "add", "--subject", "Send quote", "--due", "today")
    run("tasks", "add", "--subject", "Next week", "--due", "+8d")
    run("tasks", "add", "--subject", "Undated")
    finished = run("tasks", "add", "--subject", "Already done", "--due=-1d")
    run("tasks", "done", str(finished["id"]))

    groups = run("agenda")
    assert [group["title"] for group in groups] == ["Overdue", "Today"]
    assert [[task["id"] for task in group["tasks"]] for group in groups] == [[late["id"]], [today["id"]]]
    assert [group["count"] for group in groups] == [1, 1]
    assert set(groups[0]["tasks"][0]) >= ACTIVITY_KEYS

    lines = cli("agenda").out.splitlines()
    assert lines[0] == "Overdue (1)"
    local_due = stored(late["due_at"]).astimezone().strftime("%Y-%m-%d %H:%M")
    assert lines[1].split() == [*local_due.split(), f"#{late['id']}", "Chase", "invoice", "Anna", "Berg"]
    assert lines[2] == "Today (1)"
    assert "Send quote" in lines[3] and "23:59" in lines[3]
    assert len(lines) == 4


def test_agenda_when_empty(cli, run):
    assert cli("agenda").out == "Nothing overdue or due today.\n"
    run("tasks", "add", "--subject", "Far away", "--due", "+30d")
    assert cli("agenda").out == "Nothing overdue or due today.\n"
    assert [group["tasks"] for group in cli("agenda", "--json").json()] == [[], []]
