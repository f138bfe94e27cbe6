"""`--help`: every option and argument of every command says what it is for."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from crm_tui.cli import main
from crm_tui.cli.parser import build_parser


def _without_help(parser: argparse.ArgumentParser, path: list[str]) -> Iterator[str]:
    """`crm-tui COMMAND ... OPTION` for each option or argument of `parser` and its subcommands that has no help."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _without_help(sub, [*path, name])
        elif not action.help and action.dest != "help":
            yield " ".join([*path, "/".join(action.option_strings) or action.dest])


def test_every_option_and_argument_of_every_command_has_a_help_line():
    missing = list(_without_help(build_parser(), ["crm-tui"]))
    assert not missing, f"{len(missing)} without a help line: " + ", ".join(missing)


def test_demo_help_describes_contacts_and_seed(capsys):
    assert main(["demo", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps help lines to the terminal's width
    assert ("--contacts N how many contacts to make, at least 1; companies, deals and activities come in proportion "
            "(default: 500)") in text
    assert "--seed S seed of the random choices: the same seed gives the same data (default: 1)" in text
