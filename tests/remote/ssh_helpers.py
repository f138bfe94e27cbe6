"""A real SSH server on a loopback port, real keys, an asyncssh client to reach it, and reading what it shows."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from crm_tui.cli.remote_policy import remote_arguments
from crm_tui.remote import import_asyncssh
from crm_tui.remote.server import ServerSettings, start
from crm_tui.remote.users import UserStore, parse_keys

asyncssh = import_asyncssh()
ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")
WAIT_SECONDS = 60


@dataclass
class RunningServer:
    port: int
    fingerprint: str
    settings: ServerSettings
    keys: dict

    async def connect(self, user: str, key: str | None = None, **options):
        """Log in as `user` with the private key of `key` (default: their own)."""
        return await asyncssh.connect(
            "127.0.0.1", self.port, username=user, client_keys=[self.keys[key or user]], known_hosts=None,
            agent_path=None, **options)


@pytest.fixture(scope="session")
def ssh_keys() -> dict:
    return {name: asyncssh.generate_private_key("ssh-ed25519", comment=f"{name}@test")
            for name in ("ann", "bo", "eve")}


def add_user(data_dir: Path, name: str, key) -> None:
    UserStore(data_dir).add(name, parse_keys(key.export_public_key("openssh").decode(), f"{name}.pub"))


@asynccontextmanager
async def running_server(tmp_path: Path, ssh_keys: dict, **settings) -> AsyncIterator[RunningServer]:
    """A server on a free loopback port for the body of an `async with`, with ann and bo as users."""
    data_dir = tmp_path / "server"
    for name in ("ann", "bo"):  # eve has a key but is no user
        add_user(data_dir, name, ssh_keys[name])
    server_settings = ServerSettings(data_dir=data_dir, check_command=remote_arguments, port=0, **settings)
    acceptor, fingerprint = await start(server_settings)
    try:
        yield RunningServer(acceptor.sockets[0].getsockname()[1], fingerprint, server_settings, ssh_keys)
    finally:
        acceptor.close()
        await acceptor.wait_closed()


@pytest.fixture
async def server(tmp_path, ssh_keys):
    async with running_server(tmp_path, ssh_keys) as running:
        yield running


def screen_text(data: bytes) -> str:
    """What a terminal would show, roughly: the bytes without their escape sequences."""
    return ESCAPES.sub(b"", data).decode("utf-8", errors="replace")


async def read_until(process, wanted, raw: bool = False) -> bytearray:
    """Read the session's output until `wanted(text so far)` holds (with `raw`, `wanted(the bytes so far)`); fails
    after WAIT_SECONDS."""
    seen = bytearray()

    async def reading() -> None:
        while not wanted(bytes(seen) if raw else screen_text(bytes(seen))):
            chunk = await process.stdout.read(65536)
            if not chunk:
                raise AssertionError(f"the session ended first; it showed: {screen_text(bytes(seen))[-400:]!r}")
            seen.extend(chunk)

    await asyncio.wait_for(reading(), WAIT_SECONDS)
    return seen


def children_using(path: Path) -> list[int]:
    """The processes whose command line names `path`: a session's child runs `... --db <path>`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(path).encode() in command:
                found.append(int(entry.name))
    return found


def lowest_row(output: bytes) -> int:
    """The lowest row the app moved the cursor to (CSI row;col H)."""
    return max((int(row) for row in re.findall(rb"\x1b\[(\d+);\d+H", output)), default=0)


async def gone(pids: list[int]) -> bool:
    """Whether every pid has ended (and been reaped) within a few seconds."""
    for _ in range(100):
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return True
        await asyncio.sleep(0.1)
    return False
