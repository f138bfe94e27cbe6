"""An upload over SSH cut before its end imports nothing: the command is ended, its spool removed, and it holds its
session place until it is gone; nothing is imported later either, when the server stops."""

from __future__ import annotations

import asyncio
import sqlite3

from ssh_helpers import children_using, gone, running_server


def contacts_in(database) -> int:
    if not database.exists():
        return 0
    connection = sqlite3.connect(database)
    try:
        return connection.execute("SELECT count(*) FROM contact").fetchone()[0]
    finally:
        connection.close()


async def test_a_client_killed_mid_upload_leaves_no_process_no_spool_and_no_contacts(tmp_path, ssh_keys):
    async with running_server(tmp_path, ssh_keys, max_sessions_per_user=1) as server:
        home = server.settings.data_dir / "users" / "bo"
        database = home / "crm.sqlite3"
        connection = await server.connect("bo")
        upload = await connection.create_process("import - --format csv", encoding=None)
        upload.stdin.write(b"first_name,last_name,emails\r\n")
        upload.stdin.write(b"".join(b"Person%d,Lee,p%d@example.com\r\n" % (n, n) for n in range(20_000)) + b"Half,L")
        await upload.stdin.drain()
        for _ in range(100):  # the command is running and spooling what came
            if children_using(database) and list(home.rglob(".stdin-*")):
                break
            await asyncio.sleep(0.05)
        children = children_using(database)
        assert children
        connection.abort()
        assert await gone(children)
        assert list(home.rglob(".stdin-*")) == []
        assert contacts_in(database) == 0
        again = await server.connect("bo")  # the place was given back once the command was gone
        done = await again.run("info --json")
        assert done.exit_status == 0
        again.close()
    await asyncio.sleep(0.5)
    assert contacts_in(database) == 0


async def test_a_whole_upload_ended_by_eof_is_imported(server):
    database = server.settings.data_dir / "users" / "ann" / "crm.sqlite3"
    connection = await server.connect("ann")
    upload = await connection.create_process("import - --format csv")
    upload.stdin.write("first_name,last_name,emails\r\n" + "".join(f"Person{n},Lee,p{n}@example.com\r\n"
                                                                  for n in range(500)))
    upload.stdin.write_eof()
    result = await asyncio.wait_for(upload.wait(), 60)
    assert result.exit_status == 0, result.stderr
    assert "500" in result.stdout
    assert contacts_in(database) == 500
    connection.close()


async def test_an_upload_past_the_servers_limit_is_refused_whole_and_one_within_it_imported(tmp_path, ssh_keys):
    async with running_server(tmp_path, ssh_keys, max_upload_bytes=100_000) as server:
        database = server.settings.data_dir / "users" / "ann" / "crm.sqlite3"
        connection = await server.connect("ann")
        rows = "".join(f"Person{n},Lee,p{n}@example.com\r\n" for n in range(10_000))
        upload = await connection.create_process("import - --format csv")
        upload.stdin.write("first_name,last_name,emails\r\n" + rows)
        upload.stdin.write_eof()
        refused = await asyncio.wait_for(upload.wait(), 60)
        assert refused.exit_status == 1
        assert refused.stderr == ("error: the upload is larger than this server takes (100,000 bytes); nothing was "
                                  "imported. Split the file, or ask for a higher --max-upload\n")
        assert not children_using(database)
        assert contacts_in(database) == 0

        small = await connection.create_process("import - --format csv")
        small.stdin.write("first_name,last_name,emails\r\n" + "".join(rows.splitlines(keepends=True)[:1000]))
        small.stdin.write_eof()
        taken = await asyncio.wait_for(small.wait(), 60)
        assert taken.exit_status == 0, taken.stderr
        assert contacts_in(database) == 1000
        connection.close()
