"""Jinja2 for letter bodies: sandboxed, strict, bounded, and errors at the template's own line.

A template may come from a member association, so it runs in a sandbox with a budget
(`lettres.sandbox`); a missing variable is an error, never a silent blank in a letter to a
minister; whatever goes wrong while rendering is a DataError at the line that caused it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import Template, TemplateError, TemplateSyntaxError, UndefinedError
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
    try:
        parsed = _ENV.budgeted(_ENV.parse(text, name=path.name, filename=str(path)))
        code = _ENV.compile(parsed, name=path.name, filename=str(path))
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
    return _ENV.template_class.from_code(_ENV, code, _ENV.make_globals(None))


def render(text: str, context: dict[str, Any], path: Path, first_line: int = 1) -> str:
    """Render `text`, which starts at line `first_line` of `path`."""
    template = compile_template(text, path, first_line)
    filename = str(path)
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
