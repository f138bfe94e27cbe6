"""Serving the app to others: the built-in SSH server, its users and keys, and what a remote session may do."""

import warnings


def import_asyncssh():
    """asyncssh, imported without the warning cryptography prints because asyncssh still names DSA (which the
    server never offers). Imported on first use: `crm-tui` itself starts without it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="DSA is deprecated")
        import asyncssh
    return asyncssh
