"""Readers for the argument values several commands share: a record's id as people type it, and a position."""

from __future__ import annotations

import argparse


def record_id(text: str) -> int:
    """An id as typed on the command line: 12 or #12."""
    digits = text.strip().removeprefix("#")
    if not digits.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not an id")
    return int(digits)


def position(text: str) -> int:
    """A place in an order, 0 first."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a position (0 is first)")
    return int(text)
