"""Jinja2 for letter bodies: sandboxed, strict, bounded, and errors at the template's own line.

A template may come from a member association, so it runs in a sandbox with a budget
(`lettres.sandbox`); a missing variable is an error, never a silent blank in a letter to a
minister; whatever goes wrong while rendering is a DataError at the line that caused it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import Template, TemplateError, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError

from lettres import sandbox
from lettres.errors import DataError
from lettres.text import excerpt

_ENV = sandbox.BoundedSandbox()

_REFUSED_TAG = (
    "« {{% {tag} %}} » n'est pas permis : un modèle ne lit pas d'autre fichier ; "
    "recopiez ici le texte voulu (ou une macro, définie dans ce modèle)"
)
_TOO_NESTED = (
    "modèle trop imbriqué (trop de blocs, de parenthèses ou d'opérations les uns dans les "
    "autres) : simplifiez-le"
)
_CRASHES: dict[type[BaseException], str] = {
    ZeroDivisionError: "division par zéro",
    RecursionError: "appels imbriqués sans fin (une macro qui s'appelle elle-même ?)",
    MemoryError: "mémoire épuisée : le modèle construit un texte trop grand",
    OverflowError: "nombre trop grand",
}


def compile_template(text: str, path: Path, first_line: int = 1) -> Template:
    """The compiled template, or its syntax error at the line of `path` where it stands."""
    with syntax_errors(path, first_line):
        return compiled(text, path.name)


# The file name compiled code carries, whichever letter it renders: render() finds the
# template's lines in a traceback by it, and one compiled body serves every letter of a batch.
_CODE_FILENAME = "<modèle lettres>"


@functools.lru_cache(maxsize=16)
def compiled(text: str, name: str) -> Template:
    """The template of `text` in the one sandbox, compiled once for all the letters of a
    merge (they share their template's body); Jinja2 renders a template any number of
    times, each from a fresh context. A syntax error is raised again, never cached."""
    parsed = _ENV.budgeted(_ENV.parse(text, name=name, filename=_CODE_FILENAME))
    code = _ENV.compile(parsed, name=name, filename=_CODE_FILENAME)
    return _ENV.template_class.from_code(_ENV, code, _ENV.make_globals(None))


def check_template(text: str, path: Path, first_line: int = 1) -> None:
    """The errors compile_template would find in `text`, at the line of `path`."""
    fault = template_fault(text)
    if fault is not None:
        line, message = fault
        raise DataError.at(path, None if line is None else line + first_line - 1, message)


_NOWHERE = Path("modele.md")  # faults are found in the text alone, then placed


@functools.lru_cache(maxsize=256)
def template_fault(text: str) -> tuple[int | None, str] | None:
    """What compiling `text` would refuse, as (line in the text, message); found by parsing
    alone when it can be: `check` reads every letter, and compiling them was most of its
    time. A template in which only code generation would see a fault is compiled, as
    before. Cached: the letters of a merge share their template's body, checked once."""
    try:
        with syntax_errors(_NOWHERE, 1):
            parsed = _ENV.parse(text)
        if only_compiling_tells(parsed):
            compile_template(text, _NOWHERE)
    except DataError as error:
        [problem] = error.problems
        return problem.line, problem.message
    return None


# What Jinja2's code generator refuses (TemplateAssertionError) that its parser lets by:
# macros and call blocks (their `caller`), blocks (defined twice), `extends`; and the tags
# the sandbox refuses, which compile_template names.
_GENERATOR_CHECKS = (nodes.Macro, nodes.CallBlock, nodes.Block, nodes.Extends, *sandbox.REFUSED)
_DEEP = 12  # levels of nodes; Python's compiler refuses the code of 21 nested loops (24)


def only_compiling_tells(tree: nodes.Template) -> bool:
    """Could compiling refuse this parsed template? An unknown filter or test, a loop
    variable assigned, what _GENERATOR_CHECKS lists, or deep nesting. One walk."""
    stack: list[tuple[nodes.Node, int]] = [(tree, 1)]
    while stack:
        node, level = stack.pop()
        if level > _DEEP or isinstance(node, _GENERATOR_CHECKS):
            return True
        if isinstance(node, nodes.Filter) and node.name not in _ENV.filters:
            return True
        if isinstance(node, nodes.Test) and node.name not in _ENV.tests:
            return True
        if isinstance(node, nodes.Name) and node.name == "loop" and node.ctx == "store":
            return True
        stack.extend((child, level + 1) for child in node.iter_child_nodes())
    return False


@contextmanager
def syntax_errors(path: Path, first_line: int) -> Iterator[None]:
    """Jinja2's parse and compile errors as a DataError at the line of `path`."""
    try:
        yield
    except TemplateSyntaxError as error:
        raise DataError.at(
            path, error.lineno + first_line - 1, f"erreur de syntaxe Jinja2 : {error.message}"
        ) from None
    except sandbox.RefusedTag as error:
        raise DataError.at(
            path, error.line + first_line - 1, _REFUSED_TAG.format(tag=error.tag)
        ) from None
    except (RecursionError, MemoryError, SyntaxError):  # Jinja2's parser, or Python's compiler
        raise DataError.at(path, None, _TOO_NESTED) from None


def render(text: str, context: dict[str, Any], path: Path, first_line: int = 1) -> str:
    """Render `text`, which starts at line `first_line` of `path`."""
    template = compile_template(text, path, first_line)
    filename = _CODE_FILENAME
    budget = sandbox.start_budget()
    try:
        return template.render(context)
    except sandbox.OverBudget as error:
        line = _template_line(error.__traceback__, filename, first_line)
        raise DataError.at(
            path,
            line,
            f"le modèle dépasse les limites d'un courrier ({error}) : une boucle trop longue, "
            "un texte trop grand ? simplifiez-le",
        ) from None
    except sandbox.NotPrintable as error:
        line = _template_line(error.__traceback__, filename, first_line)
        raise DataError.at(
            path,
            line,
            f"cette expression n'est pas un texte mais un objet interne ({error.type_name}) : "
            "imprimez une variable, un texte ou un nombre (une liste : « |join(', ') »)",
        ) from None
    except SecurityError as error:
        line = _template_line(error.__traceback__, filename, first_line)
        raise DataError.at(
            path,
            line,
            "accès refusé : un modèle ne peut pas atteindre les objets internes de "
            f"Python ({_attribute(str(error))})",
        ) from None
    except UndefinedError as error:
        line = _template_line(error.__traceback__, filename, first_line)
        raise DataError.at(path, line, _undefined_message(str(error))) from None
    except TemplateError as error:
        line = _template_line(error.__traceback__, filename, first_line)
        raise DataError.at(
            path, line, f"erreur dans le modèle : {excerpt(str(error), 200)}"
        ) from None
    except (
        Exception,
        RecursionError,
        MemoryError,
    ) as error:  # whatever the template made Python do
        line = _template_line(error.__traceback__, filename, first_line)
        raise DataError.at(path, line, f"erreur dans le modèle : {_crash(error)}") from None
    finally:
        sandbox.end_budget(budget)


def _crash(error: BaseException) -> str:
    for kind, message in _CRASHES.items():
        if isinstance(error, kind):
            return message
    what = excerpt(str(error), 120)
    return f"{type(error).__name__} : {what} ; corrigez l'expression de cette ligne"


@functools.lru_cache(maxsize=64)
def referenced_names(text: str) -> frozenset[str]:
    """The variables a template reads: a placeholder it never prints is not in the letter.

    Cached: the letters of a batch share their template's body.
    """
    from jinja2 import meta

    return frozenset(meta.find_undeclared_variables(_ENV.parse(text)))


def _template_line(tb: TracebackType | None, filename: str, first_line: int) -> int | None:
    """Jinja2 rewrites tracebacks so that template frames carry template lines."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno + first_line - 1
        tb = tb.tb_next
    return line


def _undefined_message(text: str) -> str:
    name = re.search(r"'([^']+)' is undefined", text)
    if name:
        return (
            f"variable inconnue « {name.group(1)} » : vérifiez son nom, ou donnez-lui une "
            "valeur dans « variables » de l'en-tête du courrier (ou --var)"
        )
    attribute = re.search(r"has no attribute '([^']+)'", text)
    if attribute:
        return f"attribut inconnu « {attribute.group(1)} » dans le modèle"
    return f"valeur manquante dans le modèle ({text})"


def _attribute(text: str) -> str:
    found = re.search(r"attribute '([^']+)'", text)
    return f"« {found.group(1)} »" if found else text
