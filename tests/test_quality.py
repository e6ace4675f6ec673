"""The linters and the type checker are part of the test command, so CI runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "src", "tests", "bench"],
        ["ruff", "format", "--check", "src", "tests", "bench"],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_tool_is_clean(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def imported(modules: str, packages: tuple[str, ...]) -> list[str]:
    """Which of `packages` a fresh interpreter has loaded once it imports `modules`."""
    code = (
        f"import json, sys; from lettres import {modules}; "
        f"print(json.dumps([m for m in sorted(sys.modules) if m.split('.')[0] in {packages!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(result.stdout)
    return found


def test_start_up_path_imports_neither_docx_nor_typst() -> None:
    assert imported("cli", ("docx", "typst", "lxml", "msal")) == []


def test_check_and_register_import_no_markdown_parser() -> None:
    # Only a letter being composed needs markdown-it (30–50 ms of their start-up).
    assert imported("check, register", ("markdown_it",)) == []
