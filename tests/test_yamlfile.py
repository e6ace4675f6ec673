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
        (b"a: 1\nb: [\n", 3, "YAML invalide"),
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
