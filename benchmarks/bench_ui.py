"""UI benchmark: the app, headless at 80x24, on a large database against the same app on an empty one.

    python benchmarks/bench_ui.py --db /path/to/1m.sqlite3      # a database made with `crm-tui demo --contacts N`
    python benchmarks/bench_ui.py --contacts 100000             # builds a temporary one first

Every figure is measured in its own fresh process (so peak RSS is that run's alone), in this order: an empty
database (the baseline), a 1,000-contact database (a second baseline for the list actions), the large database.
- first paint: from creating the app to the first frame that shows the contacts list (or the empty welcome);
- page-down: from the key to the frame showing the rows under the moved cursor, over 200 presses;
- filter: from a keystroke in the `/` box to the frame showing that filter's first rows, over names typed a
  letter at a time (p50 and p95);
- peak RSS after all of the above.
Never run by CI: timings on shared machines are noise, so nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from textual import events
from textual.drivers.headless_driver import HeadlessDriver

TYPED = ["oliver", "garcia", "anna", "smith", "muller", "acme", "lee", "tag:vip", "mar", "jo"]
PAGE_DOWNS = 200
# Pauses between keys as a person makes them: page-down held (key repeat, ~30/s) or pressed again and again, and
# a brisk typist (~8 keys/s). Textual draws at most 60 frames a second, so a key that lands within 16.7 ms of the
# previous frame waits for the next one; pacing keys faster than a person would measures that clock, not the app.
PAGE_DOWN_GAP_SECONDS = (0.03, 0.15)
KEY_GAP_SECONDS = 0.12
RUNS = 3
PAINT_RUNS = 6


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class FrameClock:
    """Timestamps the first frame written to the terminal that satisfies a condition.

    Pilot's `press` and `pause` sleep in 20 ms steps while they wait for the app to go idle, so they cannot time
    a frame; the driver's `write`, called once per frame, can. A headless app skips rendering frames altogether,
    so the driver is made to say it is not headless: every frame is then rendered to terminal bytes, as for a
    real terminal, and written nowhere.
    """

    def __init__(self, app) -> None:
        self.condition = None
        self.seen_at: float | None = None
        write = app._driver.write

        def timed_write(data: str) -> None:
            write(data)
            if self.condition is not None and self.seen_at is None and self.condition():
                self.seen_at = time.perf_counter()

        app._driver.write = timed_write

    async def wait_for(self, condition, timeout: float = 30.0) -> float:
        """Wait for a frame showing `condition`, and return when it was written."""
        self.seen_at, self.condition = None, condition
        deadline = time.perf_counter() + timeout
        while self.seen_at is None:
            if time.perf_counter() > deadline:
                raise TimeoutError("no frame showed the expected state")
            await asyncio.sleep(0.0005)
        self.condition = None
        return self.seen_at


async def key_to_frame(app, clock: FrameClock, key: str, character: str | None, condition) -> float:
    """Milliseconds from a key reaching the app to the frame that shows its effect."""
    started = time.perf_counter()
    app.post_message(events.Key(key, character))
    return (await clock.wait_for(condition) - started) * 1000


def rows_on_screen_loaded(records) -> bool:
    top = records.top_row
    bottom = min(records.row_count, top + records.visible_rows)
    return all(records.record_at(row) is not None for row in range(top, bottom))


async def measure(db_path: str, actions: bool) -> dict:
    from crm_tui.core.db import open_database
    from crm_tui.ui.app import APP_CACHE_KIB, CrmApp
    from crm_tui.ui.kit.record_list import RecordList

    HeadlessDriver.is_headless = property(lambda driver: False)
    figures: dict = {}
    pacing = random.Random(1)
    start = time.perf_counter()
    app = CrmApp(open_database(db_path, cache_kib=APP_CACHE_KIB))
    async with app.run_test(size=(80, 24)) as pilot:
        clock = FrameClock(app)
        records = app.screen.query_one(RecordList)
        painted = await clock.wait_for(lambda: records.loaded and rows_on_screen_loaded(records))
        figures["first_paint_ms"] = (painted - start) * 1000
        if actions and records.row_count:
            await clock.wait_for(lambda: records.total is not None)
            latencies = []
            for _ in range(PAGE_DOWNS):
                target = min(records.cursor + records.visible_rows, records.total - 1)
                latencies.append(await key_to_frame(
                    app, clock, "pagedown", None,
                    lambda target=target: records.cursor == target and rows_on_screen_loaded(records),
                ))
                await asyncio.sleep(pacing.uniform(*PAGE_DOWN_GAP_SECONDS))
            figures["page_down_p50_ms"] = statistics.median(latencies)
            figures["page_down_p95_ms"] = percentile(latencies, 0.95)
            filter_box = app.screen.query_one("#filter")
            latencies = []
            for word in TYPED:
                await pilot.press("slash")
                for letter in word:
                    expected = filter_box.value + letter
                    latencies.append(await key_to_frame(
                        app, clock, letter, letter,
                        lambda expected=expected: records.list_query.filter == expected and not records.filtering,
                    ))
                    await asyncio.sleep(KEY_GAP_SECONDS)
                await pilot.press("escape")
                while records.filtering or records.list_query.filter:
                    await pilot.pause()
            figures["filter_p50_ms"] = statistics.median(latencies)
            figures["filter_p95_ms"] = percentile(latencies, 0.95)
        await app.workers.wait_for_complete()
    figures["peak_rss_mib"] = peak_rss_mib()
    return figures


def peak_rss_mib() -> float:
    """This process's peak resident memory. Not `ru_maxrss`: Linux carries that over from the parent across
    exec, so every child would report at least the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(db_path: str, actions: bool) -> None:
    print(json.dumps(asyncio.run(measure(db_path, actions))))


def run_child(db_path: Path, actions: bool) -> dict:
    command = [sys.executable, __file__, "--child", str(db_path)] + (["--actions"] if actions else [])
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def best_of(db_path: Path, actions: bool) -> dict:
    """Each figure's median over fresh processes: RUNS with the list actions, then PAINT_RUNS more that only
    open the app, for the first paint (it varies by 20% from one process to the next)."""
    runs = [run_child(db_path, actions) for _ in range(RUNS)]
    figures = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    paints = [run["first_paint_ms"] for run in runs] + [
        run_child(db_path, False)["first_paint_ms"] for _ in range(PAINT_RUNS)
    ]
    figures["first_paint_ms"] = statistics.median(paints)
    return figures


def make_database(path: Path, contacts: int) -> None:
    subprocess.run([sys.executable, "-m", "crm_tui", "--db", str(path), "demo", "--contacts", str(contacts)],
                   check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="a large database to measure (made with `crm-tui demo --contacts N`)")
    parser.add_argument("--contacts", type=int, default=100_000, help="size of the database built without --db")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--actions", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.actions)
        return
    with tempfile.TemporaryDirectory() as scratch:
        empty, small = Path(scratch) / "empty.sqlite3", Path(scratch) / "small.sqlite3"
        subprocess.run([sys.executable, "-m", "crm_tui", "--db", str(empty), "info"], check=True, capture_output=True)
        make_database(small, 1000)
        large = Path(args.db) if args.db else Path(scratch) / "large.sqlite3"
        if not args.db:
            make_database(large, args.contacts)
        from crm_tui.core import contacts
        from crm_tui.core.db import close_database, open_database

        open_database(large)
        size = contacts.count()
        close_database()
        results = {"empty": best_of(empty, False), "1k": best_of(small, True), "large": best_of(large, True)}
    report(results, size)


def report(results: dict, size: int) -> None:
    empty, small, large = results["empty"], results["1k"], results["large"]
    rows = [
        ("first paint, ms", empty["first_paint_ms"], small["first_paint_ms"], large["first_paint_ms"],
         large["first_paint_ms"] / empty["first_paint_ms"], "≤ 1.15× empty"),
        ("page-down p50, ms", None, small["page_down_p50_ms"], large["page_down_p50_ms"], None, ""),
        ("page-down p95, ms", None, small["page_down_p95_ms"], large["page_down_p95_ms"],
         large["page_down_p95_ms"] / small["page_down_p95_ms"], "≤ 16 ms"),
        ("filter keystroke p50, ms", None, small["filter_p50_ms"], large["filter_p50_ms"], None, ""),
        ("filter keystroke p95, ms", None, small["filter_p95_ms"], large["filter_p95_ms"],
         large["filter_p95_ms"] / small["filter_p95_ms"], "≤ 50 ms"),
        ("peak RSS, MiB", empty["peak_rss_mib"], small["peak_rss_mib"], large["peak_rss_mib"],
         large["peak_rss_mib"] / empty["peak_rss_mib"], "≤ 1.3× empty"),
    ]

    def cell(value: float | None, suffix: str = "") -> str:
        return "—" if value is None else f"{value:,.1f}{suffix}"

    print(f"UI benchmark, headless 80x24, large database = {size:,} contacts; median of {RUNS} runs each "
          f"({RUNS + PAINT_RUNS} for first paint)")
    print(f"| measure | empty | 1k | {size:,} | ratio | goal |")
    print("|---|---:|---:|---:|---:|---|")
    for name, base, mid, big, ratio, goal in rows:
        print(f"| {name} | {cell(base)} | {cell(mid)} | {cell(big)} | {cell(ratio, '×')} | {goal} |")
    print("ratios: first paint and RSS against the empty database; page-down and filter against 1k contacts")


if __name__ == "__main__":
    main()
