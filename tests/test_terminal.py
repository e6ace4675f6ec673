"""No control character from the data reaches the terminal raw: shown as `\\u001b` instead."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from lettres.text import excerpt, visible
from tests.helpers import Invoke as Run
from tests.mailing import give_email, write_letter

# ESC sequences that clear the screen and retitle the window, a C1 CSI, a right-to-left override.
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\x9b31m\u202e"
SHOWN = "\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m\\u202e"
RAW = ["\x1b", "\x07", "\x9b", "\u202e"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (HOSTILE, SHOWN),
        ("a\rb", "a\\u000db"),  # a lone CR rewrites the line from its start
        ("\x00\x08\x7f\u200f\u2066", "\\u0000\\u0008\\u007f\\u200f\\u2066"),
        ("ligne\r\nligne\n\tx", "ligne\r\nligne\n\tx"),  # line ends and tabs stay
        ("Élisabeth « Moiron-Braud » – 21\u00a0avril, œuvre ✓", None),
    ],
)
def test_visible(text: str, shown: str | None) -> None:
    assert visible(text) == (text if shown is None else shown)


def test_visible_text_in_json_is_still_the_same_text() -> None:
    encoded = visible(json.dumps({"objet": HOSTILE}, ensure_ascii=False))
    assert json.loads(encoded) == {"objet": HOSTILE}


def test_excerpt() -> None:
    assert excerpt("court") == "court"
    assert excerpt("x" * 61) == "x" * 60 + "…"
    assert excerpt("a\n  b") == "a b"
    assert excerpt(list(range(100))) == "[0, 1, 2, 3, 4, 5, ...]"
    assert len(excerpt([[["x" * 1000] * 1000] * 1000] * 1000)) <= 61


def no_raw_control(text: str) -> None:
    for character in RAW:
        assert character not in text


def hostile_holder(workspace: Path) -> None:
    """The MIPROF's holder (a standard copy) named with escape sequences, written as YAML escapes."""
    path = workspace / "destinataires.yaml"
    text = path.read_text(encoding="utf-8")
    escaped = json.dumps(f"Moiron-Braud{HOSTILE}")  # a JSON string is a YAML double-quoted one
    path.write_text(text.replace("nom: Moiron-Braud,", f"nom: {escaped},"), encoding="utf-8")


def test_recipients_shows_a_hostile_name_visibly(run: Run, workspace: Path) -> None:
    hostile_holder(workspace)
    result = run("recipients", "miprof", "--date", "2016-01-01")
    assert result.exit_code == 0, result.output
    assert f"Moiron-Braud{SHOWN}" in result.stdout
    no_raw_control(result.stdout)


@pytest.mark.parametrize("format", ["lines", "emails", "json"])
def test_copies_show_a_hostile_name_visibly(run: Run, workspace: Path, format: str) -> None:
    hostile_holder(workspace)
    give_email(workspace, "miprof", "miprof@pm.gouv.fr")
    result = run("copies", "--date", "2016-01-01", "--format", format)
    assert result.exit_code == 0, result.output
    no_raw_control(result.stdout + result.stderr)
    if format == "json":
        names = [r["nom"] for line in json.loads(result.stdout) for r in line["destinataires"]]
        assert f"Moiron-Braud{HOSTILE}" in names  # JSON keeps the text exact, escaped
    else:
        assert f"Moiron-Braud{SHOWN}" in result.stdout.replace("\u202f", "")  # « ; » is typeset


@pytest.mark.parametrize("format", ["table", "csv", "csv-utf8", "json", "markdown"])
def test_register_shows_a_hostile_objet_visibly(run: Run, workspace: Path, format: str) -> None:
    write_letter(workspace, "essai", objet=json.dumps(f"Essai{HOSTILE}"))
    result = run("register", "--format", format)
    assert result.exit_code == 0, result.output
    no_raw_control(result.stdout + result.stderr)
    if format == "json":
        assert [e["objet"] for e in json.loads(result.stdout)] == [f"Essai{HOSTILE}"]
    elif format.startswith("csv"):
        text = result.stdout.removeprefix("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";" if format == "csv" else ","))
        assert rows[0]["objet"] == f"Essai{SHOWN}"
    elif format == "markdown":
        assert f"Essai{SHOWN}" in result.stdout
    else:  # the table wraps and cuts a long objet
        assert "\\u001b[2J" in result.stdout


def test_an_error_message_shows_a_hostile_value_visibly(run: Run, workspace: Path) -> None:
    path = workspace / "destinataires.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("civilite: Madame", 'civilite: "\\e[2J"', 1), encoding="utf-8")
    result = run("recipients", "miprof")
    assert result.exit_code == 1
    assert "« \\u001b[2J »" in result.stderr
    no_raw_control(result.stderr)
