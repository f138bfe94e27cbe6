"""Readers for the argument values the commands share: a record's id as people type it, counts, positions and file
names.
Each checks the range SQLite can hold (64 bits) before the value goes near the database, so a mistyped number is a
usage error, not a traceback."""

from __future__ import annotations

import argparse
from pathlib import Path

MAX_INT64 = 2**63 - 1


def file_path(text: str) -> Path:
    """A file's name as typed: not empty, and without the NUL character no file name can hold."""
    if not text.strip():
        raise argparse.ArgumentTypeError("a file name is needed, not an empty one")
    if "\x00" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a file name (it holds a NUL character)")
    return Path(text)


def record_id(text: str) -> int:
    """An id as typed on the command line: 12 or #12."""
    digits = text.strip().removeprefix("#")
    if not digits.isdigit() or not 1 <= int(digits[:20]) <= MAX_INT64:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id")
    return int(digits)


def count(text: str) -> int:
    """A number of things, 0 or more: a limit, a number of days."""
    digits = text.strip()
    if not digits.isdigit() or int(digits[:20]) > MAX_INT64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 0")
    return int(digits)


def position(text: str) -> int:
    """A place in an order, 0 first."""
    digits = text.strip()
    if not digits.isdigit() or int(digits[:20]) > MAX_INT64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a position (0 is first)")
    return int(digits)


def whole_number(text: str) -> int:
    """Any whole number SQLite can hold, negative too (a seed)."""
    try:
        number = int(text.strip()[:21])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if len(text.strip()) > 21 or not -MAX_INT64 - 1 <= number <= MAX_INT64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at most 64 bits")
    return number


def port(text: str) -> int:
    """A TCP port, 0 asking the system for a free one."""
    digits = text.strip()
    if not digits.isdigit() or int(digits[:6]) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535)")
    return int(digits)


def not_utf8(arguments: list[str]) -> str | None:
    """The first argument that was not UTF-8 on the command line (Python keeps its bytes as lone surrogates, which
    no database or file name written later could hold), shown with its bad bytes escaped; None if all are."""
    for argument in arguments:
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            return argument.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return None
