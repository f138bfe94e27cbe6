"""The app over SSH as the client's terminal wants it: 16 colours for TERM=xterm and TERM=linux, 24-bit colour when
the client sends COLORTERM=truecolor, of the client's other variables nothing that reaches the app, and a window
size no larger than 1000x1000."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import struct
import termios
from collections import Counter
from pathlib import Path

import pytest
from ssh_helpers import WAIT_SECONDS, children_using, read_until

from crm_tui.remote.sessions import set_window_size

SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


def colour_systems(output: bytes) -> Counter:
    """How many SGR colours of each system the output sets: "16" (30-37, 40-47, 90-97, 100-107), "256" (38;5;N),
    "truecolor" (38;2;R;G;B); the defaults (39, 49) count as none."""
    found: Counter = Counter()
    for match in SGR.finditer(output):
        numbers = [int(number) if number.isdigit() else 0 for number in re.split(rb"[;:]", match.group(1))]
        position = 0
        while position < len(numbers):
            number = numbers[position]
            if number in (38, 48, 58) and position + 1 < len(numbers) and numbers[position + 1] in (2, 5):
                found["truecolor" if numbers[position + 1] == 2 else "256"] += 1
                position += 5 if numbers[position + 1] == 2 else 3
                continue
            if 30 <= number <= 37 or 40 <= number <= 47 or 90 <= number <= 97 or 100 <= number <= 107:
                found["16"] += 1
            position += 1
    return found


def test_colour_systems_reads_each_kind_of_sgr():
    assert colour_systems(b"\x1b[1;38;2;1;2;3;48;5;17m\x1b[97;100m\x1b[0m\x1b[39;49m\x1b[5;38H") \
        == Counter({"truecolor": 1, "256": 1, "16": 2})


async def contacts_screen(server, term: str, env: dict | None = None) -> bytes:
    """Ann's app at 80x24 on a terminal of type `term`, with one contact added first by an exec request: what it
    sent until the contacts screen showed that contact."""
    async with await server.connect("ann") as connection:
        added = await connection.run("contacts add --first Ann --last Lee")
        assert added.exit_status == 0, added.stderr
        process = await connection.create_process(term_type=term, term_size=(80, 24), encoding=None, env=env or {})
        seen = await read_until(process, lambda text: "1 Contacts" in text and "Ann Lee" in text)
        process.stdin.write(b"q")
        await asyncio.wait_for(process.wait_closed(), WAIT_SECONDS)
        return bytes(seen)


@pytest.mark.parametrize("term", ["xterm", "linux"])
async def test_a_16_colour_terminal_gets_16_colours_only(server, term):
    systems = colour_systems(await contacts_screen(server, term))
    assert systems["16"] > 0
    assert systems["256"] == 0 and systems["truecolor"] == 0, systems


async def test_colorterm_sent_by_the_client_reaches_the_app(server):
    systems = colour_systems(await contacts_screen(server, "xterm", {"COLORTERM": "truecolor"}))
    assert systems["truecolor"] > 0


def environment(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace").split("\0")
    return dict(entry.split("=", 1) for entry in entries if "=" in entry)


async def test_only_the_display_variables_of_the_client_reach_the_app(server):
    sent = {"TEXTUAL_DRIVER": "x", "FOO": "bar", "COLORTERM": "truecolor", "LANG": "C.utf8",
            "TEXTUAL_ANIMATIONS": "none"}
    async with await server.connect("ann") as connection:
        process = await connection.create_process(term_type="xterm", term_size=(80, 24), encoding=None, env=sent)
        await read_until(process, lambda text: "1 Contacts" in text)  # TEXTUAL_DRIVER=x would have stopped it
        [child] = children_using(server.settings.data_dir / "users" / "ann" / "crm.sqlite3")
        env = environment(child)
        process.stdin.write(b"q")
        await asyncio.wait_for(process.wait_closed(), WAIT_SECONDS)
        assert process.exit_status == 0
    assert "FOO" not in env and "TEXTUAL_DRIVER" not in env
    assert (env["COLORTERM"], env["LANG"], env["TEXTUAL_ANIMATIONS"], env["TERM"]) \
        == ("truecolor", "C.utf8", "none", "xterm")
    assert env["CRM_TUI_SSH_USER"] == "ann"


def test_a_window_size_is_kept_within_1000_by_1000_and_the_clamp_is_logged(caplog):
    parent, child = pty.openpty()
    try:
        with caplog.at_level("INFO", logger="crm_tui.remote"):
            set_window_size(parent, 70000, 10000)
        rows, columns = struct.unpack("HHHH", fcntl.ioctl(child, termios.TIOCGWINSZ, b"\0" * 8))[:2]
        assert (columns, rows) == (1000, 1000)
        assert "window 70000x10000 asked, 1000x1000 given" in caplog.text
        set_window_size(parent, 120, 36)
        rows, columns = struct.unpack("HHHH", fcntl.ioctl(child, termios.TIOCGWINSZ, b"\0" * 8))[:2]
        assert (columns, rows) == (120, 36)
    finally:
        os.close(parent)
        os.close(child)
