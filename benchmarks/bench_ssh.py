"""SSH benchmark: what the built-in server (`crm-tui serve ssh`) costs a session, idle, and on the wire.

    python benchmarks/bench_ssh.py                  # 20 sessions, 500 demo contacts each
    python benchmarks/bench_ssh.py --sessions 5 --page-downs 5

The server runs as a `crm-tui serve ssh --port 0` subprocess, so its figures are its own process alone; the
clients are asyncssh connections in this process, each with a PTY of 80x24. Every user has a database of their own
holding the same demo data (`crm-tui demo`, built once and copied).
- memory: RSS, PSS (library pages shared between the children are split between them, /proc/PID/smaps_rollup)
  and private memory of each session's child with all sessions open and idle, against one app started directly
  on a PTY (no SSH) showing the same list, with the environment a session gets; the server's own RSS before any
  session and with them all open;
- idle: the CPU (utime + stime from /proc/PID/stat) the idle children and the server use over a few seconds,
  against the local app over the same seconds, and the bytes the clients get meanwhile;
- on the wire: the bytes of the first screen, of one full frame of the screen (the largest frame a resize away
  and back to 80x24 sends), and of one page-down in the contacts list (once output has been quiet for a second,
  until it is quiet again), with how many frames it took, for TERM=xterm-256color, TERM=xterm (16 colours) and
  TEXTUAL_ANIMATIONS=none sent as client env. Frames are told apart by the cursor move Textual ends each with.
Never run by CI: nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench_core import print_table
from textual.app import App

from crm_tui.remote import import_asyncssh
from crm_tui.remote.sessions import Account, child_command, child_environment, set_window_size
from crm_tui.remote.users import UserStore, parse_keys

asyncssh = import_asyncssh()

PAGE_DOWN = b"\x1b[6~"
SIZE = (80, 24)
LIST_SHOWN = "row 1 of"
"""The contacts list's status line, which shows once the first page of rows is in."""
QUIET_SECONDS = 1.0
WAIT_SECONDS = 180.0
CURSOR_MOVE = re.compile(rb"\x1b\[\d+;\d+H")
ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")
CONFIGS = (("xterm-256color", {}), ("xterm", {}), ("xterm-256color", {"TEXTUAL_ANIMATIONS": "none"}))
TICKS = os.sysconf("SC_CLK_TCK")
FIRST_SCREENS = 3


class Terminal:
    """What one terminal is sent, as it comes, and when it last came."""

    def __init__(self, read, send) -> None:
        self.data = bytearray()
        self.last = time.monotonic()
        self.ended = False
        self.send = send
        self._pump = asyncio.ensure_future(self._read_all(read))

    async def _read_all(self, read) -> None:
        try:
            while chunk := await read(65536):
                self.data += chunk
                self.last = time.monotonic()
        except OSError:  # EIO: the app closed its PTY
            pass
        self.ended = True

    async def shows(self, text: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while text not in ESCAPES.sub(b"", self.data).decode("utf-8", errors="replace"):
            if self.ended or time.monotonic() > deadline:
                raise RuntimeError(f"the terminal never showed {text!r}")
            await asyncio.sleep(0.05)

    async def quiet(self, seconds: float = QUIET_SECONDS, since: float = 0.0) -> None:
        """Return once nothing has come for `seconds`, and not before the monotonic time `since`."""
        while (left := max(self.last + seconds, since) - time.monotonic()) > 0:
            await asyncio.sleep(left)

    async def settled(self) -> None:
        """Shown and quiet: the start-up toast ("N tasks are overdue") has come and gone."""
        await self.shows(LIST_SHOWN)
        await self.quiet(since=time.monotonic() + App.NOTIFICATION_TIMEOUT + QUIET_SECONDS)

    async def output_of(self, act, *arguments) -> bytes:
        """What comes after `act(*arguments)` until output is quiet again."""
        before = len(self.data)
        act(*arguments)
        deadline = time.monotonic() + 10
        while len(self.data) == before and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await self.quiet()
        return bytes(self.data[before:])


def frames(output: bytes, park: bytes) -> list[bytes]:
    """The output cut into the frames Textual wrote: each ends by moving the cursor to where it rests, `park`."""
    pieces = output.split(park)
    return [piece + park for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


def memory_kib(pid: int) -> dict[str, int]:
    """Rss, Pss and Private (clean + dirty) of a process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return {"rss": fields["Rss"], "pss": fields["Pss"], "private": fields["Private_Clean"] + fields["Private_Dirty"]}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def build_databases(folder: Path, targets: list[Path], contacts: int) -> None:
    """One demo database made by the CLI, copied (SQLite's backup) to each target."""
    template = folder / "demo.sqlite3"
    subprocess.run([sys.executable, "-m", "crm_tui", "--db", str(template), "demo", "--contacts", str(contacts)],
                   check=True, stdout=subprocess.DEVNULL)
    source = sqlite3.connect(template)
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = sqlite3.connect(target)
        source.backup(copy)
        copy.close()
    source.close()


async def start_local_app(folder: Path, database: Path) -> tuple[asyncio.subprocess.Process, Terminal]:
    """The baseline: the very command and environment a session runs, on a PTY of our own, no SSH."""
    account = Account("local", folder, database)
    env = child_environment(account, {}, "xterm-256color")
    parent_fd, child_fd = pty.openpty()
    set_window_size(parent_fd, *SIZE)
    try:
        app = await asyncio.create_subprocess_exec(*child_command(account, []), stdin=child_fd, stdout=child_fd,
                                                   stderr=child_fd, env=env, cwd=env["HOME"], start_new_session=True)
    finally:
        os.close(child_fd)
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                                       os.fdopen(parent_fd, "rb", buffering=0))
    return app, Terminal(reader.read, lambda data: os.write(parent_fd, data))


async def start_server(data_dir: Path, sessions: int, log: Path) -> tuple[asyncio.subprocess.Process, int]:
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "crm_tui", "serve", "ssh", "--port", "0", "--data-dir", str(data_dir),
        "--max-sessions", str(sessions + 4), "--max-sessions-per-user", "5", "--idle-timeout", "0",
        stdout=asyncio.subprocess.PIPE, stderr=log.open("wb"))
    line = (await asyncio.wait_for(server.stdout.readline(), WAIT_SECONDS)).decode()
    port = re.fullmatch(r"crm-tui SSH server on \S+ port (\d+)\n", line)
    if port is None:
        raise RuntimeError(f"the server said {line!r}; its log: {log.read_text()}")
    return server, int(port.group(1))


async def open_session(port: int, user: str, key, term: str = "xterm-256color", env: dict | None = None):
    connection = await asyncssh.connect("127.0.0.1", port, username=user, client_keys=[key], known_hosts=None,
                                        agent_path=None)
    process = await connection.create_process(term_type=term, term_size=SIZE, encoding=None, env=env or {})
    return connection, process, Terminal(process.stdout.read, process.stdin.write)


async def measure_idle(port: int, key, users: list[str], server_pid: int, local_pid: int, local: Terminal,
                       idle_seconds: float) -> list[tuple[str, str, str]]:
    server_before = memory_kib(server_pid)
    started = time.monotonic()
    opened = await asyncio.gather(*(open_session(port, user, key) for user in users))
    await asyncio.gather(*(terminal.shows(LIST_SHOWN) for _, _, terminal in opened))
    all_shown = time.monotonic() - started
    await asyncio.gather(local.settled(), *(terminal.settled() for _, _, terminal in opened))
    children = children_of(server_pid)
    if len(children) != len(users):
        raise RuntimeError(f"{len(users)} sessions but the server has {len(children)} children")
    watched = [*children, server_pid, local_pid]
    cpu_before = {pid: cpu_seconds(pid) for pid in watched}
    sent_before = sum(len(terminal.data) for _, _, terminal in opened)
    await asyncio.sleep(idle_seconds)
    cpu = {pid: cpu_seconds(pid) - cpu_before[pid] for pid in watched}
    sent = sum(len(terminal.data) for _, _, terminal in opened) - sent_before
    memory = {pid: memory_kib(pid) for pid in watched}
    for connection, _, _ in opened:
        connection.close()
    await asyncio.gather(*(connection.wait_closed() for connection, _, _ in opened))

    count, base = len(users), memory[local_pid]
    each = {kind: statistics.median(memory[pid][kind] for pid in children) for kind in base}
    total = {kind: sum(memory[pid][kind] for pid in children) for kind in base}
    children_cpu = sum(cpu[pid] for pid in children)
    server_growth = memory[server_pid]["rss"] - server_before["rss"]
    return [
        ("local app on a PTY, no SSH (baseline)", f"RSS {mib(base['rss'])}",
         f"PSS {mib(base['pss'])}, private {mib(base['private'])}"),
        (f"session child, median of {count}", f"RSS {mib(each['rss'])}",
         f"{each['rss'] / base['rss']:.2f}x the local app's RSS"),
        ("", f"PSS {mib(each['pss'])}", f"{each['pss'] / base['pss']:.2f}x the local app's PSS"),
        ("", f"private {mib(each['private'])}", f"{each['private'] / base['private']:.2f}x the local app's"),
        (f"{count} session children, sum", f"RSS {mib(total['rss'])}", f"PSS {mib(total['pss'])}, private "
         f"{mib(total['private'])}; {total['pss'] / base['pss']:.1f}x one local app's PSS"),
        ("server process, before any session", f"RSS {mib(server_before['rss'])}",
         f"PSS {mib(server_before['pss'])}"),
        (f"server process, {count} sessions open", f"RSS {mib(memory[server_pid]['rss'])}",
         f"+{mib(server_growth)}, {server_growth / count:.0f} KiB a session"),
        (f"{count} sessions opened at once", f"{all_shown:.1f} s", "connect to every list shown"),
        (f"CPU of {count} idle session children", f"{children_cpu * 1000:.0f} ms in {idle_seconds:.0f} s",
         f"{children_cpu / idle_seconds * 100:.1f}% of a core; local app {cpu[local_pid] * 1000:.0f} ms "
         f"({cpu[local_pid] / idle_seconds * 100:.1f}%), {children_cpu / count * 1000:.0f} ms a session"),
        ("CPU of the server, same seconds", f"{cpu[server_pid] * 1000:.0f} ms",
         f"{cpu[server_pid] / idle_seconds * 100:.1f}% of a core"),
        (f"bytes sent to the {count} idle clients", f"{sent:,} B", f"in {idle_seconds:.0f} s"),
    ]


async def first_screen(port: int, key, user: str, term: str, env: dict):
    """A session opened until its list shows and output is quiet: the connection, process and terminal."""
    connection, process, terminal = await open_session(port, user, key, term, env)
    await terminal.shows(LIST_SHOWN)
    await terminal.quiet()
    return connection, process, terminal


async def measure_wire(port: int, key, user: str, term: str, env: dict,
                       page_downs: int) -> list[tuple[str, str, str]]:
    firsts = []
    for _ in range(FIRST_SCREENS - 1):
        connection, _, terminal = await first_screen(port, key, user, term, env)
        firsts.append(len(terminal.data))
        connection.close()
        await connection.wait_closed()
    connection, process, terminal = await first_screen(port, key, user, term, env)
    firsts.append(len(terminal.data))
    async with connection:
        await terminal.settled()
        park = CURSOR_MOVE.findall(terminal.data)[-1]
        await terminal.output_of(process.change_terminal_size, SIZE[0] + 1, SIZE[1])
        repaint = frames(await terminal.output_of(process.change_terminal_size, *SIZE), park)
        pages = [frames(await terminal.output_of(terminal.send, PAGE_DOWN), park) for _ in range(page_downs)]
        terminal.send(b"q")
        await asyncio.wait_for(process.wait_closed(), WAIT_SECONDS)
    full = max(len(frame) for frame in repaint)
    sizes = [sum(len(frame) for frame in page) for page in pages]
    median = statistics.median(sizes)
    counts = Counter(len(page) for page in pages)
    repeated = sum(1 for page in pages if len(page) > 1 and len(set(page)) == 1)
    return [
        (f"TERM={term}" + "".join(f" {name}={value}" for name, value in env.items()), "", ""),
        (f"  first screen, median (max) of {FIRST_SCREENS}", f"{statistics.median(firsts):,.0f} B ({max(firsts):,} B)",
         "connect to list shown and output quiet 1 s"),
        ("  one full frame at 80x24 (baseline)", f"{full:,} B", f"the largest of the {len(repaint)} frames of a "
         f"resize to 81x24 and back ({sum(len(frame) for frame in repaint):,} B)"),
        (f"  page-down, median (max) of {page_downs}", f"{median:,.0f} B ({max(sizes):,} B)",
         f"{median / full:.2f} ({max(sizes) / full:.2f}) of a full frame"),
        ("  frames a page-down sent", ", ".join(f"{number} in {count}" for number, count in sorted(counts.items())),
         f"{repeated} of {page_downs} sent the same frame again, byte for byte"),
    ]


async def run(args: argparse.Namespace, folder: Path) -> list[tuple[str, str, str]]:
    data_dir = folder / "server"
    key = asyncssh.generate_private_key("ssh-ed25519", comment="bench")
    public = parse_keys(key.export_public_key("openssh").decode(), "bench.pub")
    store = UserStore(data_dir)
    users = [f"user{number:02}" for number in range(args.sessions)]
    for user in users:
        store.add(user, public)
    local_db = folder / "local" / "crm.sqlite3"
    print(f"building {args.contacts:,} demo contacts for {len(users)} users and the local app…", file=sys.stderr)
    build_databases(folder, [store.folder(user) / "crm.sqlite3" for user in users] + [local_db], args.contacts)
    log = folder / "server-stderr.log"
    server, port = await start_server(data_dir, args.sessions, log)
    local, local_terminal = await start_local_app(local_db.parent, local_db)
    try:
        print(f"opening {len(users)} sessions…", file=sys.stderr)
        rows = await measure_idle(port, key, users, server.pid, local.pid, local_terminal, args.idle_seconds)
        print("page-downs…", file=sys.stderr)
        for term, env in CONFIGS:
            rows += await measure_wire(port, key, users[0], term, env, args.page_downs)
    finally:
        local_terminal.send(b"q")
        server.send_signal(signal.SIGINT)
        for process in (server, local):
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
    if "Traceback" in log.read_text():
        print(f"the server's log holds a traceback:\n{log.read_text()}", file=sys.stderr)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--contacts", type=int, default=500, help="demo contacts in each user's database")
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="how long the CPU of idle sessions is summed")
    parser.add_argument("--page-downs", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        rows = asyncio.run(run(args, Path(folder)))
    print(f"\ncrm-tui SSH benchmark: {args.sessions} sessions at {SIZE[0]}x{SIZE[1]}, {args.contacts:,} demo contacts "
          f"each, {os.cpu_count()} cores, Python {sys.version.split()[0]}, asyncssh {asyncssh.__version__}\n")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
