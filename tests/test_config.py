"""Settings: the TOML file a user edits, and the one setting the app writes back (the theme)."""

from __future__ import annotations

import tomllib

import pytest

from crm_tui import config


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


def test_demo_database_lives_in_the_user_data_dir_beside_the_real_one():
    assert config.demo_db_path().parent == config.data_dir()
    assert config.demo_db_path().name != config.DB_FILENAME


def test_deal_settings_that_are_wrong_are_reported_not_guessed():
    assert config.settings_problems({"currency": "usd", "stale_days": 14}) == []
    problems = config.settings_problems({"currency": "dollars", "stale_days": 0})
    assert len(problems) == 2
    assert "currency = 'dollars' is not a currency code" in problems[0]
    assert "stale_days = 0 is not a whole number of days" in problems[1]
    assert config.stale_days({"stale_days": 0}) == config.DEFAULT_STALE_DAYS
