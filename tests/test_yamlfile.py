from pathlib import Path

import pytest

from lettres.errors import DataError
from lettres.yamlfile import line_of, load_mapping, parse_yaml


def test_lines_of_keys_and_items() -> None:
    data = parse_yaml("a:\n  b: 1\n  c: [1, 2]\nd:\n  - x: 2014-04-02\n", Path("f.yaml"))
    assert line_of(data, ("a", "b")) == 2
    assert line_of(data, ("d", 0, "x")) == 5
    assert line_of(data, ("d", 0, "absent")) == 5  # the deepest part that exists
    assert str(data["d"][0]["x"]) == "2014-04-02"


def test_front_matter_offset() -> None:
    with pytest.raises(DataError) as caught:
        parse_yaml("a: 1\na: 2\n", Path("lettre.md"), first_line=2)
    assert str(caught.value).startswith("lettre.md:3: ")


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (b"a: 1\nb: [\n", 2, "YAML invalide, colonne 4 : le crochet « [ » ouvert ici"),
        (b"a: 1\nb: 2\na: 3\n", 3, "définie deux fois (déjà ligne 1)"),
        (b"a: 2014-13-45\n", 1, "n'est pas une date valide"),
        (b"", 1, "le fichier est vide"),
        (b"# rien\n", 1, "le fichier est vide"),
        (b"- a\n- b\n", 1, "entrées « clé: valeur »"),
        (b"a: caf\xe9\n", 1, "n'est pas en UTF-8"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, line: int, words: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        load_mapping(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert words in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="fichier introuvable"):
        load_mapping(tmp_path / "absent.yaml")


# A billion laughs, five levels instead of nine: enough to show the old code expanding it
# (a message of 400,000 characters), small enough that the old code fails fast.
BOMB_ANCHORS = (
    '_a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "_b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "_c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "_d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "_e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
)


def test_an_alias_is_refused_at_its_line() -> None:
    with pytest.raises(DataError) as caught:
        parse_yaml("a: &x [1, 2]\nb: c\nd: *x\n", Path("lettre.md"), first_line=2)
    assert str(caught.value) == (
        "lettre.md:4: les alias YAML (« *nom », « <<: *nom ») ne sont pas acceptés : "
        "recopiez la valeur à la place de l'alias"
    )


@pytest.mark.parametrize(
    "text",
    ["a: &x {b: 1}\nc:\n  <<: *x\n", "a: &x [*x]\n", "- &x a\n- *x\n", BOMB_ANCHORS],
)
def test_every_kind_of_alias_is_refused(text: str) -> None:
    with pytest.raises(DataError, match="les alias YAML"):
        parse_yaml(text, Path("f.yaml"))


def test_an_anchor_without_alias_is_harmless() -> None:
    assert parse_yaml("a: &x 1\n", Path("f.yaml")) == {"a": 1}


@pytest.mark.parametrize("depth", [33, 300, 3000])
def test_deep_nesting_is_a_clean_error(depth: int) -> None:
    text = "a: 1\nb: " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(DataError) as caught:
        parse_yaml(text, Path("f.yaml"))
    assert str(caught.value).startswith("f.yaml:2: valeur imbriquée trop profondément")


def test_nesting_as_deep_as_allowed_still_loads() -> None:
    data = parse_yaml("a: " + "[" * 31 + "1" + "]" * 31 + "\n", Path("f.yaml"))
    for _ in range(31):
        data = data[0] if isinstance(data, list) else data["a"]
    assert data == [1] or data == 1


def test_a_long_duplicate_key_is_quoted_short() -> None:
    key = "k" * 1000  # YAML allows 1,024 characters in a key
    with pytest.raises(DataError) as caught:
        parse_yaml(f"'{key}': 1\n'{key}': 2\n", Path("f.yaml"))
    assert f"« {'k' * 60}… » est définie deux fois" in str(caught.value)
    assert len(str(caught.value)) < 200


# (text, line and column to fix, words of the message): the line of the mistake, not the
# line after it where PyYAML notices it, and never PyYAML's English.
SYNTAX_ERRORS = [
    ("a: 1\nb\nc: 2\n", 2, 1, "il manque « : » après la clé"),
    ("a:\n\tb: 1\n", 2, 1, "une tabulation sert d'indentation : remplacez-la par des espaces"),
    ("a:\n  b: 1\n\tc: 2\n", 3, 1, "une tabulation sert d'indentation"),
    ("a:\n  b: 1\n c: 2\n", 3, 2, "n'est pas alignée sur les clés de même niveau"),
    ('a: "abc\nb: 2\n', 1, 4, "le guillemet ouvert ici n'est jamais fermé"),
    ("a: {x: 2\nb: 3\n", 1, 4, "l'accolade « { » ouverte ici"),
    ("objet: Vos engagements : la traite\n", 1, 24, "mettez toute la valeur entre guillemets"),
    ("a: @x\n", 1, 4, "ne peut pas commencer par « @ »"),
]


@pytest.mark.parametrize(("text", "line", "column", "words"), SYNTAX_ERRORS)
def test_syntax_errors_point_at_the_mistake_in_french(
    text: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(DataError) as caught:
        parse_yaml(text, Path("lettre.md"), first_line=2)
    message = str(caught.value)
    assert message.startswith(f"lettre.md:{line + 1}: YAML invalide, colonne {column} : ")
    assert words in message
    for english in ("could not", "found", "expected", "while", "scanning", "mapping"):
        assert english not in message
