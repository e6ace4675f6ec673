"""Searching the directory as people search: any order, no accents, small typos, ranked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lettres.recipients import find
from lettres.workspace import load_directory
from tests.helpers import Invoke as Run

EQUALITY = """
  egalite:
    poste: Ministre chargée de l'Égalité entre les femmes et les hommes
    categorie: ministre
    institution: Ministère de l'Égalité entre les femmes et les hommes
    adresse: [35 rue Saint-Dominique, 75007 PARIS]
    courriel: null
    titulaires:
      - {civilite: Madame, prenom: Marlène, nom: Schiappa, depuis: 2017-05-17}
"""


@pytest.fixture
def directory_file(workspace: Path) -> Path:
    path = workspace / "destinataires.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ngroupes:", EQUALITY + "\ngroupes:", 1), encoding="utf-8")
    return workspace


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Égalité femmes", "egalite"),
        ("femmes egalite", "egalite"),
        ("FEMMES ÉGALITÉ hommes", "egalite"),
        ("egalte femmes", "egalite"),  # a letter missing
        ("Cazenueve", "interieur"),  # two letters swapped
        ("ministre de la justice", "justice"),
        ("justice ministre", "justice"),
        ("droits femmes", "familles"),
        ("minis interieur", "interieur"),  # a word's beginning
    ],
)
def test_words_in_any_order_without_accents_with_typos(
    directory_file: Path, query: str, first: str
) -> None:
    matches = find(load_directory(directory_file), query)
    assert first in [m.key for m in matches[:2]], [m.key for m in matches]


def test_the_best_match_comes_first_and_shows_what_matched(directory_file: Path) -> None:
    matches = find(load_directory(directory_file), "égalité femmes hommes")
    assert matches[0].key == "egalite"
    assert matches[0].matched.startswith("Ministre chargée de l'Égalité")
    assert all(m.key != "familles" for m in matches)  # « hommes » is not in familles


def test_unrelated_words_find_nothing(directory_file: Path) -> None:
    assert find(load_directory(directory_file), "zzz") == []
    assert find(load_directory(directory_file), "femmes zzz") == []


def test_the_cli_shows_the_match(run: Run, directory_file: Path) -> None:
    result = run("recipients", "femmes egalite", "--date", "2018-01-01")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert (
        first
        == "egalite — trouvé dans « Ministre chargée de l'Égalité entre les femmes et les hommes »"
    )
    assert "Madame Marlène Schiappa" in result.stdout
    data = json.loads(
        run("recipients", "Égalité femmes", "--date", "2018-01-01", "-f", "json").stdout
    )
    assert data[0]["cle"] == "egalite"
    assert data[0]["correspondance"].startswith("Ministre chargée de l'Égalité")
