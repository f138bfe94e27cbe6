"""`crm-tui serve ssh` and `crm-tui users`: the built-in SSH server and who may log in to it.

These commands work on the server's data dir (`--data-dir`, default the per-user data dir's `ssh-server`), never
on a CRM database, so the CLI runs them without opening one (`NEEDS_NO_DATABASE`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

from crm_tui.cli.arguments import count, file_path, port
from crm_tui.cli.output import Output
from crm_tui.config import data_dir
from crm_tui.core.errors import CrmError

NEEDS_NO_DATABASE = ("serve", "users")
LOG_FILE = "server.log"
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def default_server_dir() -> Path:
    return data_dir() / "ssh-server"


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)  # --json only: these commands open no CRM database (--db)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    location = argparse.ArgumentParser(add_help=False)
    location.add_argument("--data-dir", type=file_path, metavar="DIR",
                          help="the server's host key, users and their databases (default: %(default)s)",
                          default=default_server_dir())
    serve = sub.add_parser("serve", help="serve the app to others", parents=[common])
    kinds = serve.add_subparsers(dest="verb", required=True, metavar="KIND")
    ssh = kinds.add_parser(
        "ssh", parents=[common, location], help="a built-in SSH server: public keys only, a database per user",
        description="Serve the app over SSH. Each session gets its own process; `ssh -p PORT NAME@HOST COMMAND` "
                    "runs one crm-tui command on NAME's database. Users are added with `crm-tui users add`.")
    ssh.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    ssh.add_argument("--port", type=port, default=2222, help="port to listen on; 0 picks a free one")
    ssh.add_argument("--shared-db", type=file_path, metavar="PATH", help="put every user on this one database")
    ssh.add_argument("--max-sessions", type=count, default=20, metavar="N", help="at most N sessions in all")
    ssh.add_argument("--max-sessions-per-user", type=count, default=5, metavar="N", help="at most N per user")
    ssh.add_argument("--idle-timeout", type=float, default=3600, metavar="S",
                     help="end a session after S seconds without a key from its user (0: never)")
    ssh.add_argument("--login-grace", type=float, default=30, metavar="S",
                     help="drop a connection that has not logged in after S seconds")
    ssh.add_argument("--max-upload", type=count, default=1024, metavar="MIB",
                     help="refuse a command's input (an import) past MIB mebibytes, importing none of it (0: no limit)")

    users = sub.add_parser("users", help="who may log in to the SSH server", parents=[common])
    verbs = users.add_subparsers(dest="verb", required=True, metavar="VERB")
    add = verbs.add_parser("add", parents=[common, location],
                           help="add a user, or more keys to one: --key takes an OpenSSH public key file")
    add.add_argument("name", help="the user's name, as in ssh NAME@HOST: up to 32 lowercase letters, digits, _ and "
                                  "-, starting with a letter or _")
    add.add_argument("--key", action="append", required=True, type=file_path, metavar="PUBKEY_FILE",
                     help="a public key file such as ~/.ssh/id_ed25519.pub; repeat for several")
    verbs.add_parser("list", parents=[common, location], help="the users and the fingerprints of their keys")
    remove = verbs.add_parser("remove", parents=[common, location],
                              help="take a user's keys away (their database stays)")
    remove.add_argument("name", help="the user's name")
    remove_key = verbs.add_parser("remove-key", parents=[common, location], help="take one key of a user away")
    remove_key.add_argument("name", help="the user's name")
    remove_key.add_argument("fingerprint", help="as `users list` shows it: SHA256:...")


def _user_json(user) -> dict:
    return {"name": user.name, "database": str(user.database),
            "keys": [{"fingerprint": key.fingerprint, "algorithm": key.algorithm, "comment": key.comment}
                     for key in user.keys]}


def _run_users(args: argparse.Namespace, out: Output) -> None:
    from crm_tui.remote.users import UserStore, parse_keys

    store = UserStore(args.data_dir)
    if args.verb == "add":
        keys = []
        for path in args.key:
            keys += parse_keys(path.expanduser().read_text(encoding="utf-8", errors="replace"), str(path))
        user, added = store.add(args.name, keys)
        lines = [f"added {key.fingerprint} {key.algorithm} {key.comment}".rstrip() for key in added]
        lines += [f"{user.name} now has {len(user.keys)} key{'s' if len(user.keys) != 1 else ''}"]
        out.record({**_user_json(user), "added": [key.fingerprint for key in added]}, lines)
    elif args.verb == "list":
        out.rows(store.list(), _user_json, lambda user: "\n".join(
            [f"{user.name}  ({user.database})"]
            + [f"  {key.fingerprint}  {key.algorithm}  {key.comment}".rstrip() for key in user.keys]))
    elif args.verb == "remove":
        user = store.remove(args.name)
        out.record({"name": user.name, "removed": True, "database": str(user.database)},
                   [f"{user.name} can no longer log in; their database stays at {user.database}"])
    else:
        key = store.remove_key(args.name, args.fingerprint)
        out.record({"name": args.name, "removed_key": key.fingerprint},
                   [f"removed {key.fingerprint} from {args.name}"])


@contextlib.contextmanager
def _logging_to(server_dir: Path):
    """While the server runs, its log lines go to stderr and, for later, to server.log in the data dir (0600)."""
    from crm_tui.remote.users import private_folder

    private_folder(server_dir)
    path = server_dir / LOG_FILE
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    formatter = logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    logger = logging.getLogger("crm_tui.remote")
    logger.setLevel(logging.INFO)
    handlers = [logging.StreamHandler(sys.stderr), logging.FileHandler(path, encoding="utf-8")]
    for handler in handlers:
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    try:
        yield
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()


async def _serve(args: argparse.Namespace, check_command: Callable[[str], list[str]]) -> None:
    from crm_tui.remote.server import ServerSettings, start
    from crm_tui.remote.users import UserStore

    for name in ("max_sessions", "max_sessions_per_user"):
        if getattr(args, name) < 1:
            raise CrmError(f"--{name.replace('_', '-')} must be at least 1")
    settings = ServerSettings(
        data_dir=args.data_dir, check_command=check_command, host=args.host, port=args.port,
        shared_db=args.shared_db.expanduser().resolve() if args.shared_db else None,
        max_sessions=args.max_sessions, max_sessions_per_user=args.max_sessions_per_user,
        idle_timeout=args.idle_timeout, login_grace=args.login_grace, max_upload_bytes=args.max_upload * 1_048_576)
    try:
        acceptor, fingerprint = await start(settings)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise CrmError(f"cannot listen on {args.host} port {args.port}: {reason}") from exc
    port = acceptor.sockets[0].getsockname()[1]
    names = [user.name for user in UserStore(args.data_dir).list()]
    print(f"crm-tui SSH server on {args.host} port {port}", flush=True)
    print(f"host key {fingerprint}", flush=True)
    print(f"users: {', '.join(names) if names else 'none yet: crm-tui users add NAME --key FILE'}", flush=True)
    reachable = socket.gethostname() if args.host in WILDCARD_HOSTS else args.host
    print(f"connect: ssh -p {port} NAME@{reachable}", flush=True)
    await acceptor.wait_closed()


def run(args: argparse.Namespace, out: Output, check_command: Callable[[str], list[str]]) -> None:
    """Run `serve` or `users`, which open no CRM database. The server judges what a remote user may run with
    `check_command` (cli.remote_policy, passed in so that this module never imports the parser it is part of)."""
    if args.command == "users":
        _run_users(args, out)
        return
    with _logging_to(args.data_dir), contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args, check_command))


RUNNERS: dict = {}  # `run` takes this module's commands: they need no database, and the server needs the policy
