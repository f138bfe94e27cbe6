"""`crm-tui import -`: the file comes on standard input (`ssh ann@host import - --format csv < people.csv`), is
imported as a file would be, and its rejected rows go where the summary says."""

from __future__ import annotations

import csv
import io
import stat
import sys
from pathlib import Path

import pytest

PEOPLE = b"first_name,last_name,emails\r\nAnn,Lee,ann@x.org\r\nBob,Stone,not-an-email\r\n"


@pytest.fixture
def stdin(monkeypatch):
    """`stdin(b"...")` gives the command those bytes on standard input."""

    def give(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    return give


@pytest.fixture
def spool_dir(tmp_path, monkeypatch) -> Path:
    """The temporary files' folder, to see that nothing is left in it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def read_rejects(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as rejects:
        return list(csv.DictReader(rejects))


def test_a_csv_on_stdin_imports_and_its_rejects_go_to_the_current_directory(cli, stdin, spool_dir, tmp_path,
                                                                            monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    stdin(PEOPLE)
    result = cli("import", "-", "--format", "csv")
    assert result.code == 0, result.err
    assert result.out.splitlines()[:2] == ["Created 1, updated 0, skipped 0, rejected 1",
                                           f"rejected rows went to {work / 'stdin.rejects.csv'}"]
    [bob] = read_rejects(work / "stdin.rejects.csv")
    assert (bob["line"], bob["first_name"], bob["emails"]) == ("3", "Bob", "not-an-email")
    assert [contact["name"] for contact in cli("contacts", "list", "--json").json()] == ["Ann Lee"]
    assert [batch["source"] for batch in cli("import", "list", "--json").json()] == ["stdin"]
    assert list(spool_dir.iterdir()) == []


def test_over_ssh_the_spool_and_the_rejects_live_in_the_users_files_folder(cli, stdin, spool_dir, tmp_path,
                                                                         monkeypatch):
    files = tmp_path / "users" / "ann" / "files"
    monkeypatch.setenv("CRM_TUI_FILES_DIR", str(files))
    stdin(PEOPLE)
    result = cli("import", "-", "--format", "csv", "--json")
    assert result.code == 0, result.err
    summary = result.json()
    rejects = files / "stdin.rejects.csv"
    assert (summary["created"], summary["rejected"], summary["rejects_path"]) == (1, 1, str(rejects))
    assert stat.S_IMODE(files.stat().st_mode) == 0o700
    assert [path.name for path in files.iterdir()] == ["stdin.rejects.csv"]
    assert list(spool_dir.iterdir()) == []


def test_stdin_needs_a_format_as_it_has_no_file_name(cli, stdin, spool_dir):
    stdin(PEOPLE)
    result = cli("import", "-")
    assert (result.code, result.out) == (1, "")
    assert result.err == ("error: import - needs --format (csv, vcard, json): standard input has no file name to tell "
                          "it by\n")
    assert cli("contacts", "list", "--json").json() == []
    assert list(spool_dir.iterdir()) == []


def test_a_vcard_file_on_stdin_imports_its_cards_and_a_dry_run_writes_no_rejects(cli, stdin, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cards = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nN:Lee;Ann;;;\r\nEMAIL:ann@x.org\r\nEND:VCARD\r\n"
             b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n")
    stdin(cards)
    dry = cli("import", "-", "--format", "vcard", "--dry-run")
    assert dry.code == 0, dry.err
    assert "Would create 1, update 0, skip 0 and reject 1" in dry.out
    assert not (tmp_path / "stdin.rejects.csv").exists()
    stdin(cards)
    done = cli("import", "-", "--format", "vcard")
    assert done.out.splitlines()[0] == "Created 1, updated 0, skipped 0, rejected 1"
    assert [contact["emails"] for contact in cli("contacts", "list", "--json").json()] == [["ann@x.org"]]
    assert len(read_rejects(tmp_path / "stdin.rejects.csv")) == 1


def test_a_json_backup_on_stdin_restores(cli, stdin, tmp_path, add):
    add("--first", "Ada", "--email", "ada@example.com")
    backup = cli("export", "--format", "json").out.encode("utf-8")
    other = tmp_path / "other.sqlite3"
    stdin(backup)
    restored = cli("import", "-", "--format", "json", "--db", str(other), db=False)
    assert restored.code == 0, restored.err
    listed = cli("contacts", "list", "--json", "--db", str(other), db=False).json()
    assert [(contact["name"], contact["emails"]) for contact in listed] == [("Ada", ["ada@example.com"])]


def test_over_ssh_a_rejects_file_that_leads_out_of_the_files_folder_is_refused(cli, stdin, tmp_path, monkeypatch):
    files = tmp_path / "users" / "ann" / "files"
    files.mkdir(parents=True)
    monkeypatch.setenv("CRM_TUI_FILES_DIR", str(files))
    (files / "stdin.rejects.csv").symlink_to(tmp_path / "server.conf")
    stdin(PEOPLE)
    result = cli("import", "-", "--format", "csv")
    assert (result.code, result.err) == (
        1, f"error: stdin.rejects.csv is outside your folder: over SSH, files live in {files}\n")
    assert not (tmp_path / "server.conf").exists()
    assert cli("contacts", "list", "--json").json() == []
