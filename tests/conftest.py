"""Shared fixtures: a private copy of the shipped workspace, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from lettres.cli import app
from tests.helpers import REPO, Invoke, complete_directory
from tests.mailing import Server, smtp_servers


@pytest.fixture
def shipped_workspace(tmp_path: Path) -> Path:
    """A copy of the repository's own workspace as shipped, safe to edit."""
    root = tmp_path / "livre"
    root.mkdir()
    shutil.copy(REPO / "destinataires.yaml", root / "destinataires.yaml")
    shutil.copytree(REPO / "modeles", root / "modeles")
    return root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the repository's own workspace, its directory completed from public records
    for the dates the tests write letters at (tests.helpers.PUBLIC_RECORD_HOLDERS)."""
    root = tmp_path / "espace"
    root.mkdir()
    shutil.copy(REPO / "destinataires.yaml", root / "destinataires.yaml")
    shutil.copytree(REPO / "modeles", root / "modeles")
    complete_directory(root)
    return root


@pytest.fixture
def run(workspace: Path) -> Invoke:
    """Run `lettres` on the workspace copy, as a user would."""

    def invoke(*args: str, root: Path | None = None) -> Result:
        return CliRunner().invoke(app, ["--workspace", str(root or workspace), *args])

    return invoke


@pytest.fixture
def server() -> Iterator[Server]:
    """Start SMTP servers on 127.0.0.1 for a test; each stops when the test ends."""
    with smtp_servers() as start:
        yield start
