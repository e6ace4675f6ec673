"""The README's examples run, in the order a reader meets them, on the shipped workspace as it
is: its directory is not completed from public records, so an example that needs a holder the
directory cannot vouch for fails here as it would on a reader's machine."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from lettres.cli import app
from tests.helpers import REPO, compact

BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme_commands() -> list[list[str]]:
    """Each `lettres …` command of the README's shell blocks, its continuation lines joined;
    the first command's install steps (`… && .venv/bin/lettres draft …`) give their last part."""
    commands: list[list[str]] = []
    for block in BLOCK.findall((REPO / "README.md").read_text("utf-8")):
        for line in block.replace("\\\n", " ").splitlines():
            last = line.split("&&")[-1].strip()
            words = shlex.split(last)
            if words and Path(words[0]).name == "lettres":
                commands.append(words[1:])
    return commands


def test_the_readme_shows_a_letter_of_each_kind() -> None:
    commands = [" ".join(c) for c in readme_commands()]
    assert any(c.startswith("draft courriers/2015-04-21") for c in commands)
    assert any("membres:" in c for c in commands)  # co-signed
    assert any("--lang en" in c for c in commands)
    assert any("--relance" in c for c in commands)


def test_every_example_of_the_readme_runs_on_the_shipped_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "espace de travail"
    root.mkdir()
    monkeypatch.chdir(root)  # the README's paths are relative to the workspace
    shutil.copy(REPO / "destinataires.yaml", root / "destinataires.yaml")
    shutil.copytree(REPO / "modeles", root / "modeles")
    derived = shutil.ignore_patterns("*.docx", "*.pdf", "*.eml", ".lettres-*")  # not in a clone
    shutil.copytree(REPO / "courriers", root / "courriers", ignore=derived)
    for command in readme_commands():
        result = CliRunner().invoke(app, ["--workspace", str(root), *command])
        assert result.exit_code == 0, (command, result.output)
    follow_up = root / "courriers" / "2015-06-15-interieur-relance-vos-engagements-dans-la-lutte"
    text = compact(PdfReader(follow_up / "lettre.pdf").pages[0].extract_text())
    assert compact("Notre courrier du 21 avril 2015 (réf. CTEH/2015/001)") in text
    (own,) = re.findall(r"N/Réf\.:(CTEH/2015/\d+)", text)  # its own, after the examples' letters
    assert own != "CTEH/2015/001"
