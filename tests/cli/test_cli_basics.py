"""The command as a whole: exit codes, --version, --json in either place, info, demo and the default database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from crm_tui import __version__
from crm_tui.cli import main
from crm_tui.core import db as core_db


def test_version_exits_0_and_prints_the_version(cli, capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"crm-tui {__version__}"


def test_python_dash_m_crm_tui_version_works(tmp_path):
    done = subprocess.run([sys.executable, "-m", "crm_tui", "--version"], capture_output=True, text=True,
                          timeout=60, check=False, cwd=tmp_path, env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"crm-tui {__version__}"


def test_python_dash_m_runs_a_command_on_the_given_database(tmp_path):
    path = tmp_path / "m.sqlite3"
    done = subprocess.run([sys.executable, "-m", "crm_tui", "contacts", "add", "--first", "Sub", "--db", str(path)],
                          capture_output=True, text=True, timeout=60, check=False, env=os.environ.copy())
    assert (done.returncode, done.stdout, done.stderr) == (0, "1\n", f"created a new database at {path}\n")
    assert path.exists()


def test_a_database_is_made_only_in_a_folder_that_exists_and_only_the_first_time_says_so(cli, tmp_path):
    typo = tmp_path / "clients" / "crm.sqlite3"
    refused = cli("--db", str(typo), "contacts", "list", db=False)
    assert refused.code == 1
    assert refused.err == (f"error: there is no folder {typo.parent}: crm-tui makes a new database only in a folder "
                           "that exists, so that a mistyped path does not give an empty CRM; make it first\n")
    assert not typo.parent.exists()
    typo.parent.mkdir()
    assert cli("--db", str(typo), "contacts", "list", db=False).err == f"created a new database at {typo}\n"
    assert cli("--db", str(typo), "contacts", "list", db=False).err == ""


def test_unknown_command_is_a_usage_error(cli):
    result = cli("frobnicate")
    assert result.code == 2
    assert "invalid choice" in result.err and result.out == ""


def test_usage_errors_exit_2(cli):
    assert cli("contacts", "frobnicate").code == 2
    assert cli("contacts", "show", "not-a-number").code == 2
    assert cli("contacts", "list", "--sort", "shoe-size").code == 2
    assert cli("contacts").code == 2
    assert cli("tags", "rename", "only-one").code == 2


def test_help_exits_0(cli):
    result = cli("contacts", "add", "--help")
    assert result.code == 0 and "--email" in result.out


def test_json_works_before_the_subcommand_too(cli, db_path, capsys):
    cli("contacts", "add", "--first", "Anna")
    capsys.readouterr()
    assert main(["--json", "--db", str(db_path), "contacts", "list"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [item["first_name"] for item in items] == ["Anna"]
    assert main(["--db", str(db_path), "--json", "info"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["contacts"] == 1


def test_without_db_the_command_uses_crm_tui_db(cli, tmp_path):
    result = cli("info", "--json", db=False)
    assert result.code == 0, result.err
    expected = os.environ["CRM_TUI_DB"]
    assert result.json()["path"] == expected
    assert str(tmp_path) in expected and os.path.exists(expected)


def test_info_json_counts_records(cli, add):
    add("--first", "Anna", "--company", "Acme", "--tag", "vip", "--tag", "new")
    gone = add("--first", "Ben", "--company", "Beta")
    add("--first", "Cleo", "--company", "Acme")
    cli("contacts", "delete", str(gone["id"]))
    result = cli("info", "--json")
    assert result.code == 0
    facts = result.json()
    assert facts["schema_version"] == core_db.SCHEMA_VERSION == 8 and facts["demo"] is False and facts["size_bytes"] > 0
    assert facts["counts"] == {"contacts": 2, "companies": 2, "deals": 0, "activities": 0, "open_tasks": 0,
                               "tags": 2, "in_trash": 1}


def test_info_as_text(cli):
    result = cli("info")
    assert result.code == 0
    assert f"schema version:   {core_db.SCHEMA_VERSION}" in result.out.splitlines()
    assert any(line.startswith("counts contacts:") for line in result.out.splitlines())


def test_demo_on_a_non_empty_database_needs_force(cli, add):
    add("--first", "Real")
    refused = cli("demo", "--contacts", "30")
    assert refused.code == 1 and refused.err.startswith("error: ") and "--force" in refused.err
    assert len(cli("contacts", "list", "--json").json()) == 1
    forced = cli("demo", "--contacts", "30", "--force", "--json")
    assert forced.code == 0, forced.err
    assert forced.json()["contacts"] == 30
    assert len(cli("contacts", "list", "--json").json()) == 31
    assert cli("info", "--json").json()["demo"] is True


def test_demo_prints_a_summary_and_the_seed_decides_the_data(cli, tmp_path, capsys):
    result = cli("demo", "--contacts", "40", "--seed", "9")
    assert result.code == 0 and result.out.startswith("added 40 contacts")
    other = tmp_path / "other.sqlite3"
    assert main(["demo", "--contacts", "40", "--seed", "9", "--db", str(other)]) == 0
    capsys.readouterr()
    names = [c["name"] for c in cli("contacts", "list", "--json").json()]
    assert main(["contacts", "list", "--json", "--db", str(other)]) == 0
    assert [c["name"] for c in json.loads(capsys.readouterr().out)] == names


def test_demo_with_no_contacts_is_a_user_error(cli):
    result = cli("demo", "--contacts", "0")
    assert result.code == 1 and result.err.startswith("error: ")


def test_a_file_that_is_not_a_database_is_refused_and_kept(cli, db_path):
    db_path.write_bytes(b"hello world" * 10)
    result = cli("contacts", "list")
    assert result.code == 1 and result.err.startswith("error: ") and "not a SQLite database" in result.err
    assert db_path.read_bytes() == b"hello world" * 10


def test_a_database_locked_by_another_program_is_a_clear_error(cli, db_path, monkeypatch):
    assert cli("contacts", "add", "--first", "Ada").code == 0
    monkeypatch.setitem(core_db.PRAGMAS, "busy_timeout", 50)
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = cli("contacts", "add", "--first", "Grace")
    finally:
        holder.rollback()
        holder.close()
    assert result.code == 1
    assert result.err.startswith("error: the database")
    assert "locked" in result.err
    assert [c["name"] for c in json.loads(cli("contacts", "list", "--json").out)] == ["Ada"]
