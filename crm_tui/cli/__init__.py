"""The `crm-tui` command: the CRM's services from the shell, one subcommand a verb.

Exit codes: 0 ok, 1 a user error (`error: <message>` on stderr), 2 a usage error. `--json` gives machine-readable
output everywhere. With no subcommand, the full-screen app starts. The commands live in `commands/`, one module a
group, and `parser.py` puts them together.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import peewee

from crm_tui.cli.arguments import not_utf8
from crm_tui.cli.commands import backups, database, remote as remote_commands
from crm_tui.cli.output import Output
from crm_tui.cli.parser import RUNNERS, build_parser
from crm_tui.cli.remote_policy import remote_arguments
from crm_tui.config import default_db_path, is_default_db_path, ssh_user
from crm_tui.core.errors import CrmError


class Stopped(BaseException):
    """SIGTERM or SIGHUP while a command runs: unwound like Ctrl-C, so transactions roll back and files in progress
    are dropped, then the exit code says which signal it was (128 + its number)."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.exit_code = 128 + signal_number


def _stop_on(signal_number: int, frame: object) -> None:
    raise Stopped(signal_number)


# Commands told which database was opened: its path and schema version are part of what they do.
_TOLD_THE_DATABASE = {"info": database.run_info, "backup": backups.run_backup}


def _run_on_database(args, out: Output, db_path: Path) -> None:
    from crm_tui.core.db import close_database, open_database

    # Only while the command runs: main() is also called as a library (tests), whose process keeps its own handlers.
    previous = {number: signal.signal(number, _stop_on) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        if args.command == "restore":  # a damaged database may not open, and restoring is how it is mended
            backups.run_restore(args, out, db_path)
            return
        opened = open_database(db_path, make_folders=is_default_db_path(db_path))
        if opened.created:  # the path is the server's own for a remote user
            print("created a new database" + ("" if ssh_user() else f" at {db_path}"), file=sys.stderr)
        try:
            if args.command in _TOLD_THE_DATABASE:
                _TOLD_THE_DATABASE[args.command](args, out, opened)
            else:
                RUNNERS[args.command](args, out)
        finally:
            close_database()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command `argv` (default: this process's command line); with none, the app.

    Run by sshd as `ForceCommand crm-tui`, with no arguments, it runs what the client asked for (SSH_ORIGINAL_COMMAND)
    under the same rules as the built-in SSH server (remote_policy.py).
    """
    forced = os.environ.get("SSH_ORIGINAL_COMMAND", "")
    if argv is None and not sys.argv[1:] and forced.strip():
        try:
            argv = remote_arguments(forced)
        except CrmError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    bad = not_utf8(list(sys.argv[1:] if argv is None else argv))
    if bad is not None:
        print(f"error: an argument is not UTF-8 text: {bad}", file=sys.stderr)
        return 1
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    from crm_tui.core.records import set_remote_user, set_source

    set_remote_user(ssh_user())
    db_path = getattr(args, "db", None) or default_db_path()
    if args.command is None:
        from crm_tui.ui.app import run_app

        return run_app(db_path)
    out = Output(bool(getattr(args, "json", False)))
    set_source("cli")
    try:
        if args.command in remote_commands.NEEDS_NO_DATABASE:  # the SSH server's own commands
            remote_commands.run(args, out, check_command=remote_arguments)
        else:
            _run_on_database(args, out, db_path)
    except CrmError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:  # a damaged file; sqlite3's while rows are read
        print(f"error: the database {db_path} could not be used: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; what was under way was not kept", file=sys.stderr)
        return 130
    except Stopped as stopped:
        print("stopped; what was under way was not kept", file=sys.stderr)
        return stopped.exit_code
    except BrokenPipeError:
        sys.stderr.close()
    except OSError as exc:  # a file to import, export or read a key from that cannot be used; a port taken
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    return 0
