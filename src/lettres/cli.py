"""The command line: parse options, call one core function, show the result.

This is the only module that imports typer and rich, and the only place where a
LettresError becomes a message on stderr and exit code 1.
"""

from __future__ import annotations

import functools
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn, TypeVar

import typer

from lettres import cli_fr
from lettres.errors import LettresError, Problem
from lettres.text import visible

if TYPE_CHECKING:  # the core is imported inside each command: `--help` stays fast
    from rich.console import Console

    from lettres.models import Directory
    from lettres.workspace import Workspace

app = typer.Typer(
    help="Rédiger et envoyer les courriers du Collectif "
    "« Ensemble contre la traite des êtres humains ».",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    cls=cli_fr.FrenchGroup,
    context_settings=cli_fr.CONTEXT_SETTINGS,
)


@functools.cache
def console(stderr: bool = False) -> Console:
    """rich is imported on first use: `lettres copies` prints plain text and never needs it."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def say(text: str, *, stderr: bool = False) -> None:
    console(stderr).print(text)


def note(text: str) -> None:
    """What -v adds: the files read and written, on stderr."""
    if _state["verbosity"] > 0:
        typer.echo(text, err=True)


def emit_json(data: Any) -> None:
    """A command's result for another program: the shapes are documented in the README."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def problem_record(problem: Problem | str) -> dict[str, Any]:
    if isinstance(problem, str):
        return {"fichier": None, "ligne": None, "message": problem}
    path = shown(problem.path)
    return {
        "fichier": str(path) if path else None,
        "ligne": problem.line,
        "message": problem.message,
    }


def escape(text: str) -> str:
    """Data shown through rich: no markup of its own, no control character for the terminal."""
    from rich.markup import escape as escape_markup

    return escape_markup(visible(text))


def echo(text: str | bytes, *, nl: bool = True) -> None:
    """Plain output (lines, CSV, JSON…): a control character in the data is written out visibly."""
    if isinstance(text, bytes):  # UTF-8 that must reach the stream as these very bytes
        typer.echo(visible(text.decode("utf-8")).encode("utf-8"), nl=nl)
    else:
        typer.echo(visible(text), nl=nl)


F = TypeVar("F", bound=Callable[..., Any])


def command(name: str, on: typer.Typer | None = None) -> Callable[[F], F]:
    """Register a command whose user errors print cleanly and exit 1, never a traceback.

    Its help ends with the examples of `cli_fr.EXAMPLES`, which the tests run.
    """

    def register(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except LettresError as error:
                fail(error)
            except OSError as error:  # the last line of defence: the core translates its own
                from lettres.oserrors import explain

                fail(explain(error))

        (on or app).command(name, cls=cli_fr.FrenchCommand, epilog=cli_fr.examples_epilog(name))(
            run
        )
        return func

    return register


def fail(error: LettresError) -> NoReturn:
    say(f"[bold red]Erreur[/] : {escape(str(error))}", stderr=True)
    raise typer.Exit(1) from None


def parse_date(value: str | None) -> date | None:
    """2015-04-21, 21/04/2015, 21 avril 2015, 1er mai 2015, aujourd'hui, demain."""
    from lettres.dates import parse_date as read_date
    from lettres.errors import BadDate

    if value is None:
        return None
    try:
        return read_date(value, date.today())
    except BadDate as error:
        raise cli_fr.BadValue(str(error)) from None


DateOption = Annotated[
    date | None,
    typer.Option(
        "--date",
        parser=parse_date,
        metavar="DATE",
        help="La date du courrier : 2015-04-21, 21/04/2015, 21 avril 2015, demain… "
        "(par défaut : aujourd'hui).",
    ),
]

# The main options, for every command: the workspace, and -q (-1) or -v (1).
_state: dict[str, Any] = {"workspace": None, "verbosity": 0}


def show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"lettres {version('lettres')}")
        raise typer.Exit()


@app.callback(epilog=cli_fr.examples_epilog("lettres"))
def main_options(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            metavar="DOSSIER",
            help="Le dossier de l'espace de travail (sinon LETTRES_WORKSPACE, "
            "ou le plus proche parent qui contient destinataires.yaml).",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="N'afficher que les erreurs (et les résultats)."),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Dire aussi quels fichiers sont lus et écrits."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=show_version,
            is_eager=True,
            help="Afficher la version de lettres et quitter.",
        ),
    ] = False,
) -> None:
    _state["workspace"] = workspace
    _state["verbosity"] = -1 if quiet else (1 if verbose else 0)


def workspace_root() -> Path:
    from lettres.workspace import find_root

    return find_root(_state["workspace"])


def directory_here() -> Directory:
    from lettres.folders import DIRECTORY_FILE
    from lettres.workspace import load_directory

    root = workspace_root()
    note(f"Lecture : {shown(root / DIRECTORY_FILE)}")
    directory = load_directory(root)
    started()
    return directory


def workspace() -> Workspace:
    from lettres.folders import DIRECTORY_FILE, MEMBERS_FILE, SENDER_FILE
    from lettres.workspace import load_workspace

    root = workspace_root()
    for name in (DIRECTORY_FILE, SENDER_FILE, MEMBERS_FILE):
        note(f"Lecture : {shown(root / name)}")
    loaded = load_workspace(root)
    started()
    return loaded


def started() -> None:
    """Start-up is over: what it loaded lives until the end and is never scanned again; the
    work's own garbage is collected as usual from here. Only after `lettres.__main__` paused
    collection: a program that imports lettres keeps its own settings."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


TextOrJson = Annotated[
    Literal["texte", "json"],
    typer.Option("--format", "-f", metavar="FORMAT", help="texte (par défaut) ou json."),
]
AsJson = Annotated[
    bool, typer.Option("--json", help="Le résultat en JSON, pour un autre programme.")
]


def completion_root(ctx: typer.Context) -> Path | None:
    """The workspace of the command line being completed; none found, nothing to offer."""
    from lettres.workspace import find_root

    try:
        return find_root(ctx.find_root().params.get("workspace"))
    except LettresError:
        return None


def complete_template(ctx: typer.Context, incomplete: str) -> list[str]:
    from lettres.folders import TEMPLATES_DIR
    from lettres.source import template_names

    root = completion_root(ctx)
    names = template_names(root / TEMPLATES_DIR) if root else []
    return [name for name in names if name.startswith(incomplete)]


def complete_recipient(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Post keys, with the post's title, then group keys, with what the group is."""
    from lettres.workspace import load_directory

    root = completion_root(ctx)
    try:
        directory = load_directory(root) if root else None
    except LettresError:
        return []
    if directory is None:
        return []
    keys = [(key, position.institution or key) for key, position in directory.positions.items()]
    keys += [(key, group.description or "groupe") for key, group in directory.groups.items()]
    return [(key, help) for key, help in keys if key.startswith(incomplete)]


def complete_copy(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    no_copy = [("aucune", "aucune copie")] if "aucune".startswith(incomplete) else []
    return complete_recipient(ctx, incomplete) + no_copy


def complete_signatory(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from lettres.workspace import load_workspace

    root = completion_root(ctx)
    try:
        sender = load_workspace(root).sender if root else None
    except LettresError:
        return []
    if sender is None:
        return []
    return [
        (key, " ".join(filter(None, [person.first_name, person.name, person.quality])) or key)
        for key, person in sender.signatories.items()
        if key.startswith(incomplete)
    ]


def shown(path: Path | None) -> Path | None:
    """A path relative to the current folder when it is below it: shorter to read."""
    if path is None:
        return None
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop, in Python 3.11
        return path


@command("copies")
def copies(
    on: DateOption = None,
    format: Annotated[
        Literal["lines", "emails", "json"],
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="lines : comme dans un courrier ; emails : liste Cc d'un courriel ; json.",
        ),
    ] = "lines",
) -> None:
    """Les copies standard (groupe « standard »), résolues à une date."""
    from lettres import recipients as lookup

    directory = directory_here()
    day = on or date.today()
    lines = lookup.copy_lines(directory, ["standard"], day)
    marks = lookup.stale_marks(directory, lines, day)
    if format == "lines":
        echo(lookup.copies_listing(lines, marks))
    elif format == "emails":
        with_email, without = lookup.copy_emails(lines)
        for r in without:
            say(f"Sans adresse électronique : {escape(r.person)} ({r.key})", stderr=True)
        for key, mark in marks.items():
            say(f"[yellow]Attention[/] : « {key} » {escape(mark)}", stderr=True)
        if with_email:
            echo(", ".join(with_email))
    else:
        records = lookup.copy_records(directory, lines, day)
        echo(json.dumps(records, ensure_ascii=False, indent=2))


class RecipientsGroup(cli_fr.FrenchGroup):
    """`lettres recipients QUERY` searches; `set` and `verify` edit: a first word that is no
    subcommand is a query, so the short form keeps working."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] != "--help"):
            args = ["search", *args]
        return list(super().parse_args(ctx, args))


recipients_app = typer.Typer(
    cls=RecipientsGroup,
    help="L'annuaire : chercher (lettres recipients RECHERCHE), changer un titulaire (set), "
    "noter une vérification (verify).",
    epilog=cli_fr.examples_epilog("recipients"),
)
app.add_typer(recipients_app, name="recipients")


@command("search", on=recipients_app)
def recipients_command(
    query: Annotated[
        str,
        typer.Argument(
            metavar="RECHERCHE",
            help="Clé, poste, nom ou institution ; sans accents ni majuscules si vous voulez.",
            autocompletion=complete_recipient,
        ),
    ] = "",
    on: DateOption = None,
    format: TextOrJson = "texte",
) -> None:
    """Chercher dans l'annuaire : le titulaire à une date, la formule d'appel, l'adresse."""
    from lettres import recipients as lookup
    from lettres.errors import NoHolder

    directory = directory_here()
    day = on or date.today()
    matches = lookup.find(directory, query)
    if not matches:
        raise LettresError(f"aucun poste ne correspond à « {query} »")
    if format == "json":
        emit_json([recipient_record(directory, m.key, day) | {"correspondance": m.matched or None}
                   for m in matches])  # fmt: skip
        return
    for match in matches:
        key = match.key
        found_in = f" — trouvé dans « {escape(match.matched)} »" if match.matched else ""
        say(f"[bold]{escape(key)}[/]{found_in}")
        try:
            found = lookup.currency(directory, key, day)
        except NoHolder as error:
            say(f"  {escape(str(error))}")
            continue
        person = found.recipient
        say(f"  {escape(person.copy_text())}")
        if not found.current:
            say(f"  [yellow]À vérifier[/] : {escape(found.reason or '')}")
        say(f"  Formule d'appel : {escape(person.appellation)},")
        block = person.address_block()[1:] if person.position.address else ["(adresse inconnue)"]
        for line in block:
            say(f"  {escape(line)}")
        say(f"  Courriel : {escape(person.position.email or '(inconnu)')}")


@command("set", on=recipients_app)
def recipients_set(
    key: Annotated[str, typer.Argument(metavar="POSTE", help="La clé du poste (interieur…).")],
    holder: Annotated[
        str, typer.Option("--holder", help="Le nouveau titulaire : « Madame Prénom Nom ».")
    ],
    since: Annotated[
        date,
        typer.Option("--since", parser=parse_date, metavar="DATE", help="Sa prise de fonction."),
    ],
    verified: Annotated[
        date | None,
        typer.Option(
            "--verified",
            parser=parse_date,
            metavar="AAAA-MM-JJ",
            help="Le jour où l'on a vérifié qu'il ou elle est en poste.",
        ),
    ] = None,
) -> None:
    """Un nouveau titulaire d'un poste : son prédécesseur s'arrête à sa prise de fonction."""
    from lettres.directory_file import parse_person, set_holder

    added = set_holder(workspace_root(), key, parse_person(holder), since, verified, date.today())
    checked = f", vérifié le {added.verified.isoformat()}" if added.verified else ""
    say(f"« {key} » : {escape(added.full_name)} depuis le {added.since.isoformat()}{checked} "
        "(destinataires.yaml mis à jour)")  # fmt: skip


@command("verify", on=recipients_app)
def recipients_verify(
    key: Annotated[str, typer.Argument(metavar="POSTE", help="La clé du poste (interieur…).")],
    on: Annotated[
        date | None,
        typer.Option(
            "--date",
            parser=parse_date,
            metavar="AAAA-MM-JJ",
            help="Le jour de la vérification (par défaut : aujourd'hui).",
        ),
    ] = None,
) -> None:
    """Noter qu'on a vérifié le titulaire d'un poste à une date (verifie_le)."""
    from lettres.directory_file import verify

    day = on or date.today()
    holder = verify(workspace_root(), key, day, date.today())
    assert holder.verified is not None
    e = "e" if holder.civility == "Madame" else ""
    say(f"« {key} » : {escape(holder.full_name)} vérifié{e} en poste le "
        f"{holder.verified.isoformat()} (destinataires.yaml mis à jour)")  # fmt: skip


def recipient_record(directory: Directory, key: str, day: date) -> dict[str, Any]:
    from lettres import recipients as lookup
    from lettres.errors import NoHolder

    try:
        found = lookup.recipient(directory, key, day)
    except NoHolder as error:
        return {"cle": key, "erreur": str(error)}
    return {
        "cle": key, "titulaire": found.person if found.holder else None, "poste": found.title,
        "formule_appel": found.appellation,
        "adresse": found.address_block()[1 if found.holder else 0 :],
        "courriel": found.position.email,
    }  # fmt: skip


@command("check")
def check(format: TextOrJson = "texte") -> None:
    """Valider tout l'espace de travail : erreurs et avertissements, avec fichier et ligne.

    Les constats sont le résultat : ils vont sur la sortie standard (lettres check > rapport.txt).
    """
    from lettres.check import check_workspace

    started()  # check loads the workspace itself, then every letter
    report = check_workspace(workspace_root(), date.today())
    warnings = report.warnings if _state["verbosity"] >= 0 else []
    if format == "json":
        emit_json({"erreurs": [problem_record(p) for p in report.errors],
                   "avertissements": [problem_record(p) for p in warnings]})  # fmt: skip
        raise typer.Exit(1 if report.errors else 0)
    for level, problems in (("erreur", report.errors), ("avertissement", warnings)):
        for problem in problems:
            say(escape(located(problem, level)))
    summary = f"{len(report.errors)} erreur(s), {len(report.warnings)} avertissement(s)"
    if report.errors:
        say(f"[bold red]{summary}[/]")
        raise typer.Exit(1)
    say(f"[green]Espace de travail valide[/] : {summary}.")


def located(problem: Problem, level: str) -> str:
    return str(Problem(shown(problem.path), problem.line, f"{level} : {problem.message}"))


@command("init")
def init(
    folder: Annotated[Path, typer.Argument(metavar="DOSSIER", help="Le dossier à créer.")],
) -> None:
    """Créer un nouvel espace de travail à partir de l'exemple fourni ; n'écrase rien."""
    from lettres.initialise import create_workspace

    written = create_workspace(folder)
    say(f"Espace de travail créé dans {escape(str(folder))} ({len(written)} fichiers).")
    say(f"Essayez : cd {escape(str(folder))} && lettres copies")


def parse_variable(value: str) -> tuple[str, str]:
    name, sep, text = value.partition("=")
    if not sep or not name.strip():
        raise cli_fr.BadValue(f"« {value} » : écrivez --var NOM=VALEUR")
    return name.strip(), text.rstrip()  # a trailing space would force YAML to escape the text


DRAFT_HELP = {
    "source": "Un courrier existant (lettre.md) à refaire ; sans lui, un nouveau.",
    "template": "Le modèle (voir « lettres templates »).",
    "to": "Un poste ou un groupe ; répétable : un courrier par destinataire.",
    "subject": "L'objet du courrier.",
    "place": "Le lieu de la ligne de date.",
    "signatory": "La clé du signataire ; répétable pour un courrier cosigné (« nous ») ; "
    "membres:CLE,CLE pour les présidents d'associations membres.",
    "cc": "Copies : un poste, un groupe, ou « aucune » ; répétable. Par défaut : standard.",
    "enclosure": "Une pièce jointe (P. J.) ; répétable.",
    "ref": "La ligne « Réf. : ».",
    "var": "Une variable du modèle, NOM=VALEUR ; répétable.",
    "body": "Le texte du courrier, écrit ailleurs (un fichier Markdown, ou - pour l'entrée "
    "standard) : il devient le corps de lettre.md, à la place de celui du modèle.",
    "out": "Le dossier du courrier (sinon courriers/DATE-DESTINATAIRE-OBJET).",
    "format": "Les fichiers à produire, séparés par des virgules : docx, pdf.",
    "engine": "typst (rapide, sans dépendance) ou libreoffice (le PDF reproduit le DOCX).",
    "pdfa": "Un PDF/A-2b, pour l'archivage.",
    "open": "Ouvrir le PDF (ou le DOCX, s'il est seul demandé) avec l'application du système.",
    "force": "Refaire même un courrier déjà envoyé, ou écrire dans un dossier --out occupé "
    "(jamais par-dessus une source lettre.md).",
    "email": "Préparer aussi le courriel (lettre.eml, PDF joint) ; il faut le PDF.",
    "from_docx": "Faire le PDF depuis le DOCX modifié de ce dossier (LibreOffice) : "
    "le DOCX devient le texte du courrier.",
    "lang": "La langue du courrier : fr (par défaut, ou celle du modèle) ou en (anglais : "
    "libellés, date, formules, typographie, courriel).",
    "relance": "Relancer ce courrier (son dossier) : un nouveau courrier au titulaire actuel du "
    "poste, mêmes copies, objet « Relance : … », le courrier relancé joint (modèle : relance).",
}
ACCEPT_HELP = (
    "Accepter, pour ce courrier seulement, des titulaires que l'annuaire ne peut garantir à "
    "sa date (noté dans sa source : titulaires_acceptes)."
)
AcceptUnverified = Annotated[bool, typer.Option("--accept-unverified", help=ACCEPT_HELP)]
Texts = list[str] | None


@command("draft")
def draft(
    source: Annotated[
        Path | None, typer.Argument(metavar="FICHIER", help=DRAFT_HELP["source"])
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            "-t",
            metavar="MODÈLE",
            help=DRAFT_HELP["template"],
            autocompletion=complete_template,
        ),
    ] = None,
    to: Annotated[
        Texts,
        typer.Option(metavar="CLÉ", help=DRAFT_HELP["to"], autocompletion=complete_recipient),
    ] = None,
    subject: Annotated[str | None, typer.Option(help=DRAFT_HELP["subject"])] = None,
    on: DateOption = None,
    place: Annotated[str | None, typer.Option(help=DRAFT_HELP["place"])] = None,
    signatory: Annotated[
        Texts,
        typer.Option(
            metavar="CLÉ", help=DRAFT_HELP["signatory"], autocompletion=complete_signatory
        ),
    ] = None,
    cc: Annotated[
        Texts, typer.Option(metavar="CLÉ", help=DRAFT_HELP["cc"], autocompletion=complete_copy)
    ] = None,
    enclosure: Annotated[Texts, typer.Option(help=DRAFT_HELP["enclosure"])] = None,
    ref: Annotated[str | None, typer.Option(help=DRAFT_HELP["ref"])] = None,
    var: Annotated[Texts, typer.Option(metavar="NOM=VALEUR", help=DRAFT_HELP["var"])] = None,
    body: Annotated[
        str | None, typer.Option("--body", metavar="FICHIER", help=DRAFT_HELP["body"])
    ] = None,
    out: Annotated[Path | None, typer.Option(metavar="DOSSIER", help=DRAFT_HELP["out"])] = None,
    formats: Annotated[
        str, typer.Option("--format", metavar="FORMATS", help=DRAFT_HELP["format"])
    ] = "docx,pdf",
    engine: Annotated[
        str, typer.Option("--pdf-engine", metavar="MOTEUR", help=DRAFT_HELP["engine"])
    ] = "typst",
    pdfa: Annotated[bool, typer.Option("--pdfa", help=DRAFT_HELP["pdfa"])] = False,
    open_pdf: Annotated[bool, typer.Option("--open", help=DRAFT_HELP["open"])] = False,
    force: Annotated[bool, typer.Option("--force", help=DRAFT_HELP["force"])] = False,
    with_email: Annotated[bool, typer.Option("--email", help=DRAFT_HELP["email"])] = False,
    from_docx: Annotated[
        Path | None,
        typer.Option("--from-docx", metavar="DOSSIER", help=DRAFT_HELP["from_docx"]),
    ] = None,
    follow_up: Annotated[
        Path | None,
        typer.Option("--relance", metavar="COURRIER_DIR", help=DRAFT_HELP["relance"]),
    ] = None,
    lang: Annotated[
        Literal["fr", "en"] | None, typer.Option("--lang", help=DRAFT_HELP["lang"])
    ] = None,
    as_json: AsJson = False,
    accept_unverified: AcceptUnverified = False,
) -> None:
    """Rédiger un courrier : DOCX (à relire, à cosigner) et PDF (à envoyer)."""
    from lettres import drafting
    from lettres.drafting import once
    from lettres.outputs import parse_outputs

    job: drafting.Job
    if source is not None and body is not None:
        raise LettresError("--body donne le texte d'un nouveau courrier : pour refaire "
                           f"{source}, modifiez-le directement")  # fmt: skip
    if from_docx is not None:
        if source is not None or template is not None:
            raise LettresError("--from-docx DOSSIER se suffit : retirez la source ou --template")
        job = drafting.FromDocx(from_docx, force)
    elif source is not None:
        job = drafting.Rebuild(source, out, force, accept_unverified)
    elif follow_up is not None:
        job = drafting.FollowUp(follow_up, drafting.NewLetters(
            template=template or "relance", to=[], on=on or date.today(), subject=subject,
            place=place, signatories=signatory or [], cc=cc, enclosures=enclosure or [], ref=ref,
            variables=dict(parse_variable(v) for v in var or []), out=out, language=lang,
            body=read_body(body) if body is not None else None,
            accept_unverified=accept_unverified,
        ))  # fmt: skip
    elif template is None:
        raise LettresError(
            "indiquez un courrier à refaire (lettres draft courriers/…/lettre.md) ou un "
            "modèle pour un nouveau (--template NOM --to CLE)"
        )
    else:
        job = drafting.NewLetters(
            template=template, to=to or [], on=on or date.today(), subject=subject,
            place=place, signatories=signatory or [], cc=cc, enclosures=enclosure or [], ref=ref,
            variables=dict(parse_variable(v) for v in var or []), out=out, language=lang,
            body=read_body(body) if body is not None else None,
            accept_unverified=accept_unverified, force=force,
        )  # fmt: skip
    outputs = parse_outputs(formats, engine, pdfa)
    ws = workspace()
    # A batch is written whole or not at all: Ctrl-C stops it before writing, never midway.
    with stopping_between_letters("arrêt avant l'écriture (un lot qui s'écrit déjà est achevé)"):
        try:
            drafted = drafting.draft(ws, job, outputs, with_email=with_email, progress=progress_bar)
        except Stopped:
            say("Interrompu avant l'écriture : aucun fichier écrit, aucune référence prise. "
                "Pour reprendre : relancez la même commande.", stderr=True)  # fmt: skip
            raise typer.Exit(130) from None
    if open_pdf:
        open_made(drafted.written + drafted.unchanged)
    for path in drafted.written:
        note(f"Écrit : {shown(path)}")
    if as_json:
        emit_json({
            "courriers": [str(shown(planned.folder)) for planned in drafted.planned],
            "fichiers": [str(shown(path)) for path in drafted.written],
            "inchanges": [str(shown(path)) for path in drafted.unchanged],
            "avertissements": [problem_record(w) for w in once(drafted.warnings)],
            "refus": [problem_record(problem) for problem in drafted.refused],
        })  # fmt: skip
    else:
        warn(drafted.warnings)
        # Plain text: rich would add 50 ms to every letter drafted.
        unchanged = f", {len(drafted.unchanged)} déjà à jour" if drafted.unchanged else ""
        typer.echo(
            f"{len(drafted.planned)} courrier(s), {len(drafted.written)} fichier(s) écrit(s)"
            f"{unchanged} :"
        )
        typer.echo("\n".join(f"  {shown(path)}" for path in drafted.written))
    refusal = drafted.refusal()
    if refusal:
        raise LettresError(refusal)


def read_body(name: str) -> str:
    """A file's text, or standard input's for `-`; a letter's body ends with a newline."""
    import sys

    from lettres.yamlfile import read_text

    if name == "-":
        note("Lecture : entrée standard")
        text = sys.stdin.read()
    else:
        note(f"Lecture : {name}")
        text = read_text(Path(name))
    if not text.strip():
        raise LettresError(f"--body {name} : le texte du courrier est vide")
    return text if text.endswith("\n") else text + "\n"


def open_made(written: list[Path]) -> None:
    """The PDFs, or the DOCX when only they were asked; the files are written: never fail."""
    made = [p for p in written if p.suffix == ".pdf"] or [p for p in written if p.suffix == ".docx"]
    if not made:
        warn(["--open : ni PDF ni DOCX n'a été écrit, rien à ouvrir"])
    for path in made:
        if typer.launch(str(path)) == 0:
            say(f"Ouvert : {escape(str(shown(path)))}", stderr=True)
        else:
            warn([f"impossible d'ouvrir {shown(path)} (aucune visionneuse trouvée) : "
                  "ouvrez le fichier vous-même"])  # fmt: skip


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[Any], None]]:
    """A bar on stderr for a batch on a terminal (none when piped); a single letter needs none.

    After each letter, a Ctrl-C asked during it stops the batch (see `Batch`).
    """
    if total < 2 or not console(stderr=True).is_terminal:
        yield lambda item: _batch.after(item.folder)
        return
    from rich.progress import Progress as Bar

    with Bar(console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("Courriers", total=total)

        def advance(item: Any) -> None:
            bar.advance(task)
            _batch.after(item.folder)

        yield advance


class Stopped(Exception):
    """Ctrl-C in a batch, raised between two letters: what was done is whole (a draft:
    nothing written yet)."""


class Batch:
    """The first Ctrl-C lets the letter in progress finish, then stops; a second stops at once."""

    def __init__(self, notice: str = "arrêt après le courrier en cours") -> None:
        self.asked = False
        self.done: list[Path] = []
        self.notice = notice

    def after(self, folder: Path) -> None:
        self.done.append(folder)
        if self.asked:
            raise Stopped

    def ask_to_stop(self, signum: int, frame: Any) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True
        say(f"Ctrl-C : {self.notice} (encore Ctrl-C pour tout arrêter)…", stderr=True)


_batch = Batch()


@contextmanager
def stopping_between_letters(notice: str | None = None) -> Iterator[Batch]:
    import signal
    import threading

    global _batch
    _batch = Batch() if notice is None else Batch(notice)
    if threading.current_thread() is not threading.main_thread():
        yield _batch  # signals reach only the main thread: Ctrl-C stays immediate
        return
    previous = signal.signal(signal.SIGINT, _batch.ask_to_stop)
    try:
        yield _batch
    finally:
        signal.signal(signal.SIGINT, previous)


def say_stopped(done: list[Path], total: int, resume: str) -> None:
    folders = "".join(f"\n  {escape(str(shown(folder)))}" for folder in done)
    say(f"Interrompu : {len(done)} courrier(s) sur {total} traité(s) en entier :{folders}\n"
        f"{escape(resume)}", stderr=True)  # fmt: skip
    raise typer.Exit(130)


@command("templates")
def templates(format: TextOrJson = "texte") -> None:
    """Les modèles de courrier : à quoi ils servent, les variables qu'ils attendent."""
    from lettres.source import describe_templates

    described = describe_templates(workspace().templates_dir)
    if format == "json":
        emit_json([{"nom": name, "description": front.description,
                    "variables": dict(front.variables)} for name, front in described])  # fmt: skip
        return
    for name, front in described:
        say(f"[bold]{escape(name)}[/] — {escape(front.description)}")
        for variable, description in front.variables.items():
            say(f"    {escape(variable)} : {escape(description)}")


REGISTER_HELP = {
    "year": "Seulement les courriers de cette année.",
    "to": "Seulement les courriers à ce poste ou à ce groupe ; répétable.",
    "status": "Seulement les brouillons, les courriers envoyés (répondus compris) ou répondus.",
    "due": "Seulement les courriers à relancer : relance échue, pas de réponse enregistrée.",
    "date": "Le jour où l'on regarde les relances (par défaut : aujourd'hui).",
    "format": "table ; csv (pour Excel : UTF-8 avec BOM, « ; ») ; csv-utf8 (pour les "
    "programmes : « , ») ; xlsx (avec --out) ; json ; markdown ; html (la section "
    "« Courriers » du site) ; ou ics (les relances, en événements d'agenda pour Outlook).",
    "out": "html : écrire la page web dans ce dossier (index.html, courriers.html, les PDF) ; "
    "les autres formats : écrire ce fichier (registre.xlsx, registre.csv…).",
    "force": "Écrire dans un dossier --out qui n'est pas vide, ou remplacer le fichier --out.",
    "include_drafts": "Mettre aussi les brouillons dans la page web (aperçu, jamais à publier).",
}
RegisterFormat = Literal["table", "csv", "csv-utf8", "xlsx", "json", "markdown", "html", "ics"]


@command("register")
def register(
    year: Annotated[
        int | None, typer.Option("--year", metavar="AAAA", help=REGISTER_HELP["year"])
    ] = None,
    to: Annotated[
        Texts,
        typer.Option(
            "--to", metavar="CLÉ", help=REGISTER_HELP["to"], autocompletion=complete_recipient
        ),
    ] = None,
    status: Annotated[
        Literal["brouillon", "envoye", "repondu"] | None,
        typer.Option("--status", metavar="ÉTAT", help=REGISTER_HELP["status"]),
    ] = None,
    due: Annotated[bool, typer.Option("--due", help=REGISTER_HELP["due"])] = False,
    on: Annotated[
        date | None,
        typer.Option("--date", parser=parse_date, metavar="DATE", help=REGISTER_HELP["date"]),
    ] = None,
    format: Annotated[
        RegisterFormat | None,
        typer.Option("--format", "-f", metavar="FORMAT", help=REGISTER_HELP["format"]),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="DOSSIER", help=REGISTER_HELP["out"])
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=REGISTER_HELP["force"])] = False,
    include_drafts: Annotated[
        bool, typer.Option("--include-drafts", help=REGISTER_HELP["include_drafts"])
    ] = False,
) -> None:
    """Le registre des courriers : date, référence, destinataire, objet, envoi, relance.

    Il ne fait que lire. Un dossier illisible est signalé, les autres sont listés quand même.
    """
    from lettres import register as reg
    from lettres import register_formats as formats

    ws = workspace()
    today = on or date.today()
    letters = reg.list_letters(ws, today)
    entries = reg.select(
        letters.entries, ws.directory, today=today, year=year, to=to or [], status=status, due=due
    )
    chosen = format or (formats.format_of(out) if out else "table")
    if out is not None and chosen == "table":
        raise LettresError("--out écrit un fichier : choisissez --format xlsx, csv ou html")
    if out is None and chosen == "xlsx":
        raise LettresError("--format xlsx écrit un classeur : ajoutez --out registre.xlsx")
    if chosen == "html" and not include_drafts:
        kept = reg.published(entries)
        if len(kept) < len(entries):
            say(f"{len(entries) - len(kept)} brouillon(s) laissé(s) hors de la page web "
                "(--include-drafts pour un aperçu)", stderr=True)  # fmt: skip
        entries = kept
    if chosen == "html":
        warn_missing_pdfs(entries)
    if out is not None and chosen == "html":
        title = f"Courriers du {ws.sender.coalition.name}"
        written = formats.write_site(entries, out, title, force)
        say(f"{len(entries)} courrier(s) ; {len(written)} fichier(s) écrit(s) dans "
            f"{escape(str(shown(out)))}")  # fmt: skip
    elif out is not None:
        formats.write_export(out, chosen, entries, today, force)
        say(f"{len(entries)} courrier(s) écrit(s) dans {escape(str(shown(out)))}")
    elif chosen == "table":
        show_register(entries, today)
    elif chosen in ("csv", "ics"):  # bytes: a BOM, CRLF, UTF-8 whatever the console's encoding
        echo(formats.file_bytes(chosen, entries, today), nl=False)
    else:
        echo(formats.render(chosen, entries, today), nl=False)
    report_problems(letters.problems)


def warn_missing_pdfs(entries: list[Any]) -> None:
    missing = [entry.folder for entry in entries if entry.pdf is None]
    warn([Problem(folder, None, "pas de PDF dans ce dossier : la page web n'y mène pas "
                  "(lettres draft … --format pdf)") for folder in missing])  # fmt: skip


def show_register(entries: list[Any], today: date) -> None:
    """A table drawn by rich on a terminal; aligned plain text in a file or a pipe."""
    from lettres.register_formats import HEADERS, plain_table, rows

    if not entries:
        say("Aucun courrier.")
        return
    if not sys.stdout.isatty():
        echo(plain_table(entries, today), nl=False)
        return
    from rich.table import Table

    table = Table()
    for index, header in enumerate(HEADERS):
        table.add_column(header, no_wrap=index < 2)  # the date and the reference stay whole
    for row in rows(entries, today):
        table.add_row(*(escape(cell) for cell in row))
    console().print(table)


def report_problems(problems: list[Problem]) -> None:
    """Listed after the register, so they are the last thing read; exit 1 if there are any."""
    for problem in problems:
        say(escape(located(problem, "erreur")), stderr=True)
    if problems:
        say(f"[bold red]{len(problems)} dossier(s) ou fichier(s) illisible(s)[/]", stderr=True)
        raise typer.Exit(1)


@command("answer")
def answer(
    folder: Annotated[
        Path, typer.Argument(metavar="DOSSIER", help="Le dossier du courrier (courriers/…).")
    ],
    on: Annotated[
        date,
        typer.Option("--date", parser=parse_date, metavar="DATE", help="La date de la réponse."),
    ],
    file: Annotated[
        Path | None,
        typer.Option("--file", metavar="FICHIER", help="Le document de la réponse, copié à côté."),
    ] = None,
) -> None:
    """Enregistrer la réponse reçue à un courrier : il n'est plus à relancer."""
    from lettres.answers import answers_path, record_answer

    recorded = record_answer(folder, on, file)
    say(f"Réponse du {on.isoformat()} enregistrée dans {escape(str(shown(answers_path(folder))))}")
    if recorded.file:
        say(f"Document copié : {escape(str(shown(folder / recorded.file)))}")


LetterFolders = Annotated[
    list[Path],
    typer.Argument(
        metavar="DOSSIER",
        help="Les dossiers des courriers (courriers/…), ou leurs lettre.md.",
        show_default=False,
    ),
]
WithDocx = Annotated[bool, typer.Option("--with-docx", help="Joindre aussi le DOCX.")]
Attach = Annotated[
    list[Path] | None,
    typer.Option(
        "--attach", metavar="FICHIER", help="Un fichier à joindre en plus du PDF ; répétable."
    ),
]


def warn(warnings: Any, seen: set[Problem] | None = None) -> None:
    """Each warning once, as `fichier:ligne: avertissement : message`; -q keeps none."""
    if _state["verbosity"] < 0:
        return  # -q: only errors
    seen = set() if seen is None else seen
    for warning in warnings:
        problem = warning if isinstance(warning, Problem) else Problem(None, None, warning)
        if problem not in seen:
            seen.add(problem)
            say(f"[yellow]{escape(located(problem, 'avertissement'))}[/]", stderr=True)


@command("email")
def email(
    folders: LetterFolders,
    with_docx: WithDocx = False,
    attach: Attach = None,
    open_email: Annotated[
        bool,
        typer.Option("--open", help="Ouvrir chaque lettre.eml dans la messagerie du système."),
    ] = False,
    as_json: AsJson = False,
    accept_unverified: AcceptUnverified = False,
) -> None:
    """Préparer le courriel de courriers déjà rédigés : lettre.eml, à ouvrir et envoyer.

    À : le destinataire ; Cc : les copies du courrier ; le PDF joint.
    """
    from lettres.drafting import once
    from lettres.mail import write_drafts

    ws = workspace()
    with progress_bar(len(folders)) as advance:
        built = write_drafts(
            ws, folders, with_docx=with_docx, attachments=attach or [], progress=advance,
            accept_unverified=accept_unverified,
        )  # fmt: skip
    warnings = once([warning for item in built for warning in item.warnings])
    written = [item.path for item in built]
    for path in written:
        note(f"Écrit : {shown(path)}")
    if as_json:
        emit_json({"courriels": [str(shown(path)) for path in written],
                   "avertissements": [problem_record(w) for w in warnings]})  # fmt: skip
        return
    warn(warnings)
    paths = "\n".join(f"  {escape(str(shown(path)))}" for path in written)
    say(f"{len(written)} courriel(s) préparé(s), à ouvrir dans votre messagerie :\n{paths}")
    if open_email:
        for path in written:
            if typer.launch(str(path)) != 0:
                raise LettresError(
                    f"aucune messagerie n'a pu ouvrir {path} : ouvrez-le vous-même (double-clic)"
                )


SEND_HELP = {
    "dry_run": "Sans --no-dry-run, rien ne part : lettres montre ce qui partirait, et à qui.",
    "resend": "Renvoyer aussi les courriers déjà envoyés ou incertains (d'après leur journal "
    "envois.jsonl).",
    "rate": "Au plus N messages par minute (pour les gros envois).",
}


@command("send")
def send(
    folders: LetterFolders,
    dry_run: Annotated[
        bool, typer.Option("--dry-run/--no-dry-run", help=SEND_HELP["dry_run"])
    ] = True,
    resend: Annotated[bool, typer.Option("--resend", help=SEND_HELP["resend"])] = False,
    rate: Annotated[
        float | None, typer.Option("--rate", metavar="N", help=SEND_HELP["rate"])
    ] = None,
    with_docx: WithDocx = False,
    attach: Attach = None,
    as_json: AsJson = False,
    accept_unverified: AcceptUnverified = False,
) -> None:
    """Envoyer les courriers par courriel (SMTP), chacun une seule fois ; simulation par défaut.

    Le serveur : section « envoi » de modeles/collectif.yaml.

    Le mot de passe : variable LETTRES_SMTP_PASSWORD, sinon il est demandé ; jamais enregistré.

    Interrompu, l'envoi reprend où il s'est arrêté quand on relance la même commande.

    Sans réponse du serveur, un courriel est « incertain » et ne repart pas seul.

    Arrivé : « lettres sent DOSSIER » ; pas arrivé : « lettres send --resend DOSSIER ».
    """
    from lettres.sending import SendOptions, send_letters

    ws = workspace()
    options = SendOptions(dry_run, resend, rate, with_docx, tuple(attach or ()), accept_unverified)
    printer: Callable[[Any], None] = (lambda _: None) if as_json else outcome_printer()

    def report(outcome: Any) -> None:
        printer(outcome)
        _batch.after(outcome.folder)

    with stopping_between_letters() as batch:
        try:
            outcomes = send_letters(
                ws, folders, options, password=lambda: smtp_password(ws), progress=report
            )
        except Stopped:
            say_stopped(batch.done, len(folders), "Pour reprendre : relancez la même commande ; "
                        "ce qui est parti ne repartira pas.")  # fmt: skip
    counts = {status: sum(1 for o in outcomes if o.status == status)
              for status in ("sent", "already-sent", "uncertain", "refused")}  # fmt: skip
    if as_json:
        emit_json({"simulation": dry_run, "courriers": [outcome_record(o) for o in outcomes]})
        raise typer.Exit(1 if counts["uncertain"] or counts["refused"] else 0)
    if dry_run:
        if ws.sender.sending is None:
            say("Aucun serveur d'envoi configuré : ajoutez la section « envoi: » de "
                "modeles/collectif.yaml avant --no-dry-run.", stderr=True)  # fmt: skip
        say("Simulation : rien n'a été envoyé ; ajoutez --no-dry-run pour envoyer.")
    else:
        say(f"{counts['sent']} courriel(s) envoyé(s), {counts['already-sent']} déjà envoyé(s) "
            "auparavant.")  # fmt: skip
    if counts["uncertain"] or counts["refused"]:
        say(f"[bold red]{counts['uncertain']} incertain(s), {counts['refused']} refusé(s)[/] : "
            "voir ci-dessus.", stderr=True)  # fmt: skip
        raise typer.Exit(1)


@command("sent")
def sent(
    folders: LetterFolders,
    on: Annotated[
        date | None,
        typer.Option(
            "--date",
            parser=parse_date,
            metavar="DATE",
            help="Le jour de l'envoi (par défaut : aujourd'hui, ou celui du courriel incertain).",
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option(
            "--note",
            metavar="TEXTE",
            help="Comment il est parti (Outlook, la poste, en main propre…).",
        ),
    ] = None,
) -> None:
    """Noter un envoi fait sans lettres (Outlook, la poste, en main propre) dans envois.jsonl.

    Le courrier est alors « envoyé » : relance comptée de ce jour, figé, sur la page web.

    Confirme aussi un envoi « incertain » qui est bien arrivé.
    """
    from lettres.by_hand import record_sent
    from lettres.journal import journal_path

    for folder in folders:
        done = record_sent(folder, date.today(), on, note)
        where = escape(str(shown(journal_path(done.folder))))
        what = "envoi incertain confirmé" if done.settled else "envoi noté"
        say(f"[green]{what.capitalize()}[/] : le {done.line.day.isoformat()}, dans {where}")
        if done.earlier and not done.settled:
            say(f"  (déjà envoyé le {done.earlier.isoformat()} : la relance compte de ce jour-là)")


SEND_STATUS_JSON = {"simulation": "simulation", "sent": "envoye", "already-sent": "deja-envoye",
                    "uncertain": "incertain", "refused": "refuse"}  # fmt: skip


def outcome_record(outcome: Any) -> dict[str, Any]:
    return {
        "dossier": str(shown(outcome.folder)),
        "statut": SEND_STATUS_JSON.get(outcome.status, outcome.status),
        "a": list(outcome.to), "cc": list(outcome.cc), "objet": outcome.subject,
        "pieces_jointes": list(outcome.attachments), "message_id": outcome.message_id,
        "envoye_le": outcome.sent_at.isoformat() if outcome.sent_at else None,
        "avertissements": [problem_record(w) for w in outcome.warnings],
    }  # fmt: skip


def smtp_password(ws: Workspace) -> str:
    """Asked only when a login is really needed, after every letter has passed its checks."""
    from lettres.smtp import PASSWORD_VARIABLE

    settings = ws.sender.sending
    if settings is not None and settings.security == "oauth2-microsoft":
        from lettres import microsoft  # the token stands for the password

        return microsoft.acquire_token(settings, lambda text: say(escape(text), stderr=True))
    server = f"{settings.user} sur {settings.host}" if settings else "le serveur"
    return os.environ.get(PASSWORD_VARIABLE) or str(
        typer.prompt(f"Mot de passe de {server}", hide_input=True)
    )


def outcome_printer() -> Callable[[Any], None]:
    seen: set[Problem] = set()

    def show(outcome: Any) -> None:
        folder = escape(str(shown(outcome.folder)))
        to = escape(", ".join(outcome.to) or "(personne)")
        if outcome.status == "already-sent":
            when = outcome.sent_at.strftime("%d/%m/%Y à %H:%M") if outcome.sent_at else "?"
            say(f"Déjà envoyé le {when} : {folder} (à {to}) ; --resend pour le renvoyer.")
            return
        if outcome.status == "uncertain":
            say(f"[bold red]Incertain[/] : {escape(outcome.problem or '')}", stderr=True)
            return
        if outcome.status == "refused":
            say(f"[bold red]Refusé[/] : {escape(outcome.problem or '')}", stderr=True)
            return
        cc = escape(", ".join(outcome.cc) or "aucune")
        files = escape(", ".join(outcome.attachments))
        head = "[green]Envoyé[/] : " if outcome.status == "sent" else ""
        say(f"{head}[bold]{folder}[/]\n  À : {to} ; Cc : {cc} ; Objet : "
            f"{escape(outcome.subject)} ; pièces jointes : {files}")  # fmt: skip
        warn(outcome.warnings, seen)

    return show


def sturdy_streams() -> None:
    """Output that cannot be encoded must never crash a command.

    Redirected to a file or a pipe, Windows' Python writes in the ANSI code page (cp1252),
    which has no « Ł »: such output is written in UTF-8 instead, as Python's own UTF-8 mode
    does. A console keeps its encoding; a character it cannot show becomes « ? » (its code point
    in a message on stderr, which says which character it was).
    """
    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        if not isinstance(stream, io.TextIOWrapper):
            continue
        if stream.isatty():
            stream.reconfigure(errors=errors)
        else:
            stream.reconfigure(encoding="utf-8", errors=errors)


def main() -> None:
    # lettres uses no pydantic plugin; looking for them costs 10 ms of every start-up.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sturdy_streams()
    app()
