"""`ForceCommand crm-tui` in sshd_config: sshd runs `crm-tui` with no arguments and puts what the client asked for
in SSH_ORIGINAL_COMMAND, which runs under the built-in server's rules; with nothing asked for, the app opens."""

from __future__ import annotations

import getpass
import io
import json
import sys

import pytest

import crm_tui.ui.app
from crm_tui.cli import main


@pytest.fixture
def login(monkeypatch, db_path):
    """An OpenSSH login forced to `crm-tui`: `login("contacts list")` runs main() as sshd would, on db_path."""
    monkeypatch.setenv("CRM_TUI_DB", str(db_path))
    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.9 51234 192.0.2.1 22")
    monkeypatch.setattr(sys, "argv", ["crm-tui"])

    def run(command: str | None, capsys) -> tuple[int, str, str]:
        if command is None:
            monkeypatch.delenv("SSH_ORIGINAL_COMMAND", raising=False)
        else:
            monkeypatch.setenv("SSH_ORIGINAL_COMMAND", command)
        capsys.readouterr()
        code = main()
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def app_runs(monkeypatch) -> list:
    """The databases the app was opened on, instead of opening it."""
    opened: list = []
    monkeypatch.setattr(crm_tui.ui.app, "run_app", lambda db_path: opened.append(db_path) or 0)
    return opened


def test_the_command_the_client_asked_for_runs_and_is_logged_as_made_over_ssh(login, capsys, cli):
    code, out, err = login("contacts add --first 'Anna Maria' --json", capsys)
    assert (code, err) == (0, "")
    anna = cli("contacts", "list", "--json").json()
    assert [contact["name"] for contact in anna] == ["Anna Maria"]
    code, out, _err = login(f"history {anna[0]['id']} --json", capsys)
    [created] = json.loads(out)
    assert (created["action"], created["source"], created["actor"]) == ("created", "SSH", getpass.getuser())


@pytest.mark.parametrize("command, message", [
    ("contacts list --db /tmp/elsewhere.sqlite3",
     "error: --db is not available over SSH: you always work in your own database\n"),
    ("import /etc/passwd --format csv",
     "error: import /etc/passwd would read a file on the server: send the file on standard input instead, e.g. "
     "`import - --format csv < people.csv`\n"),
    ("contacts add --first 'Ann", "error: the command cannot be read: no closing quotation\n"),
])
def test_a_refused_command_is_an_error_and_runs_nothing(login, capsys, db_path, command, message):
    before = db_path.read_bytes()
    code, out, err = login(command, capsys)
    assert (code, out, err) == (1, "", message)
    assert db_path.read_bytes() == before and not db_path.with_name(db_path.name + "-wal").exists()


def test_a_forced_import_reads_standard_input(login, capsys, monkeypatch, cli):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"first_name,emails\r\nBo,bo@example.com\r\n")))
    code, out, err = login("import - --format csv", capsys)
    assert code == 0, err
    assert out.startswith("Created 1, updated 0, skipped 0, rejected 0\n")
    assert [contact["emails"] for contact in cli("contacts", "list", "--json").json()] == [["bo@example.com"]]


@pytest.mark.parametrize("command", [None, "", "   "])
def test_with_no_command_asked_for_the_app_opens(login, capsys, app_runs, db_path, command):
    assert login(command, capsys) == (0, "", "")
    assert app_runs == [db_path]


def test_arguments_given_in_the_call_win_over_ssh_original_command(login, capsys, app_runs, db_path, monkeypatch):
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "contacts add --first Eve")
    assert main([]) == 0
    assert app_runs == [db_path]
    monkeypatch.setattr(sys, "argv", ["crm-tui", "contacts", "list", "--json"])
    assert main() == 0
    assert capsys.readouterr().out == "[]\n"
