"""`crm-tui serve ssh` as an administrator runs it: it prints where it listens and its host key's fingerprint, logs
each login to stderr and to server.log (0600), and ctrl+c stops it with the sessions' processes."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import stat
import sys

from ssh_helpers import add_user, asyncssh, children_using, gone, read_until

from crm_tui.cli import main

STARTUP_LINES = 4


async def test_serve_prints_its_port_and_fingerprint_logs_logins_and_stops_on_ctrl_c(tmp_path, ssh_keys):
    data_dir = tmp_path / "server"
    add_user(data_dir, "ann", ssh_keys["ann"])
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "crm_tui", "serve", "ssh", "--port", "0", "--data-dir", str(data_dir),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        lines = [(await asyncio.wait_for(server.stdout.readline(), 60)).decode() for _ in range(STARTUP_LINES)]
        port = int(re.fullmatch(r"crm-tui SSH server on 127\.0\.0\.1 port (\d+)\n", lines[0]).group(1))
        fingerprint = re.fullmatch(r"host key (SHA256:\S+)\n", lines[1]).group(1)
        assert lines[2:] == ["users: ann\n", f"connect: ssh -p {port} NAME@127.0.0.1\n"]

        async with asyncssh.connect("127.0.0.1", port, username="ann", client_keys=[ssh_keys["ann"]],
                                    known_hosts=None, agent_path=None) as connection:
            assert connection.get_server_host_key().get_fingerprint("sha256") == fingerprint
            result = await connection.run("info --json")
            assert result.exit_status == 0 and '"schema_version"' in result.stdout
            process = await connection.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
            await read_until(process, lambda text: "Contacts" in text)
            children = children_using(data_dir / "users" / "ann" / "crm.sqlite3")
            assert len(children) == 1

            server.send_signal(signal.SIGINT)
            assert await asyncio.wait_for(server.wait(), 60) == 0
            assert await gone(children)
        errors = (await server.stderr.read()).decode()
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
    log = data_dir / "server.log"
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    logged = log.read_text()
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ made a new host key SHA256:", logged, re.M)
    assert re.search(r"^\S+Z login user=ann from=127\.0\.0\.1:\d+$", logged, re.M)
    assert "login user=ann" in errors and "Traceback" not in errors


def test_a_port_already_taken_is_an_error_not_a_traceback(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "ssh", "--port", str(port), "--data-dir", str(tmp_path / "server")])
    assert code == 1
    assert capsys.readouterr().err.endswith(f"error: cannot listen on 127.0.0.1 port {port}: Address already in use\n")
