"""The SSH tests' fixtures; they and the helpers the tests use live in ssh_helpers.py (a module name of its own:
`conftest` is taken by the other test folders' conftest files)."""

from ssh_helpers import server, ssh_keys  # noqa: F401 (pytest finds fixtures by their name here)
