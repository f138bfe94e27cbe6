"""Writers and a reader on one database, each in a process of its own, as four people and a report would be.

Used by tests/reliability/test_concurrent_writers.py for a few seconds, and by benchmarks/bench_reliability.py
for a minute. A writer adds contacts, edits a shared one (a version conflict there is the app's answer to two
people editing at once, not an error) and logs calls; it reports every write that said it succeeded, and every
"database is locked" it met.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from crm_tui.core import activities, contacts
from crm_tui.core.db import close_database, open_database
from crm_tui.core.errors import ConflictError


def write_for(db_path: Path, seconds: float, name: str, shared_id: int) -> dict:
    open_database(db_path)
    created: list[int] = []
    logged: list[int] = []
    edits = conflicts = locked = 0
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    number = 0
    try:
        while time.monotonic() < deadline:
            number += 1
            try:
                if number % 3 == 1:
                    created.append(contacts.create(contacts.ContactDraft(first_name=f"{name} {number}")).id)
                elif number % 3 == 2:
                    current = contacts.get(shared_id)
                    contacts.update(shared_id, current.version, notes=f"{name} {number}")
                    edits += 1
                else:
                    logged.append(activities.create({"kind": "call", "subject": f"{name} {number}",
                                                     "contact_id": shared_id}).id)
            except ConflictError:
                conflicts += 1
            except Exception as exc:  # every other failure is counted and named: the test says which
                if "locked" in str(exc):
                    locked += 1
                else:
                    errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        close_database()
    return {"created": created, "logged": logged, "edits": edits, "conflicts": conflicts, "locked": locked,
            "errors": errors[:5]}


def read_for(db_path: Path, seconds: float) -> dict:
    open_database(db_path)
    reads = locked = 0
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            try:
                contacts.list_page(limit=50)
                contacts.count()
                reads += 1
            except Exception as exc:
                if "locked" not in str(exc):
                    raise
                locked += 1
    finally:
        close_database()
    return {"reads": reads, "locked": locked}


if __name__ == "__main__":
    role, path, duration = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    if role == "reader":
        print(json.dumps(read_for(path, duration)))
    else:
        print(json.dumps(write_for(path, duration, role, int(sys.argv[4]))))
