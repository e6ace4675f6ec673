"""The command line: parse options, call one core function, show the result.

This is the only module that imports typer and rich, and the only place where a
LettresError becomes a message on stderr and exit code 1.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer

from lettres.errors import LettresError, Problem

if TYPE_CHECKING:  # the core is imported inside each command: `--help` stays fast
    from rich.console import Console

    from lettres.directory import CopyLine
    from lettres.models import Directory
    from lettres.workspace import Workspace

app = typer.Typer(
    help="Rédiger et envoyer les courriers du Collectif "
    "« Ensemble contre la traite des êtres humains ».",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@functools.cache
def console(stderr: bool = False) -> Console:
    """rich is imported on first use: `lettres copies` prints plain text and never needs it."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def say(text: str, *, stderr: bool = False) -> None:
    console(stderr).print(text)


def escape(text: str) -> str:
    from rich.markup import escape as escape_markup

    return escape_markup(text)


F = TypeVar("F", bound=Callable[..., Any])


def command(name: str | None = None) -> Callable[[F], F]:
    """Register a command whose user errors print cleanly and exit 1, never a traceback."""

    def register(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except LettresError as error:
                say(f"[bold red]Erreur[/] : {escape(str(error))}", stderr=True)
                raise typer.Exit(1) from None

        app.command(name)(run)
        return func

    return register


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"« {value} » n'est pas une date AAAA-MM-JJ") from None


DateOption = Annotated[
    date | None,
    typer.Option(
        "--date",
        parser=parse_date,
        metavar="AAAA-MM-JJ",
        help="La date du courrier (par défaut : aujourd'hui).",
    ),
]

_state: dict[str, Path | None] = {"workspace": None}


@app.callback()
def main_options(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Le dossier de l'espace de travail (sinon LETTRES_WORKSPACE, "
            "ou le plus proche parent qui contient destinataires.yaml).",
        ),
    ] = None,
) -> None:
    _state["workspace"] = workspace


def workspace_root() -> Path:
    from lettres.workspace import find_root

    return find_root(_state["workspace"])


def directory() -> Directory:
    from lettres.workspace import load_directory

    return load_directory(workspace_root())


def workspace() -> Workspace:
    from lettres.workspace import load_workspace

    return load_workspace(workspace_root())


def shown(path: Path | None) -> Path | None:
    """A path relative to the current folder when it is below it: shorter to read."""
    if path is None:
        return None
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


@command("copies")
def copies(
    on: DateOption = None,
    format: Annotated[
        Literal["lines", "emails", "json"],
        typer.Option(
            "--format",
            "-f",
            help="lines : comme dans un courrier ; emails : liste Cc d'un courriel ; json.",
        ),
    ] = "lines",
) -> None:
    """Les copies standard (groupe « standard »), résolues à une date."""
    from lettres import directory as dirmod
    from lettres.typography import typographize

    day = on or date.today()
    lines = dirmod.copy_lines(directory(), ["standard"], day)
    if format == "lines":
        heading = "Copie :" if len(lines) == 1 else "Copies :"
        typer.echo("\n".join([heading, *(f"- {typographize(line.text())}" for line in lines)]))
    elif format == "emails":
        people = [r for line in lines for r in line.recipients]
        with_email = [
            f"{r.holder.full_name} <{r.position.email}>" for r in people if r.position.email
        ]
        for r in people:
            if not r.position.email:
                say(f"Sans adresse électronique : {escape(r.person)} ({r.key})", stderr=True)
        if with_email:
            typer.echo(", ".join(with_email))
    else:
        typer.echo(json.dumps([copy_json(line) for line in lines], ensure_ascii=False, indent=2))


def copy_json(line: CopyLine) -> dict[str, Any]:
    from lettres.typography import typographize

    return {
        "ligne": typographize(line.text()),
        "destinataires": [
            {
                "cle": r.key,
                "civilite": r.holder.civility,
                "prenom": r.holder.first_name,
                "nom": r.holder.name,
                "poste": r.title,
                "courriel": r.position.email,
            }
            for r in line.recipients
        ],
    }


@command("recipients")
def recipients(
    query: Annotated[
        str,
        typer.Argument(
            help="Clé, poste, nom ou institution ; sans accents ni majuscules si vous voulez."
        ),
    ] = "",
    on: DateOption = None,
) -> None:
    """Chercher dans l'annuaire : le titulaire à une date, la formule d'appel, l'adresse."""
    from lettres import directory as dirmod

    book = directory()
    day = on or date.today()
    keys = dirmod.search(book, query)
    if not keys:
        raise LettresError(f"aucun poste ne correspond à « {query} »")
    for key in keys:
        say(f"[bold]{key}[/]")
        try:
            found = dirmod.recipient(book, key, day)
        except dirmod.NoHolder as error:
            say(f"  {escape(str(error))}")
            continue
        say(f"  {escape(found.person)}, {escape(found.title)}")
        say(f"  Formule d'appel : {escape(found.appellation)},")
        for line in found.address_block()[1:] if found.position.address else ["(adresse inconnue)"]:
            say(f"  {escape(line)}")
        say(f"  Courriel : {escape(found.position.email or '(inconnu)')}")


@command("check")
def check() -> None:
    """Valider tout l'espace de travail : erreurs et avertissements, avec fichier et ligne."""
    from lettres.check import check_workspace

    report = check_workspace(workspace_root(), date.today())
    for level, problems in (("erreur", report.errors), ("avertissement", report.warnings)):
        for problem in problems:
            say(escape(located(problem, level)), stderr=True)
    summary = f"{len(report.errors)} erreur(s), {len(report.warnings)} avertissement(s)"
    if report.errors:
        say(f"[bold red]{summary}[/]", stderr=True)
        raise typer.Exit(1)
    say(f"[green]Espace de travail valide[/] : {summary}.")


def located(problem: Problem, level: str) -> str:
    return str(Problem(shown(problem.path), problem.line, f"{level} : {problem.message}"))


@command("init")
def init(folder: Annotated[Path, typer.Argument(help="Le dossier à créer.")]) -> None:
    """Créer un nouvel espace de travail à partir de l'exemple fourni ; n'écrase rien."""
    from lettres.initialise import create_workspace

    written = create_workspace(folder)
    say(f"Espace de travail créé dans {escape(str(folder))} ({len(written)} fichiers).")
    say(f"Essayez : cd {escape(str(folder))} && lettres copies")


def parse_variable(value: str) -> tuple[str, str]:
    name, sep, text = value.partition("=")
    if not sep or not name.strip():
        raise typer.BadParameter(f"« {value} » : écrivez --var NOM=VALEUR")
    return name.strip(), text


DRAFT_HELP = {
    "source": "Un courrier existant (lettre.md) à refaire ; sans lui, un nouveau.",
    "template": "Le modèle (voir « lettres templates »).",
    "to": "Un poste ou un groupe ; répétable : un courrier par destinataire.",
    "subject": "L'objet du courrier.",
    "place": "Le lieu de la ligne de date.",
    "signatory": "La clé du signataire.",
    "cc": "Copies : un poste, un groupe, ou « aucune » ; répétable. Par défaut : standard.",
    "enclosure": "Une pièce jointe (P. J.) ; répétable.",
    "ref": "La ligne « Réf. : ».",
    "var": "Une variable du modèle, NOM=VALEUR ; répétable.",
    "out": "Le dossier du courrier (sinon courriers/DATE-DESTINATAIRE-OBJET).",
    "format": "Les fichiers à produire, séparés par des virgules.",
    "force": "Refaire même un courrier déjà envoyé, ou écrire dans un dossier --out occupé.",
}
Texts = list[str] | None


@command("draft")
def draft(
    source: Annotated[Path | None, typer.Argument(help=DRAFT_HELP["source"])] = None,
    template: Annotated[
        str | None, typer.Option("--template", "-t", help=DRAFT_HELP["template"])
    ] = None,
    to: Annotated[Texts, typer.Option(help=DRAFT_HELP["to"])] = None,
    subject: Annotated[str | None, typer.Option(help=DRAFT_HELP["subject"])] = None,
    on: DateOption = None,
    place: Annotated[str | None, typer.Option(help=DRAFT_HELP["place"])] = None,
    signatory: Annotated[str | None, typer.Option(help=DRAFT_HELP["signatory"])] = None,
    cc: Annotated[Texts, typer.Option(help=DRAFT_HELP["cc"])] = None,
    enclosure: Annotated[Texts, typer.Option(help=DRAFT_HELP["enclosure"])] = None,
    ref: Annotated[str | None, typer.Option(help=DRAFT_HELP["ref"])] = None,
    var: Annotated[Texts, typer.Option(help=DRAFT_HELP["var"])] = None,
    out: Annotated[Path | None, typer.Option(help=DRAFT_HELP["out"])] = None,
    formats: Annotated[str, typer.Option("--format", help=DRAFT_HELP["format"])] = "docx",
    force: Annotated[bool, typer.Option("--force", help=DRAFT_HELP["force"])] = False,
) -> None:
    """Rédiger un courrier : DOCX (à relire, à cosigner) et PDF (à envoyer)."""
    from lettres import drafting
    from lettres.outputs import make_renderer, parse_formats

    ws = workspace()
    chosen = parse_formats(formats)
    if source is not None:
        planned = [drafting.plan_existing(ws, source, out, force)]
    else:
        if template is None:
            raise LettresError(
                "indiquez un courrier à refaire (lettres draft courriers/…/lettre.md) ou un "
                "modèle pour un nouveau (--template NOM --to CLE)"
            )
        request = drafting.NewLetters(
            template=template, to=to or [], on=on or date.today(), subject=subject,
            place=place, signatory=signatory, cc=cc, enclosures=enclosure or [], ref=ref,
            variables=dict(parse_variable(v) for v in var or []), out=out,
        )  # fmt: skip
        planned = drafting.plan_new(ws, request)
    render = make_renderer(ws, chosen)
    if len(planned) > 1:
        written = write_with_progress(planned, render)
    else:
        written = drafting.write_planned(planned, render)
    for item in planned:
        for warning in item.warnings:
            say(f"[yellow]Attention[/] : {escape(warning)}", stderr=True)
    out_paths = "\n".join(f"  {escape(str(shown(path)))}" for path in written)
    say(f"{len(planned)} courrier(s), {len(written)} fichier(s) écrit(s) :\n{out_paths}")


def write_with_progress(planned: list[Any], render: Any) -> list[Path]:
    from rich.progress import Progress

    from lettres import drafting

    with Progress(console=console(stderr=True), transient=True) as progress:
        task = progress.add_task("Courriers", total=len(planned))
        return drafting.write_planned(planned, render, lambda _: progress.advance(task))


@command("templates")
def templates() -> None:
    """Les modèles de courrier : à quoi ils servent, les variables qu'ils attendent."""
    from lettres.drafting import template_names
    from lettres.source import load_template

    ws = workspace()
    names = template_names(ws)
    if not names:
        raise LettresError(f"aucun modèle dans {ws.templates_dir}")
    for name in names:
        front, _ = load_template(ws.templates_dir / f"{name}.md")
        say(f"[bold]{name}[/] — {escape(front.description)}")
        for variable, description in front.variables.items():
            say(f"    {variable} : {escape(description)}")


def main() -> None:
    # lettres uses no pydantic plugin; looking for them costs 10 ms of every start-up.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app()
