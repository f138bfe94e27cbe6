"""Where crm-tui keeps its files, and the settings a user may change.

Every path comes from platformdirs so that data follows each platform's conventions and each user gets their own
database. Settings are TOML, read with the standard library.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "crm-tui"
DB_FILENAME = "crm.sqlite3"
DB_ENV_VAR = "CRM_TUI_DB"


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_db_path() -> Path:
    """The database a user gets with no `--db`: `$CRM_TUI_DB`, else the per-user data dir."""
    override = os.environ.get(DB_ENV_VAR)
    if override:
        return Path(override).expanduser()
    return data_dir() / DB_FILENAME


def load_settings(path: Path | None = None) -> dict[str, Any]:
    """Read the settings TOML; a missing file means defaults, a broken one is reported, never ignored."""
    path = path or config_path()
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
