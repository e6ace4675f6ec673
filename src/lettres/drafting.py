"""`lettres draft`: new letters from a template, or a letter rebuilt from its source.

`draft` is the whole pipeline: plan (compose every letter in memory), render, write,
then what comes after the batch (LibreOffice's PDFs, the e-mails). Every letter of a
batch is composed before the first file is written, so a bad recipient or template
stops the whole batch with nothing written.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from lettres import recipients, references
from lettres.compose import compose, final, require_current
from lettres.errors import LettresError, NotCurrent, OutputExists, Problem
from lettres.files import write_atomic, write_text_atomic
from lettres.folders import SOURCE_NAME, output_name, slug
from lettres.journal import is_sent, journal_path
from lettres.letter import Letter
from lettres.models import nearest, validate
from lettres.outputs import Outputs, Render, finish, make_renderer
from lettres.source import (
    ACCEPTED_KEY,
    Document,
    LetterFront,
    TemplateFront,
    find_template,
    letter_text,
    load_letter,
    load_template,
    record_accepted,
    split_document,
)
from lettres.typography import lint
from lettres.workspace import Workspace


@dataclass(frozen=True)
class NewLetters:
    """What the user asked for on the command line, before any lookup."""

    template: str
    to: Sequence[str]
    on: date
    subject: str | None = None
    place: str | None = None
    signatory: str | None = None
    cc: Sequence[str] | None = None
    enclosures: Sequence[str] = ()
    ref: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    out: Path | None = None
    accept_unverified: bool = False


@dataclass(frozen=True)
class Rebuild:
    """A letter that exists, to be drafted again from its source."""

    source: Path
    out: Path | None = None
    force: bool = False
    accept_unverified: bool = False


Job = NewLetters | Rebuild


@dataclass(frozen=True)
class Planned:
    """One letter composed and ready to write; `source_text` is None when it already exists."""

    folder: Path
    letter: Letter
    source_text: str | None
    warnings: tuple[str, ...] = ()
    numbering: references.Numbering | None = None  # a new letter gets its reference when written
    accepted: dict[str, str] = field(default_factory=dict)  # to record in an existing source

    @property
    def source(self) -> Path:
        return self.folder / SOURCE_NAME


def recipient_keys(workspace: Workspace, keys: Sequence[str]) -> list[str]:
    """--to keys, groups expanded, each position once; unknown keys fail before any work."""
    return [k for line in recipients.expand(workspace.directory, list(keys)) for k in line]


def plan_new(workspace: Workspace, request: NewLetters) -> list[Planned]:
    """Compose every letter the request asks for; write nothing."""
    check_typed_text(request)
    template_path = find_template(workspace.templates_dir, request.template)
    template, document = load_template(template_path)
    keys = recipient_keys(workspace, request.to)
    if not keys:
        raise LettresError("aucun destinataire : indiquez --to CLE (un poste ou un groupe)")
    if request.out is not None and len(keys) > 1:
        raise LettresError("--out ne vaut que pour un seul destinataire")
    planned = []
    refused: list[Problem] = []
    for key in keys:
        values, missing = front_values(workspace, template, request, key)
        folder = request.out or workspace.letters_dir / (
            f"{request.on.isoformat()}-{key}-{slug(values['objet'])}"
        )
        if folder.exists():
            raise OutputExists(
                f"le dossier {folder} existe déjà : pour refaire ce courrier, lancez "
                f"« lettres draft {folder / SOURCE_NAME} » ; sinon changez l'objet ou --out"
            )
        source = folder / SOURCE_NAME
        try:
            text, parsed, front = accepted_source(workspace, values, document.body, source, request)
        except NotCurrent as error:
            refused += [p for p in error.problems if p not in refused]
            continue
        warnings: tuple[str, ...] = (
            (f"variables à compléter dans {source} : " + ", ".join(missing),) if missing else ()
        )
        numbering = references.Numbering(
            workspace.root, workspace.sender.coalition.reference_prefix, request.on.year
        )
        letter = compose(workspace, front, parsed)
        warnings += style_warnings(parsed)
        planned.append(Planned(folder, letter, text, warnings, numbering))
    if refused:
        raise NotCurrent(
            refused,
            "titulaires que l'annuaire ne peut garantir à la date du "
            f"{request.on.isoformat()} ; aucun courrier n'a été écrit :",
        )
    return planned


def check_typed_text(request: NewLetters) -> None:
    """Bytes that are not UTF-8 on the command line (a terminal set to Latin-1) arrive as
    lone surrogates; said here, where the option is known, not later as a broken YAML file."""
    typed = [
        ("l'objet donné", "--subject", request.subject),
        ("le lieu donné", "--place", request.place),
        ("le signataire donné", "--signatory", request.signatory),
        ("la référence donnée", "--ref", request.ref),
        *(("le destinataire donné", "--to", key) for key in request.to),
        *(("la copie donnée", "--cc", key) for key in request.cc or ()),
        *(("la pièce jointe donnée", "--enclosure", text) for text in request.enclosures),
        *(("la variable donnée", "--var", f"{k}={v}") for k, v in request.variables.items()),
    ]
    for what, option, text in typed:
        if text is not None and not is_valid_text(text):
            shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise LettresError(
                f"{what} sur la ligne de commande ({option} « {shown} ») n'est pas du "
                "texte valide : un octet n'y est pas de l'UTF-8 (le terminal est peut-être "
                "réglé dans un autre encodage) ; retapez-le, ou écrivez-le dans lettre.md une "
                "fois le courrier créé"
            )


def is_valid_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def accepted_source(
    workspace: Workspace, values: dict[str, Any], body: str, source: Path, request: NewLetters
) -> tuple[str, Document, LetterFront]:
    """A new letter's source text, checked for currency; acceptances go into its front matter."""
    text = letter_text(values, body)
    parsed = split_document(source, text)
    front = validate(LetterFront, parsed.front, source)
    accepted = require_current(workspace, front, None, request.accept_unverified)
    if not accepted:
        return text, parsed, front
    text = letter_text({**values, ACCEPTED_KEY: accepted}, body)
    parsed = split_document(source, text)
    return text, parsed, validate(LetterFront, parsed.front, source)


def front_values(
    workspace: Workspace, template: TemplateFront, request: NewLetters, key: str
) -> tuple[dict[str, Any], list[str]]:
    """Every choice of a new letter, written into its front matter so it can be rebuilt."""
    subject = request.subject or template.subject
    if not subject:
        raise LettresError("objet manquant : indiquez --subject « … »")
    signatory = request.signatory or template.signatory
    if not signatory:
        raise LettresError(
            "signataire manquant : indiquez --signatory CLE (signataires : "
            + ", ".join(workspace.sender.signatories)
            + ")"
        )
    unknown = sorted(set(request.variables) - set(template.variables))
    if unknown:
        raise LettresError(
            f"le modèle « {request.template} » n'attend pas la variable « {unknown[0]} »"
            f"{nearest(unknown[0], template.variables)} ; il attend : "
            + (", ".join(template.variables) or "aucune variable")
        )
    missing = [name for name in template.variables if name not in request.variables]
    variables = {
        name: request.variables.get(name, f"[à compléter : {description}]")
        for name, description in template.variables.items()
    }
    values: dict[str, Any] = {
        "modele": request.template,
        "destinataire": key,
        "objet": subject,
        "date": request.on,
        "lieu": request.place or workspace.sender.coalition.place,
        "signataire": signatory,
        "copies": list(request.cc if request.cc is not None else template.cc or ["standard"]),
        "pj": list(request.enclosures or template.enclosures),
    }
    if request.ref:
        values["ref"] = request.ref
    if variables:
        values["variables"] = variables
    return values, missing


def plan_existing(
    workspace: Workspace,
    source: Path,
    out: Path | None = None,
    force: bool = False,
    accept_unverified: bool = False,
) -> Planned:
    """Rebuild a letter beside its source, unless it was sent: a sent letter is frozen."""
    if not force and is_sent(source.parent):
        raise LettresError(
            f"ce courrier a déjà été envoyé (voir {journal_path(source.parent)}) : le refaire "
            "changerait ce qui a été reçu. Ajoutez --force si vous le voulez vraiment."
        )
    front, document = load_letter(source)
    accepted = require_current(workspace, front, document, accept_unverified)
    letter = compose(workspace, front, document)
    return Planned(out or source.parent, letter, None, style_warnings(document), accepted=accepted)


def style_warnings(document: Document) -> tuple[str, ...]:
    """Ordinals and abbreviations the typography may not rewrite: the author decides."""
    messages = lint(document.body, document.body_line)
    return tuple(f"{document.path} : {message}" for message in messages)


Progress = Callable[[Planned], None]
# Given the number of letters, a context holding the callback told of each letter written.
ProgressBar = Callable[[int], AbstractContextManager[Progress]]


@dataclass(frozen=True)
class Drafted:
    """What a `draft` did: the letters, the files written, and what the user should know."""

    planned: list[Planned]
    written: list[Path]
    warnings: list[str]


def draft(
    workspace: Workspace,
    job: Job,
    outputs: Outputs,
    *,
    with_email: bool = False,
    progress: ProgressBar | None = None,
) -> Drafted:
    """Plan, render and write the letters of `job`, then their LibreOffice PDFs and e-mails."""
    if isinstance(job, Rebuild):
        planned = [plan_existing(workspace, job.source, job.out, job.force, job.accept_unverified)]
        if planned[0].accepted:  # before the outputs, so that they are newer than the source
            record_accepted(job.source, planned[0].accepted)
    else:
        planned = plan_new(workspace, job)
    render = make_renderer(workspace, outputs)
    with (progress or _silent)(len(planned)) as advance:
        written = write_planned(planned, render, advance)
    written += finish(written, outputs)
    warnings: list[str] = []
    if with_email:
        from lettres.mail import write_drafts

        built = write_drafts(workspace, [item.folder for item in planned])
        warnings += once([warning for item in built for warning in item.warnings])
        written += [item.path for item in built]
    warnings += [warning for item in planned for warning in item.warnings]
    return Drafted(planned, written, warnings)


@contextmanager
def _silent(total: int) -> Iterator[Progress]:
    yield lambda _: None


def once(warnings: Sequence[str]) -> list[str]:
    """Each warning once: a batch would otherwise repeat the same missing address per letter."""
    return list(dict.fromkeys(warnings))


def write_planned(
    planned: Sequence[Planned], render: Render, progress: Progress | None = None
) -> list[Path]:
    """Write each letter's source (never over an existing one), then its outputs, atomically.

    New letters are numbered here, under the workspace's lock, so that two `lettres draft`
    running at once never give the same reference.
    """
    numbering = next((item.numbering for item in planned if item.numbering), None)
    with references.counter(numbering) as counter:
        return write_numbered(planned, render, progress, counter)


def numbered(item: Planned, reference: str) -> Planned:
    """The planned letter with its reference in its source and on the letter (« N/Réf. »)."""
    assert item.source_text is not None
    letter = replace(item.letter, our_reference=final(reference))
    return replace(item, letter=letter, source_text=references.stamp(item.source_text, reference))


def write_numbered(
    planned: Sequence[Planned],
    render: Render,
    progress: Progress | None,
    counter: references.Counter | None,
) -> list[Path]:
    written: list[Path] = []
    for index, item in enumerate(planned, 1):
        if index % 25 == 0:
            gc.collect()  # python-docx leaves ~1 MiB of cycles a letter: keep a batch small
        if counter is not None and item.numbering is not None and item.source_text is not None:
            item = numbered(item, counter.next_reference())
        files = render(item.letter)
        item.folder.mkdir(parents=True, exist_ok=True)
        if item.source_text is not None:
            if item.source.exists():
                raise OutputExists(
                    f"{item.source} existe déjà : lettres n'écrase jamais une source"
                )
            write_text_atomic(item.source, item.source_text)
            written.append(item.source)
            if counter is not None and item.numbering is not None:
                counter.taken()
        for extension, data in files.items():
            path = item.folder / output_name(extension)
            write_atomic(path, data)
            written.append(path)
        if progress:
            progress(item)
    return written
