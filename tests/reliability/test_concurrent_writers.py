"""Four writer processes and a reader on one database: no write fails with "database is locked" within the busy
timeout, and every write that reported success is in the database afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crm_tui.core import activities, contacts
from crm_tui.core.db import close_database, open_database

WRITERS = 4
SECONDS = 8.0
SCRIPT = Path(__file__).with_name("writers.py")


def test_four_writers_and_a_reader_lose_nothing_and_never_meet_a_locked_database(tmp_path):
    path = tmp_path / "crm.sqlite3"
    open_database(path)
    shared = contacts.create(contacts.ContactDraft(first_name="Shared", last_name="Contact")).id
    close_database()

    def start(*arguments: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, str(SCRIPT), *arguments], stdout=subprocess.PIPE, text=True)

    runs = [start(f"writer{n}", str(path), str(SECONDS), str(shared)) for n in range(WRITERS)]
    runs.append(start("reader", str(path), str(SECONDS)))
    reports = [json.loads(run.communicate(timeout=SECONDS + 60)[0]) for run in runs]
    *writers, reader = reports

    assert [report["errors"] for report in writers] == [[]] * WRITERS
    assert sum(report["locked"] for report in writers) == 0
    assert reader["locked"] == 0 and reader["reads"] > 0
    open_database(path)
    try:
        created = [contact_id for report in writers for contact_id in report["created"]]
        logged = [activity_id for report in writers for activity_id in report["logged"]]
        assert len(created) > 20 and sum(report["edits"] for report in writers) > 20
        assert len(contacts.get_many(created)) == len(created)
        assert len(activities.get_many(logged)) == len(logged)
        assert contacts.get(shared).version == 1 + sum(report["edits"] for report in writers)
    finally:
        close_database()
