"""Dates typed on the command line, as French people write them."""

from __future__ import annotations

from datetime import date

import pytest

from lettres.dates import parse_date
from lettres.errors import BadDate
from tests.helpers import Invoke as Run

TODAY = date(2015, 4, 20)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2015-04-21", date(2015, 4, 21)),
        ("21/04/2015", date(2015, 4, 21)),
        ("1/5/2015", date(2015, 5, 1)),
        ("21.04.2015", date(2015, 4, 21)),
        ("21 avril 2015", date(2015, 4, 21)),
        ("21 Avril 2015", date(2015, 4, 21)),
        ("1er mai 2015", date(2015, 5, 1)),
        ("15 août 2015", date(2015, 8, 15)),
        ("15 aout 2015", date(2015, 8, 15)),
        ("3 février 2016", date(2016, 2, 3)),
        ("  21   avril  2015 ", date(2015, 4, 21)),
        ("aujourd'hui", TODAY),
        ("aujourd’hui", TODAY),
        ("Demain", date(2015, 4, 21)),
    ],
)
def test_accepted_forms(typed: str, day: date) -> None:
    assert parse_date(typed, TODAY) == day


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("21/04/15", "l'année en entier"),
        ("31/02/2015", "le 31 février 2015 n'existe pas"),
        ("04/21/2015", "il n'y a pas de mois 21 (le jour vient d'abord"),
        ("2015-13-01", "il n'y a pas de mois 13"),
        ("21 avrl 2015", "mois inconnu « avrl »"),
        ("21 avril", "n'est pas une date"),
        ("bientôt", "n'est pas une date"),
        ("", "n'est pas une date"),
    ],
)
def test_refused_forms_say_what_is_accepted(typed: str, words: str) -> None:
    with pytest.raises(BadDate) as caught:
        parse_date(typed, TODAY)
    assert words in str(caught.value)
    if "mois" not in words and "existe" not in words:
        assert "21/04/2015, 21 avril 2015, 1er mai 2015, aujourd'hui ou demain" in str(caught.value)


@pytest.mark.parametrize("typed", ["21/04/2015", "21 avril 2015", "2015-04-21"])
def test_the_cli_reads_them(run: Run, typed: str) -> None:
    result = run("copies", "--date", typed)
    assert result.exit_code == 0, result.output
    assert "Toubon" in result.stdout  # the Défenseur des droits on 21 April 2015


def test_the_cli_refuses_an_ambiguous_date_with_examples(run: Run) -> None:
    result = run("answer", "courriers/x", "--date", "21/04/15")
    assert result.exit_code == 2
    assert "--date : « 21/04/15 » : écrivez l'année en entier" in result.stderr
    assert "1er mai 2015" in result.stderr
