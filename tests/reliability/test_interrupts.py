"""Ctrl-C, SIGTERM and kill -9 part-way through a command: one line and the signal's exit code, no traceback, and
nothing of the stopped work in the database."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from crm_tui.core.db import close_database, open_database

DEMO_CONTACTS = "20000"


def counts(path) -> tuple[int, int, int, str]:
    connection = sqlite3.connect(path)
    try:
        found = tuple(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                      for table in ("contact", "company", "deal"))
        (integrity,) = connection.execute("PRAGMA integrity_check").fetchone()
    finally:
        connection.close()
    return (*found, integrity)


def a_new_database(path):
    """An empty database, made beforehand: these tests are about the command stopped, not the file created."""
    open_database(path)
    close_database()
    return path


def run_until_signal(arguments: list[str], signal_number: int, after: float) -> subprocess.CompletedProcess:
    process = subprocess.Popen([sys.executable, "-m", "crm_tui", *arguments], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    assert process.poll() is None, "the command ended before the signal: give it more work"
    process.send_signal(signal_number)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(arguments, process.returncode, out, err)


@pytest.mark.parametrize(("signal_number", "exit_code", "said"), [
    (signal.SIGINT, 130, "interrupted; what was under way was not kept\n"),
    (signal.SIGTERM, 143, "stopped; what was under way was not kept\n"),
    (signal.SIGHUP, 129, "stopped; what was under way was not kept\n"),
])
def test_a_demo_stopped_part_way_says_so_in_one_line_and_leaves_nothing(tmp_path, signal_number, exit_code, said):
    path = a_new_database(tmp_path / "crm.sqlite3")
    done = run_until_signal(["--db", str(path), "demo", "--contacts", DEMO_CONTACTS], signal_number, after=2.0)
    assert (done.returncode, done.stderr) == (exit_code, said)
    assert counts(path) == (0, 0, 0, "ok")
    again = subprocess.run([sys.executable, "-m", "crm_tui", "--db", str(path), "demo", "--contacts", "50"],
                           capture_output=True, text=True, check=False)
    assert again.returncode == 0 and counts(path)[0] == 50  # a second demo finds the database as it was


def test_kill_9_during_a_demo_leaves_the_database_empty_and_whole(tmp_path):
    path = a_new_database(tmp_path / "crm.sqlite3")
    done = run_until_signal(["--db", str(path), "demo", "--contacts", DEMO_CONTACTS], signal.SIGKILL, after=2.0)
    assert done.returncode == -signal.SIGKILL
    assert counts(path) == (0, 0, 0, "ok")


def test_ctrl_c_during_an_import_keeps_none_of_it(tmp_path):
    path = a_new_database(tmp_path / "crm.sqlite3")
    people = tmp_path / "people.csv"
    rows = "".join(f"Person{n},Lee,person{n}@example.com\r\n" for n in range(200_000))
    people.write_text("first_name,last_name,emails\r\n" + rows, encoding="utf-8")
    done = run_until_signal(["--db", str(path), "import", str(people)], signal.SIGINT, after=2.5)
    assert (done.returncode, done.stderr) == (130, "interrupted; what was under way was not kept\n")
    assert counts(path)[0] == 0 and counts(path)[3] == "ok"
    assert not (tmp_path / "people.rejects.csv").exists()


def test_a_write_abandoned_inside_a_generator_closes_quietly_once_its_transaction_rolled_back(db):
    """Ctrl-C can land while a generator is inside a write: the transaction around it rolls back first, and the
    generator is closed later (when it is collected). That close used to fail with "no such savepoint", which
    Python printed as "Exception ignored in: <generator object write_transaction>" after the one line."""
    from crm_tui.core import contacts
    from crm_tui.core.records import write_transaction

    def steps():
        with write_transaction():
            contacts.create(contacts.ContactDraft(first_name="Ann"))
            yield

    with pytest.raises(KeyboardInterrupt), write_transaction():
        walker = steps()
        next(walker)
        raise KeyboardInterrupt
    walker.close()
    assert contacts.count() == 0
