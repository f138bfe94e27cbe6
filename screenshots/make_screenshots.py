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
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = ((80, 24), (120, 36))
FIXED_NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)

# (name, database, keys pressed, then text typed into the command palette if any)
SHOTS = (
    ("empty", "empty", ()),
    ("contacts", "demo", ()),
    ("filter", "demo", ("slash", *"tag:vip an")),
    ("detail", "demo", ("j", "j", "enter")),
    ("form-error", "demo", ("a", *"Ada", "tab", *"Lovelace", "tab", *"ada@", "ctrl+s")),
    ("companies", "demo", ("2",)),
    ("help", "demo", ("question_mark",)),
    ("palette", "demo", ("ctrl+p", *"marie")),
    ("trash", "demo", ("d", "y", "ctrl+p", *"trash", "enter")),
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
)
# What the import shots import: a spreadsheet no layout matches, so the mapping screen opens.
PEOPLE_CSV = (
    "Name,Mail,Mobile,Employer,Shoe size\r\n"
    "Grace Hopper,grace@navy.example,+1 202 555 0100,US Navy,38\r\n"
    "Emma Wood,emma.wood@lighthouse.example,+1 617 555 0101,Lighthouse Healthcare Group,39\r\n"
    "Alan Turing,alan@bletchley,+44 1908 640404,Bletchley Park,44\r\n"
)


async def settle(app, pilot) -> None:
    from crm_tui.ui.widgets.record_list import RecordList

    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
        while any(records.busy for records in app.screen.query(RecordList)):
            await pilot.pause()
    await asyncio.sleep(0.3)
    await pilot.pause()


async def shoot(db_path: Path, name: str, keys: tuple[str, ...], size: tuple[int, int]) -> None:
    from crm_tui.core import demo
    from crm_tui.core.db import close_database, open_database
    from crm_tui.ui import sources
    from crm_tui.ui.app import CrmApp

    sources.current_time = lambda: FIXED_NOW
    app = CrmApp(open_database(db_path), is_demo=demo.holds_demo_data())
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        app.clear_notifications()  # the start-up notice of overdue tasks would cover every shot
        await pilot.pause()
        app.save_screenshot(str(HERE / f"{name}-{size[0]}x{size[1]}.svg"))
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
        filled = config.demo_db_path()
        open_database(filled)
        demo.fill(500, seed=1, now=FIXED_NOW)
        close_database()
        databases = {"empty": empty, "demo": filled}
        (Path(scratch) / "people.csv").write_text(PEOPLE_CSV, encoding="utf-8")
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
