"""Odd files where the database should be: a read-only file opens for reading, a link is never followed to change
a mode, anything that is not a regular file is refused, and a refused file keeps its bytes, its mode and its
neighbours (no -wal or -shm of ours)."""

from __future__ import annotations

import hashlib
import os
import sqlite3

import pytest

from crm_tui.cli import main
from crm_tui.core import contacts
from crm_tui.core.db import SCHEMA_VERSION, close_database, open_database
from crm_tui.core.errors import DatabaseError


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def a_database(path, names=("Ann",)):
    open_database(path)
    for name in names:
        contacts.create(contacts.ContactDraft(first_name=name))
    close_database()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def test_a_read_only_file_lists_and_refuses_writes_keeping_its_mode_and_bytes(tmp_path, capsys):
    path = tmp_path / "crm.sqlite3"
    a_database(path, ("Ann", "Bo"))
    path.chmod(0o444)
    before = digest(path)
    assert main(["--db", str(path), "contacts", "list", "--json"]) == 0
    assert '"first_name": "Bo"' in capsys.readouterr().out
    assert main(["--db", str(path), "contacts", "add", "--first", "Cy"]) == 1
    assert capsys.readouterr().err == "error: the database is read-only (its file may not be written); nothing was " \
                                      "changed\n"
    assert main(["--db", str(path), "demo", "--force", "--contacts", "5"]) == 1  # the bulk path's raw cursor too
    assert capsys.readouterr().err.startswith("error: the database is read-only")
    assert main(["--db", str(path), "export", "--format", "csv"]) == 0
    assert (path.stat().st_mode & 0o777, digest(path)) == (0o444, before)


def test_a_link_is_used_but_its_target_keeps_its_mode(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "real.sqlite3"
    a_database(target)
    target.chmod(0o640)
    link = tmp_path / "crm.sqlite3"
    link.symlink_to(target)
    assert main(["--db", str(link), "contacts", "add", "--first", "Cy"]) == 0
    assert target.stat().st_mode & 0o777 == 0o640 and link.is_symlink()


@pytest.mark.parametrize("make", ["fifo", "folder", "dangling link", "link to a fifo"])
def test_what_is_not_a_regular_file_is_refused_and_left_alone(tmp_path, make):
    path = tmp_path / "crm.sqlite3"
    fifo = tmp_path / "pipe"
    if make in ("fifo", "link to a fifo"):
        os.mkfifo(fifo, 0o644)
    if make == "fifo":
        os.rename(fifo, path)
    elif make == "folder":
        path.mkdir(mode=0o755)
    elif make == "dangling link":
        path.symlink_to(tmp_path / "nowhere")
    else:
        path.symlink_to(fifo)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(DatabaseError, match="not a regular file|a link to nothing"):
        open_database(path)
    assert sorted(os.listdir(tmp_path)) == before
    if make in ("fifo", "link to a fifo"):
        assert os.stat(path).st_mode & 0o777 == 0o644


@pytest.mark.parametrize("kind", ["foreign", "newer", "truncated"])
def test_a_refused_file_keeps_its_bytes_its_mode_and_gets_no_neighbours(tmp_path, kind):
    path = tmp_path / "crm.sqlite3"
    if kind == "foreign":
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA journal_mode=wal")
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
    else:
        a_database(path)
        connection = sqlite3.connect(path)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        if kind == "truncated":
            path.write_bytes(path.read_bytes()[:1000])
    for neighbour in ("-wal", "-shm"):
        path.with_name(path.name + neighbour).unlink(missing_ok=True)
    path.chmod(0o644)
    before = digest(path)
    with pytest.raises(DatabaseError):
        open_database(path)
    assert (digest(path), path.stat().st_mode & 0o777) == (before, 0o644)
    assert sorted(os.listdir(tmp_path)) == ["crm.sqlite3"]


def test_a_zero_length_file_becomes_the_database_and_keeps_its_mode(tmp_path):
    path = tmp_path / "crm.sqlite3"
    path.touch(mode=0o640)
    path.chmod(0o640)
    a_database(path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_read_only_folder_says_so(tmp_path, monkeypatch):
    folder = tmp_path / "shared"
    folder.mkdir()
    real_access = os.access

    def access(where, how):  # root may write anywhere: the folder is made read-only for this test's eyes
        return False if str(where) == str(folder) else real_access(where, how)

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(DatabaseError, match=f"the folder {folder} is read-only"):
        open_database(folder / "crm.sqlite3")
