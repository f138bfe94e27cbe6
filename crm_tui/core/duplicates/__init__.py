"""Duplicate contacts: the keys two records of one person share (keys), the quick check a form runs before saving
(check), the scan that groups likely copies and "not a duplicate" (groups), and merging them (merge).

The scan needs numpy and rapidfuzz, which `crm-tui` does not load at start: the names of `groups` are read from
here on first use (`duplicates.scan()`, `duplicates.dismiss(...)`), and only then is it imported.
"""

from __future__ import annotations

import importlib
from typing import Any

SUBMODULES = frozenset({"check", "groups", "keys", "merge"})


def __getattr__(name: str) -> Any:
    if name in SUBMODULES or name.startswith("__"):  # `from ... import merge` looks here before importing it
        raise AttributeError(name)
    return getattr(importlib.import_module(f"{__name__}.groups"), name)
