"""Repository rules that no unit test of a module would catch."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
LIBRARY_PACKAGES = ["landscapes", "optimizers"]
UI_ONLY_MODULES = {"streamlit", "plotly"}


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every import statement and literal dynamic import in `tree`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            arg = node.args[0]
            if name in ("import_module", "__import__") and isinstance(arg, ast.Constant) \
                    and isinstance(arg.value, str):
                found.append((node.lineno, arg.value))
    return found


@pytest.mark.parametrize("package", LIBRARY_PACKAGES)
def test_library_never_imports_ui_modules(package):
    pkg_dir = REPO_ROOT / package
    assert pkg_dir.is_dir(), f"{package}/ is missing"
    sources = sorted(pkg_dir.rglob("*.py"))
    assert sources, f"{package}/ has no Python source files"
    offences = []
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in _imported_modules(tree):
            if module.split(".")[0] in UI_ONLY_MODULES:
                offences.append(f"{path.relative_to(REPO_ROOT)}:{line}: imports {module}")
    assert not offences, (
        "landscapes/ and optimizers/ are a library usable without the UI; "
        "they must not import streamlit or plotly:\n" + "\n".join(offences)
    )


def _command_lines(path: Path, needle: str = "python -m pytest") -> list[str]:
    """Non-comment lines of `path` that contain `needle`, stripped."""
    text = path.read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines()
            if needle in ln and not ln.lstrip().startswith("#")]


def test_readme_test_command_is_what_ci_runs():
    # The README's test command is its first line with `python -m pytest` (later lines may
    # show variants, e.g. selecting markers); .ci/run must run exactly that line, once.
    readme = _command_lines(REPO_ROOT / "README.md")
    ci = _command_lines(REPO_ROOT / ".ci" / "run")
    assert readme, "README.md shows no `python -m pytest` command"
    assert len(ci) == 1, f".ci/run should run pytest exactly once: {ci}"
    assert ci[0] == readme[0], f"README: {readme[0]!r} but .ci/run: {ci[0]!r}"
    assert readme[0] == 'pip install -e ".[test]" && python -m pytest'


def test_ci_script_is_strict_and_executable():
    run = REPO_ROOT / ".ci" / "run"
    assert os.access(run, os.X_OK), ".ci/run must be executable"
    text = run.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/bash")
    assert "set -euo pipefail" in text
    assert "CI=1" in text, "browser tests must refuse to skip in CI"
    assert "playwright install" not in text, "use Debian's chromium, not a Playwright download"
