"""Activity log UI benchmark: section 4 of the app, headless at 80x24, on millions of entries against 1,000.

    python benchmarks/bench_activity_log_ui.py                             # builds 2,000,000 activities first
    python benchmarks/bench_activity_log_ui.py --db /tmp/feed.sqlite3      # a database bench_activity_log.py kept

Each database is measured in fresh processes (median of 3), frames timed as bench_ui.py times them:
- `4`: from the key to the frame that shows the log's first rows;
- page-down: from the key to the frame showing the rows under the moved cursor, 200 presses at a person's pace;
- `f`: from the key to the frame showing the next kind's first rows, once round all seven kinds;
- `G`: from the key to the frame showing the last entry;
- peak RSS after all of the above.
Never run by CI: timings on shared machines are noise, so nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_activity_log import make_database
from bench_board import median_of_runs
from bench_ui import (
    PAGE_DOWN_GAP_SECONDS,
    PAGE_DOWNS,
    FrameClock,
    key_to_frame,
    peak_rss_mib,
    percentile,
    rows_on_screen_loaded as loaded,
)
from textual.drivers.headless_driver import HeadlessDriver

RUNS = 3
BASELINE_ROWS = 1_000


async def measure(db_path: str) -> dict:
    from crm_tui.core.activities.feed import KINDS
    from crm_tui.core.db import open_database
    from crm_tui.ui.app import APP_CACHE_KIB, CrmApp
    from crm_tui.ui.kit.record_list import RecordList
    from crm_tui.ui.screens.activities.log import ActivityLogScreen

    HeadlessDriver.is_headless = property(lambda driver: False)
    figures: dict = {}
    pacing = random.Random(1)
    app = CrmApp(open_database(db_path, cache_kib=APP_CACHE_KIB))
    async with app.run_test(size=(80, 24)) as pilot:
        clock = FrameClock(app)
        contacts = app.screen.query_one(RecordList)
        await clock.wait_for(lambda: contacts.loaded)
        await app.workers.wait_for_complete()

        def log_shown() -> bool:
            screen = app.screen
            return isinstance(screen, ActivityLogScreen) and screen.records.loaded and loaded(screen.records)

        figures["open_ms"] = await key_to_frame(app, clock, "4", "4", log_shown)
        records = app.screen.records
        while records.total is None:  # counted after the first rows, perhaps without a frame of its own
            await pilot.pause()
        latencies = []
        for _ in range(PAGE_DOWNS):
            target = min(records.cursor + records.visible_rows, records.total - 1)
            latencies.append(await key_to_frame(app, clock, "pagedown", None,
                                                lambda target=target: records.cursor == target and loaded(records)))
            await asyncio.sleep(pacing.uniform(*PAGE_DOWN_GAP_SECONDS))
        figures["page_down_p50_ms"] = statistics.median(latencies)
        figures["page_down_p95_ms"] = percentile(latencies, 0.95)
        latencies = []
        for kind in (*KINDS, None):
            wanted = None if kind is None else (kind,)
            latencies.append(await key_to_frame(
                app, clock, "f", "f",
                lambda wanted=wanted: records.source.wanted.kinds == wanted and not records.filtering
                and loaded(records)))
            await asyncio.sleep(0.3)
        figures["kind_p50_ms"] = statistics.median(latencies)
        figures["kind_max_ms"] = max(latencies)
        while records.total is None:
            await pilot.pause()
        last = records.total - 1
        figures["last_ms"] = await key_to_frame(app, clock, "G", "G",
                                                lambda: records.cursor == last and loaded(records))
        await app.workers.wait_for_complete()
    figures["peak_rss_mib"] = peak_rss_mib()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000, help="activities in the large log (default 2,000,000)")
    parser.add_argument("--db", type=Path, help="the large database (built with --rows if the file does not exist)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure(args.child))))
        return
    with tempfile.TemporaryDirectory() as scratch:
        small, large = Path(scratch) / "small.sqlite3", args.db or Path(scratch) / "large.sqlite3"
        make_database(small, BASELINE_ROWS, BASELINE_ROWS // 20)
        if not large.exists():
            print(f"building {args.rows:,} activities…", file=sys.stderr)
            started = time.perf_counter()
            make_database(large, args.rows, args.rows // 20)
            print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        results = {"small": median_of_runs(small, __file__, RUNS), "large": median_of_runs(large, __file__, RUNS)}
    report(results, args.rows)


def report(results: dict, rows: int) -> None:
    small, large = results["small"], results["large"]
    print(f"\nActivity log at 80x24: {BASELINE_ROWS:,} activities against {rows:,} "
          f"(median of {RUNS} fresh processes each)\n")
    print(f"| measure | {BASELINE_ROWS:,} | {rows:,} | × baseline |")
    print("|---|---:|---:|---:|")
    for key, label in (("open_ms", "`4`: key to the first rows"), ("page_down_p50_ms", "page-down p50"),
                       ("page_down_p95_ms", "page-down p95"), ("kind_p50_ms", "`f` (next kind) p50"),
                       ("kind_max_ms", "`f` slowest kind"), ("last_ms", "`G` to the last entry"),
                       ("peak_rss_mib", "peak RSS")):
        unit = " MiB" if key.endswith("mib") else " ms"
        print(f"| {label} | {small[key]:,.1f}{unit} | {large[key]:,.1f}{unit} | {large[key] / small[key]:,.2f}× |")


if __name__ == "__main__":
    main()
