"""The built-in server with the OpenSSH client, as users will reach it: a command for a script, the app on a
terminal (`ssh -tt`), and a key that is not theirs refused.

The server runs in the test's event loop, so `ssh` runs as an asyncio subprocess: a blocking one would stop the
server it talks to."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pty
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from ssh_helpers import WAIT_SECONDS, read_until

from crm_tui.remote.sessions import set_window_size

SSH = shutil.which("ssh")
if SSH is None:
    pytest.skip("no OpenSSH client (ssh) on this machine", allow_module_level=True)


@pytest.fixture
def key_file(tmp_path, ssh_keys):
    """The private key of a name, in OpenSSH format, in a file only its owner reads (ssh refuses others)."""

    def write(name: str) -> Path:
        path = tmp_path / f"id_{name}"
        ssh_keys[name].write_private_key(path)
        path.chmod(0o600)
        return path

    return write


def ssh_command(server, user: str, key: Path, *arguments: str, options: tuple[str, ...] = ()) -> list[str]:
    """`ssh` with no user configuration, no agent, no host key to remember and no prompt: the key or nothing."""
    return [SSH, "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes",
            "-i", str(key), "-p", str(server.port), *options, f"{user}@127.0.0.1", *arguments]


def client_environment(term: str = "xterm-256color") -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "SSH_AUTH_SOCK"}
    env["TERM"] = term
    return env


async def ssh(command: list[str]) -> tuple[int, str, str]:
    client = await asyncio.create_subprocess_exec(
        *command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=client_environment())
    try:
        stdout, stderr = await asyncio.wait_for(client.communicate(), WAIT_SECONDS)
    finally:
        if client.returncode is None:
            client.kill()
            await client.wait()
    return client.returncode, stdout.decode(), stderr.decode()


async def test_a_command_over_openssh_returns_its_output_and_status(server, key_file):
    key = key_file("ann")
    status, _, errors = await ssh(ssh_command(server, "ann", key, "contacts", "add", "--first", "Ann"))
    assert status == 0, errors
    status, output, errors = await ssh(ssh_command(server, "ann", key, "contacts", "list", "--json"))
    assert status == 0, errors
    assert [contact["name"] for contact in json.loads(output)] == ["Ann"]


async def test_ssh_tt_gets_the_app_and_q_ends_it_with_status_0(server, key_file):
    parent_fd, child_fd = pty.openpty()
    set_window_size(parent_fd, 80, 24)
    try:
        client = await asyncio.create_subprocess_exec(
            *ssh_command(server, "ann", key_file("ann"), options=("-tt",)), stdin=child_fd, stdout=child_fd,
            stderr=child_fd, env=client_environment(), start_new_session=True)
    finally:
        os.close(child_fd)
    reader = asyncio.StreamReader()
    transport, _ = await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(parent_fd, "rb", buffering=0))

    async def drain() -> None:  # ssh must never block writing to a terminal nobody reads
        with contextlib.suppress(OSError):  # EIO once ssh has closed the terminal
            while await reader.read(65536):
                pass

    draining = None
    try:
        await read_until(SimpleNamespace(stdout=reader), lambda text: "1 Contacts" in text)
        draining = asyncio.ensure_future(drain())
        os.write(parent_fd, b"q")
        assert await asyncio.wait_for(client.wait(), WAIT_SECONDS) == 0
    finally:
        if client.returncode is None:
            client.kill()
            await client.wait()
        if draining is not None:
            draining.cancel()
        transport.close()


async def test_openssh_with_a_key_not_registered_for_the_user_is_refused(server, key_file):
    status, output, errors = await ssh(ssh_command(server, "ann", key_file("eve"), "info"))
    assert status == 255
    assert "Permission denied" in errors
    assert output == ""
