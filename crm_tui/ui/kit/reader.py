"""DatabaseReader: a thread that keeps one database connection open and runs the reads a widget asks for.

A list reads a page every time the user scrolls past one. A new worker per page would open a new connection each
time, and a new connection starts with a cold page cache and must parse the schema again: on a million contacts
that made a page cost 5-20 ms instead of 1. One long-lived reader per kind of work (pages, counts) keeps the
connection warm, and requests no longer wanted are skipped, or abandoned part-way, instead of run.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from queue import Empty, SimpleQueue
from typing import Any

from peewee import PeeweeException

from crm_tui.core.db import Interrupted, connection, stop_when
from crm_tui.core.errors import CrmError

IDLE_POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Request:
    """A read to run (`run`, in the reader thread) and where its result goes (`deliver`, any thread-safe call)."""

    run: Callable[[], Any]
    deliver: Callable[[Any], None]
    wanted: Callable[[], bool]
    failed: Callable[[Exception], None]


class DatabaseReader(threading.Thread):
    """Runs requests one at a time on a connection it keeps open until stopped or the database changes.

    A read that fails (the database locked past the busy timeout, a file gone) is reported through the request,
    and the reader goes on: a reader thread that died would leave its list waiting for ever."""

    def __init__(self, name: str, current_database: Callable[[], object]) -> None:
        super().__init__(name=name, daemon=True)
        self._requests: SimpleQueue[Request | None] = SimpleQueue()
        self._stopped = threading.Event()
        self._current_database = current_database
        self._busy = threading.Event()

    def submit(self, request: Request) -> None:
        self._requests.put(request)

    @property
    def busy(self) -> bool:
        """A request is waiting or running."""
        return self._busy.is_set() or not self._requests.empty()

    def stop(self) -> None:
        self._stopped.set()
        self._requests.put(None)

    def run(self) -> None:
        while not self._stopped.is_set():
            opened = self._current_database()
            with connection():
                while not self._stopped.is_set() and self._current_database() is opened:
                    try:
                        request = self._requests.get(timeout=IDLE_POLL_SECONDS)
                    except Empty:
                        continue
                    if request is not None:
                        self._serve(request)

    def _serve(self, request: Request) -> None:
        self._busy.set()
        try:
            if not request.wanted():
                return
            with stop_when(lambda: not request.wanted()):
                result = request.run()
        except Interrupted:
            return
        except (CrmError, PeeweeException, sqlite3.Error) as exc:
            request.failed(exc)
        else:
            request.deliver(result)
        finally:
            self._busy.clear()
