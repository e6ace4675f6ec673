"""`lettres draft`: new letters from a template, or a letter rebuilt from its source.

Every letter of a batch is composed in memory before the first file is written, so a
bad recipient or template stops the whole batch with nothing written.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from lettres import directory, references
from lettres.compose import compose, final
from lettres.errors import LettresError
from lettres.files import write_atomic, write_text_atomic
from lettres.journal import is_sent, journal_path
from lettres.letter import Letter
from lettres.models import nearest, validate
from lettres.source import (
    Document,
    LetterFront,
    TemplateFront,
    letter_text,
    load_letter,
    load_template,
    split_document,
)
from lettres.typography import lint
from lettres.workspace import Workspace

SOURCE_NAME = "lettre.md"


class OutputExists(LettresError):
    """A folder or file that a new letter would overwrite."""


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


@dataclass(frozen=True)
class Planned:
    """One letter composed and ready to write; `source_text` is None when it already exists."""

    folder: Path
    letter: Letter
    source_text: str | None
    warnings: tuple[str, ...] = ()
    numbering: references.Numbering | None = None  # a new letter gets its reference when written

    @property
    def source(self) -> Path:
        return self.folder / SOURCE_NAME


COVER_NOTE = "courriel"  # modeles/courriel.md: the e-mail's own text (mail.py), not a letter


def template_names(workspace: Workspace) -> list[str]:
    return sorted(p.stem for p in workspace.templates_dir.glob("*.md") if p.stem != COVER_NOTE)


def find_template(workspace: Workspace, name: str) -> Path:
    path = workspace.templates_dir / f"{name}.md"
    if not path.is_file():
        names = template_names(workspace)
        raise LettresError(
            f"modèle inconnu « {name} »{nearest(name, names)} ; modèles disponibles : "
            + (", ".join(names) or "aucun")
            + " (« lettres templates » les décrit)"
        )
    return path


def slug(text: str, limit: int = 40) -> str:
    """A folder-name form of a subject: ascii, lower case, dashes, cut at a word."""
    words = re.sub(r"[^a-z0-9]+", " ", directory.fold(text)).split()
    result = ""
    for word in words:
        if len(result) + len(word) + 1 > limit:
            break
        result = f"{result}-{word}" if result else word
    return result or "courrier"


def recipient_keys(workspace: Workspace, keys: Sequence[str]) -> list[str]:
    """--to keys, groups expanded, each position once; unknown keys fail before any work."""
    return [k for line in directory.expand(workspace.directory, list(keys)) for k in line]


def plan_new(workspace: Workspace, request: NewLetters) -> list[Planned]:
    """Compose every letter the request asks for; write nothing."""
    template_path = find_template(workspace, request.template)
    template, document = load_template(template_path)
    keys = recipient_keys(workspace, request.to)
    if not keys:
        raise LettresError("aucun destinataire : indiquez --to CLE (un poste ou un groupe)")
    if request.out is not None and len(keys) > 1:
        raise LettresError("--out ne vaut que pour un seul destinataire")
    planned = []
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
        text = letter_text(values, document.body)
        source = folder / SOURCE_NAME
        parsed = split_document(source, text)
        front = validate(LetterFront, parsed.front, source)
        warnings: tuple[str, ...] = (
            (f"variables à compléter dans {source} : " + ", ".join(missing),) if missing else ()
        )
        numbering = references.Numbering(
            workspace.root, workspace.sender.coalition.reference_prefix, request.on.year
        )
        letter = compose(workspace, front, parsed)
        warnings += style_warnings(parsed)
        planned.append(Planned(folder, letter, text, warnings, numbering))
    return planned


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
    workspace: Workspace, source: Path, out: Path | None = None, force: bool = False
) -> Planned:
    """Rebuild a letter beside its source, unless it was sent: a sent letter is frozen."""
    if not force and is_sent(source.parent):
        raise LettresError(
            f"ce courrier a déjà été envoyé (voir {journal_path(source.parent)}) : le refaire "
            "changerait ce qui a été reçu. Ajoutez --force si vous le voulez vraiment."
        )
    front, document = load_letter(source)
    letter = compose(workspace, front, document)
    return Planned(out or source.parent, letter, None, style_warnings(document))


def style_warnings(document: Document) -> tuple[str, ...]:
    """Ordinals and abbreviations the typography may not rewrite: the author decides."""
    messages = lint(document.body, document.body_line)
    return tuple(f"{document.path} : {message}" for message in messages)


Progress = Callable[[Planned], None]
Render = Callable[[Letter], dict[str, bytes]]


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
            path = item.folder / f"lettre.{extension}"
            write_atomic(path, data)
            written.append(path)
        if progress:
            progress(item)
    return written
