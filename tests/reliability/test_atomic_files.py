"""Files we write are whole or not there: an export killed part-way leaves the old file as it was, exports are
yours only, an existing file is replaced only when asked, and an import that is not kept leaves no rejects file."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from crm_tui.cli import main
from crm_tui.config import SettingsError, save_setting
from crm_tui.core import demo
from crm_tui.core.db import close_database, open_database
from crm_tui.core.files import atomic_text_file

KILLS = 10


@pytest.fixture
def demo_db(tmp_path):
    path = tmp_path / "crm.sqlite3"
    open_database(path)
    demo.fill(5000, seed=4)
    close_database()
    return path


def test_kill_9_during_an_export_leaves_the_old_backup_whole(demo_db, tmp_path):
    target = tmp_path / "backup.json"
    target.write_text('{"format": "an older backup, still good"}', encoding="utf-8")
    old = target.read_bytes()
    command = [sys.executable, "-m", "crm_tui", "--db", str(demo_db), "export", "--format", "json",
               "--output", str(target), "--force"]
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    whole = target.read_bytes()
    seconds = time.monotonic() - started
    target.write_bytes(old)
    rng = random.Random(16)
    outcomes = []
    for _ in range(KILLS):
        export = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, seconds))
        export.send_signal(signal.SIGKILL)
        export.wait()
        now = target.read_bytes()
        assert now in (old, whole) or json.loads(now)["format"] == "crm-tui-backup"
        outcomes.append("old" if now == old else "new")
        target.write_bytes(old)
    assert "old" in outcomes  # some kills did land part-way through the export
    assert target.stat().st_mode & 0o777 == 0o600


def test_an_export_is_yours_only_and_replaces_a_file_only_with_force(demo_db, tmp_path, capsys):
    target = tmp_path / "people.csv"
    assert main(["--db", str(demo_db), "export", "--format", "csv", "--output", str(target)]) == 0
    assert target.stat().st_mode & 0o777 == 0o600
    first = target.read_bytes()
    assert main(["--db", str(demo_db), "export", "--format", "vcard", "--output", str(target)]) == 1
    assert capsys.readouterr().err.endswith(f"error: {target} exists; add --force to replace it\n")
    assert target.read_bytes() == first
    assert main(["--db", str(demo_db), "export", "--format", "vcard", "--output", str(target), "--force"]) == 0
    assert target.read_text(encoding="utf-8").startswith("BEGIN:VCARD")


def test_a_symlink_at_the_target_is_replaced_and_never_followed(tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("not to be touched", encoding="utf-8")
    link = tmp_path / "export.csv"
    link.symlink_to(precious)
    with atomic_text_file(link) as stream:
        stream.write("new")
    assert precious.read_text(encoding="utf-8") == "not to be touched"
    assert not link.is_symlink() and link.read_text(encoding="utf-8") == "new"


def test_a_write_that_fails_part_way_leaves_nothing_beside_the_old_file(tmp_path):
    target = tmp_path / "export.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_text_file(target) as stream:
        stream.write("half")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["export.csv"]


def test_what_a_killed_writer_left_is_cleared_by_the_next_write_of_that_file_once_it_is_an_hour_old(tmp_path):
    target = tmp_path / "export.csv"
    stale, fresh, other = (tmp_path / name for name in (".export.csv.a1b2.partial", ".export.csv.c3d4.partial",
                                                         ".people.csv.e5f6.partial"))
    for partial in (stale, fresh, other):
        partial.write_text("half an export", encoding="utf-8")
    two_hours_ago = time.time() - 7200
    for old in (stale, other):
        os.utime(old, (two_hours_ago, two_hours_ago))
    with atomic_text_file(target) as stream:
        stream.write("whole")
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".export.csv.c3d4.partial", ".people.csv.e5f6.partial", "export.csv"]  # a writer at work, another file's


def test_an_import_that_is_not_kept_leaves_no_rejects_file(tmp_path, capsys):
    db_path = tmp_path / "crm.sqlite3"
    people = tmp_path / "people.csv"
    people.write_text("first_name,emails\r\nAnn,ann@example.com\r\n,not-an-email\r\nBo,bo@example.com\r\n",
                      encoding="utf-8")
    assert main(["--db", str(db_path), "import", str(people)]) == 0
    rejects = tmp_path / "people.rejects.csv"
    assert rejects.exists() and rejects.stat().st_mode & 0o777 == 0o600
    rejects.unlink()
    assert main(["--db", str(db_path), "import", str(people), "--dry-run"]) == 0
    assert not rejects.exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".partial")] == []


def test_settings_are_written_whole_and_never_through_a_link(tmp_path):
    settings = tmp_path / "config.toml"
    save_setting("theme", "nord", settings)
    assert settings.read_text(encoding="utf-8") == 'theme = "nord"\n'
    elsewhere = tmp_path / "dotfiles.toml"
    elsewhere.write_text('theme = "gruvbox"\n', encoding="utf-8")
    settings.unlink()
    settings.symlink_to(elsewhere)
    with pytest.raises(SettingsError, match="is a link"):
        save_setting("theme", "nord", settings)
    assert elsewhere.read_text(encoding="utf-8") == 'theme = "gruvbox"\n'

