"""`crm-tui backup`, `restore` and `check` as a person uses them: a copy that is a whole database, a restore that
checks its file first and keeps the database as it was, and a check that finds and mends what it says."""

from __future__ import annotations

import json
import sqlite3

import pytest

from crm_tui.core.backups import backups_folder


def names(cli) -> list[str]:
    return sorted(row["first_name"] for row in cli("contacts", "list", "--json").json())


def many_people(cli, tmp_path) -> None:
    """300 contacts with notes: a database of some pages, so that scribbling over its middle hits records."""
    people = tmp_path / "people.csv"
    people.write_text("first_name,notes\n" + "".join(f"Person{n},{'words ' * 30}\n" for n in range(300)))
    assert cli("import", str(people)).code == 0


@pytest.fixture
def ann_and_bo(cli):
    for name in ("Ann", "Bo"):
        assert cli("contacts", "add", "--first", name).code == 0


def test_a_backup_is_a_whole_private_database_and_restore_brings_it_back(cli, db_path, ann_and_bo, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    made = cli("backup", "--output", str(copy))
    assert made.code == 0 and made.out.startswith(f"backed up to {copy} (")
    assert copy.stat().st_mode & 0o777 == 0o600
    assert not copy.with_name(copy.name + "-wal").exists()  # one file, ready to be carried anywhere
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT count(*) FROM contact").fetchone() == (2,)

    assert cli("contacts", "add", "--first", "Cy").code == 0
    restored = cli("restore", str(copy))
    assert restored.code == 0, restored.err
    assert "2 contacts" in restored.out and "the database as it was is kept in" in restored.out
    assert names(cli) == ["Ann", "Bo"]
    (safety,) = backups_folder(db_path).glob("before-restore-*.sqlite3")
    with sqlite3.connect(safety) as connection:
        assert connection.execute("SELECT count(*) FROM contact").fetchone() == (3,)  # Cy is not lost
    assert cli("restore", str(safety)).code == 0
    assert names(cli) == ["Ann", "Bo", "Cy"]


def test_backup_will_not_replace_a_file_without_force(cli, ann_and_bo, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    copy.write_text("keep me")
    refused = cli("backup", "--output", str(copy))
    assert (refused.code, refused.err) == (1, f"error: {copy} already exists; give another name, or --force to "
                                              "replace it\n")
    assert copy.read_text() == "keep me"
    assert cli("backup", "--output", str(copy), "--force").code == 0
    assert copy.read_bytes().startswith(b"SQLite format 3\x00")


def test_backups_go_to_the_folder_beside_the_database_and_are_listed(cli, db_path, ann_and_bo):
    made = cli("backup", "--json").json()
    folder = backups_folder(db_path)
    assert made["path"].startswith(str(folder / "manual-"))
    assert folder.stat().st_mode & 0o777 == 0o700
    listed = cli("backup", "--list", "--json").json()
    assert [(item["path"], item["kind"]) for item in listed] == [(made["path"], "manual")]


@pytest.mark.parametrize(("content", "said"), [
    (b"first_name\nAnn\n", "is neither a crm-tui database nor a JSON backup"),
    (b"SQLite format 3\x00" + b"\x00" * 200, "nothing was restored:"),
])
def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(cli, db_path, ann_and_bo, tmp_path, content,
                                                                     said):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    refused = cli("restore", str(bad))
    assert refused.code == 1 and said in refused.err and refused.err.count("\n") == 1
    assert names(cli) == ["Ann", "Bo"]
    assert not list(backups_folder(db_path).glob("before-restore-*"))


def test_a_damaged_backup_is_refused_after_reading_it_whole(cli, db_path, tmp_path):
    many_people(cli, tmp_path)
    copy = tmp_path / "copy.sqlite3"
    assert cli("backup", "--output", str(copy)).code == 0
    with copy.open("r+b") as handle:  # scribble over a page in the middle
        handle.seek(copy.stat().st_size // 2)
        handle.write(b"\xff" * 3000)
    refused = cli("restore", str(copy))
    assert refused.code == 1 and "is damaged" in refused.err and "nothing was restored" in refused.err
    assert len(names(cli)) == 300


def test_a_database_of_another_program_and_the_database_itself_are_refused(cli, db_path, ann_and_bo, tmp_path):
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    assert "of another program" in cli("restore", str(other)).err
    assert "is the database itself" in cli("restore", str(db_path)).err
    assert "does not exist" in cli("restore", str(tmp_path / "nowhere.sqlite3")).err
    assert names(cli) == ["Ann", "Bo"]


def test_restore_reads_a_json_backup_too(cli, db_path, ann_and_bo, tmp_path):
    exported = tmp_path / "all.json"
    assert cli("export", "--format", "json", "--output", str(exported)).code == 0
    assert cli("contacts", "add", "--first", "Cy").code == 0
    restored = cli("restore", str(exported), "--json")
    assert restored.code == 0 and restored.json()["counts"]["contacts"] == 2
    assert names(cli) == ["Ann", "Bo"]


def test_a_database_too_damaged_to_open_is_replaced_and_kept_aside(cli, db_path, ann_and_bo, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    assert cli("backup", "--output", str(copy)).code == 0
    db_path.write_bytes(b"this was scribbled over")
    assert cli("contacts", "list").code == 1
    assert cli("restore", str(copy)).code == 0
    assert names(cli) == ["Ann", "Bo"]
    (aside,) = backups_folder(db_path).glob("before-restore-*.sqlite3")
    assert aside.read_bytes() == b"this was scribbled over"


def test_restore_is_not_offered_over_ssh_nor_a_backup_to_a_server_file(cli):
    from crm_tui.cli.remote_policy import remote_arguments
    from crm_tui.core.errors import CrmError

    for command in ("restore copy.sqlite3", "backup --output /tmp/x.sqlite3", "backup --out=x"):
        with pytest.raises(CrmError):
            remote_arguments(command)
    assert remote_arguments("backup") == ["backup"] and remote_arguments("check --repair") == ["check", "--repair"]


def test_check_finds_an_index_out_of_step_and_repair_mends_it(cli, db_path, ann_and_bo):
    assert cli("check").out == "integrity:     ok\nreferences:    ok\nsearch index:  ok\n"
    with sqlite3.connect(db_path) as connection:
        connection.execute("DELETE FROM contact_fts WHERE rowid = (SELECT min(id) FROM contact)")
        connection.execute("UPDATE contact_fts SET notes = 'stale' WHERE rowid = (SELECT max(id) FROM contact)")
    found = cli("check")
    assert found.code == 1
    assert "search index:  2 contacts out of step" in found.out
    assert found.err == "error: the search index is out of step with the records: `crm-tui check --repair` " \
                        "rebuilds it\n"
    mended = cli("check", "--repair", "--json")
    assert mended.code == 0 and mended.json()["repaired"] == {"contact": 2} and mended.json()["ok"] is True
    assert [row["first_name"] for row in cli("contacts", "list", "--search", "Ann", "--json").json()] == ["Ann"]


def test_check_reports_a_damaged_file_and_points_to_restore(cli, db_path, tmp_path):
    many_people(cli, tmp_path)
    with sqlite3.connect(db_path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with db_path.open("r+b") as handle:
        handle.seek(db_path.stat().st_size // 2)
        handle.write(b"\xff" * 3000)
    found = cli("check", "--json")
    assert found.code == 1 and found.json()["ok"] is False and found.json()["integrity"] != ["ok"]
    assert "crm-tui restore FILE" in found.err


def test_a_write_on_a_full_disk_is_one_clear_line_and_keeps_what_was_saved(cli, db_path, ann_and_bo, tmp_path,
                                                                           monkeypatch):
    from crm_tui.core import db

    with sqlite3.connect(db_path) as connection:
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
    monkeypatch.setitem(db.PRAGMAS, "max_page_count", pages + 2)
    people = tmp_path / "people.csv"
    people.write_text("first_name,notes\n" + "".join(f"P{n},{'note ' * 50}\n" for n in range(2000)))
    refused = cli("import", str(people))
    assert refused.code == 1
    assert refused.err == ("error: the disk is full (or the database has reached its size limit): nothing of this "
                           "change was saved, and what was saved before is safe; free some space and try again\n")
    assert names(cli) == ["Ann", "Bo"]
    assert json.loads(cli("import", "list", "--json").out) == []
    monkeypatch.setitem(db.PRAGMAS, "max_page_count", 1_000_000)
    assert cli("check").code == 0
