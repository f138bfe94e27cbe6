"""Fuzzed command lines: whatever is typed, the command ends with 0, 1 (`error: …`) or 2 (usage), never a
traceback; numbers past 64 bits and arguments that are not UTF-8 are refused before they reach the database."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from crm_tui.cli import main
from crm_tui.core import contacts, deals
from crm_tui.core.db import close_database, open_database

COMMANDS = [
    ["contacts", "show"], ["contacts", "edit"], ["contacts", "delete"], ["contacts", "restore"],
    ["contacts", "purge"], ["contacts", "list", "--limit"], ["companies", "show"], ["deals", "show"],
    ["deals", "move"], ["deals", "won"], ["deals", "list", "--limit"], ["deals", "add", "--title", "x", "--value"],
    ["log", "call", "--contact"], ["tasks", "list", "--limit"], ["history"], ["history", "--limit", "1"],
    ["trash", "purge", "--older-than"], ["trash", "list", "--limit"], ["merge"], ["merge", "1"],
    ["search", "--limit", "1"], ["search"], ["duplicates", "--limit"], ["demo", "--seed"],
    ["pipelines", "show"], ["activities", "list", "--limit"], ["tags", "rename", "vip"], ["import", "undo"],
    ["restore"], ["backup", "--output"], ["backup", "--list"], ["check"], ["export", "--format", "csv", "--output"],
]
VALUES = st.one_of(
    st.sampled_from(["1", "#1", "0", "-1", "9223372036854775807", "9223372036854775808", "1" * 20, "1" * 4400,
                     "", " ", "1.5", "１", "#", "\udcff\udcfe", "a\udc80b", "\x00", "ann\x1b[31m", "--json"]),
    st.integers().map(str),
    st.text(max_size=12),
)


@pytest.fixture
def some_records(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "crm.sqlite3"
    open_database(path)
    ann = contacts.create(contacts.ContactDraft(first_name="Ann", last_name="Lee"))
    deals.create({"title": "Licences", "contact": ann.id})
    close_database()
    return path


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(command=st.sampled_from(COMMANDS), values=st.lists(VALUES, min_size=1, max_size=3))
@example(command=["trash", "purge", "--older-than"], values=["739957"])  # before the first year: found by this test
def test_a_fuzzed_command_line_ends_in_0_1_or_2_and_never_a_traceback(some_records, command, values):
    assert main(["--db", str(some_records), *command, *values]) in (0, 1, 2)


@pytest.mark.parametrize("arguments", [
    ["contacts", "show", "9223372036854775808"],
    ["deals", "show", "99999999999999999999"],
    ["contacts", "list", "--limit", "1" * 20],
    ["trash", "purge", "--older-than", "99999999999999999999"],
    ["merge", "1", "18446744073709551616"],
])
def test_a_number_past_64_bits_is_a_usage_error(some_records, capsys, arguments):
    assert main(["--db", str(some_records), *arguments]) == 2
    assert "error: argument" in capsys.readouterr().err


@pytest.mark.parametrize("arguments", [
    ["--db", "crm\x00.sqlite3", "info"], ["backup", "--output", "x\x00"], ["restore", ""],
    ["export", "--format", "csv", "--output", "\x00"], ["users", "add", "ann", "--key", "k\x00"],
])
def test_a_file_name_that_is_empty_or_holds_a_nul_is_a_usage_error(some_records, capsys, arguments):
    assert main(["--db", str(some_records), *arguments]) == 2
    err = capsys.readouterr().err
    assert "is not a file name (it holds a NUL character)" in err or "a file name is needed" in err


def test_an_argument_that_is_not_utf8_is_refused_in_one_line(some_records, capsys):
    assert main(["--db", str(some_records), "contacts", "add", "--first", "Ann\udcff"]) == 1
    assert capsys.readouterr().err == "error: an argument is not UTF-8 text: Ann\\xff\n"
