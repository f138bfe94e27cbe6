"""A JSON backup with a value the database cannot hold, or one that lists would choke on, is refused whole: one
`error:` line naming the first bad value, exit 1, and the database as it was. What is restored can be listed."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crm_tui.cli import main
from crm_tui.core import demo
from crm_tui.core.db import close_database, open_database


@pytest.fixture(scope="module")
def backup(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("backup")
    open_database(folder / "crm.sqlite3")
    demo.fill(12, seed=3)
    close_database()
    target = folder / "backup.json"
    assert main(["--db", str(folder / "crm.sqlite3"), "export", "--format", "json", "--output", str(target)]) == 0
    return json.loads(target.read_text(encoding="utf-8"))


def restore(tmp_path, text: str, capsys) -> tuple[int, str]:
    source = tmp_path / "bad.json"
    source.write_text(text, encoding="utf-8", errors="surrogatepass")
    database = tmp_path / "new.sqlite3"
    open_database(database)  # an empty database, as `crm-tui --db new.sqlite3 info` makes one
    close_database()
    code = main(["--db", str(database), "import", str(source)])
    err = capsys.readouterr().err
    return code, err


def spoiled(backup: dict, table: str, column: str, value: object) -> str:
    document = json.loads(json.dumps(backup))
    document[table][0][column] = value
    return json.dumps(document)


def assert_refused_and_nothing_written(tmp_path, code: int, err: str, *words: str) -> None:
    assert code == 1, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err
    assert main(["--db", str(tmp_path / "new.sqlite3"), "contacts", "list", "--json"]) == 0


@pytest.mark.parametrize(("table", "column", "value", "named"), [
    ("contacts", "id", 2**63, "id"),
    ("contacts", "id", -1, "id"),
    ("contacts", "id", 0, "id"),
    ("contacts", "version", 2**64, "version"),
    ("activities", "occurred_at", "x", "occurred_at"),
    ("activities", "due_at", "tomorrow", "due_at"),
    ("contacts", "created_at", "2026-13-45T99:00:00Z", "created_at"),
    ("deal_stage_changes", "changed_at", 5, "changed_at"),
    ("pipelines", "archived_at", "x", "archived_at"),
    ("stages", "probability", 101, "probability"),
    ("stages", "probability", -1, "probability"),
    ("stages", "position", -1, "position"),
    ("deals", "value_minor", -5, "value_minor"),
])
def test_a_value_out_of_range_or_not_a_time_is_refused_by_name(backup, tmp_path, capsys, table, column, value, named):
    code, err = restore(tmp_path, spoiled(backup, table, column, value), capsys)
    assert_refused_and_nothing_written(tmp_path, code, err, named)


def test_an_integer_of_5000_digits_is_refused(backup, tmp_path, capsys):
    text = spoiled(backup, "contacts", "version", 7).replace('"version": 7', '"version": ' + "9" * 5000, 1)
    code, err = restore(tmp_path, text, capsys)
    assert_refused_and_nothing_written(tmp_path, code, err)


def test_a_lone_surrogate_is_refused(backup, tmp_path, capsys):
    text = spoiled(backup, "contacts", "first_name", "SURROGATE").replace('"SURROGATE"', '"\\ud800"')
    code, err = restore(tmp_path, text, capsys)
    assert_refused_and_nothing_written(tmp_path, code, err, "first_name")


def test_a_50000_deep_array_is_refused(backup, tmp_path, capsys):
    text = spoiled(backup, "contacts", "custom", "DEEP").replace('"DEEP"', "[" * 50_000 + "]" * 50_000)
    code, err = restore(tmp_path, text, capsys)
    assert_refused_and_nothing_written(tmp_path, code, err)


def test_a_good_backup_restores_and_every_list_reads_it(backup, tmp_path, capsys):
    code, err = restore(tmp_path, json.dumps(backup), capsys)
    assert code == 0, err
    database = str(tmp_path / "new.sqlite3")
    for command in (["contacts", "list"], ["companies", "list"], ["deals", "list"], ["activities", "list"],
                    ["tasks", "list"], ["agenda"], ["trash", "list"], ["history", "1"]):
        assert main(["--db", database, *command, "--json"]) == 0, command
    capsys.readouterr()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(table=st.sampled_from(["contacts", "companies", "deals", "activities", "stages", "pipelines"]),
       value=st.one_of(st.integers(), st.text(), st.floats(allow_nan=False), st.booleans(), st.none(),
                       st.lists(st.integers(), max_size=3)))
def test_any_value_anywhere_is_restored_so_it_lists_or_refused_in_one_line(backup, tmp_path_factory, table, value):
    tmp_path = tmp_path_factory.mktemp("fuzz")
    column = sorted(backup[table][0])[abs(hash((table, repr(value)))) % len(backup[table][0])]
    source = tmp_path / "fuzzed.json"
    source.write_text(spoiled(backup, table, column, value), encoding="utf-8", errors="surrogatepass")
    database = str(tmp_path / "new.sqlite3")
    code = main(["--db", database, "import", str(source)])
    assert code in (0, 1)
    if code == 0:
        for command in (["contacts", "list"], ["deals", "list"], ["activities", "list"], ["agenda"]):
            assert main(["--db", database, *command, "--json"]) == 0, (table, column, value, command)
