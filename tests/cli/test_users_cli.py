"""`crm-tui users add|list|remove|remove-key`: the SSH server's users and keys, as files readable by the owner alone."""

from __future__ import annotations

import os
import stat

import pytest

from crm_tui.remote import import_asyncssh

asyncssh = import_asyncssh()


@pytest.fixture
def server_dir(tmp_path):
    return tmp_path / "server"


@pytest.fixture
def key_file(tmp_path):
    """Write a new public key file; returns its path and the key's fingerprint."""

    def make(name: str, comment: str = "") -> tuple[str, str]:
        key = asyncssh.generate_private_key("ssh-ed25519", comment=comment or f"{name}@laptop")
        path = tmp_path / f"{name}.pub"
        path.write_bytes(key.export_public_key("openssh"))
        return str(path), key.get_fingerprint("sha256")

    return make


def users(cli, server_dir, *args: str):
    return cli("users", *args, "--data-dir", str(server_dir), db=False)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_add_list_and_more_keys_for_one_user(cli, server_dir, key_file):
    first, first_print = key_file("ann")
    result = users(cli, server_dir, "add", "ann", "--key", first)
    assert result.code == 0
    assert result.out == f"added {first_print} ssh-ed25519 ann@laptop\nann now has 1 key\n"
    keys_file = server_dir / "users" / "ann" / "authorized_keys"
    assert mode(keys_file) == 0o600 and mode(keys_file.parent) == 0o700 and mode(server_dir) == 0o700

    second, second_print = key_file("ann-desktop")
    assert users(cli, server_dir, "add", "ann", "--key", second, "--key", first).out.splitlines() == [
        f"added {second_print} ssh-ed25519 ann-desktop@laptop", "ann now has 2 keys"]  # the known key is not doubled
    listed = users(cli, server_dir, "list", "--json").json()
    assert [(user["name"], [key["fingerprint"] for key in user["keys"]]) for user in listed] == [
        ("ann", [first_print, second_print])]
    assert listed[0]["database"] == str(server_dir / "users" / "ann" / "crm.sqlite3")
    assert users(cli, server_dir, "list").out.splitlines()[1:] == [
        f"  {first_print}  ssh-ed25519  ann@laptop", f"  {second_print}  ssh-ed25519  ann-desktop@laptop"]


def test_remove_key_and_remove_user_keep_the_database(cli, server_dir, key_file):
    first, first_print = key_file("ann")
    second, second_print = key_file("ann2")
    users(cli, server_dir, "add", "ann", "--key", first, "--key", second)
    database = server_dir / "users" / "ann" / "crm.sqlite3"
    database.write_bytes(b"ann's records")

    assert users(cli, server_dir, "remove-key", "ann", first_print).out == f"removed {first_print} from ann\n"
    refused = users(cli, server_dir, "remove-key", "ann", second_print)
    assert (refused.code, refused.err) == (
        1, "error: that is ann's only key: add another first, or `crm-tui users remove ann`\n")

    removed = users(cli, server_dir, "remove", "ann")
    assert removed.out == f"ann can no longer log in; their database stays at {database}\n"
    assert users(cli, server_dir, "list", "--json").json() == []
    assert database.read_bytes() == b"ann's records"


@pytest.mark.parametrize("name", ["Ann", "../bo", "a b", "", "x" * 33, "ann!", "9lives"])
def test_a_name_that_is_no_user_name_is_refused(cli, server_dir, key_file, name):
    path, _ = key_file("key")
    result = users(cli, server_dir, "add", name, "--key", path)
    assert result.code == 1 and result.err.startswith(f"error: {name!r} is not a user name")
    assert not (server_dir / "users").exists() or list((server_dir / "users").iterdir()) == []


def test_a_private_key_or_a_file_without_a_key_is_refused(cli, server_dir, tmp_path):
    private = tmp_path / "id_ed25519"
    private.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key("openssh"))
    result = users(cli, server_dir, "add", "ann", "--key", str(private))
    assert (result.code, result.err) == (1, f"error: {private} holds a private key: give the public one (the .pub "
                                            "file)\n")
    junk = tmp_path / "notes.txt"
    junk.write_text("ssh-ed25519 not-base64 ann\n")
    result = users(cli, server_dir, "add", "ann", "--key", str(junk))
    assert result.code == 1 and result.err.startswith(f"error: {junk}, line 1: not an OpenSSH public key")
    missing = users(cli, server_dir, "add", "ann", "--key", str(tmp_path / "nothing.pub"))
    assert missing.code == 1 and "No such file or directory" in missing.err
    assert users(cli, server_dir, "list", "--json").json() == []


def test_removing_someone_unknown_says_so(cli, server_dir):
    result = users(cli, server_dir, "remove", "bo")
    assert (result.code, result.err) == (1, "error: no user 'bo'; `crm-tui users list` shows who there is\n")
