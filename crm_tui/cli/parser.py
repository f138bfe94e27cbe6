"""The command line's parser: the global options, then each command module's subcommands."""

from __future__ import annotations

import argparse

from crm_tui import __version__
from crm_tui.cli.arguments import file_path
from crm_tui.cli.commands import (
    activities,
    backups,
    database,
    deals,
    duplicates,
    history,
    interop,
    merge,
    records,
    remote,
    search,
    tags,
)

# Each module adds its subcommands (`add_parsers(sub, common)`) and names what runs them (`RUNNERS`); `--help` lists
# the commands in this order.
COMMAND_MODULES = (database, records, deals, activities, interop, merge, duplicates, history, search, backups, remote,
                   tags)
RUNNERS = {name: runner for module in COMMAND_MODULES for name, runner in module.RUNNERS.items()}


def common_options() -> argparse.ArgumentParser:
    """Options every subcommand also accepts after its name, e.g. `contacts list --json`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=file_path, default=argparse.SUPPRESS, help="database file (default: per-user)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    return common


def build_parser(parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The command line's parser; its subcommands' parsers are of `parser_class` too (the remote policy's is quiet)."""
    common = common_options()
    parser = parser_class(
        prog="crm-tui", description="A keyboard-first CRM for the terminal. Without a command, the app opens.",
    )
    parser.add_argument("--db", type=file_path, help="database file (default: $CRM_TUI_DB or the per-user data dir)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--version", action="version", version=f"crm-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_parsers(sub, common)
    return parser


