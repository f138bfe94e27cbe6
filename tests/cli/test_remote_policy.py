"""What a remote user may run as a command: read by the real parser, so every spelling argparse takes is judged by
what it means."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from crm_tui import cli
from crm_tui.cli.remote_policy import SERVER_COMMANDS, remote_arguments
from crm_tui.core.errors import CrmError


def refusal(command_line: str) -> str:
    with pytest.raises(CrmError) as refused:
        remote_arguments(command_line)
    return str(refused.value)


@pytest.mark.parametrize("command_line, arguments", [
    ("contacts list --json", ["contacts", "list", "--json"]),
    ("contacts add --first 'Anna Maria' --note \"it's; rm -rf ~\"",
     ["contacts", "add", "--first", "Anna Maria", "--note", "it's; rm -rf ~"]),
    ("contacts add --first=--db", ["contacts", "add", "--first=--db"]),
    ("export --format csv --entity companies", ["export", "--format", "csv", "--entity", "companies"]),
    ("import - --format csv --mode upsert", ["import", "-", "--format", "csv", "--mode", "upsert"]),
    ("import list", ["import", "list"]),
    ("import undo 3f2a", ["import", "undo", "3f2a"]),
    ("history contact 4", ["history", "contact", "4"]),
])
def test_commands_on_the_users_own_database_are_split_as_a_shell_would_and_allowed(command_line, arguments):
    assert remote_arguments(command_line) == arguments


@pytest.mark.parametrize("command_line", [
    "contacts list --db /srv/crm/users/bob/crm.sqlite3",
    "contacts list --db=/tmp/x.db",
    "--db /tmp/x.db contacts list",
    "--d /tmp/x.db info",
    "contacts list --d=x",
])
def test_db_in_any_spelling_is_refused(command_line):
    assert refusal(command_line) == "--db is not available over SSH: you always work in your own database"


@pytest.mark.parametrize("command_line", [
    "export --format csv --output /etc/cron.d/x",
    "export --format csv --output=people.csv",
    "export --format json --outp x.json",
    "export --format vcard --o=x.vcf",
])
def test_export_to_a_file_on_the_server_is_refused_in_any_spelling(command_line):
    assert refusal(command_line).startswith("export --output would write a file on the server: leave it out")


@pytest.mark.parametrize("command_line, target", [
    ("import /etc/passwd --format csv", "/etc/passwd"),
    ("import ../bob/files/people.csv", "../bob/files/people.csv"),
    ("import undo", "undo"),
    ("import --format=csv people.csv", "people.csv"),
])
def test_import_of_a_server_file_is_refused(command_line, target):
    assert refusal(command_line) == (f"import {target} would read a file on the server: send the file on standard "
                                     "input instead, e.g. `import - --format csv < people.csv`")


@pytest.mark.parametrize("command_line", ["serve ssh --port 2223", "serve", "serve --help", "users list", "users",
                                          "--json users add bob --key /tmp/k.pub", "users remove"])
def test_server_administration_is_refused_complete_or_not(command_line):
    name = next(word for word in command_line.split() if word in SERVER_COMMANDS)
    assert refusal(command_line) == f"`{name}` administers the server and is not available over SSH"


@pytest.mark.parametrize("command_line, message", [
    ("", "no command given: name one, e.g. `contacts list` (`--help` lists them)"),
    ("   ", "no command given: name one, e.g. `contacts list` (`--help` lists them)"),
    ("--json", "no command given: name one, e.g. `contacts list` (`--help` lists them)"),
    ("contacts add --first 'Anna", "the command cannot be read: no closing quotation"),
    ("contacts list \\", "the command cannot be read: no escaped character"),
])
def test_empty_and_unreadable_command_lines_are_refused(command_line, message):
    assert refusal(command_line) == message


@pytest.mark.parametrize("command_line", ["frobnicate", "contacts", "--help", "--version", "import"])
def test_what_the_parser_rejects_passes_to_stop_there_and_the_check_prints_nothing(capsys, command_line):
    arguments = remote_arguments(command_line)
    assert arguments == command_line.split()
    assert capsys.readouterr() == ("", "")
    assert cli.main(arguments) in (0, 2)  # argparse's own message and code; nothing ran


@given(st.text())
def test_any_text_is_a_list_of_arguments_or_a_refusal(command_line):
    try:
        arguments = remote_arguments(command_line)
    except CrmError:
        return
    assert isinstance(arguments, list) and all(isinstance(argument, str) for argument in arguments)


@given(st.lists(st.sampled_from(["--db", "--d=x", "--output", "--outp=y", "x", "-", "import", "export", "--format",
                                 "csv", "contacts", "list", "undo", "--json", "info", "--", "=", "--o"]),
                max_size=7))
def test_no_accepted_command_reaches_another_database_or_a_server_file(words):
    try:
        arguments = remote_arguments(" ".join(words))
    except CrmError:
        return
    try:
        args = cli.build_parser().parse_args(arguments)
    except SystemExit:
        return  # main stops here too, before running anything
    assert getattr(args, "db", None) is None
    assert getattr(args, "output", None) is None
    assert getattr(args, "target", "-") in ("-", "list", "undo")
