"""Kanban board benchmark: a stage holding 10,000 deals against a stage holding 10, headless at 80x24.

    python benchmarks/bench_board.py                       # builds both databases in a temporary directory
    python benchmarks/bench_board.py --deals 10000 --others 40000

Each figure comes from fresh processes (median of RUNS), timed by the frames the terminal would get (see
bench_ui.FrameClock):
- board paint: from the `3` key (the deals section, first visit) to the frame showing the first column's cards
  and totals; most of it is Textual building the screen the first time, whatever the number of deals;
- columns rebuilt: from `W` (which builds every column anew, with Won) to the frame showing the new first
  column's cards and totals: what rendering the stages costs, median of REBUILDS;
- card page-down: from the key to the frame showing the cards under the moved cursor, in that column;
- last card: from `G` to the frame showing the column's last card;
- move: from `L` to the frame where the card is in the next column with both columns' totals updated.
The small database is the baseline measured in the same run. Never run by CI: nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_ui import FrameClock, key_to_frame, peak_rss_mib, percentile, rows_on_screen_loaded
from textual.drivers.headless_driver import HeadlessDriver

RUNS = 5
PAGE_DOWNS = 100
MOVES = 20
REBUILDS = 6
GAP_SECONDS = (0.03, 0.15)
CURRENCIES = ("EUR", "EUR", "USD", "GBP")


def make_database(path: Path, first_stage_deals: int, other_deals: int) -> None:
    """`first_stage_deals` deals in Lead and `other_deals` spread over the other open stages, written in bulk."""
    from crm_tui.core import search_index
    from crm_tui.core.db import close_database, open_database
    from crm_tui.core.models import Deal, DealStageChange, Stage, database
    from crm_tui.core.records import insert_rows

    open_database(path)
    rng = random.Random(7)
    stages = [s.id for s in Stage.select().where(Stage.outcome == "open").order_by(Stage.position)]
    columns = ("title", "value_minor", "currency", "pipeline", "stage", "status", "expected_close",
               "stage_entered_at", "created_at", "updated_at")
    rows = []
    for number in range(first_stage_deals + other_deals):
        stage = stages[0] if number < first_stage_deals else rng.choice(stages[1:])
        entered = f"2026-{rng.randrange(8, 12):02d}-{rng.randrange(1, 29):02d}T09:00:00.000000Z"
        close = "" if rng.random() < 0.1 else f"2027-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        rows.append((f"Deal {number:06d} with Company {number % 997}", rng.randrange(1, 5000) * 100_00,
                     rng.choice(CURRENCIES), 1, stage, "open", close, entered, entered, entered))
    with database.atomic():
        insert_rows(Deal, columns, rows)
        ids = [row[0] for row in database.execute_sql("SELECT id, stage_id FROM deal ORDER BY id")]
        insert_rows(DealStageChange, ("deal", "to_stage", "changed_at"),
                    [(deal_id, row[4], row[7]) for deal_id, row in zip(ids, rows, strict=False)])
        search_index.reindex_id_range(search_index.DEAL_INDEX, ids[0], ids[-1])
    close_database()


def column_ready(column) -> bool:
    return column.loaded and column.totals is not None and rows_on_screen_loaded(column)


async def measure(db_path: str) -> dict:
    from crm_tui.core.db import open_database
    from crm_tui.ui.app import APP_CACHE_KIB, CrmApp
    from crm_tui.ui.kit.record_list import RecordList
    from crm_tui.ui.widgets.kanban import KanbanColumn

    HeadlessDriver.is_headless = property(lambda driver: False)
    pacing = random.Random(1)
    figures: dict = {}
    app = CrmApp(open_database(db_path, cache_kib=APP_CACHE_KIB))
    async with app.run_test(size=(80, 24)) as pilot:
        clock = FrameClock(app)
        contacts = app.screen.query_one(RecordList)
        await clock.wait_for(lambda: contacts.loaded)
        await pilot.pause(0.5)

        def first_column():
            columns = list(app.screen.query(KanbanColumn))
            return columns[0] if columns else None

        figures["board_paint_ms"] = await key_to_frame(
            app, clock, "3", "3", lambda: (column := first_column()) is not None and column_ready(column))
        column = first_column()
        if column.total is None:
            await clock.wait_for(lambda: column.total is not None)
        await pilot.pause(0.3)
        rebuilds = []
        for _ in range(REBUILDS):
            old = set(app.screen.query(KanbanColumn))

            def rebuilt(old=old) -> bool:
                column = first_column()
                return column is not None and column not in old and column_ready(column)

            rebuilds.append(await key_to_frame(app, clock, "W", "W", rebuilt))
            await pilot.pause(0.3)
        figures["rebuild_ms"] = statistics.median(rebuilds)
        column = first_column()
        column.focus()
        await pilot.pause(0.3)
        latencies = []
        for _ in range(min(PAGE_DOWNS, max(1, column.total // column.visible_rows - 1))):
            target = min(column.cursor + column.visible_rows, column.total - 1)
            latencies.append(await key_to_frame(
                app, clock, "pagedown", None,
                lambda target=target: column.cursor == target and rows_on_screen_loaded(column)))
            await asyncio.sleep(pacing.uniform(*GAP_SECONDS))
        figures["page_down_p50_ms"] = statistics.median(latencies)
        figures["page_down_p95_ms"] = percentile(latencies, 0.95)
        figures["last_card_ms"] = await key_to_frame(
            app, clock, "G", "G", lambda: column.cursor == column.total - 1 and rows_on_screen_loaded(column))
        await pilot.press("g")
        await pilot.pause(0.3)
        moves = []
        for number in range(MOVES):
            key = "L" if number % 2 == 0 else "H"
            deal = app.screen.current_deal()
            before = dict(app.screen.totals)

            def arrived(deal=deal, before=before) -> bool:
                focused = app.screen.focused_column
                return (focused is not None and focused.current is not None and focused.current.id == deal.id
                        and focused.current.stage_id != deal.stage_id and app.screen.totals != before
                        and column_ready(focused))

            moves.append(await key_to_frame(app, clock, key, key, arrived))
            await asyncio.sleep(pacing.uniform(*GAP_SECONDS))
        figures["move_p50_ms"] = statistics.median(moves)
        figures["move_p95_ms"] = percentile(moves, 0.95)
        await app.workers.wait_for_complete()
    figures["peak_rss_mib"] = peak_rss_mib()
    return figures


def run_child(db_path: Path, script: str = __file__) -> dict:
    """The figures `script --child DB` prints as its last line, measured in a fresh process."""
    result = subprocess.run([sys.executable, script, "--child", str(db_path)], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def median_of_runs(db_path: Path, script: str = __file__, runs: int = RUNS) -> dict:
    """Each figure's median over `runs` fresh processes of `script`."""
    results = [run_child(db_path, script) for _ in range(runs)]
    return {key: statistics.median(result[key] for result in results) for key in results[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=10_000, help="deals in the measured stage (default 10,000)")
    parser.add_argument("--others", type=int, default=40_000, help="deals in the pipeline's other stages")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure(args.child))))
        return
    with tempfile.TemporaryDirectory() as scratch:
        small, large = Path(scratch) / "small.sqlite3", Path(scratch) / "large.sqlite3"
        started = time.perf_counter()
        make_database(small, 10, 40)
        make_database(large, args.deals, args.others)
        print(f"built the databases in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        results = {"small": median_of_runs(small), "large": median_of_runs(large)}
    report(results, args.deals, args.others)


def report(results: dict, deals: int, others: int) -> None:
    small, large = results["small"], results["large"]
    rows = [
        ("board first paint (key 3 to cards and totals), ms", "board_paint_ms", ""),
        ("columns rebuilt (W to cards and totals), ms", "rebuild_ms", "≤ 100 ms"),
        ("card page-down p50, ms", "page_down_p50_ms", ""),
        ("card page-down p95, ms", "page_down_p95_ms", "≤ 16 ms"),
        ("G to the last card, ms", "last_card_ms", ""),
        ("move a card (H/L) p50, ms", "move_p50_ms", ""),
        ("move a card (H/L) p95, ms", "move_p95_ms", ""),
        ("peak RSS, MiB", "peak_rss_mib", ""),
    ]
    print(f"Board benchmark, headless 80x24: the first stage holds {deals:,} deals (the pipeline {deals + others:,})"
          f" against 10 (the pipeline 50); median of {RUNS} processes each")
    print(f"| measure | 10 deals | {deals:,} deals | ratio | goal |")
    print("|---|---:|---:|---:|---|")
    for name, key, goal in rows:
        print(f"| {name} | {small[key]:,.1f} | {large[key]:,.1f} | {large[key] / small[key]:,.2f}× | {goal} |")


if __name__ == "__main__":
    main()
