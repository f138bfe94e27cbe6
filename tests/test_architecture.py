"""The layers hold: the import-linter contracts in pyproject.toml are kept, ruff finds nothing, mypy finds no error
in the core, and no module reaches into another's private names. A wrong import fails the build here."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "crm_tui"
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"


def _run(arguments: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(arguments, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_the_import_contracts_are_kept():
    done = _run([sys.executable, "-c", LINT_IMPORTS])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(("module", "wrong_import", "broken"), [
    ("core/text.py", "import textual", "crm_tui.core.text -> textual"),
    ("core/records.py", "from crm_tui.ui import text as ui_text", "crm_tui.core.records -> crm_tui.ui.text"),
    ("core/deals/pipelines.py", "from crm_tui.core.deals import service",
     "No cycles are allowed in crm_tui.core.deals"),
    ("ui/kit/dialogs.py", "from crm_tui.ui.screens import help", "crm_tui.ui.kit.dialogs -> crm_tui.ui.screens.help"),
    ("ui/screens/activities/log.py", "from crm_tui.ui.screens.contacts import detail",
     "No cycles are allowed in crm_tui.ui.screens"),
    ("remote/users.py", "from crm_tui.cli import output", "crm_tui.remote.users -> crm_tui.cli.output"),
])
def test_a_wrong_import_breaks_a_contract(tmp_path, module, wrong_import, broken):
    """The contracts are not vacuous: each of these imports, added to a copy of the package, is reported."""
    shutil.copytree(PACKAGE, tmp_path / "crm_tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "crm_tui" / module
    target.write_text(target.read_text() + f"\n{wrong_import}  # noqa\n")
    done = _run([sys.executable, "-c", LINT_IMPORTS], cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert broken in " ".join(done.stdout.split())


def test_ruff_finds_nothing():
    done = _run([sys.executable, "-m", "ruff", "check", "--no-cache", "."])
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_no_error_in_the_core():
    done = _run([sys.executable, "-m", "mypy", "--cache-dir", str(ROOT / ".mypy_cache")])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def _private_imports(path: Path) -> list[str]:
    """`from crm_tui.x import _name` of a module other than the importer, and `alias._name` on an imported module."""
    tree = ast.parse(path.read_text("utf-8"))
    own = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crm_tui"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__") and node.module != own:
                    found.append(f"{own}: from {node.module} import {alias.name}")
                if alias.name.islower():  # a module (or a function); classes such as peewee models have _meta
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(alias.asname or alias.name for alias in node.names if alias.name.startswith("crm_tui"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"{own}: {node.value.id}.{node.attr}")
    return found


def test_no_module_imports_another_modules_private_names():
    offenders = [line for path in sorted(PACKAGE.rglob("*.py")) for line in _private_imports(path)]
    assert offenders == []
