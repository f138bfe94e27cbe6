"""The server's ed25519 host key: made on first start, kept in the data dir readable by the owner alone.

Clients remember it: it must stay the same across restarts, or every user gets a "host key changed" warning.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from crm_tui.remote import import_asyncssh
from crm_tui.remote.users import private_folder, write_private

HOST_KEY_FILE = "ssh_host_ed25519_key"


def load_or_create(data_dir: Path):
    """The host key (an asyncssh SSHKey) and whether it was made just now. A key file others could read is made
    private before use, since a copy of it lets anyone pose as this server."""
    asyncssh = import_asyncssh()

    path = data_dir / HOST_KEY_FILE
    if path.exists():
        if stat.S_IMODE(path.stat().st_mode) != 0o600:
            os.chmod(path, 0o600)
        return asyncssh.read_private_key(path), False
    private_folder(data_dir)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="crm-tui host key")
    write_private(path, key.export_private_key("openssh").decode("ascii"))
    write_private(path.with_name(HOST_KEY_FILE + ".pub"), key.export_public_key("openssh").decode("ascii"))
    return key, True


def fingerprint(key) -> str:
    return key.get_fingerprint("sha256")
