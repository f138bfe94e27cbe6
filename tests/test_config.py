"""Settings: the TOML file a user edits, and the one setting the app writes back (the theme); who a session is for
and, over SSH, the one folder its files may be in."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crm_tui import config
from crm_tui.core.errors import CrmError


def test_missing_settings_file_means_defaults(tmp_path):
    assert config.load_settings(tmp_path / "none.toml") == {}


def test_broken_settings_file_is_reported_with_its_path(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "ansi-dark\n')
    with pytest.raises(config.SettingsError, match="config.toml"):
        config.load_settings(path)


def test_saving_the_theme_keeps_comments_and_tables(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('# my settings\ntheme = "nord"\n\n[keymap]\n"list.add" = "A"\n')
    config.save_setting("theme", "ansi-dark", path)
    text = path.read_text()
    assert text.startswith("# my settings\n")
    assert tomllib.loads(text) == {"theme": "ansi-dark", "keymap": {"list.add": "A"}}


def test_saving_into_a_new_file_creates_it_before_any_table(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    config.save_setting("theme", 'odd "name"', path)
    assert tomllib.loads(path.read_text()) == {"theme": 'odd "name"'}
    path.write_text('[keymap]\n"app.help" = "f1"\n')
    config.save_setting("theme", "gruvbox", path)
    assert tomllib.loads(path.read_text()) == {"theme": "gruvbox", "keymap": {"app.help": "f1"}}


def test_the_demo_database_lives_beside_the_database_in_use(tmp_path):
    own = config.data_dir() / config.DB_FILENAME
    assert config.demo_db_path(own) == config.data_dir() / "demo.sqlite3"
    assert config.demo_db_path(tmp_path / "clients.sqlite3") == tmp_path / "demo.sqlite3"
    assert config.demo_db_path(tmp_path / "demo.sqlite3") == config.data_dir() / "demo.sqlite3"  # never itself


def test_deal_settings_that_are_wrong_are_reported_not_guessed():
    assert config.settings_problems({"currency": "usd", "stale_days": 14}) == []
    problems = config.settings_problems({"currency": "dollars", "stale_days": 0})
    assert len(problems) == 2
    assert "currency = 'dollars' is not a currency code" in problems[0]
    assert "stale_days = 0 is not a whole number of days" in problems[1]
    assert config.stale_days({"stale_days": 0}) == config.DEFAULT_STALE_DAYS


@pytest.fixture
def remote_files(tmp_path, monkeypatch) -> Path:
    """A session of the SSH server's user ann, whose files folder is not made yet."""
    root = tmp_path / "users" / "ann" / "files"
    monkeypatch.setenv(config.FILES_DIR_ENV_VAR, str(root))
    return root


def test_a_session_is_for_the_ssh_servers_user_else_for_this_account_after_an_openssh_login(monkeypatch):
    monkeypatch.delenv(config.SSH_USER_ENV_VAR, raising=False)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    assert config.ssh_user() is None
    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.9 51234 192.0.2.1 22")
    assert config.ssh_user() == ""
    monkeypatch.setenv(config.SSH_USER_ENV_VAR, "ann")
    assert config.ssh_user() == "ann"


def test_locally_a_path_is_as_typed_with_home_expanded(monkeypatch):
    monkeypatch.delenv(config.FILES_DIR_ENV_VAR, raising=False)
    assert config.files_dir() is None
    assert config.confined_path("~/people.csv") == Path.home() / "people.csv"
    assert config.confined_path("/etc/hosts") == Path("/etc/hosts")
    assert config.confined_path("../people.csv") == Path("../people.csv")


def test_over_ssh_home_and_relative_paths_are_in_the_files_folder_made_for_its_owner_alone(remote_files):
    assert config.confined_path("~/people.csv") == remote_files / "people.csv"
    assert stat.S_IMODE(remote_files.stat().st_mode) == 0o700
    assert config.confined_path("people.csv") == remote_files / "people.csv"
    assert config.confined_path("~") == remote_files
    assert config.confined_path("old/../exports/x.vcf") == remote_files / "exports" / "x.vcf"
    assert config.confined_path(str(remote_files / "x.json")) == remote_files / "x.json"


@pytest.mark.parametrize("typed", ["/etc/passwd", "../bob/files/people.csv", "~/../../../etc", "~bob/../../x",
                                   "link/people.csv", "link"])
def test_over_ssh_a_path_leading_out_of_the_files_folder_is_refused(remote_files, tmp_path, typed):
    remote_files.mkdir(parents=True)
    (remote_files / "link").symlink_to(tmp_path)
    with pytest.raises(CrmError) as refused:
        config.confined_path(typed)
    assert str(refused.value) == f"{typed} is outside your folder: over SSH, files live in {remote_files}"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["/", ".", "..", "~", "a", "link", "\x00", " "]), max_size=10).map("".join)
       | st.text(max_size=30))
def test_over_ssh_any_typed_path_is_in_the_files_folder_or_refused(remote_files, tmp_path, typed):
    link = remote_files / "link"
    if not link.is_symlink():
        remote_files.mkdir(parents=True, exist_ok=True)
        link.symlink_to(tmp_path)
    try:
        path = config.confined_path(typed)
    except CrmError:
        return
    assert path.is_absolute() and path.resolve().is_relative_to(remote_files)
