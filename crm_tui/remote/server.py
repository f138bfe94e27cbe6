"""`crm-tui serve ssh`: the app and the CLI over SSH, for a team that has no sshd to configure.

Public keys only. A session is the app in a pseudo-terminal of its own process, or, for an exec request, one CLI
command (parsed as arguments, never given to a shell). Nothing else is offered: no shell, no SFTP, no port, agent
or X11 forwarding. Each login, logout and refusal is logged with the user, the address and the time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crm_tui.core.errors import CrmError
from crm_tui.remote import host_key, import_asyncssh
from crm_tui.remote.sessions import Account, run_in_terminal, run_on_pipes
from crm_tui.remote.users import UserStore

asyncssh = import_asyncssh()

log = logging.getLogger("crm_tui.remote")

FAILURE_WINDOW_SECONDS = 60.0
PENALTY_SECONDS = 0.5
MAX_PENALTY_SECONDS = 5.0
HOST_KEY_ALGORITHMS = ("ssh-ed25519",)


@dataclass
class ServerSettings:
    data_dir: Path
    # What a command line sent by a remote user runs as: its CLI arguments, or a CrmError saying why it may not run.
    check_command: Callable[[str], list[str]]
    host: str = "127.0.0.1"
    port: int = 2222
    shared_db: Path | None = None
    max_sessions: int = 20
    max_sessions_per_user: int = 5
    idle_timeout: float = 3600.0
    login_grace: float = 30.0
    max_upload_bytes: int = 1024 * 1_048_576  # what a command may read from its standard input; 0: no limit


@dataclass
class ServerState:
    """What every connection shares: the open sessions and recent failed logins."""

    settings: ServerSettings
    users: UserStore
    sessions: Counter = field(default_factory=Counter)
    failures: dict[str, deque] = field(default_factory=dict)

    def penalty(self, address: str) -> float:
        """How long to hold back the answer to a refused key: longer the more refusals from that address of late."""
        recent = self.failures.setdefault(address, deque(maxlen=32))
        now = time.monotonic()
        while recent and now - recent[0] > FAILURE_WINDOW_SECONDS:
            recent.popleft()
        recent.append(now)
        return min(MAX_PENALTY_SECONDS, PENALTY_SECONDS * len(recent))

    def account(self, name: str) -> Account:
        folder = self.users.folder(name)
        return Account(name, folder, self.settings.shared_db or folder / "crm.sqlite3")


class CrmSSHServer(asyncssh.SSHServer):
    """One connection: who it is, whether they got in, and which of their sessions may open."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.address = "?"
        self.username: str | None = None
        self.logged_in = False
        self.refusal = "no accepted key"
        self.connection: asyncssh.SSHServerConnection | None = None
        self.sessions_asked = 0
        self.releases: set[asyncio.Task] = set()
        self.running: dict[object, asyncio.Task] = {}  # a session's channel, and the task running its command

    def connection_made(self, connection: asyncssh.SSHServerConnection) -> None:
        self.connection = connection
        peer = connection.get_extra_info("peername")
        self.address = f"{peer[0]}:{peer[1]}" if peer else "?"

    def connection_lost(self, exc: Exception | None) -> None:
        if self.logged_in:
            log.info("logout user=%s from=%s", self.username, self.address)
        elif self.username is not None:
            log.warning("refused user=%s from=%s reason=%s", self.username, self.address, self.refusal)

    def begin_auth(self, username: str) -> bool:
        self.username = username
        if self.state.users.get(username) is None:
            self.refusal = "unknown user"
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """Only a key registered for this very user, read from their file now (so a removal takes effect at
        once); a refusal is answered slowly, more slowly the more an address is refused."""
        user = self.state.users.get(username)
        if user is not None and key.get_fingerprint("sha256") in {known.fingerprint for known in user.keys}:
            return True
        if user is not None:
            self.refusal = "key not registered for the user"
        await asyncio.sleep(self.state.penalty(self.address.rsplit(":", 1)[0]))
        return False

    def auth_completed(self) -> None:
        self.logged_in = True
        log.info("login user=%s from=%s", self.username, self.address)
        asyncio.get_running_loop().call_later(self.state.settings.login_grace, self.close_if_unused)

    def close_if_unused(self) -> None:
        """A login that asks for no session (`ssh -N`) only holds a connection: it gets the login grace time."""
        if self.sessions_asked == 0 and self.connection is not None:
            log.info("closed user=%s from=%s reason=no session asked for", self.username, self.address)
            self.connection.close()

    def session_requested(self):
        """A session, within the limits: the server's and this user's."""
        self.sessions_asked += 1
        settings, sessions = self.state.settings, self.state.sessions
        if sum(sessions.values()) >= settings.max_sessions:
            log.warning("refused session user=%s from=%s reason=server full (%d sessions)", self.username,
                        self.address, settings.max_sessions)
            return False
        if sessions[self.username] >= settings.max_sessions_per_user:
            log.warning("refused session user=%s from=%s reason=%d sessions already open", self.username,
                        self.address, settings.max_sessions_per_user)
            return False
        sessions[self.username] += 1
        channel = self.connection.create_server_channel()
        release = asyncio.ensure_future(self.release_when_closed(channel, self.username))
        self.releases.add(release)
        release.add_done_callback(self.releases.discard)
        return channel, asyncssh.SSHServerProcess(self.run_session, None, 0, False)

    async def release_when_closed(self, channel, name: str) -> None:
        """A session's place is given back when its channel closes, however it closes (its process ended, the
        client left, or the client closed the channel without ever asking for the app or a command), and once the
        command or app it started is gone: a child still being ended holds its place."""
        await channel.wait_closed()
        running = self.running.pop(channel, None)
        if running is not None:
            await asyncio.wait((running,))
        self.state.sessions[name] -= 1

    async def run_session(self, process: asyncssh.SSHServerProcess) -> None:
        assert self.username is not None
        running = asyncio.current_task()
        if running is not None:
            self.running[process.channel] = running
        try:
            status = await self.serve(process, self.state.account(self.username))
        except Exception:  # the server's boundary: log it, and close this session rather than leave it hanging
            log.exception("session failed user=%s from=%s", self.username, self.address)
            status = 1
        if status is not None:
            process.exit(status)
        else:
            process.close()

    async def serve(self, process: asyncssh.SSHServerProcess, account: Account) -> int | None:
        command = process.command
        if process.subsystem:
            process.stderr.write(b"crm-tui offers no subsystems (no SFTP)\r\n")
            return 1
        arguments: list[str] = []
        if command:
            try:
                arguments = self.state.settings.check_command(command)
            except CrmError as exc:
                process.stderr.write(f"error: {exc}\n".encode())
                return 1
        elif process.get_terminal_type() is None:
            process.stderr.write(b"error: the app needs a terminal: connect with ssh -t, or give a command\n")
            return 1
        if process.get_terminal_type() is None:
            log.info("exec user=%s from=%s command=%s", account.name, self.address, arguments[:1])
            return await run_on_pipes(process, account, arguments, self.state.settings.max_upload_bytes)
        log.info("session user=%s from=%s %s", account.name, self.address, "command" if command else "app")
        status = await run_in_terminal(process, account, arguments, self.state.settings.idle_timeout)
        if status is None:
            log.info("session ended user=%s from=%s (client left or idle)", account.name, self.address)
        return status


async def start(settings: ServerSettings) -> tuple[asyncssh.SSHAcceptor, str]:
    """Listen; returns the acceptor and the host key's fingerprint."""
    key, created = host_key.load_or_create(settings.data_dir)
    if created:
        log.info("made a new host key %s", host_key.fingerprint(key))
    state = ServerState(settings, UserStore(settings.data_dir))
    acceptor = await asyncssh.create_server(
        lambda: CrmSSHServer(state), settings.host, settings.port, server_host_keys=[key], encoding=None,
        login_timeout=settings.login_grace, agent_forwarding=False, x11_forwarding=False, allow_scp=False,
        allow_pty=True, keepalive_interval=60, server_version="crm-tui",
    )
    return acceptor, host_key.fingerprint(key)
