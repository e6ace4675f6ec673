"""The French of the command line, where Typer and the click it vendors would speak English.

Typer takes the titles and markers of its rich help from module constants of
`typer.rich_utils`; the vendored click hard-codes "Usage: ", the help option's text and
every usage error. Here they are all said in French: the constants are set when help is
shown (so that `lettres copies` never pays for importing rich), the usage line and the
help option come from the command classes below, and the usage errors are caught at the
one entry point, `FrenchGroup.main`, and said again in French (exit 2).

This module is part of the CLI layer, with `cli.py`: the only two that import typer.
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup
from typer.exceptions import Abort

HELP_OPTION_NAMES = ["-h", "--help"]
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": HELP_OPTION_NAMES}
HELP_TEXT = "Afficher cette aide et quitter."
USAGE_PREFIX = "Utilisation : "
OPTIONS_METAVAR = "[OPTIONS]"
COMMAND_METAVAR = "COMMANDE [ARGUMENTS]..."
EXAMPLES_TITLE = "Exemples"

RICH_TEXTS = {
    "DEPRECATED_STRING": "(obsolète) ",
    "DEFAULT_STRING": "[par défaut : {}]",
    "ENVVAR_STRING": "[variable d'environnement : {}]",
    "REQUIRED_LONG_STRING": "[obligatoire]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "ABORTED_TEXT": "Abandon.",
    "RICH_HELP": "Essayez [blue]« {command_path} {help_option} »[/] pour l'aide.",
}

# The metavar of a value whose option does not name one, by the annotation's bare type.
METAVARS = {
    "str": "TEXTE",
    "list[str]": "TEXTE",
    "Path": "CHEMIN",
    "list[Path]": "CHEMIN",
    "int": "N",
    "float": "N",
    "date": "AAAA-MM-JJ",
}

COMPLETION_HELP = {
    "--install-completion": "Installer la complétion des commandes pour le shell courant "
    "(bash, zsh, fish, PowerShell).",
    "--show-completion": "Afficher le script de complétion du shell courant, pour le copier "
    "ou l'installer à la main.",
}


class BadValue(_click.exceptions.BadParameter):
    """A value refused by one of our own parsers: its message is already French."""


@functools.cache
def speak_french_in_rich_help() -> None:
    """Set once, on the first help shown: importing rich_utils costs the start-up 40 ms."""
    from typer import rich_utils

    for name, text in RICH_TEXTS.items():
        setattr(rich_utils, name, text)


def name_metavars(params: Sequence[_click.Parameter]) -> None:
    """Readable metavars (TEXTE, N, AAAA-MM-JJ) where typer would show `<list[str]>`."""
    for param in params:
        if param.param_type_name == "argument":
            # An argument's metavar already says what it is; typer would add `<path>`.
            setattr(param, "display_type_rich", lambda ctx: None)  # noqa: B010
        if param.metavar is not None:
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""  # a switch takes no value: show none
        elif param.param_type_name == "argument":
            param.metavar = (param.name or "valeur").upper()
        elif not param.type_descriptor.is_choice:  # type: ignore[attr-defined]
            param.metavar = METAVARS.get(param.bare_type(), "VALEUR")  # type: ignore[attr-defined]


def translate_completion_options(params: Sequence[_click.Parameter]) -> None:
    for param in params:
        for opt in param.opts:
            if opt in COMPLETION_HELP:
                param.help = COMPLETION_HELP[opt]  # type: ignore[attr-defined]
                param.metavar = ""
                if opt == "--install-completion":
                    param.callback = install_completion


def install_completion(ctx: _click.Context, param: _click.Parameter, value: Any) -> Any:
    """Typer's own callback, with its two English lines said in French."""
    from typer._completion_shared import install

    if not value or ctx.resilient_parsing:
        return value
    shell, path = install(shell=value if isinstance(value, str) else None)
    typer.echo(f"Complétion {shell} installée dans {path}.")
    typer.echo("Elle prendra effet dans un nouveau terminal.")
    sys.exit(0)


class _French:
    """What a French command adds to typer's: usage line, help option, help texts."""

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx: _click.Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
            option.metavar = ""
        return option

    def get_params(self, ctx: _click.Context) -> list[_click.Parameter]:
        params: list[_click.Parameter] = super().get_params(ctx)  # type: ignore[misc]
        translate_completion_options(params)  # typer adds them after building the group
        return params

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        speak_french_in_rich_help()
        super().format_help(ctx, formatter)  # type: ignore[misc]


class FrenchCommand(_French, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", CONTEXT_SETTINGS)
        kwargs["options_metavar"] = OPTIONS_METAVAR
        super().__init__(*args, **kwargs)
        name_metavars(self.params)


class FrenchGroup(_French, TyperGroup):
    """The application: its `main` is the one entry point, where usage errors turn French."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", CONTEXT_SETTINGS)
        kwargs["subcommand_metavar"] = COMMAND_METAVAR
        super().__init__(*args, **kwargs)
        name_metavars(self.params)

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run without click's standalone mode, so that its English never reaches the user."""
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except _click.exceptions.NoArgsIsHelpError:
            code = 2  # the help is already printed
        except _click.exceptions.ClickException as error:
            say_usage_error(error)
            code = error.exit_code
        except Abort:
            typer.echo("Abandon.", err=True)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code)


def say_usage_error(error: _click.exceptions.ClickException) -> None:
    ctx: _click.Context | None = getattr(error, "ctx", None)
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
    lines.append(f"Erreur : {usage_error_message(error)}")
    if ctx is not None:
        lines.append(f"Essayez « {ctx.command_path} --help » pour l'aide.")
    typer.echo("\n".join(lines), err=True)


def usage_error_message(error: _click.exceptions.ClickException) -> str:
    """The French of each usage error click can raise, built from its parts, not its text."""
    exceptions = _click.exceptions
    if isinstance(error, exceptions.NoSuchOption):
        return f"option inconnue : {error.option_name}{did_you_mean(error.possibilities)}"
    if isinstance(error, exceptions.MissingParameter):
        if error.param is not None and error.param.param_type_name == "option":
            return f"option obligatoire manquante : {param_name(error.param)}"
        return f"argument obligatoire manquant : {param_name(error.param)}"
    if isinstance(error, BadValue):
        return f"{param_name(error.param)} : {error.message}"
    if isinstance(error, exceptions.BadParameter):
        return f"valeur refusée pour {param_name(error.param)} : {explain_value(error.message)}"
    if isinstance(error, exceptions.BadOptionUsage):
        if "does not take" in error.message:
            return f"l'option {error.option_name} ne prend pas de valeur"
        return f"l'option {error.option_name} attend une valeur"
    return explain_usage(error)


def explain_usage(error: _click.exceptions.ClickException) -> str:
    message = error.message
    ctx: _click.Context | None = getattr(error, "ctx", None)
    if found := re.match(r"No such command '(.*?)'", message):
        commands = getattr(ctx.command, "commands", {}) if ctx else {}
        return f"commande inconnue : « {found[1]} »{did_you_mean(commands, found[1])}"
    if found := re.match(r"Got unexpected extra argument\S* \((.*)\)", message):
        return f"argument en trop : {found[1]}"
    if message.startswith("Missing command"):
        return "il manque la commande (voir « lettres --help »)"
    return f"ligne de commande invalide ({message})"


def explain_value(message: str) -> str:
    if found := re.search(r"'(.*?)' is not one of (.*)\.$", message):
        choices = ", ".join(choice.strip(" '") for choice in found[2].split(","))
        return f"« {found[1]} » n'est pas l'une des valeurs possibles : {choices}"
    if "valid integer" in message:
        return "il faut un nombre entier"
    if "valid number" in message:
        return "il faut un nombre"
    return "valeur invalide"


def did_you_mean(candidates: Any, typed: str | None = None) -> str:
    names = list(candidates or [])
    if typed is not None:
        names = difflib.get_close_matches(typed, names)
    if not names:
        return ""
    return " ; vouliez-vous dire " + " ou ".join(f"« {name} »" for name in names) + " ?"


def param_name(param: _click.Parameter | None) -> str:
    if param is None:
        return "la valeur"
    if param.param_type_name == "argument":
        return param.metavar or (param.name or "").upper()
    return " / ".join(param.opts)


# Real examples on the shipped workspace, shown at the end of each command's help; the
# tests run every one of them on a copy of the workspace.
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "lettres": [
        ("lettres draft courriers/2015-04-21-interieur-vos-engagements/lettre.md",
         "refaire le DOCX et le PDF du courrier du 21 avril 2015"),
        ("lettres copies --date 2015-04-21", "les copies standard à cette date"),
        ("lettres draft --help", "l'aide d'une commande, avec ses exemples"),
    ],
    "copies": [
        ("lettres copies --date 2015-04-21", "les lignes « Copies : » d'un courrier"),
        ("lettres copies --date 2015-04-21 --format emails", "la liste Cc d'un courriel"),
        ("lettres copies --format json", "pour un autre programme"),
    ],
    "recipients": [
        ("lettres recipients intérieur --date 2015-04-21", "le ministre de l'Intérieur en 2015"),
        ("lettres recipients cncdh", "un poste par sa clé"),
        ("lettres recipients", "tout l'annuaire, aujourd'hui"),
    ],
    "check": [
        ("lettres check", "tout l'espace de travail"),
        ("lettres --workspace . check", "un espace de travail nommé"),
    ],
    "init": [
        ("lettres init espace-2016", "un nouvel espace de travail, copie de l'exemple"),
    ],
    "draft": [
        ("lettres draft courriers/2015-04-21-interieur-vos-engagements/lettre.md",
         "refaire un courrier après avoir modifié sa source"),
        ("lettres draft --template courrier-general --to interieur --subject \"Plan d'action "
         "national\" --date 2015-04-21 --cc miprof --cc cncdh --format docx",
         "un nouveau courrier, en DOCX seulement, avec deux copies"),
        ("lettres draft --template suivi-rencontre --to interieur --subject Engagements "
         "--date 21/04/2015 --cc miprof --cc cncdh --var \"date_rencontre=23 septembre 2014\" "
         "--var engagements=… --var attente=…",
         "un courrier de suivi, ses variables données (--to GROUPE : un par poste)"),
    ],
    "templates": [
        ("lettres templates", "les modèles et leurs variables"),
    ],
    "register": [
        ("lettres register", "le tableau des courriers"),
        ("lettres register --year 2015 --format csv", "les courriers de 2015, pour un tableur"),
        ("lettres register --due", "les courriers à relancer"),
    ],
    "answer": [
        ("lettres answer courriers/2015-04-21-interieur-vos-engagements --date 2015-06-02",
         "la réponse reçue le 2 juin 2015"),
    ],
    "email": [
        ("lettres email courriers/2015-04-21-interieur-vos-engagements",
         "lettre.eml, le PDF joint (il faut un courriel au poste)"),
        ("lettres email courriers/2015-04-21-interieur-vos-engagements --with-docx",
         "le DOCX joint en plus"),
    ],
    "sent": [
        ("lettres sent courriers/2015-04-21-interieur-vos-engagements --date 21/04/2015 "
         "--note Outlook", "noter un envoi fait depuis sa messagerie"),
        ("lettres sent courriers/2015-04-21-interieur-vos-engagements",
         "noter qu'il est parti aujourd'hui, ou confirmer un envoi « incertain »"),
    ],
    "send": [
        ("lettres send courriers/2015-04-21-interieur-vos-engagements",
         "montrer ce qui partirait, et à qui (rien ne part)"),
        ("lettres send courriers/2015-04-21-interieur-vos-engagements --rate 20",
         "de même, au plus 20 messages par minute"),
    ],
}  # fmt: skip


def examples_epilog(command: str) -> str | None:
    """The help's last panel: each example, then what it does (rich markup escaped)."""
    examples = EXAMPLES.get(command)
    if not examples:
        return None
    lines = [f"  {escape(line)}\n      [dim]{escape(what)}[/]" for line, what in examples]
    return f"[bold]{EXAMPLES_TITLE} :[/]\n\n" + "\n\n".join(lines)


def escape(text: str) -> str:
    return text.replace("[", "\\[")
