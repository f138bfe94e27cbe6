"""The built-in SSH server with a real asyncssh client on loopback: logins and refusals, the app in a PTY session,
window resizes, exec requests, a database per user, limits, and no process left behind."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat

import pytest
from ssh_helpers import asyncssh, children_using, gone, lowest_row, read_until, running_server

from crm_tui.cli.remote_policy import remote_arguments
from crm_tui.remote.host_key import HOST_KEY_FILE
from crm_tui.remote.server import MAX_PENALTY_SECONDS, CrmSSHServer, ServerSettings, ServerState
from crm_tui.remote.users import UserStore


async def run(server, user: str, command: str):
    async with await server.connect(user) as connection:
        return await connection.run(command)


async def test_an_exec_request_runs_the_command_on_the_users_database_and_returns_json(server):
    added = await run(server, "ann", "contacts add --first Ann --last Lee --email ann@example.org")
    assert added.exit_status == 0
    listed = await run(server, "ann", "contacts list --json")
    assert listed.exit_status == 0
    assert [contact["name"] for contact in json.loads(listed.stdout)] == ["Ann Lee"]
    assert (server.settings.data_dir / "users" / "ann" / "crm.sqlite3").exists()


async def test_two_users_see_only_their_own_data(server):
    await run(server, "ann", "contacts add --first Ann")
    await run(server, "bo", "contacts add --first Bo")
    assert [contact["name"] for contact in json.loads((await run(server, "ann", "contacts list --json")).stdout)] \
        == ["Ann"]
    assert [contact["name"] for contact in json.loads((await run(server, "bo", "contacts list --json")).stdout)] \
        == ["Bo"]


async def test_a_change_over_ssh_is_recorded_with_the_ssh_user(server):
    await run(server, "ann", "contacts add --first Ann")
    history = json.loads((await run(server, "ann", "history 1 --json")).stdout)
    assert [(change["source"], change["actor"]) for change in history] == [("SSH", "ann")]


async def test_the_command_line_is_never_given_to_a_shell(server, tmp_path):
    marker = tmp_path / "shell-ran"
    result = await run(server, "ann", f"info; touch {marker} $(touch {marker})")
    assert result.exit_status == 2  # argparse: `info;` is no command
    assert not marker.exists()


async def test_a_refused_command_says_why_with_exit_status_1(server):
    result = await run(server, "ann", "contacts list --db /etc/passwd")
    assert result.exit_status == 1
    assert result.stderr == "error: --db is not available over SSH: you always work in your own database\n"
    result = await run(server, "ann", "users list")
    assert result.exit_status == 1 and "administers the server" in result.stderr


async def test_a_wrong_key_an_unknown_user_and_a_password_are_refused_and_logged(server, caplog):
    caplog.set_level(logging.INFO, logger="crm_tui.remote")
    with pytest.raises(asyncssh.PermissionDenied):
        await server.connect("ann", key="bo")
    with pytest.raises(asyncssh.PermissionDenied):
        await server.connect("eve")
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncssh.connect("127.0.0.1", server.port, username="ann", password="secret", client_keys=None,
                               known_hosts=None, agent_path=None, preferred_auth="password,keyboard-interactive")
    for _ in range(50):  # the server logs a refusal when the connection is gone
        if len([line for line in caplog.messages if line.startswith("refused")]) == 3:
            break
        await asyncio.sleep(0.1)
    refusals = [line for line in caplog.messages if line.startswith("refused")]
    assert any(line.startswith("refused user=ann from=127.0.0.1:") and "key not registered" in line
               for line in refusals)
    assert any(line.startswith("refused user=eve from=127.0.0.1:") and "unknown user" in line for line in refusals)
    assert len(refusals) == 3
    assert not any(line.startswith("login") for line in caplog.messages)


async def test_the_app_runs_in_a_pty_session_and_a_resize_reaches_it(server):
    await run(server, "ann", "contacts add --first Ann --last Lee")
    async with await server.connect("ann") as connection:
        process = await connection.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
        seen = await read_until(process, lambda text: "1 Contacts" in text and "Ann Lee" in text
                                and "ann · crm.sqlite3" in text)  # the header says whose session it is
        assert lowest_row(seen) <= 24
        process.change_terminal_size(120, 30)
        # the app draws rows 25 to 30 only once it knows the terminal grew
        await read_until(process, lambda output: lowest_row(output) > 24, raw=True)

        process.stdin.write(b"q")
        await asyncio.wait_for(process.wait_closed(), 30)
        assert process.exit_status == 0


async def test_after_a_disconnect_no_child_process_remains(server):
    database = server.settings.data_dir / "users" / "bo" / "crm.sqlite3"
    connection = await server.connect("bo")
    process = await connection.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
    await read_until(process, lambda text: "Contacts" in text)
    children = children_using(database)
    assert len(children) == 1
    connection.abort()
    assert await gone(children)


async def test_max_sessions_are_enforced_per_user_and_in_all(tmp_path, ssh_keys):
    async with running_server(tmp_path, ssh_keys, max_sessions=2, max_sessions_per_user=1) as server:
        ann = await server.connect("ann")
        bo = await server.connect("bo")
        first = await ann.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
        await read_until(first, lambda text: "Contacts" in text)
        with pytest.raises(asyncssh.ChannelOpenError):
            await ann.create_process("info")
        held = await bo.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
        await read_until(held, lambda text: "Contacts" in text)
        eve_is_ann = await server.connect("ann")
        with pytest.raises(asyncssh.ChannelOpenError):
            await eve_is_ann.create_process("info")
        first.stdin.write(b"q")
        await asyncio.wait_for(first.wait_closed(), 30)
        result = await ann.run("info --json")  # a session freed is a session to be had again
        assert result.exit_status == 0 and "schema_version" in result.stdout
        for connection in (ann, bo, eve_is_ann):
            connection.close()


async def test_an_idle_session_is_ended(tmp_path, ssh_keys):
    async with running_server(tmp_path, ssh_keys, idle_timeout=2) as server:
        async with await server.connect("ann") as connection:
            process = await connection.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
            await read_until(process, lambda text: "Contacts" in text)
            children = children_using(server.settings.data_dir / "users" / "ann" / "crm.sqlite3")
            await asyncio.wait_for(process.wait_closed(), 30)
            assert await gone(children)


async def test_no_sftp_no_forwarding_and_no_session_without_a_terminal_or_command(server):
    async with await server.connect("ann") as connection:
        with pytest.raises((asyncssh.SFTPError, asyncssh.ChannelOpenError)):
            await connection.start_sftp_client()
        with pytest.raises(asyncssh.ChannelOpenError):
            await connection.create_connection(asyncssh.SSHTCPSession, "127.0.0.1", server.port)
        bare = await connection.run()  # a shell request without a PTY: there is no shell to give
        assert bare.exit_status == 1 and "needs a terminal" in bare.stderr


async def test_the_host_key_is_private_and_the_same_after_a_restart(tmp_path, ssh_keys):
    async with running_server(tmp_path, ssh_keys) as first:
        key_file = first.settings.data_dir / HOST_KEY_FILE
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    async with running_server(tmp_path, ssh_keys) as again:
        assert again.fingerprint == first.fingerprint and again.fingerprint.startswith("SHA256:")


async def test_a_login_that_asks_for_no_session_is_closed_after_the_grace_time(tmp_path, ssh_keys):
    async with running_server(tmp_path, ssh_keys, login_grace=1) as server:
        connection = await server.connect("ann")
        await asyncio.wait_for(connection.wait_closed(), 30)


async def test_with_a_shared_database_everyone_works_on_it_and_history_says_who(tmp_path, ssh_keys):
    shared = tmp_path / "team.sqlite3"
    async with running_server(tmp_path, ssh_keys, shared_db=shared) as server:
        assert (await run(server, "ann", "contacts add --first Cleo")).exit_status == 0
        edited = await run(server, "bo", "contacts edit 1 --title Buyer")
        assert edited.exit_status == 0
        assert [contact["title"] for contact in json.loads((await run(server, "ann", "contacts list --json")).stdout)] \
            == ["Buyer"]
        history = json.loads((await run(server, "ann", "history 1 --json")).stdout)
        assert [(change["action"], change["actor"]) for change in history] == [("edited", "bo"), ("created", "ann")]
        assert not (server.settings.data_dir / "users" / "ann" / "crm.sqlite3").exists()


def test_refusals_from_one_address_are_answered_ever_more_slowly_up_to_a_cap(tmp_path):
    state = ServerState(ServerSettings(data_dir=tmp_path, check_command=remote_arguments), UserStore(tmp_path))
    delays = [state.penalty("10.0.0.7") for _ in range(12)]
    assert delays[:3] == [0.5, 1.0, 1.5] and delays[-1] == MAX_PENALTY_SECONDS
    assert delays == sorted(delays)
    assert state.penalty("10.0.0.8") == 0.5  # another address is not held back for the first one's tries


class ChannelClosedLater:
    """A session channel as the server sees it, which the test closes."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()

    async def wait_closed(self) -> None:
        await self.closed.wait()


class ConnectionOfChannels:
    def __init__(self) -> None:
        self.channels: list[ChannelClosedLater] = []

    def create_server_channel(self) -> ChannelClosedLater:
        self.channels.append(ChannelClosedLater())
        return self.channels[-1]


async def test_a_session_channel_closed_before_it_asked_for_anything_gives_its_place_back(tmp_path):
    """A client may open a session channel and close it without asking for the app or a command, so the process
    never starts: the channel closing is what frees the place, or each such channel would hold one for good."""
    settings = ServerSettings(data_dir=tmp_path, check_command=remote_arguments, max_sessions_per_user=1)
    state = ServerState(settings, UserStore(tmp_path))
    ssh_server = CrmSSHServer(state)
    ssh_server.username, ssh_server.connection = "ann", ConnectionOfChannels()
    assert isinstance(ssh_server.session_requested(), tuple)
    assert ssh_server.session_requested() is False
    ssh_server.connection.channels[0].closed.set()
    for _ in range(3):
        await asyncio.sleep(0)
    assert isinstance(ssh_server.session_requested(), tuple)
    assert state.sessions["ann"] == 1
