"""Regenerate screenshots/*.svg: the app on a fresh demo database, driven from the keyboard, at 80x24 and 120x36.

    python screenshots/make_screenshots.py                 # every screen
    python screenshots/make_screenshots.py agenda board    # only these

Each screen is saved as `<name>-<width>x<height>.svg`. The databases live in a temporary user data dir, so the
header shows the default database's name rather than a path from this machine.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = ((80, 24), (120, 36))
FIXED_NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

# (name, database, keys pressed); HOLD_IMPORT as the last key starts an import and shoots it part-way.
HOLD_IMPORT = "hold-import"
SHOTS = (
    ("empty", "empty", ()),
    ("contacts", "demo", ()),
    ("filter", "demo", ("slash", *"tag:vip an")),
    ("detail", "demo", ("j", "j", "enter")),
    ("form-error", "demo", ("a", *"Ada", "tab", *"Lovelace", "tab", *"ada@", "ctrl+s")),
    ("companies", "demo", ("2",)),
    ("help", "demo", ("question_mark",)),
    ("palette", "demo", ("ctrl+p", *"marie")),
    ("trash-all-kinds", "demo", ("d", "y", "2", "j", "d", "y", "3", "d", "y", "4", "d", "y",
                                 "ctrl+p", *"trash", "enter")),
    ("history", "demo", ("e", *["tab"] * 5, "end", *" and CTO", "ctrl+s",
                         "e", *["tab"] * 10, "end", "ctrl+u", *"London", "ctrl+s", "u", "h")),
    ("board", "demo", ("3",)),
    ("board-moved", "demo", ("3", "L")),
    ("board-won", "demo", ("3", "W", "right", "right", "right", "right")),
    ("deals-table", "demo", ("3", "v")),
    ("deal-detail", "demo", ("3", "enter")),
    ("deal-lost", "demo", ("3", "x")),
    ("deal-form", "demo", ("3", "right", "a")),
    ("stages", "demo", ("3", "S")),
    ("log-form", "demo", ("j", "l", "c", *"Talked about the renewal", "tab", *"Wants the price before Friday.")),
    ("task-form", "demo", ("3", "t", *"Send the revised quote", "tab", *"fri 10am")),
    ("agenda", "demo", ("5",)),
    ("agenda-stay-in-touch", "demo", ("5", "G", "ctrl+u")),
    ("activity-log", "demo", ("4",)),
    ("company-timeline", "demo", ("2", "enter", "end")),
    ("import-mapping", "demo", ("i", *"people.csv", "enter", "j", "space", *["down"] * 5, "enter")),
    ("import-dry-run", "demo", ("i", *"people.csv", "enter", "j", "space", *["down"] * 5, "enter", "ctrl+s", "u")),
    ("import-progress", "demo", ("i", *"many.csv", "enter", "c", HOLD_IMPORT)),
    ("merge", "demo", ("space", "space", "g", "M", "down", "down", "down", "right")),
    ("duplicates", "demo", ("a", *"Amelia", "tab", *"Jackson", "tab", *"amelia.jackson29@qq.com", "ctrl+s", "ctrl+s",
                            "a", *"Amy", "tab", *"Nguyen", "tab", "tab", *"+1 212 150 7207", "ctrl+s", "ctrl+s",
                            "equals_sign")),
    ("search", "demo", ("ctrl+f", *"renewal")),
)
MANY_ROWS = 40_000
"""How many contacts many.csv holds, written as our own export writes them, so no mapping is asked for."""
# What the import shots import: a spreadsheet no layout matches, so the mapping screen opens.
PEOPLE_CSV = (
    "Name,Mail,Mobile,Employer,Shoe size\r\n"
    "Grace Hopper,grace@navy.example,+1 202 555 0100,US Navy,38\r\n"
    "Emma Wood,emma.wood@lighthouse.example,+1 617 555 0101,Lighthouse Healthcare Group,39\r\n"
    "Alan Turing,alan@bletchley,+44 1908 640404,Bletchley Park,44\r\n"
)


def write_many(path: Path) -> None:
    from crm_tui.core import demo
    from crm_tui.core.interop.csv.write import write_csv

    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv("contact", demo.contact_drafts(MANY_ROWS, seed=7), out)


async def settle(app, pilot) -> None:
    from crm_tui.ui.kit.record_list import RecordList

    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
        while any(records.busy for records in app.screen.query(RecordList)):
            await pilot.pause()
    await asyncio.sleep(0.3)
    await pilot.pause()


class HeldStop(threading.Event):
    """The import screen's stop flag, which the importer checks before each chunk of rows. Once the progress bar
    has shown a third of the rows, checking it waits until the shot is taken, so the shot catches a real import
    part-way; the shot then sets it, and the import stops and rolls back as esc would have it."""

    def __init__(self) -> None:
        super().__init__()
        self.shown = threading.Event()
        self.shot = threading.Event()

    def is_set(self) -> bool:
        if self.shown.is_set():
            self.shot.wait()
        return super().is_set()


async def shoot_import_part_way(app, pilot) -> None:
    from crm_tui.ui.screens.interop.import_flow import ImportScreen

    screen = app.screen
    held = screen.stop = HeldStop()
    show_progress = screen.show_progress

    def shown(rows: int, total: int, seconds: float) -> None:
        show_progress(rows, total, seconds)
        if rows >= total // 3:
            held.shown.set()

    screen.show_progress = shown
    await pilot.press("enter")
    while not held.shown.is_set():
        await asyncio.sleep(0.05)
    await pilot.pause()
    assert isinstance(app.screen, ImportScreen)
    return held


async def shoot(db_path: Path, name: str, keys: tuple[str, ...], size: tuple[int, int]) -> None:
    from crm_tui.core import demo
    from crm_tui.core.db import close_database, open_database
    from crm_tui.ui import sources
    from crm_tui.ui.app import CrmApp

    sources.current_time = lambda: FIXED_NOW
    app = CrmApp(open_database(db_path), is_demo=demo.holds_demo_data())
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        held = None
        for key in keys:
            if key == HOLD_IMPORT:
                held = await shoot_import_part_way(app, pilot)
                continue
            await pilot.press(key)
            await settle(app, pilot)
        app.clear_notifications()  # the start-up notice of overdue tasks would cover every shot
        await pilot.pause()
        app.save_screenshot(str(HERE / f"{name}-{size[0]}x{size[1]}.svg"))
        if held is not None:
            held.set()
            held.shot.set()
            await app.workers.wait_for_complete()
    close_database()


async def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["XDG_DATA_HOME"] = scratch
        os.environ["XDG_CONFIG_HOME"] = scratch
        os.environ.pop("CRM_TUI_DB", None)
        from crm_tui import config
        from crm_tui.core import demo
        from crm_tui.core.db import close_database, open_database

        empty = config.default_db_path()
        open_database(empty)
        close_database()
        filled = config.demo_db_path(config.data_dir() / config.DB_FILENAME)
        open_database(filled)
        demo.fill(500, seed=1, now=FIXED_NOW)
        close_database()
        databases = {"empty": empty, "demo": filled}
        (Path(scratch) / "people.csv").write_text(PEOPLE_CSV, encoding="utf-8")
        write_many(Path(scratch) / "many.csv")
        os.chdir(scratch)  # the import shots type a path relative to here
        pristine = {name: path.read_bytes() for name, path in databases.items()}
        wanted = set(sys.argv[1:]) or {name for name, _, _ in SHOTS}
        for name, database, keys in (shot for shot in SHOTS if shot[0] in wanted):
            for size in SIZES:
                path = databases[database]
                path.write_bytes(pristine[database])
                for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                    leftover.unlink(missing_ok=True)
                await shoot(path, name, keys, size)


if __name__ == "__main__":
    asyncio.run(main())
