"""Where crm-tui keeps its files, and the settings a user may change.

Every path comes from platformdirs so that data follows each platform's conventions and each user gets their own
database. Settings are TOML, read with the standard library.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

from crm_tui.core import backups
from crm_tui.core.errors import CrmError
from crm_tui.core.files import atomic_text_file

APP_NAME = "crm-tui"
DB_FILENAME = "crm.sqlite3"
DB_ENV_VAR = "CRM_TUI_DB"
DEMO_DB_FILENAME = "demo.sqlite3"
SSH_USER_ENV_VAR = "CRM_TUI_SSH_USER"
FILES_DIR_ENV_VAR = "CRM_TUI_FILES_DIR"


class SettingsError(Exception):
    """The settings file exists but cannot be read; the message names the file and the problem."""


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def demo_db_path(beside: Path) -> Path:
    """The demo database lives beside the database in use (`beside`), so trying the app never touches a user's
    records and its file is where they look; in the data dir if that name is the database itself."""
    path = beside.parent / DEMO_DB_FILENAME
    return data_dir() / DEMO_DB_FILENAME if path.absolute() == beside.absolute() else path


def default_db_path() -> Path:
    """The database a user gets with no `--db`: `$CRM_TUI_DB`, else the per-user data dir."""
    override = os.environ.get(DB_ENV_VAR)
    if override:
        return Path(override).expanduser()
    return data_dir() / DB_FILENAME


def is_default_db_path(path: Path) -> bool:
    """Whether `path` is the database a user gets with no `--db` and no $CRM_TUI_DB: the one whose folders crm-tui
    makes on first use. A path a person gave must be in a folder that exists."""
    return path.expanduser().absolute() == (data_dir() / DB_FILENAME).absolute()


def ssh_user() -> str | None:
    """Who this process works for when it runs for an SSH login, for the history: the built-in server names its user
    in $CRM_TUI_SSH_USER; after a plain OpenSSH login ($SSH_CONNECTION) it is this Unix account, given as "".
    None in a local session."""
    named = os.environ.get(SSH_USER_ENV_VAR, "").strip()
    if named:
        return named
    return "" if os.environ.get("SSH_CONNECTION") else None


def files_dir() -> Path | None:
    """The one folder a remote user may read and write files in ($CRM_TUI_FILES_DIR, set by the SSH server for each
    of its users); None where a person may use any file their account can."""
    value = os.environ.get(FILES_DIR_ENV_VAR, "").strip()
    return Path(value).expanduser().absolute() if value else None


def ready_files_dir() -> Path | None:
    """files_dir(), made (readable by its owner alone) if it is not there yet: the server leaves that to first use."""
    root = files_dir()
    if root is not None:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def confined_path(typed: str) -> Path:
    """The file a person typed, as the app and the CLI open it.

    Locally `~` expands as in a shell. For a remote user `~` and relative paths are in files_dir(), made (0700) when
    first needed, and a path that leads out of it, by `..`, an absolute path or a symlink, is a CrmError: files on
    the server outside that folder belong to other people or to the server itself.
    """
    root = ready_files_dir()
    if root is None:
        return Path(os.path.expanduser(typed))
    inside = typed[1:].lstrip("/") if typed == "~" or typed.startswith("~/") else typed
    try:
        resolved = (root / inside).resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL in the name
        raise CrmError(f"{typed} cannot be used: {exc}") from exc
    if not resolved.is_relative_to(root.resolve()):
        raise CrmError(f"{typed} is outside your folder: over SSH, files live in {root}")
    return resolved


def rejects_location(source: Path) -> Path:
    """Where the rows an import of `source` rejects go: beside it, as `<name>.rejects.csv`. Where that folder may
    not be written (a read-only share, a CD), in `rejects/` in the data dir, readable by the user alone; over SSH,
    in the user's files folder as always. The import's summary names the file."""
    from crm_tui.core.interop.importer import rejects_path_for

    beside = rejects_path_for(source)
    if files_dir() is not None:
        return confined_path(str(beside))
    if os.access(beside.parent, os.W_OK):
        return beside
    folder = data_dir() / "rejects"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / beside.name


def load_settings(path: Path | None = None) -> dict[str, Any]:
    """Read the settings TOML; a missing file means defaults, a broken one is reported, never ignored."""
    path = path or config_path()
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: {exc}") from exc


def save_setting(key: str, value: str, path: Path | None = None) -> None:
    """Set a top-level string setting, keeping the rest of the file (comments, tables) as the user wrote it."""
    path = path or config_path()
    line = f"{key} = {json.dumps(value)}"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    pattern = re.compile(rf"^{re.escape(key)}\s*=")
    first_table = next((i for i, text in enumerate(lines) if text.lstrip().startswith("[")), len(lines))
    for i, text in enumerate(lines[:first_table]):
        if pattern.match(text.strip()):
            lines[i] = line
            break
    else:
        lines.insert(first_table, line)
    if path.is_symlink():
        raise SettingsError(f"{path} is a link, and crm-tui writes through no link: set {key} there by hand")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text_file(path) as settings:
        settings.write("\n".join(lines) + "\n")


FALLBACK_CURRENCY = "EUR"
DEFAULT_STALE_DAYS = 30
DEFAULT_TRASH_DAYS = 30
_BACKUP_SETTINGS = (("backups_daily", backups.DEFAULT_KEEP_DAILY), ("backups_weekly", backups.DEFAULT_KEEP_WEEKLY))


_CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")


def default_currency(settings: dict[str, Any]) -> str:
    """The currency a new deal gets: `currency` in the settings, else the locale's, else EUR. A `currency` that is
    not a code is left out here and reported by `settings_problems`."""
    configured = settings.get("currency")
    if isinstance(configured, str) and _CURRENCY_CODE.fullmatch(configured.strip()):
        return configured.strip().upper()
    import locale

    try:
        locale.setlocale(locale.LC_MONETARY, "")
        code = locale.localeconv().get("int_curr_symbol", "").strip()
    except (locale.Error, ValueError):
        code = ""
    return code.upper() if _CURRENCY_CODE.fullmatch(code) else FALLBACK_CURRENCY


def stale_days(settings: dict[str, Any]) -> int:
    """Days in one stage after which an open deal is marked stale on the board: `stale_days`, default 30."""
    value = settings.get("stale_days")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else DEFAULT_STALE_DAYS


def trash_days(settings: dict[str, Any]) -> int:
    """Days a record stays in the trash before it is purged for good: `trash_days`, default 30; 0 keeps it until
    it is purged by hand."""
    value = settings.get("trash_days")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else DEFAULT_TRASH_DAYS


def kept_backups(settings: dict[str, Any]) -> tuple[int, int]:
    """How many automatic backups to keep: `backups_daily` (default 7; 0 turns them off) and `backups_weekly`
    (default 4)."""
    daily, weekly = (_whole_number(settings.get(key), default) for key, default in _BACKUP_SETTINGS)
    return daily, weekly


def _whole_number(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def settings_problems(settings: dict[str, Any]) -> list[str]:
    """What is wrong with the deal settings, in words for the person who wrote them (the app shows these at
    start; the CLI refuses to add a deal in a currency it had to guess)."""
    problems = []
    currency = settings.get("currency")
    if currency is not None and not (isinstance(currency, str) and _CURRENCY_CODE.fullmatch(currency.strip())):
        problems.append(f"{config_path()}: currency = {currency!r} is not a currency code such as \"EUR\"")
    days = settings.get("stale_days")
    if days is not None and stale_days(settings) != days:
        problems.append(f"{config_path()}: stale_days = {days!r} is not a whole number of days above 0; "
                        f"using {DEFAULT_STALE_DAYS}")
    kept = settings.get("trash_days")
    if kept is not None and trash_days(settings) != kept:
        problems.append(f"{config_path()}: trash_days = {kept!r} is not a whole number of days (0 keeps the trash "
                        f"until you purge it); using {DEFAULT_TRASH_DAYS}")
    for (key, default), used in zip(_BACKUP_SETTINGS, kept_backups(settings), strict=True):
        if settings.get(key) is not None and settings.get(key) != used:
            problems.append(f"{config_path()}: {key} = {settings.get(key)!r} is not a whole number of backups "
                            f"(0 keeps none); using {default}")
    return problems
