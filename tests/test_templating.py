"""Hostile templates: every failure a DataError at file:line, bounded in time and size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lettres.errors import DataError
from lettres.templating import compile_template, render
from tests.helpers import Invoke as Run
from tests.mailing import give_email, write_letter

PATH = Path("modeles/essai.md")
CONTEXT: dict[str, Any] = {"nom": "Colas", "liste": ["a", "b"], "table": {"k": "v"}}


def failure(body: str, context: dict[str, Any] | None = None) -> str:
    """The message of the DataError that rendering `body` (line 5 of its file onwards) raises."""
    with pytest.raises(DataError) as caught:
        render(body, context or CONTEXT, PATH, first_line=5)
    return str(caught.value)


# Each would fail on a template engine without bounds, but none would take the old code more
# than a few seconds and a few megabytes to show it.
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{{ 1/0 }}", "division par zéro"),
        ("{{ [].pop() }}", "IndexError : pop from empty list"),
        ("{{ '%d'|format('x') }}", "TypeError : %d format"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "appels imbriqués sans fin"),
        ("{{ (1.5) ** 100000 }}", "nombre trop grand"),
        ("{{ range(10**9) }}", "range() de 1\u202f000\u202f000\u202f000 éléments"),
        ("{{ 'x' * 10**7 }}", "une répétition de plus de 1\u202f000\u202f000 caractères"),
        ("{{ lipsum(20000) }}", "lipsum() de plus de 10\u202f000 mots"),
        ("{{ 'x'|center(10**7) }}", "largeur 10000000"),
        ("{{ '%10000000d'|format(1) }}", "largeur 10000000"),
        ("{{ '{:>10000000}'.format(1) }}", "largeur 10000000"),
        ("{{ 'x'.ljust(10**7) }}", "largeur 10000000"),
        ("{{ ('x' * 100000)|replace('', 'y' * 10) }}", "un remplacement de plus"),
        ("{{ ('x' * 100000).join(range(20)|map('string')) }}", "un texte joint de plus"),
        ("{{ range(200)|map('string')|map('center', 100000)|join }}", "caractères calculés"),
        (
            "{% set ns = namespace(s='x' * 1000) %}{% for i in range(11) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "une valeur de plus de 1\u202f000\u202f000 caractères",
        ),
        (
            "{% set l = [] %}{% for i in range(12) %}{{ l.extend(l + ['x' * 100000]) }}{% endfor %}",
            "une liste de plus de",
        ),
        ("{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}", "un courrier de plus de"),
        ("{% for i in range(2000) %}" + "x" * 1000 + "{% endfor %}", "un courrier de plus de"),
    ],
)
def test_a_crash_or_an_excess_is_a_data_error_at_its_line(body: str, words: str) -> None:
    message = failure("Madame,\n\n" + body + "\n")
    assert message.startswith("modeles/essai.md:7: ")
    assert words in message


def test_an_error_raised_by_python_itself_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted() -> None:
        raise MemoryError

    message = failure("a\n{{ epuise() }}\n", {"epuise": exhausted})
    assert message == (
        "modeles/essai.md:6: erreur dans le modèle : mémoire épuisée : le modèle construit un "
        "texte trop grand"
    )


def test_loops_stop_when_the_time_is_spent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lettres.sandbox.SECONDS", 0.05)
    body = "\n{% for i in range(3000) %}{% for j in range(3000) %}{% endfor %}{% endfor %}\n"
    message = failure(body)
    assert message.startswith("modeles/essai.md:6: le modèle dépasse les limites d'un courrier")
    assert "plus de 0.05 secondes de calcul" in message


def test_a_range_of_a_hundred_thousand_stops_at_once() -> None:
    body = "{% for i in range(100000) %}{% endfor %}"  # nested in another, the old code hung
    assert "range() de 100\u202f000 éléments ; au plus 10\u202f000" in failure(body)


@pytest.mark.parametrize(
    "expression",
    [
        "cycler", "range", "joiner", "lipsum", "namespace", "dict", "cycler(1, 2)",
        "namespace(a=1)", "range(3)", "liste|map('upper')", "self", "nom.upper",
    ],
)  # fmt: skip
def test_an_internal_object_never_prints(expression: str) -> None:
    message = failure(f"Texte\n{{{{ {expression} }}}}\n")
    assert message.startswith(
        "modeles/essai.md:6: cette expression n'est pas un texte mais un objet"
    )


def test_an_unsafe_attribute_in_a_list_is_refused_not_printed_as_undefined() -> None:
    message = failure("{{ liste|map(attribute='__class__')|list }}")
    assert message == (
        "modeles/essai.md:5: accès refusé : un modèle ne peut pas atteindre les objets internes "
        "de Python (« __class__ »)"
    )


@pytest.mark.parametrize(
    ("tag", "body"),
    [
        ("include", "{% include 'lettre.typ' %}"),
        ("extends", "{% extends 'base.md' %}"),
        ("import", "{% import 'macros.md' as m %}"),
        ("from", "{% from 'macros.md' import signe %}"),
    ],
)
def test_reading_another_file_is_refused_when_compiled(tag: str, body: str) -> None:
    with pytest.raises(DataError) as caught:
        compile_template(f"Madame,\n{body}\n", PATH, first_line=3)
    assert str(caught.value).startswith(f"modeles/essai.md:4: « {{% {tag} %}} » n'est pas permis")


@pytest.mark.parametrize(
    "body",
    [
        "{% if a %}" * 3000 + "{% endif %}" * 3000,
        "{% for i in l %}" * 21 + "{% endfor %}" * 21,  # Python allows 20 nested blocks
        "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
        "{{ " + "+".join(["1"] * 20000) + " }}",
        "{{ 'a'" + "|upper" * 5000 + " }}",
    ],
)
def test_a_template_nested_too_deep_is_a_clean_error(body: str) -> None:
    with pytest.raises(DataError) as caught:
        compile_template(body, PATH)
    assert str(caught.value) == (
        "modeles/essai.md: modèle trop imbriqué (trop de blocs, de parenthèses ou d'opérations "
        "les uns dans les autres) : simplifiez-le"
    )


def test_what_letters_use_still_works() -> None:
    body = (
        "{{ nom }} {{ nom|upper }} {{ liste|join(', ') }} {{ table.k }} {{ 3 + 4 }} {{ 'a' ~ nom }}\n"
        "{% for x in liste %}{{ loop.index }}.{{ x }}{% if not loop.last %} {% endif %}{% endfor %}\n"
        "{% macro signe(n) %}[{{ n }}]{% endmacro %}{{ signe(nom) }} {{ '%05.1f'|format(2.5) }} "
        "{{ '{:>4}'.format('z') }} {{ liste }} {{ range(3)|list }} {{ 'x' * 3 }} {{ 2 ** 10 }}\n"
        "{% set ns = namespace(n=0) %}{% for k, v in table.items() %}{% set ns.n = ns.n + 1 %}"
        "{{ k }}={{ v }}{% endfor %} {{ ns.n }} {{ liste|length }} {{ none }}\n"
    )
    assert render(body, CONTEXT, PATH) == (
        "Colas COLAS a, b v 7 aColas\n1.a 2.b\n[Colas] 002.5    z ['a', 'b'] [0, 1, 2] xxx 1024\n"
        "k=v 1 2 None\n"
    )


def test_check_reports_an_include_in_a_template(run: Run, workspace: Path) -> None:
    path = workspace / "modeles" / "demande-rencontre.md"
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    path.write_text(text + "{% include 'suivi-rencontre.md' %}\n", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1
    assert f"demande-rencontre.md:{line}: erreur : « {{% include %}} » n'est pas permis" in (
        result.stdout
    )


def test_draft_of_a_crashing_body_says_where_and_writes_nothing(run: Run, workspace: Path) -> None:
    folder = write_letter(workspace, "essai", pdf=False, body="Madame,\n\n{{ [].pop() }}\n")
    source = folder / "lettre.md"
    before = source.read_bytes()
    result = run("draft", str(source), "--format", "docx")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "lettre.md:9: erreur dans le modèle : IndexError" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["lettre.md"]
    assert source.read_bytes() == before


def test_the_cover_note_is_bounded_too(run: Run, workspace: Path) -> None:
    give_email(workspace, "interieur", "ministre@interieur.gouv.fr")
    (workspace / "modeles" / "courriel.md").write_text(
        "---\ndescription: essai\n---\nBonjour,\n{{ lipsum(20000) }}\n", encoding="utf-8"
    )
    folder = write_letter(workspace, "essai")
    result = run("email", str(folder))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "courriel.md:5: le modèle dépasse les limites d'un courrier (lipsum()" in result.stderr
    assert not (folder / "lettre.eml").exists()
