"""`check` and `register` on many letters: each source read once, each distinct body parsed
once and compiled only when parsing cannot tell, the register as plain lines off a terminal;
and what `check` finds is what compiling every letter found."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lettres import source, templating
from lettres.errors import DataError
from lettres.templating import check_template, compile_template
from tests.helpers import SOURCE_2015, lettres_process
from tests.helpers import Invoke as Run

PATH = Path("courriers/essai/lettre.md")


def add_letters(root: Path, count: int, bodies: int) -> list[Path]:
    """`count` copies of the 2015 letter, their bodies `bodies` distinct texts (a merge's
    letters share their template's body)."""
    text = (SOURCE_2015 / "lettre.md").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^reference: .*\n", "", text, count=1)  # each copy gets its own
    folders = []
    for number in range(count):
        folder = root / "courriers" / f"2015-04-21-interieur-{number:03d}"
        folder.mkdir(parents=True)
        body = f"\nParagraphe {number % bodies}.\n"
        (folder / "lettre.md").write_text(
            f"---\nreference: CTEH/2015/{number + 1:03d}\n{text[4:]}{body}", encoding="utf-8"
        )
        folders.append(folder)
    return folders


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times sources are split, bodies parsed and compiled, during one test."""
    calls: Counter[str] = Counter()
    templating.template_fault.cache_clear()

    def counting(name: str, function: Any) -> Any:
        def counted_call(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return function(*args, **kwargs)

        return counted_call

    monkeypatch.setattr(source, "split_document", counting("split", source.split_document))
    env = templating._ENV
    monkeypatch.setattr(env, "parse", counting("parse", env.parse))
    monkeypatch.setattr(env, "compile", counting("compile", env.compile))
    return calls


def test_check_reads_each_source_once_and_parses_each_body_once(
    run: Run, workspace: Path, counted: Counter[str]
) -> None:
    add_letters(workspace, 30, bodies=3)
    templates = len(list((workspace / "modeles").glob("*.md")))
    result = run("check")
    assert result.exit_code == 0, result.output
    assert counted["split"] == 30 + templates
    assert counted["parse"] <= 3 + templates  # the 30 letters have 3 bodies
    assert counted["compile"] == 0  # plain letters: parsing tells all


def test_check_grows_by_one_step_a_letter(run: Run, workspace: Path, counted: Counter[str]) -> None:
    """Twice the letters, twice the sources split, and no more bodies parsed."""
    add_letters(workspace, 10, bodies=2)
    assert run("check").exit_code == 0
    small = Counter(counted)
    counted.clear()
    templating.template_fault.cache_clear()
    shutil.rmtree(workspace / "courriers")
    add_letters(workspace, 20, bodies=2)
    assert run("check").exit_code == 0
    templates = small["split"] - 10
    assert counted["split"] - templates == 2 * (small["split"] - templates)
    assert counted["parse"] == small["parse"]


# Every kind of fault compiling finds, and templates it accepts: check_template must agree.
BODIES = [
    "Bonjour {{ collectif.nom }},\n\n{% for a in b %}{{ a|upper }}{% endfor %}\n",
    "{{ x|nofilter }}",
    "{% if a %}{{ x|nofilter }}{% endif %}",  # refused only if it runs
    "{{ x is nottest }}",
    "{% block a %}{% endblock %}\n{% block a %}{% endblock %}",
    "{% for loop in x %}{% endfor %}",
    "{% for a in b %}\n{% set loop = 1 %}{% endfor %}",
    "{% set loop = 3 %}",
    "{% macro m(caller) %}{% endmacro %}",
    "{% call m() %}x{% endcall %}",
    "{% for i in l %}" * 21 + "{% endfor %}" * 21,
    "{% for i in l %}" * 11 + "{% endfor %}" * 11,
    "{% if a %}" * 3000 + "{% endif %}" * 3000,
    "x\n\n{{ x }",
    "{% if %}",
    "{# x",
    "{% raw %}{{ {% endraw %}",
    "{% include 'lettre.typ' %}",
    "\n{% from 'macros.md' import signe %}",
    "{% extends 'base.md' %}",
]


def outcome(function: Any, body: str) -> str:
    try:
        function(body, PATH, 7)
    except DataError as error:
        return str(error)
    return "accepté"


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_checking_finds_what_compiling_finds(body: str) -> None:
    templating.template_fault.cache_clear()
    assert outcome(check_template, body) == outcome(compile_template, body)


def test_a_fault_is_placed_in_each_letter_that_shares_the_body() -> None:
    body = "Madame,\n\n{{ x }"
    first = outcome(check_template, body)
    assert first.startswith("courriers/essai/lettre.md:9: erreur de syntaxe Jinja2")
    other = Path("courriers/autre/lettre.md")
    with pytest.raises(DataError) as caught:
        check_template(body, other, 2)
    assert str(caught.value).startswith("courriers/autre/lettre.md:4: erreur de syntaxe Jinja2")


def test_the_register_off_a_terminal_is_one_aligned_line_per_letter(workspace: Path) -> None:
    folders = add_letters(workspace, 12, bodies=1)
    (folders[0] / "envois.jsonl").write_text(
        '{"etat": "envoye", "message_id": "<1@x>", "date": "2015-04-22T10:00:00", '
        '"a": ["m@x.fr"], "cc": []}\n',
        encoding="utf-8",
    )
    result = lettres_process("--workspace", workspace, "register", "--date", "2015-07-01")
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1 + 12
    assert lines[0].split() == ["Date", "Réf.", "Destinataire", "Objet", "Statut", "Relance"]
    column = lines[0].index("Réf.")
    references = sorted(line[column:].split()[0] for line in lines[1:])
    assert references == [f"CTEH/2015/{n:03d}" for n in range(1, 13)]
    status = lines[0].index("Statut")
    (first,) = [line for line in lines if "CTEH/2015/001 " in line]
    assert first[status:].startswith("envoyé le 2015-04-22")  # each cell under its heading
    assert sum("envoyé le 2015-04-22" in line for line in lines) == 1
    assert all("Ministre de l'Intérieur" in line for line in lines[1:])
    assert "┃" not in result.stdout.decode("utf-8")


def test_check_reads_each_source_from_the_disk_once(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its reference (for duplicates) and its front matter come from one reading."""
    add_letters(workspace, 12, bodies=2)
    reads: Counter[Path] = Counter()
    for method in ("read_bytes", "read_text"):
        original = getattr(Path, method)

        def reading(self: Path, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            if self.name == "lettre.md":
                reads[self] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Path, method, reading)
    assert run("check").exit_code == 0
    assert len(reads) >= 12 and set(reads.values()) == {1}


def test_check_looks_letters_alike_up_once_and_still_finds_the_one_that_differs(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge's letters differ by their reference only: their recipient and copies are
    looked up once; a letter dated otherwise, late in the list, keeps its own errors."""
    from lettres import check

    folders = add_letters(workspace, 30, bodies=3)
    late = folders[27] / "lettre.md"
    late.write_text(late.read_text("utf-8").replace("date: 2015-04-21", "date: 2031-04-21"))
    calls: list[str] = []
    resolve = check.resolve
    monkeypatch.setattr(
        check, "resolve", lambda ws, front: calls.append(front.to) or resolve(ws, front)
    )
    result = run("check")
    assert result.exit_code == 1
    assert calls == ["interieur", "interieur"]  # the 29 alike, then the one dated 2031
    errors = [line for line in result.output.splitlines() if "erreur" in line and ":" in line]
    assert errors and all(line.startswith(f"{late}:") for line in errors[:-1]), result.output
    assert f"{late}:3: erreur : « interieur » : " in result.output  # at « destinataire »
    assert f"{late}:7: erreur : « cncdh » : " in result.output  # at « copies »


def test_an_error_in_a_late_letter_is_at_its_file_and_line(run: Run, workspace: Path) -> None:
    """Letters whose front matters are known already do not hide a bad line in the 29th;
    nor does a source that is not UTF-8 hide the reference it takes."""
    folders = add_letters(workspace, 30, bodies=1)
    bad = folders[28] / "lettre.md"
    bad.write_text(bad.read_text("utf-8").replace("signataire: ", "signataire: [", 1))
    latin = folders[29] / "lettre.md"
    latin.write_bytes(
        latin.read_bytes().replace(b"CTEH/2015/030", b"CTEH/2015/001").replace(b"\xc3\xa9", b"\xe9")
    )
    result = run("check")
    assert result.exit_code == 1
    assert f"{bad}:6: erreur : YAML invalide, colonne 13 : le crochet « [ »" in result.output
    assert f"{latin}:11: erreur : le fichier n'est pas en UTF-8 (octet 0xe9)" in result.output
    assert f"{latin}:2: erreur : référence « CTEH/2015/001 » déjà portée par" in result.output


def test_the_register_names_a_post_once_for_its_letters_of_one_day(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from lettres import recipients, register
    from lettres.workspace import load_workspace

    add_letters(workspace, 20, bodies=2)
    looked_up: list[str] = []
    original = recipients.recipient
    monkeypatch.setattr(
        recipients, "recipient", lambda d, key, on: looked_up.append(key) or original(d, key, on)
    )
    book = register.list_letters(load_workspace(workspace), date(2015, 7, 1))
    assert len(book.entries) == 20 and looked_up == ["interieur"]
    assert {entry.recipient for entry in book.entries} == {
        "Monsieur Bernard Cazeneuve, Ministre de l'Intérieur"
    }
    assert len({entry.signers for entry in book.entries}) == 1
