"""The linters and the type checker are part of the test command, so CI runs them."""

from __future__ import annotations

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


def test_start_up_path_imports_neither_docx_nor_typst() -> None:
    code = (
        "import sys; from lettres import cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('docx', 'typst', 'lxml', 'msal')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_check_and_register_import_no_markdown_parser() -> None:
    # Only a letter being composed needs markdown-it (30–50 ms of their start-up).
    code = (
        "import sys; from lettres import check, register; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'markdown_it'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
