"""Fuzzing: hostile YAML files, front matter and letter bodies, and the invariants they must keep.

Whatever the input, the core raises only LettresError and the CLI exits 0 or 1 without a
traceback, writes no partial file and never loses a source. The core tests run a fifth of
HYPOTHESIS_EXAMPLES (CI sets 250: 50 examples), the CLI tests a fifth of that; `bench/fuzz.py`
runs the same tests with many more (LETTRES_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from lettres import sandbox
from lettres.cli import app
from lettres.errors import LettresError
from lettres.templating import render
from lettres.workspace import load_workspace
from tests.helpers import REPO

# Each example loads a workspace or runs the CLI: a fifth of HYPOTHESIS_EXAMPLES keeps CI fast.
EXAMPLES = int(
    os.environ.get("LETTRES_FUZZ_EXAMPLES") or int(os.environ.get("HYPOTHESIS_EXAMPLES", 50)) // 5
)
CORE = settings(
    max_examples=max(5, EXAMPLES),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CLI = settings(CORE, max_examples=max(3, EXAMPLES // 5))

# --- hostile values --------------------------------------------------------------------------

CONTROLS = ["\x1b", "\x00", "\x07", "\x9b", "\u202e", "\r", "\t", "\ufeff", "\x85", "\ufffe"]
YAML_TOKENS = [
    "&a", "*a", "&a [1, *a]", "<<: *a", "!!python/object/apply:os.system ['true']", "!!binary",
    "!!str", "!!set", "!!omap", "? ", "- ", ": ", "{", "}", "[", "]", ",", "#", "|", ">-", "---",
    "...", "%YAML 1.1", "'", '"', "\\", "~", "null", "yes", "no", "0x1F", "1e999", "9999-12-31",
    "2015-02-30", "0000-01-01", "-1", "99999999999999999999", ".nan", ".inf", "2015-04-21 10:00",
    "999 mois", "0 jour", "6 semaines", "Madame", "Monsieur", "je", "nous", "ils", "veuillez",
]  # fmt: skip
BOMB = (
    "[&a [lol,lol,lol,lol,lol,lol,lol,lol,lol], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], "
    "&c [*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]]"
)

texts = st.lists(st.text(max_size=10) | st.sampled_from([*CONTROLS, "\x1b[2J"]), max_size=6).map(
    "".join
)
yaml_values = st.one_of(
    st.sampled_from(YAML_TOKENS),
    texts,
    texts.map(json.dumps),  # a double-quoted YAML scalar, escapes and all
    st.lists(st.sampled_from(YAML_TOKENS) | texts, max_size=6).map(" ".join),
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: "{a: " * n + "}" * n),
    st.integers(1, 200_000).map(lambda n: "x" * n),
    st.just(BOMB),
)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """`text` with one line's value replaced, a line inserted, a cut, or bytes thrown in."""
    lines = text.splitlines(keepends=True)
    where = draw(st.integers(0, len(lines) - 1))
    line, value = lines[where], draw(yaml_values)
    how = draw(st.sampled_from(["value", "value", "value", "insert", "cut", "bytes"]))
    if how == "value" and ":" in line:
        indent = line[: len(line) - len(line.lstrip())]
        key = line.strip().split(":", 1)[0]
        lines[where] = f"{indent}{key}: {value}\n"
    elif how == "insert":
        lines.insert(where, value + "\n")
    elif how == "cut":
        lines = [*lines[:where], line[: draw(st.integers(0, len(line)))]]
    data = "".join(lines).encode("utf-8", "surrogatepass")
    if how == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


# --- hostile bodies --------------------------------------------------------------------------

ATOMS = [
    "destinataire.nom", "destinataire", "collectif.nom", "membres", "nombre_membres", "date",
    "objet", "cycler", "range", "joiner", "lipsum", "namespace", "dict", "loop", "self",
    "inconnu", "1/0", "[].pop()", "'%d'|format('x')", "'x' * 10**7", "range(10**9)",
    "lipsum(100000)", "10**10**10", "(1.5)**100000", "''.__class__", "membres[0]",
    "membres|map(attribute='__class__')|list", "cycler(1, 2)", "namespace(a=1)", "range(3)",
    "'{:>99999999}'.format(1)", "'x'|center(10**8)", "'%99999999d' % 1", "destinataire.items()",
    "'a' ~ membres", "membres * 10000", "lipsum(3)", "loop.index", "caller()", "varargs",
    "'{0.__class__}'.format(1)", "membres|join(objet * 1000)", "range(10000)|list",
]  # fmt: skip
FILTERS = [
    "upper", "join(', ')", "center(100000)", "list", "string", "length", "replace('a', 'bb')",
    "format(1)", "first", "sum", "map('upper')|list", "batch(10**7)", "slice(3)|list",
    "wordwrap(1)", "indent(100000)", "truncate(5)", "tojson", "e", "safe", "int", "default('x')",
    "dictsort", "attr('__class__')", "pprint", "urlize", "unique|list", "reverse", "sort",
]  # fmt: skip
expressions = st.builds(
    lambda atom, filters, op: f"{atom}{''.join('|' + f for f in filters)}{op}",
    st.sampled_from(ATOMS),
    st.lists(st.sampled_from(FILTERS), max_size=3),
    st.sampled_from(["", "", " ~ objet", " + 1", " * 3", " % 2", " ** 99999"]),
)


@st.composite
def blocks(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["text", "text", "print", "print", "for", "if", "macro", "odd"]))
    if kind == "text":
        return draw(texts)
    if kind == "print":
        return "{{ " + draw(expressions) + " }}"
    if kind == "odd":
        return draw(st.sampled_from([
            "{{", "{%", "{#", "}}", "%}", "{% endfor %}", "{% include 'lettre.typ' %}",
            "{% extends 'x' %}", "{% import 'x' as y %}", "{% raw %}{{ x }}{% endraw %}",
            "{% set x = 'x' * 100000 %}{{ x ~ x }}", "{% filter upper %}a{% endfilter %}",
            "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{% call %}x{% endcall %}",
            "{% if x %}" * 3000, "{{ " + "(" * 3000, "{{ " + "1+" * 20000 + "1 }}",
        ]))  # fmt: skip
    inner = "" if depth >= 2 else "".join(draw(st.lists(blocks(depth + 1), max_size=3)))
    if kind == "for":
        n = draw(st.sampled_from([0, 3, 1000, 10000, 100000]))
        return f"{{% for i in range({n}) %}}{inner}{{% endfor %}}"
    if kind == "if":
        return "{% if " + draw(expressions) + " %}" + inner + "{% else %}x{% endif %}"
    return "{% macro m(n) %}" + inner + "{% endmacro %}{{ m(1) }}"


bodies = st.lists(blocks() | st.just("\n\n"), max_size=8).map("".join)

CONTEXT: dict[str, Any] = {
    "destinataire": {"nom": "Cazeneuve", "civilite": "Monsieur", "appellation": "Monsieur"},
    "collectif": {"nom": "Collectif"},
    "membres": ["Amicale du Nid", "Armée du Salut"],
    "nombre_membres": 2,
    "date": "21 avril 2015",
    "objet": "Essai",
}


@pytest.fixture(autouse=True)
def short_budget() -> Iterator[None]:
    """Hostile loops stop at the time budget; a short one keeps the suite fast."""
    seconds, sandbox.SECONDS = sandbox.SECONDS, 0.2
    yield
    sandbox.SECONDS = seconds


# --- the invariants --------------------------------------------------------------------------


def clean_exit(result: Result) -> None:
    """Exit 0 or 1, and no exception but the exit itself (a traceback would be one)."""
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def fresh_workspace(tmp_path: Path) -> Path:
    root = tmp_path / "espace"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy(REPO / "destinataires.yaml", root / "destinataires.yaml")
    shutil.copytree(REPO / "modeles", root / "modeles")
    return root


DATA_FILES = ["destinataires.yaml", "modeles/collectif.yaml", "modeles/membres.yaml"]
FILE_TEXT = {name: (REPO / name).read_text(encoding="utf-8") for name in DATA_FILES}


@st.composite
def hostile_file(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(DATA_FILES))
    return name, draw(mutated(FILE_TEXT[name]))


@CORE
@given(hostile_file())
def test_a_hostile_data_file_loads_or_is_a_clean_error(
    tmp_path: Path, file: tuple[str, bytes]
) -> None:
    root = fresh_workspace(tmp_path)
    (root / file[0]).write_bytes(file[1])
    try:
        load_workspace(root)
    except LettresError as error:
        assert len(str(error)) < 20_000  # values are quoted as excerpts


@CLI
@given(hostile_file())
def test_check_survives_a_hostile_data_file(tmp_path: Path, file: tuple[str, bytes]) -> None:
    root = fresh_workspace(tmp_path)
    (root / file[0]).write_bytes(file[1])
    clean_exit(CliRunner().invoke(app, ["--workspace", str(root), "check"]))


@CORE
@given(bodies)
def test_a_hostile_body_renders_or_is_a_clean_error(body: str) -> None:
    try:
        text = render(body, CONTEXT, Path("modeles/essai.md"), first_line=4)
    except LettresError as error:
        assert str(error).startswith("modeles/essai.md:")
        event("refusé")
    else:
        assert len(text) <= sandbox.MAX_OUTPUT
        event("rendu")


FRONT = (
    "destinataire: interieur\nobjet: Essai\ndate: 2015-04-21\nsignataire: fayet\n"
    "copies: [cncdh]\npolitesse: {verbe: veuillez, nom: assurance}\nrelance: 6 semaines\n"
    "variables: {a: b}\nlieu: Paris\n"
)


@CLI
@given(front=mutated(FRONT) | st.just(FRONT.encode()), body=bodies)
def test_draft_of_a_hostile_source_loses_nothing(tmp_path: Path, front: bytes, body: str) -> None:
    root = fresh_workspace(tmp_path)
    folder = root / "courriers" / "essai"
    folder.mkdir(parents=True)
    source = folder / "lettre.md"
    source.write_bytes(b"---\n" + front + b"---\n" + body.encode("utf-8", "surrogatepass"))
    before = source.read_bytes()
    result = CliRunner().invoke(
        app, ["--workspace", str(root), "draft", str(source), "--format", "docx"]
    )
    clean_exit(result)
    event(f"code de sortie {result.exit_code}")  # bench/fuzz.py shows how many got through
    assert source.read_bytes() == before  # the source is never rewritten
    written = sorted(p.name for p in folder.iterdir())
    drafted = [".lettres-empreintes.json", "lettre.docx", "lettre.md"]  # with its fingerprints
    assert written == (drafted if result.exit_code == 0 else ["lettre.md"])
