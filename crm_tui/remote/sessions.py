"""One SSH session, one process: the app in a pseudo-terminal of its own, or a CLI command on pipes.

Each session's child runs `python -m crm_tui --db <the user's database> ...` in a new process group, so a crash
touches nobody else, and ending the session can end everything the child started. The child gets a clean
environment: the user's folders, their SSH name (for the history's "who"), the client's terminal type, and of
the client's own variables only those that change the display.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import pty
import signal
import struct
import sys
import termios
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crm_tui.config import FILES_DIR_ENV_VAR, SSH_USER_ENV_VAR
from crm_tui.remote import import_asyncssh
from crm_tui.remote.users import private_folder

asyncssh = import_asyncssh()

CLIENT_VARIABLES = ("COLORTERM", "LANG")
DISPLAY_VARIABLES = ("TEXTUAL_ANIMATIONS", "TEXTUAL_COLOR_SYSTEM", "TEXTUAL_FPS", "TEXTUAL_THEME",
                     "TEXTUAL_FILTERS", "TEXTUAL_DIM_FACTOR", "TEXTUAL_SMOOTH_SCROLL", "TEXTUAL_DISABLE_KITTY_KEY")
"""The TEXTUAL_* settings a client may send (SendEnv). The others write files (TEXTUAL_LOG, TEXTUAL_SCREENSHOT_*),
connect elsewhere (TEXTUAL_DEVTOOLS_*) or load code (TEXTUAL_DRIVER), and are dropped."""
STOP_GRACE_SECONDS = 2.0
READ_SIZE = 65536
MAX_WINDOW = (1000, 1000)  # columns, rows
CUT_CHECK_SECONDS = 0.2
log = logging.getLogger("crm_tui.remote")


@dataclass(frozen=True)
class Account:
    """Whom a session runs as, and where their things are."""

    name: str
    folder: Path
    database: Path


def child_environment(account: Account, client_env: Mapping[str, str], term: str | None) -> dict[str, str]:
    folder = account.folder
    files = private_folder(folder / "files")  # the child's home and working folder: it must be there
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(files),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        "XDG_STATE_HOME": str(folder / "state"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        SSH_USER_ENV_VAR: account.name,
        FILES_DIR_ENV_VAR: str(files),
        "PYTHONUNBUFFERED": "1",
    }
    if term:
        env["TERM"] = term
    for name, value in client_env.items():
        if name in CLIENT_VARIABLES or name in DISPLAY_VARIABLES:
            env[name] = value
    return env


def child_command(account: Account, arguments: list[str]) -> list[str]:
    return [sys.executable, "-m", "crm_tui", "--db", str(account.database), *arguments]


def set_window_size(fd: int, columns: int, rows: int) -> None:
    """Size the session's terminal as the client asks, within MAX_WINDOW: a size past 65535 would not even pack, and
    a 10000x10000 terminal grew one session's app to 885 MB."""
    fitted = min(max(columns, 1), MAX_WINDOW[0]), min(max(rows, 1), MAX_WINDOW[1])
    if fitted != (columns, rows):
        log.info("window %dx%d asked, %dx%d given", columns, rows, *fitted)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", fitted[1], fitted[0], 0, 0))


async def stop_group(child: asyncio.subprocess.Process) -> None:
    """End the child and everything it started: SIGHUP, as a terminal hang-up would send, then SIGKILL."""
    if child.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGHUP)
        try:
            await asyncio.wait_for(child.wait(), STOP_GRACE_SECONDS)
        except TimeoutError:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    await child.wait()


class IdleClock:
    """When the client last sent anything."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def touch(self) -> None:
        self.last = time.monotonic()

    async def expired(self, limit: float) -> None:
        """Return once nothing has come from the client for `limit` seconds (never, for 0)."""
        if limit <= 0:
            await asyncio.Event().wait()
        while (left := self.last + limit - time.monotonic()) > 0:
            await asyncio.sleep(left)


async def copy_to_client(source: asyncio.StreamReader, target: asyncssh.SSHWriter) -> None:
    """Pass the child's output on until it ends. A terminal whose child has closed it reads as an error (EIO),
    which ends the copy as an end of file would."""
    with contextlib.suppress(OSError):
        while data := await source.read(READ_SIZE):
            target.write(data)
            await target.drain()


async def run_in_terminal(process: asyncssh.SSHServerProcess, account: Account, arguments: list[str],
                          idle_timeout: float) -> int | None:
    """Run the child on a new pseudo-terminal sized like the client's, pass bytes both ways and window sizes in,
    and return its exit status; None if the client left or went idle first (the child is then stopped)."""
    columns, rows, _, _ = process.get_terminal_size()
    parent_fd, child_fd = pty.openpty()
    set_window_size(parent_fd, columns or 80, rows or 24)
    env = child_environment(account, process.env, process.get_terminal_type())
    try:
        child = await asyncio.create_subprocess_exec(
            *child_command(account, arguments), stdin=child_fd, stdout=child_fd, stderr=child_fd, env=env,
            cwd=env["HOME"], start_new_session=True)
    finally:
        os.close(child_fd)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=READ_SIZE)
    read_transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                                     os.fdopen(parent_fd, "rb", buffering=0))
    write_transport, _ = await loop.connect_write_pipe(asyncio.Protocol, os.fdopen(os.dup(parent_fd), "wb", 0))
    clock = IdleClock()

    async def from_client() -> None:
        while True:
            try:
                data = await process.stdin.read(READ_SIZE)
            except asyncssh.TerminalSizeChanged as change:
                set_window_size(parent_fd, change.width, change.height)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGWINCH)
                continue
            except (asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue
            if not data:
                return
            clock.touch()
            write_transport.write(data)

    output = asyncio.ensure_future(copy_to_client(reader, process.stdout))
    watched = [asyncio.ensure_future(awaitable) for awaitable in
               (child.wait(), from_client(), clock.expired(idle_timeout))]
    try:
        await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
        if watched[0].done():
            await output  # what the child wrote last reaches the client before the exit status
            return child.returncode
        return None
    finally:
        for task in (*watched, output):
            task.cancel()
        await stop_group(child)
        read_transport.close()
        write_transport.close()


async def run_on_pipes(process: asyncssh.SSHServerProcess, account: Account, arguments: list[str],
                       max_upload_bytes: int = 0) -> int | None:
    """Run a CLI command for a script: the client's input to its stdin, its output and errors back, its status;
    None if the client went away first (the command is then ended, as a terminal hang-up would end it). Input past
    `max_upload_bytes` (0: no limit) ends the command too, before it has read an end of file: nothing is kept."""
    env = child_environment(account, process.env, None)
    child = await asyncio.create_subprocess_exec(
        *child_command(account, arguments), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=env, cwd=env["HOME"], start_new_session=True)
    too_big = asyncio.Event()

    async def copy_in() -> None:
        """The client's input, then its end: only a real end of file (the client sent EOF and still waits for the
        answer) reaches the child as one. A client that went away mid-upload never finished it."""
        assert child.stdin is not None
        received = 0
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            while data := await process.stdin.read(READ_SIZE):
                received += len(data)
                if max_upload_bytes and received > max_upload_bytes:
                    too_big.set()
                    return
                child.stdin.write(data)
                await child.stdin.drain()
            if not await channel_closed(process, CUT_CHECK_SECONDS):
                child.stdin.close()

    feeding = asyncio.ensure_future(copy_in())
    answered = asyncio.ensure_future(asyncio.gather(copy_to_client(child.stdout, process.stdout),
                                                    copy_to_client(child.stderr, process.stderr)))
    left = asyncio.ensure_future(process.channel.wait_closed())
    refused = asyncio.ensure_future(too_big.wait())
    try:
        await asyncio.wait((answered, left, refused), return_when=asyncio.FIRST_COMPLETED)
        if too_big.is_set():
            answered.cancel()  # the child's own line about being stopped is not for the client
            await stop_group(child)
            log.warning("upload refused user=%s: over the limit of %d bytes", account.name, max_upload_bytes)
            process.stderr.write(f"error: the upload is larger than this server takes ({max_upload_bytes:,} bytes); "
                                 "nothing was imported. Split the file, or ask for a higher --max-upload\n".encode())
            return 1
        if not answered.done():
            return None  # the client left first: the command is ended below, and keeps nothing of its input
        return await child.wait()
    finally:
        for task in (feeding, answered, left, refused):
            task.cancel()
        await stop_group(child)
        await asyncio.gather(feeding, answered, left, refused, return_exceptions=True)


async def channel_closed(process: asyncssh.SSHServerProcess, within: float) -> bool:
    """Whether the session's channel closes within `within` seconds: at an end of input, a client that sent EOF
    keeps the channel open for the answer, while one that went away closed it first."""
    try:
        await asyncio.wait_for(asyncio.shield(process.channel.wait_closed()), within)
    except TimeoutError:
        return False
    return True
