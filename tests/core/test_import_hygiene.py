"""The core and the CLI must work without the UI toolkit: importing them must not load textual."""

from __future__ import annotations

import json
import subprocess
import sys

import crm_tui.core

PROBE = """
import json, pkgutil, sys
import crm_tui.core
names = sorted(info.name for info in pkgutil.walk_packages(crm_tui.core.__path__, "crm_tui.core."))
for name in names:
    __import__(name)
import crm_tui.cli
print(json.dumps({"imported": names, "textual": sorted(m for m in sys.modules if m.split(".")[0] == "textual"),
                  "ui": sorted(m for m in sys.modules if m.startswith("crm_tui.ui"))}))
"""


def test_core_and_cli_imports_leave_textual_unloaded():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    expected = {"crm_tui.core." + name for name in ("db", "models", "records", "contacts", "companies", "contacts.tags",
                                                    "search_index", "contacts.bulk", "demo", "demo.pools", "validation",
                                                    "info")}
    assert expected <= set(report["imported"])
    assert report["textual"] == []
    assert report["ui"] == []


def test_core_sources_never_mention_textual():
    from pathlib import Path

    root = Path(crm_tui.core.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if "import textual" in path.read_text("utf-8") or "from textual" in path.read_text("utf-8")]
    assert offenders == []


STARTUP_PROBE = """
import json, sys
import crm_tui.cli, crm_tui.ui.app
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & {"numpy", "rapidfuzz", "vobject", "asyncssh"})))
"""


def test_starting_the_command_or_the_app_leaves_the_heavy_libraries_for_when_they_are_used():
    """numpy and rapidfuzz serve the duplicate scan, vobject the vCard reader, asyncssh the SSH server: `crm-tui`
    starts without them."""
    done = subprocess.run([sys.executable, "-c", STARTUP_PROBE], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
