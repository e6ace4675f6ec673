"""The front matter parsed entry by entry (yamlfile.parse_front) is what parse_yaml makes of
the whole text, lines included, and every error is parse_yaml's own: the first time, and
again when every entry but one is already known (the letters of a mail merge)."""

from __future__ import annotations

from itertools import product
from pathlib import Path
from typing import Any

import pytest

from lettres import yamlfile
from lettres.errors import DataError
from lettres.yamlfile import LineDict, LineList, parse_front, parse_yaml

PATH = Path("courriers/essai/lettre.md")

COMMON = (
    "destinataire: interieur\n"
    "objet: Vos engagements\n"
    "  sur deux lignes\n"
    "date: 2015-04-21\n"
    "# un commentaire\n"
    "signataire: fayet\n"
    "copies: [miprof, cncdh]\n"
    "pj:\n"
    "- Synthèse\n"
    "- Compte rendu\n"
    "politesse: {verbe: veuillez, nom: assurance}\n"
)

# Lines that differ from one letter to the next, good and bad.
VARIANTS = [
    "reference: CTEH/2015/0001\n",
    "reference: CTEH/2015/0002\n",
    "objet: un autre\n",  # the key again: parse_yaml says where the first one is
    "appellation: |+\n  Madame,\n\n\n",  # trailing blank lines a block scalar keeps
    "variables:\n  lieu: Paris\n  salle: B\n",
    "relance: *ancre\n",  # an alias to nothing
    "ancre: &x [1, 2]\nautre: *x\n",  # an alias across entries
    "true: 1\n",  # a key YAML reads as a boolean
    "cle:\tvaleur\n",
    "\tindente: mal\n",
    "date2: 2015-13-45\n",
    "liste: [a,\nb]\n",  # a flow sequence continued at column 0
    'texte: "ouvert\nsuite: x"\n',
    "  decale: 1\n",
    "- a\n",
    "profond: " + "[" * 40 + "]" * 40 + "\n",
    "bip: \x07\n",
    "...\n",
    "",
]


def shape(value: Any) -> Any:
    """A value with every line the loader recorded, to compare two parses exactly."""
    if isinstance(value, LineDict):
        items = [(k, value.key_lines[k], shape(v)) for k, v in value.items()]
        return ("dict", value.line, items)
    if isinstance(value, LineList):
        return ("list", value.line, value.item_lines, [shape(v) for v in value])
    return (type(value).__name__, value)


def outcome(parse: Any, text: str) -> Any:
    try:
        return shape(parse(text, PATH))
    except DataError as error:
        return ("error", str(error))


@pytest.mark.parametrize(("first", "second"), list(product(VARIANTS, VARIANTS[:6])))
def test_parsed_by_entries_as_parsed_whole(first: str, second: str) -> None:
    yamlfile._entries.clear()
    for text in ("\n" + first + COMMON + second, "\n" + COMMON + first, "\n" + first):
        expected = outcome(parse_yaml, text)
        assert outcome(parse_front, text) == expected  # nothing known yet
        assert outcome(parse_front, text) == expected  # every entry known
        changed = text.replace("CTEH/2015/", "CTEH/2016/")
        assert outcome(parse_front, changed) == outcome(parse_yaml, changed)  # one new


def test_an_entry_known_at_another_line_keeps_its_own_line() -> None:
    yamlfile._entries.clear()
    parse_front("\nreference: A\n" + COMMON, PATH)
    moved = "\n\nreference: B\n" + COMMON
    assert shape(parse_front(moved, PATH)) == shape(parse_yaml(moved, PATH))


def test_a_changed_entry_is_parsed_again() -> None:
    """The cache is keyed by the entry's text: a file edited between two calls in one
    process is read as it now is."""
    yamlfile._entries.clear()
    assert parse_front("\nobjet: avant\n" + COMMON[COMMON.index("date") :], PATH)["objet"]
    after = parse_front("\nobjet: après\n" + COMMON[COMMON.index("date") :], PATH)
    assert after["objet"] == "après"
    with pytest.raises(DataError, match=r"lettre.md:3: .*définie deux fois \(déjà ligne 2\)"):
        parse_front("\nobjet: après\nobjet: encore\n", PATH)
