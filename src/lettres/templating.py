"""Jinja2 for letter bodies: sandboxed, strict, and errors at the template's own line.

A template may come from a member association, so it runs in a sandbox; a missing
variable is an error, never a silent blank in a letter to a minister.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from lettres.errors import DataError

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def compile_template(text: str, path: Path, first_line: int = 1) -> Template:
    """The compiled template, or its syntax error at the line of `path` where it stands."""
    try:
        code = _ENV.compile(text, name=path.name, filename=str(path))
    except TemplateSyntaxError as error:
        raise DataError.at(
            path, error.lineno + first_line - 1, f"erreur de syntaxe Jinja2 : {error.message}"
        ) from None
    return _ENV.template_class.from_code(_ENV, code, _ENV.make_globals(None))


def render(text: str, context: dict[str, Any], path: Path, first_line: int = 1) -> str:
    """Render `text`, which starts at line `first_line` of `path`."""
    template = compile_template(text, path, first_line)
    filename = str(path)
    try:
        return template.render(context)
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
        raise DataError.at(path, line, f"erreur dans le modèle : {error}") from None


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
