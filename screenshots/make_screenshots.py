"""Regenerate screenshots/*.svg: the app at 80x24 on a fresh demo database, driven from the keyboard.

    python screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from crm_tui.core import demo
from crm_tui.core.db import close_database, open_database
from crm_tui.ui.app import CrmApp

HERE = Path(__file__).resolve().parent
SIZE = (80, 24)
FIXED_NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


async def settle(app, pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def shoot(db_path: Path, name: str, keys: tuple[str, ...] = (), demo_flag: bool = False) -> None:
    app = CrmApp(open_database(db_path), is_demo=demo_flag)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        app.save_screenshot(str(HERE / f"{name}.svg"))
    close_database()


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "empty.sqlite3"
        await shoot(empty, "empty")
        filled = Path(folder) / "demo.sqlite3"
        open_database(filled)
        demo.fill(500, seed=1, now=FIXED_NOW)
        close_database()
        await shoot(filled, "contacts", demo_flag=True)
        await shoot(filled, "search", ("slash", *"muller"), demo_flag=True)
        await shoot(filled, "add-contact", ("a", *"Ada", "tab", *"Lovelace", "tab", *"ada@", "ctrl+s"),
                    demo_flag=True)


if __name__ == "__main__":
    asyncio.run(main())
