"""The SSH server's users and their public keys, kept as plain files in the server's data dir.

    <data-dir>/users/<NAME>/authorized_keys   the keys that may log in as NAME (OpenSSH format, 0600)
    <data-dir>/users/<NAME>/crm.sqlite3       NAME's database (unless the server runs on one shared database)
    <data-dir>/users/<NAME>/files/            the only folder NAME's sessions read and write files in

Files rather than a table so that an administrator can read and fix them with the usual tools, and so that the
server reads a user's keys afresh at each login: a key added or removed takes effect at once, without a restart.
Removing a user removes their keys only; their database stays, and adding them again gives it back.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from crm_tui.core.errors import CrmError
from crm_tui.remote import import_asyncssh

NAME_PATTERN = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
"""A user name as Unix accounts spell them: also safe as a folder name and in a log line."""
KEYS_FILE = "authorized_keys"
DB_FILE = "crm.sqlite3"


@dataclass(frozen=True)
class RemoteKey:
    fingerprint: str
    algorithm: str
    comment: str
    line: str
    """The key as one OpenSSH line, the way it is stored."""


@dataclass(frozen=True)
class RemoteUser:
    name: str
    keys: tuple[RemoteKey, ...]
    folder: Path

    @property
    def database(self) -> Path:
        return self.folder / DB_FILE

    @property
    def files(self) -> Path:
        return self.folder / "files"


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise CrmError(f"{name!r} is not a user name: use up to 32 lowercase letters, digits, '_' and '-', "
                       "starting with a letter or '_'")
    return name


def parse_keys(text: str, source: str) -> list[RemoteKey]:
    """The public keys in an OpenSSH public key file (one a line; blank lines and # comments skipped)."""
    asyncssh = import_asyncssh()

    if "PRIVATE KEY" in text:
        raise CrmError(f"{source} holds a private key: give the public one (the .pub file)")
    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            key = asyncssh.import_public_key(line)
        except (asyncssh.KeyImportError, ValueError) as exc:
            raise CrmError(f"{source}, line {number}: not an OpenSSH public key ({exc})") from None
        stored = key.export_public_key("openssh").decode("ascii").strip()
        comment = key.get_comment() or ""
        keys.append(RemoteKey(key.get_fingerprint("sha256"), key.get_algorithm(), comment, stored))
    if not keys:
        raise CrmError(f"{source} holds no public key")
    return keys


def write_private(path: Path, text: str) -> None:
    """Replace `path` with `text`, readable by the owner alone from the first byte (never 0644 for a moment)."""
    temporary = path.with_name(f".{path.name}.new")
    fd = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def private_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


class UserStore:
    """The users of one server data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.root = data_dir / "users"

    def folder(self, name: str) -> Path:
        return self.root / check_name(name)

    def get(self, name: str) -> RemoteUser | None:
        """The user with their keys; None for a name that has none (unknown, removed, or not a user name)."""
        if not NAME_PATTERN.fullmatch(name):
            return None
        folder = self.root / name
        try:
            text = (folder / KEYS_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            keys = parse_keys(text, str(folder / KEYS_FILE))
        except CrmError:
            return None
        return RemoteUser(name, tuple(keys), folder)

    def list(self) -> list[RemoteUser]:
        if not self.root.is_dir():
            return []
        users = (self.get(entry.name) for entry in sorted(self.root.iterdir()) if entry.is_dir())
        return [user for user in users if user is not None]

    def add(self, name: str, keys: list[RemoteKey]) -> tuple[RemoteUser, list[RemoteKey]]:
        """Add the user, or more keys to one: returns the user and the keys that were new."""
        folder = self.folder(name)
        known = self.get(name)
        have = {key.fingerprint for key in known.keys} if known else set()
        added = []
        for key in keys:
            if key.fingerprint not in have:
                have.add(key.fingerprint)
                added.append(key)
        private_folder(self.data_dir)
        private_folder(self.root)
        private_folder(folder)
        lines = [key.line for key in (known.keys if known else ())] + [key.line for key in added]
        write_private(folder / KEYS_FILE, "".join(line + "\n" for line in lines))
        user = self.get(name)
        assert user is not None
        return user, added

    def remove(self, name: str) -> RemoteUser:
        """Take away the user's keys, so they can no longer log in; their folder and database stay."""
        user = self._existing(name)
        (user.folder / KEYS_FILE).unlink()
        return user

    def remove_key(self, name: str, fingerprint: str) -> RemoteKey:
        user = self._existing(name)
        wanted = fingerprint if fingerprint.startswith("SHA256:") else f"SHA256:{fingerprint}"
        matching = [key for key in user.keys if key.fingerprint == wanted]
        if not matching:
            raise CrmError(f"{name} has no key {wanted}; `crm-tui users list` shows their keys")
        if len(user.keys) == 1:
            raise CrmError(f"that is {name}'s only key: add another first, or `crm-tui users remove {name}`")
        kept = [key.line for key in user.keys if key.fingerprint != wanted]
        write_private(user.folder / KEYS_FILE, "".join(line + "\n" for line in kept))
        return matching[0]

    def _existing(self, name: str) -> RemoteUser:
        user = self.get(check_name(name))
        if user is None:
            raise CrmError(f"no user {name!r}; `crm-tui users list` shows who there is")
        return user
