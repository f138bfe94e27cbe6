"""Run the `crm-tui` command in-process against a database in tmp_path."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from crm_tui.cli import main
from crm_tui.config import FILES_DIR_ENV_VAR, SSH_USER_ENV_VAR
from crm_tui.core.db import close_database, open_database
from crm_tui.core.records import set_remote_user


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture(autouse=True)
def plain_locale(monkeypatch):
    """No locale currency: without a config.toml the default currency is the EUR fallback."""
    monkeypatch.setenv("LC_ALL", "C")


@pytest.fixture(autouse=True)
def local_session(monkeypatch):
    """A local session even when the tests run in an SSH login: the CLI would log its changes as made over SSH (and,
    run with no arguments, run SSH_ORIGINAL_COMMAND). A test that makes a remote session leaves none behind."""
    for name in (SSH_USER_ENV_VAR, FILES_DIR_ENV_VAR, "SSH_CONNECTION", "SSH_ORIGINAL_COMMAND"):
        monkeypatch.delenv(name, raising=False)
    yield
    set_remote_user(None)


@pytest.fixture
def db_path(tmp_path):
    """The database `--db` names, already made: the commands under test work on a person's CRM (creating one, and
    the line that says so, have tests of their own)."""
    folder = tmp_path / "cli"
    folder.mkdir()
    path = folder / "crm.sqlite3"
    open_database(path)
    close_database()
    return path


@pytest.fixture
def cli(db_path, capsys):
    """`cli("contacts", "list", "--json")` runs main with `--db` after the subcommand, as a person would type it."""

    def run(*args: str, db: bool = True) -> Result:
        capsys.readouterr()
        argv = [*args, "--db", str(db_path)] if db else list(args)
        code = main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def add(cli):
    """Add a contact through the CLI and return its JSON record."""

    def make(*args: str) -> dict:
        result = cli("contacts", "add", *args, "--json")
        assert result.code == 0, result.err
        return result.json()

    return make
