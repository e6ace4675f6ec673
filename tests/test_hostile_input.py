"""Hostile data files: YAML bombs, deep nesting, huge values; each a clean error at file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import SOURCE_2015
from tests.helpers import Invoke as Run

# Nested aliases in the value itself: six levels expand to 531,441 strings (nine make a billion).
BOMB = (
    '[&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], '
    "&c [*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c], "
    "&e [*d,*d,*d,*d,*d,*d,*d,*d,*d], &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]]"
)


def errors(stderr: str) -> str:
    """The errors of `lettres check`, without its warnings (the directory's old verifications)."""
    return "\n".join(line for line in stderr.splitlines() if "avertissement :" not in line)


def letter_source(workspace: Path) -> Path:
    folder = workspace / "courriers" / SOURCE_2015.name
    shutil.copytree(SOURCE_2015, folder)
    return folder / "lettre.md"


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` by `new`; the line where it stood."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


PJ = "pj: [Synthèse de la rencontre du 23 septembre 2014]"

# (file, the text replaced, what replaces it, the value that goes there)
FIELDS = [
    ("destinataires.yaml", "civilite: Monsieur", "civilite: {}"),
    ("modeles/collectif.yaml", "voix: je", "voix: {}"),
    ("modeles/membres.yaml", "statut: sortie", "statut: {}"),
    ("lettre.md", "politesse: {verbe: veuillez, nom: assurance}", "politesse: {{verbe: {}}}"),
    ("lettre.md", PJ, "relance: {}"),
]


def target(workspace: Path, name: str) -> Path:
    return letter_source(workspace) if name == "lettre.md" else workspace / name


@pytest.mark.parametrize(("name", "old", "new"), FIELDS)
def test_a_yaml_bomb_in_a_fixed_choice_field_is_refused(
    run: Run, workspace: Path, name: str, old: str, new: str
) -> None:
    path = target(workspace, name)
    line = edit(path, old, new.format(BOMB))
    result = run("check")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{path.name}:{line}: erreur : les alias YAML" in result.stdout.replace("\n", "")
    assert len(errors(result.stdout)) < 2000  # the old code printed the whole expansion


@pytest.mark.parametrize(("name", "old", "new"), FIELDS)
def test_a_huge_value_is_quoted_as_a_short_excerpt(
    run: Run, workspace: Path, name: str, old: str, new: str
) -> None:
    path = target(workspace, name)
    edit(path, old, new.format("[" + ", ".join(["x" * 1000] * 1000) + "]"))
    result = run("check")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert path.name in result.stdout
    assert "x" * 61 not in result.stdout
    assert "…" in result.stdout
    assert len(errors(result.stdout)) < 2000


def test_a_long_text_in_a_choice_is_cut_at_sixty_characters(run: Run, workspace: Path) -> None:
    line = edit(
        workspace / "destinataires.yaml", "civilite: Monsieur", f"civilite: M{'o' * 100000}"
    )
    result = run("check")
    assert result.exit_code == 1
    assert (
        f"destinataires.yaml:{line}: erreur : « civilite » vaut « M{'o' * 59}… » ; "
        "valeurs possibles : « Monsieur » ou « Madame »"
    ) in result.stdout.replace("\n", "")


def test_three_thousand_brackets_are_a_clean_error(run: Run, workspace: Path) -> None:
    path = letter_source(workspace)
    line = edit(path, PJ, "variables: " + "[" * 3000 + "]" * 3000)
    for command in (("check",), ("draft", str(path), "--format", "docx")):
        result = run(*command)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        said = result.stdout if command == ("check",) else result.stderr  # check: its result
        assert f"lettre.md:{line}:" in said
        assert "imbriquée trop profondément" in said
    assert not (path.parent / "lettre.docx.tmp").exists()
