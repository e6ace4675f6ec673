"""A letter's body from anywhere (a file, standard input) and long --var values kept readable."""

from __future__ import annotations

from pathlib import Path

import docx
import yaml
from typer.testing import CliRunner

from lettres.cli import app
from tests.helpers import Invoke as Run

BODY = """Nous souhaitons appeler votre attention sur la situation des victimes.

- premier constat : l'accueil ;
- second constat : l'hébergement.

Nous restons à votre disposition.
"""
NEW = ["draft", "--template", "courrier-general", "--to", "justice", "--subject", "Victimes",
       "--date", "2015-05-04", "--format", "docx"]  # fmt: skip


def written_source(workspace: Path) -> tuple[dict[str, object], str]:
    [source] = (workspace / "courriers").glob("*/lettre.md")
    _, front, body = source.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def docx_text(workspace: Path) -> str:
    [path] = (workspace / "courriers").glob("*/lettre.docx")
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_body_from_a_file(run: Run, workspace: Path, tmp_path: Path) -> None:
    text = tmp_path / "texte.md"
    text.write_text(BODY, encoding="utf-8")
    result = run(*NEW, "--body", str(text))
    assert result.exit_code == 0, result.output
    front, body = written_source(workspace)
    assert body == BODY
    assert "variables" not in front  # the template's « corps » is not used
    assert "à compléter" not in result.output
    assert "situation des victimes" in docx_text(workspace)
    assert "second constat" in docx_text(workspace)


def test_body_from_standard_input(workspace: Path) -> None:
    result = CliRunner().invoke(
        app, ["--workspace", str(workspace), *NEW, "--body", "-"], input=BODY.rstrip("\n")
    )
    assert result.exit_code == 0, result.output
    assert written_source(workspace)[1] == BODY
    assert "Nous restons à votre disposition." in docx_text(workspace)


def test_body_refused_when_rebuilding_or_empty_or_missing(run: Run, tmp_path: Path) -> None:
    empty = tmp_path / "vide.md"
    empty.write_text("\n\n", encoding="utf-8")
    assert "le texte du courrier est vide" in run(*NEW, "--body", str(empty)).stderr
    missing = run(*NEW, "--body", str(tmp_path / "absent.md"))
    assert missing.exit_code == 1 and "fichier introuvable" in missing.stderr
    rebuild = run("draft", "courriers/x/lettre.md", "--body", str(empty))
    assert (
        rebuild.exit_code == 1 and "--body donne le texte d'un nouveau courrier" in rebuild.stderr
    )


def test_long_and_multiline_vars_are_literal_blocks(run: Run, workspace: Path) -> None:
    constats = "Les victimes ne sont pas identifiées.\nL'hébergement manque : « urgent »."
    texte = "le projet de loi " + "relatif à la protection des victimes de la traite " * 2
    result = run(
        "draft", "--template", "position-projet-loi", "--to", "justice", "--subject", "Projet",
        "--date", "2015-05-04", "--format", "docx", "--var", f"constats={constats}",
        "--var", f"texte={texte}", "--var", "demandes=1. Une demande",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [source] = (workspace / "courriers").glob("*/lettre.md")
    lines = source.read_text(encoding="utf-8").splitlines()
    at = lines.index("  constats: |-")
    assert lines[at + 1 : at + 3] == [
        "    Les victimes ne sont pas identifiées.",
        "    L'hébergement manque : « urgent ».",
    ]
    assert "  texte: |-" in lines
    assert "''" not in source.read_text(encoding="utf-8")
    front, _ = written_source(workspace)
    assert front["variables"] == {
        "texte": texte.rstrip(),  # a trailing space would force YAML to escape the text
        "constats": constats,
        "demandes": "1. Une demande",
    }
    assert "L'hébergement manque" in docx_text(workspace)
