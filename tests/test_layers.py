"""Layers import downwards only (docs/architecture.md): common <- data_access <- worker
<- demo; data_access <- dashboard's layouts, components and ids <- callbacks <- the app
factory.
Walks every module's imports (at any depth, function-level ones too) with ast."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import dash

ROOT = Path(__file__).resolve().parent.parent
# package -> the first-party packages it may import (itself included)
ALLOWED = {
    "common": {"common"},
    "data_access": {"common", "data_access"},
    "worker": {"common", "data_access", "worker"},
    "dashboard": {"common", "data_access", "dashboard"},
    "callbacks": {"common", "data_access", "dashboard", "callbacks"},
    # the demo county's generators, seeder and simulator: never used by the product
    "demo": {"common", "data_access", "worker", "demo"},
}
FIRST_PARTY = {*ALLOWED, "bench", "deploy", "tests", "migrations", "scripts"}
# the app factory wires callbacks in; only the WSGI entry (and tests) import it
FACTORY = "dashboard/__init__.py"
FACTORY_MAY_IMPORT = {"callbacks"}


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import in the file: `import a.b` gives a.b,
    `from a import b` gives a.b."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def upward_imports(package: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        allowed = ALLOWED[package] | (FACTORY_MAY_IMPORT if relative == FACTORY else set())
        for line, module in imported(path):
            top = module.split(".")[0]
            if top in FIRST_PARTY and top not in allowed:
                bad.append(f"{relative}:{line} imports {module}")
    return bad


def test_no_layer_imports_upwards():
    bad = [problem for package in ALLOWED for problem in upward_imports(package)]
    assert not bad, "\n".join(bad)


def test_nothing_but_the_wsgi_entry_imports_the_app_factory():
    importers = []
    for package in ALLOWED:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative == "dashboard/wsgi.py":
                continue
            for line, name in imported(path):
                if name == "dashboard.create_app":
                    importers.append(f"{relative}:{line}")
    assert not importers, importers


def test_the_walk_sees_an_upward_import(tmp_path, monkeypatch):
    (tmp_path / "data_access").mkdir()
    (tmp_path / "data_access" / "x.py").write_text(
        "def f():\n    from worker.fold import fold_incident\n"
    )
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert upward_imports("data_access") == ["data_access/x.py:2 imports worker.fold.fold_incident"]


def test_importing_the_callbacks_registers_nothing():
    """In a fresh interpreter: this one's registry may have been emptied by an app."""
    code = (
        "import callbacks; from dash import _callback;"
        "print(len(_callback.GLOBAL_CALLBACK_LIST), len(_callback.GLOBAL_CALLBACK_MAP))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0", "0"]


def test_every_app_gets_every_callback(settings):
    from dashboard import create_app

    first, second = create_app(settings), create_app(settings)
    assert first.callback_map
    assert set(first.callback_map) == set(second.callback_map)
    assert isinstance(first, dash.Dash)
