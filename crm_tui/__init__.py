"""crm-tui: a keyboard-first CRM for the terminal."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crm-tui")
except PackageNotFoundError:
    __version__ = "0.0.0+unknown"
