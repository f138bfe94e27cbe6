"""What a remote user may run as a command: `ssh ann@host contacts list --json` through the built-in server, or
through OpenSSH with `ForceCommand crm-tui` (cli.main reads SSH_ORIGINAL_COMMAND). The built-in server is given
`remote_arguments` when it starts (it never imports the CLI).

The command line is split as a POSIX shell would split it (`shlex`) and never reaches a shell. The arguments are
then read by the real command-line parser, so that every spelling argparse accepts, `--output=x`, the prefix
`--outp x`, `--d x` for `--db x`, is judged by what it means rather than by how it is written. A remote user works
in their own database only, cannot administer the server, and reads and writes no file on the server: an import
comes from standard input (`import - --format csv < people.csv`) and an export goes to standard output.
"""

from __future__ import annotations

import argparse
import shlex

from crm_tui.cli.parser import build_parser
from crm_tui.core.errors import CrmError

SERVER_COMMANDS = ("serve", "users")
NO_COMMAND = "no command given: name one, e.g. `contacts list` (`--help` lists them)"


class _Unparsable(Exception):
    """Where the parser would print a usage error, --help or --version and exit; says which parser (its prog)."""


class _QuietParser(argparse.ArgumentParser):
    """The CLI's parser made to raise rather than print and exit: a check runs inside the server's own process,
    whose stdout and stderr are not the remote user's, and which must go on running."""

    def _print_message(self, message: str, file=None) -> None:
        pass

    def exit(self, status: int = 0, message: str | None = None):
        raise _Unparsable(self.prog)


def remote_arguments(command_line: str) -> list[str]:
    """The CLI arguments of a remote command line; a CrmError with a message for the remote user if it may not run.

    A command line the parser cannot read (an unknown command, --help) passes, unless it is a server command: run,
    it stops with the parser's own message (exit code 2, or 0 for help) before doing anything, as the check did.
    """
    try:
        arguments = shlex.split(command_line)
    except ValueError as exc:
        raise CrmError(f"the command cannot be read: {str(exc).lower()}") from exc
    if not arguments:
        raise CrmError(NO_COMMAND)
    try:
        args = build_parser(_QuietParser).parse_args(arguments)
    except _Unparsable as stopped:
        _check_command(" ".join(str(stopped).split()[1:2]))  # "crm-tui users add": stopped in `users`
        return arguments
    _check(args)
    return arguments


def _check_command(command: str) -> None:
    if command in SERVER_COMMANDS:
        raise CrmError(f"`{command}` administers the server and is not available over SSH")


def _check(args: argparse.Namespace) -> None:
    if getattr(args, "db", None) is not None:
        raise CrmError("--db is not available over SSH: you always work in your own database")
    if args.command is None:
        raise CrmError(NO_COMMAND)
    _check_command(args.command)
    if args.command == "export" and args.output is not None:
        raise CrmError("export --output would write a file on the server: leave it out, and the export comes to "
                       "you on standard output (e.g. `export --format csv > people.csv`)")
    if args.command == "backup" and args.output is not None:
        raise CrmError("backup --output would write a file on the server: leave it out, and the copy goes to your "
                       "backups folder there (`backup --list` shows them)")
    if args.command == "restore":
        raise CrmError("restore replaces a database on the server from a file there: run it on the server")
    if args.command == "import" and not _reads_no_server_file(args.target, args.batch):
        raise CrmError(f"import {args.target} would read a file on the server: send the file on standard input "
                       "instead, e.g. `import - --format csv < people.csv`")


def _reads_no_server_file(target: str, batch: str | None) -> bool:
    """`import -`, `import list` and `import undo BATCH`; anything else names a file (even `undo` with no batch)."""
    return target in ("-", "list") or (target == "undo" and batch is not None)
