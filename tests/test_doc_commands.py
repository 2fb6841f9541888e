"""The commands in README.md and docs/ run from a fresh clone as printed: after `bin/setup` the
project's Python is `.venv/bin/python` (a bare `python` is whatever the shell has, often none or one
without the pinned dependencies), each `python -m` module exists, and each `bin/` script is there."""

from __future__ import annotations

import os
import re

import pytest

from tools.engine.harness import PROJECT_ROOT

PAGES = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
# A Python not inside a virtualenv of the project: `python -m ...`, `python3 -c ...` (a venv is created
# with the system's python3, the one command that needs no venv).
BARE_PYTHON = re.compile(r"(?<![\w/.-])python3?\s+-[mc](?!\s+venv\b)")
MODULE = re.compile(r"\.venv/bin/python\s+-m\s+([\w.]+)")
SCRIPT = re.compile(r"(?<![\w/.-])bin/([\w-]+)")


def text_of(page) -> str:
    return " ".join(page.read_text().split())  # commands wrapped over lines read as one


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_command_needs_an_activated_virtualenv(page):
    bare = [m.group(0) for m in BARE_PYTHON.finditer(text_of(page))]
    assert bare == [], f"{page.name}: write `.venv/bin/python -m ...` (or a bin/ wrapper): {bare}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_module_and_script_a_page_runs_exists(page):
    text = text_of(page)
    for module in {m.group(1).rstrip(".") for m in MODULE.finditer(text)}:
        path = PROJECT_ROOT / module.replace(".", "/")
        runnable = path.with_suffix(".py").is_file() or (path / "__main__.py").is_file()
        assert runnable or module == "venv", f"{page.name}: `python -m {module}` has no module to run"
    for script in {m.group(1) for m in SCRIPT.finditer(text)}:
        path = PROJECT_ROOT / "bin" / script
        assert path.is_file() and os.access(path, os.X_OK), f"{page.name}: bin/{script} is not an executable script"
