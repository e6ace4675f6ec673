"""`lettres draft`: new letters from a template, or a letter rebuilt from its source.

`draft` is the whole pipeline: plan (compose every letter in memory), render, write,
then what comes after the batch (LibreOffice's PDFs, the e-mails). A batch is a unit:
every letter is composed, numbered and rendered in memory before the first file is
written, so a bad recipient, template or character stops the whole batch with nothing
written and no reference used. A batch interrupted while writing (a kill, a full disk)
is completed by running the same command again: a folder holding the very letter this
run would write is taken as its own, its files left alone when they are identical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from lettres import cosigning, english, guards, recipients, references, relance, signatories
from lettres.check import address_warnings
from lettres.compose import compose, final, require_current
from lettres.errors import LettresError, NotCurrent, OutputExists, Problem
from lettres.files import write_atomic, write_text_atomic
from lettres.fingerprints import add_fingerprints, read_manifest, record_drafted
from lettres.folders import (
    DOCX_NAME,
    EMAIL_NAME,
    FINGERPRINTS_NAME,
    PDF_NAME,
    SOURCE_NAME,
    letter_folder,
    output_name,
    slug,
)
from lettres.journal import is_sent, journal_path
from lettres.letter import Letter
from lettres.models import nearest, validate
from lettres.outputs import Outputs, finish, render_settings
from lettres.source import (
    ACCEPTED_KEY,
    Document,
    Language,
    LetterFront,
    TemplateFront,
    dump_front,
    find_template,
    letter_text,
    load_letter,
    load_template,
    record_accepted,
    split_document,
)
from lettres.text import argument
from lettres.typography import lint
from lettres.workers import Files, RenderSettings, render_all, worker_count
from lettres.workers import Job as RenderJob
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
    signatories: Sequence[str] = ()  # --signatory repeated: a co-signed letter
    enclosures: Sequence[str] = ()
    ref: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    out: Path | None = None
    language: Language | None = None  # --lang; else the template's, else French
    body: str | None = None  # the letter's text, written elsewhere: replaces the template's
    accept_unverified: bool = False
    force: bool = False  # write into an --out folder that holds other files, never a source


@dataclass(frozen=True)
class Rebuild:
    """A letter that exists, to be drafted again from its source."""

    source: Path
    out: Path | None = None
    force: bool = False
    accept_unverified: bool = False


@dataclass(frozen=True)
class FromDocx:
    """A letter whose edited DOCX becomes its text: the PDF is made from the DOCX."""

    folder: Path
    force: bool = False


@dataclass(frozen=True)
class FollowUp:
    """`draft --relance`: a new letter that follows up an earlier one, to the post's holder
    on the new date; `new` holds the options typed (template, date…), its `to` unused."""

    earlier: Path
    new: NewLetters


Job = NewLetters | Rebuild | FromDocx | FollowUp


@dataclass(frozen=True)
class Planned:
    """One letter composed and ready to write; `source_text` is None when it already exists."""

    folder: Path
    letter: Letter
    source_text: str | None
    warnings: tuple[Problem, ...] = ()
    numbering: references.Numbering | None = None  # a new letter gets its reference when written
    unfinished: tuple[Problem, ...] = ()  # text still to write: no PDF
    keep_docx: bool = False  # an edited DOCX to keep beside before writing over it (--force)
    accepted: dict[str, str] = field(default_factory=dict)  # to record in an existing source
    resumed: bool = False  # written by an interrupted run of this very batch
    frozen: bool = False  # a resumed letter that was sent: its files may not change

    @property
    def source(self) -> Path:
        return self.folder / SOURCE_NAME


def recipient_keys(workspace: Workspace, keys: Sequence[str]) -> list[str]:
    """--to keys, groups expanded, each position once; unknown keys fail before any work."""
    return [k for line in recipients.expand(workspace.directory, list(keys)) for k in line]


# More front matter for a new letter, from the folder it will be written in.
ExtraFront = Callable[[Path], dict[str, Any]]


@dataclass(frozen=True)
class Plan:
    """The letters of a job, composed one by one as they are taken, so that the first are
    laid out while the next are composed; `count` of them, numbered in `numbering`."""

    count: int
    numbering: references.Numbering | None
    letters: Iterable[Planned]

    @classmethod
    def of(cls, planned: Sequence[Planned]) -> Plan:
        numbering = next((item.numbering for item in planned if item.numbering), None)
        return cls(len(planned), numbering, planned)


def plan_new(
    workspace: Workspace, request: NewLetters, extra: ExtraFront | None = None
) -> list[Planned]:
    """Compose every letter the request asks for; write nothing."""
    return list(new_plan(workspace, request, extra).letters)


def new_plan(workspace: Workspace, request: NewLetters, extra: ExtraFront | None = None) -> Plan:
    """What the request asks for: checked at once, composed as it is taken; writes nothing."""
    check_typed_text(request)
    template_path = find_template(workspace.templates_dir, request.template)
    template, document = load_template(template_path)
    keys = recipient_keys(workspace, request.to)
    if not keys:
        raise LettresError("aucun destinataire : indiquez --to CLE (un poste ou un groupe)")
    if request.out is not None and len(keys) > 1:
        raise LettresError("--out ne vaut que pour un seul destinataire")
    numbering = references.Numbering(
        workspace.root, workspace.sender.coalition.reference_prefix, request.on.year
    )
    letters = compose_each(workspace, request, extra, template, document, keys, numbering)
    return Plan(len(keys), numbering, letters)


def compose_each(
    workspace: Workspace,
    request: NewLetters,
    extra: ExtraFront | None,
    template: TemplateFront,
    document: Document,
    keys: Sequence[str],
    numbering: references.Numbering,
) -> Iterator[Planned]:
    """Each letter in turn; the holders the directory cannot vouch for, all of them at the
    end, so that one error names every post to check."""
    refused: list[Problem] = []
    for key in keys:
        values = front_values(workspace, template, request, key)
        folder = request.out or workspace.letters_dir / (
            f"{request.on.isoformat()}-{key}-{slug(values['objet'])}"
        )
        if extra is not None:
            values.update(extra(folder))
        source = folder / SOURCE_NAME
        body = document.body if request.body is None else request.body
        try:
            text, parsed, front = accepted_source(workspace, values, body, source, request)
        except NotCurrent as error:
            refused += [p for p in error.problems if p not in refused]
            continue
        if is_taken(folder, request.force):
            yield resume(workspace, folder, parsed, numbering)
            continue
        letter = compose(workspace, front, parsed)
        # Written, the source gains its reference as first line (references.stamp): one down.
        unfinished = tuple(
            replace(problem, line=problem.line + 1) if problem.line else problem
            for problem in guards.unfinished(workspace, front, parsed, letter)
        )
        warnings = style_warnings(parsed, front.language) + window_warnings(workspace, front)
        yield Planned(folder, letter, text, warnings, numbering, unfinished)
    if refused:
        raise NotCurrent(
            refused,
            "titulaires que l'annuaire ne peut garantir à la date du "
            f"{request.on.isoformat()} ; aucun courrier n'a été écrit :",
        )


def plan_follow_up(workspace: Workspace, job: FollowUp) -> list[Planned]:
    """The follow-up: same post (its holder on the new date), same copies, the earlier
    letter enclosed and linked by `relance_de`, so that a rebuild finds it again."""
    earlier = relance.load_named(job.earlier)
    relance.require_pdf(earlier)
    front, new = earlier.front, job.new
    if new.on <= front.date:
        raise LettresError(
            f"la relance doit être datée après le courrier qu'elle relance (le "
            f"{front.date.isoformat()}) : indiquez --date AAAA-MM-JJ"
        )
    request = replace(
        new,
        to=[front.to],
        subject=new.subject or relance.subject(front),
        signatory=new.signatory or (front.signatory if not new.signatories else None),
        signatories=new.signatories or front.signatories,
        place=new.place or front.place,
        cc=new.cc if new.cc is not None else front.cc,
        enclosures=[earlier.enclosure(), *new.enclosures],
    )

    def extra(folder: Path) -> dict[str, Any]:
        values: dict[str, Any] = {relance.FIELD: relance.link_text(folder, earlier.folder)}
        if front.cc_style != "personne":
            values["format_copies"] = front.cc_style
        if isinstance(front.follow_up, str):  # a delay: the follow-up waits as long
            values["relance"] = front.follow_up
        return values

    planned = plan_new(workspace, request, extra)
    changed = holder_change(workspace, earlier, new.on)
    return [
        replace(item, warnings=(*(Problem(item.source, None, m) for m in changed), *item.warnings))
        for item in planned
    ]


def holder_change(workspace: Workspace, earlier: relance.Earlier, on: date) -> tuple[str, ...]:
    """Said when the post changed hands: the follow-up goes to the holder of its own date."""
    key, front = earlier.front.to, earlier.front
    try:
        position = recipients.position(workspace.directory, key)
        before = recipients.holder_on(key, position, front.date)
    except LettresError:
        return ()
    now = recipients.recipient(workspace.directory, key, on)
    if now.holder == before:
        return ()
    return (
        f"le poste « {key} » a changé de titulaire depuis le courrier du "
        f"{front.date.isoformat()} : il était adressé à {before.civility} {before.full_name}, "
        f"la relance l'est à {now.person}, {now.title}",
    )


def is_taken(folder: Path, force: bool) -> bool:
    """Whether a new letter's folder holds something already; a folder holding only the
    temporary files of an interrupted run is free (they are removed when writing), and so
    is, with --force, a folder without a source."""
    if not folder.exists():
        return False
    if not folder.is_dir():
        raise OutputExists(f"{folder} existe déjà et n'est pas un dossier : changez --out")
    if force and not (folder / SOURCE_NAME).exists():
        return False
    return any(not is_stray_temporary(path) for path in folder.iterdir())


# The files lettres writes in a letter's folder: only their temporaries are ever removed.
WRITTEN_NAMES = (SOURCE_NAME, DOCX_NAME, PDF_NAME, EMAIL_NAME, FINGERPRINTS_NAME)


def is_stray_temporary(path: Path) -> bool:
    """`.lettre.pdf.k3j9.tmp`: what `write_atomic` leaves when killed before its rename."""
    return (
        path.name.endswith(".tmp")
        and any(path.name.startswith(f".{name}.") for name in WRITTEN_NAMES)
        and path.is_file()
    )


def resume(
    workspace: Workspace, folder: Path, planned: Document, numbering: references.Numbering
) -> Planned:
    """The letter of an interrupted run of this very batch: its source, once written, is
    the letter (never rewritten, it keeps its reference and any edit made since); anything
    else is refused. It keeps the batch's numbering, so that the folder is tidied under the
    lock. Sent, it is passed over if it would not change (checked once rendered)."""
    source = folder / SOURCE_NAME
    if not is_same_letter(source, planned):
        raise OutputExists(
            f"le dossier {folder} existe déjà : pour refaire ce courrier, lancez "
            f"« lettres draft {argument(source)} » ; sinon changez l'objet ou --out"
        )
    item = compose_existing(workspace, source, folder)
    return replace(item, numbering=numbering, resumed=True, frozen=is_sent(folder))


def is_same_letter(source: Path, planned: Document) -> bool:
    """Whether the existing source's front matter is the one this run would write, its
    reference aside: then it is this batch's letter, written before an interruption."""
    if not source.is_file():
        return False
    try:
        existing = split_document(source)
    except (LettresError, OSError, UnicodeDecodeError):
        return False
    front = {key: value for key, value in existing.front.items() if key != "reference"}
    return front == dict(planned.front)


def check_typed_text(request: NewLetters) -> None:
    """Bytes that are not UTF-8 on the command line (a terminal set to Latin-1) arrive as
    lone surrogates; said here, where the option is known, not later as a broken YAML file."""
    typed = [
        ("l'objet donné", "--subject", request.subject),
        ("le lieu donné", "--place", request.place),
        ("le signataire donné", "--signatory", request.signatory),
        *(("le signataire donné", "--signatory", key) for key in request.signatories),
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
    text = with_last_entry(text, body, {ACCEPTED_KEY: accepted})
    parsed = split_document(source, text)
    return text, parsed, validate(LetterFront, parsed.front, source)


def with_last_entry(text: str, body: str, entry: dict[str, Any]) -> str:
    """`letter_text(values, body)` with `entry` after the values: what
    `letter_text({**values, **entry}, body)` writes, without dumping the values again (the
    slowest step of a merge's planning). YAML writes each key of a block mapping on its own,
    so the dump of both is the dump of each, one after the other."""
    fence = len(text) - len(body) - len("---\n")  # the closing line of the front matter
    return text[:fence] + dump_front(entry) + text[fence:]


def front_values(
    workspace: Workspace, template: TemplateFront, request: NewLetters, key: str
) -> dict[str, Any]:
    """Every choice of a new letter, written into its front matter so it can be rebuilt."""
    subject = request.subject or template.subject
    if not subject:
        raise LettresError("objet manquant : indiquez --subject « … »")
    keys = signatories.typed_keys(
        list(request.signatories) or ([request.signatory] if request.signatory else [])
    )
    signatory = keys[0] if len(keys) == 1 else template.signatory
    if not signatory and not keys:
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
    variables = {
        name: request.variables.get(name, guards.placeholder(description))
        for name, description in template.variables.items()
    }
    if request.body is not None:  # the template's body, and so its variables, are not used
        variables = dict(request.variables)
    values: dict[str, Any] = {
        "modele": request.template,
        "destinataire": key,
        "objet": subject,
        "date": request.on,
        "lieu": request.place or workspace.sender.coalition.place,
        **({"signataires": keys} if len(keys) > 1 else {"signataire": signatory}),
        "copies": list(request.cc if request.cc is not None else template.cc or ["standard"]),
        "pj": list(request.enclosures or template.enclosures),
    }
    if request.ref:
        values["ref"] = request.ref
    language = request.language or template.language
    if language and language != "fr":
        values["langue"] = language
    if variables:
        values["variables"] = variables
    return values


def plan_existing(
    workspace: Workspace,
    source: Path,
    out: Path | None = None,
    force: bool = False,
    accept_unverified: bool = False,
    *,
    writes_docx: bool = True,
) -> Planned:
    """Rebuild a letter beside its source, unless it was sent (a sent letter is frozen) or
    its DOCX holds a co-signer's edits (they would be lost)."""
    refuse_if_sent(source.parent, force)
    folder = out or source.parent
    item = compose_existing(workspace, source, folder, accept_unverified)
    kept = cosigning.edits_to_keep(folder, source, writes_docx, force)
    if kept is None:
        return item
    return replace(item, warnings=(*item.warnings, kept), keep_docx=True)


def compose_existing(
    workspace: Workspace, source: Path, folder: Path, accept_unverified: bool = False
) -> Planned:
    """A letter composed from its source, to be written into `folder`."""
    front, document = load_letter(source)
    accepted = require_current(workspace, front, document, accept_unverified)
    letter = compose(workspace, front, document)
    unfinished = tuple(guards.unfinished(workspace, front, document, letter))
    warnings = style_warnings(document, front.language) + window_warnings(workspace, front)
    return Planned(folder, letter, None, warnings, unfinished=unfinished, accepted=accepted)


def window_warnings(workspace: Workspace, front: LetterFront) -> tuple[Problem, ...]:
    """An address that overflows the envelope's window, or none at all: printed whole all
    the same, but the author should know before posting it."""
    recipient = recipients.recipient(workspace.directory, front.to, front.date)
    return tuple(
        replace(
            problem,
            message=f"{problem.message} (le bloc est imprimé entier, mais il sort de la "
            "fenêtre de l'enveloppe)",
        )
        if recipient.position.address
        else problem
        for problem in address_warnings(workspace, recipient, only_fit=True)
    )


def refuse_if_sent(folder: Path, force: bool) -> None:
    if not force and is_sent(folder):
        raise LettresError(
            f"ce courrier a déjà été envoyé (voir {journal_path(folder)}) : le refaire "
            "changerait ce qui a été reçu. Ajoutez --force si vous le voulez vraiment."
        )


def style_warnings(document: Document, language: Language = "fr") -> tuple[Problem, ...]:
    """Ordinals and abbreviations the typography may not rewrite: the author decides.
    French rules for a French letter, English ones for an English letter (« Mr » is right)."""
    check = english.lint if language == "en" else lint
    return tuple(check(document.body, document.body_line, document.path))


def placeholder_line(text: str) -> int | None:
    """The line of the first « [à compléter : …] » of a new source, once it has its reference."""
    lines = references.stamp(text, "…").splitlines()
    return next((n for n, line in enumerate(lines, 1) if "[à compléter" in line), None)


Progress = Callable[[Planned], None]
# Given the number of letters, a context holding the callback told of each letter rendered
# (in memory: nothing is written until the whole batch is); it may raise to stop the batch.
ProgressBar = Callable[[int], AbstractContextManager[Progress]]


@dataclass(frozen=True)
class Drafted:
    """What a `draft` did: the letters, the files written, and what the user should know."""

    planned: list[Planned]
    written: list[Path]
    warnings: list[Problem]
    refused: list[Problem] = field(default_factory=list)  # why PDFs asked for were not made
    unchanged: list[Path] = field(default_factory=list)  # already on disk as this run made them

    def refusal(self) -> str | None:
        """The error to end on when a PDF was asked for a letter that is not finished."""
        if not self.refused:
            return None
        sources = list(dict.fromkeys(str(item.source) for item in self.planned if item.unfinished))
        commands = " ; ".join(f"« lettres draft {argument(source)} »" for source in sources)
        problems = "\n".join(f"  {problem}" for problem in self.refused)
        return (
            "PDF refusé, courrier pas fini (les fichiers listés sont écrits, à compléter) :\n"
            f"{problems}\nComplétez, puis relancez {commands}."
        )


def draft(
    workspace: Workspace,
    job: Job,
    outputs: Outputs,
    *,
    with_email: bool = False,
    progress: ProgressBar | None = None,
    workers: int | None = None,
) -> Drafted:
    """Plan, render and write the letters of `job`, then their LibreOffice PDFs and e-mails.

    A letter that is not finished gets its source and DOCX, never a PDF nor an e-mail.
    `workers`: the processes rendering the batch; by default as many as cores are worth.
    """
    if isinstance(job, FromDocx):
        return draft_from_docx(workspace, job, with_email)
    force = job.new.force if isinstance(job, FollowUp) else job.force
    if isinstance(job, Rebuild):
        existing = plan_existing(
            workspace, job.source, job.out, job.force, job.accept_unverified,
            writes_docx=outputs.docx,
        )  # fmt: skip
        if existing.accepted:  # before the outputs, so that they are newer than the source
            record_accepted(job.source, existing.accepted)
        plan = Plan.of([existing])
    elif isinstance(job, FollowUp):
        plan = Plan.of(plan_follow_up(workspace, job))
    else:
        plan = new_plan(workspace, job)
    settings = render_settings(workspace, outputs)
    count = worker_count(plan.count) if workers is None else workers
    with (progress or _silent)(plan.count) as advance:
        batch = write_planned(plan, settings, advance, count, force)
    planned = batch.planned
    finished = [item for item in planned if not item.unfinished]
    converted = finish(needing_pdf(finished, batch), outputs)
    for path in converted:
        add_fingerprints(path.parent, [path])
    written = batch.paths + converted
    warnings: list[Problem] = list(batch.warnings)
    if with_email and finished:
        written += email_drafts(workspace, [item.folder for item in finished], warnings)
    warnings += [warning for item in planned for warning in item.warnings]
    unfinished = [problem for item in planned for problem in item.unfinished]
    if "pdf" in outputs.formats:
        return Drafted(planned, written, warnings, unfinished, batch.unchanged)
    return Drafted(planned, written, warnings + unfinished, unchanged=batch.unchanged)


def needing_pdf(finished: Sequence[Planned], batch: Written) -> list[Path]:
    """The DOCX that LibreOffice converts: those just written, and those of an interrupted
    batch whose PDF is missing or is not the one recorded."""
    documents = []
    for item in finished:
        docx = item.folder / DOCX_NAME
        if docx in batch.paths:
            documents.append(docx)
        elif docx in batch.unchanged:
            manifest = read_manifest(item.folder)
            if manifest is None or not manifest.matches(item.folder / PDF_NAME):
                documents.append(docx)
    return documents


def draft_from_docx(workspace: Workspace, job: FromDocx, with_email: bool) -> Drafted:
    folder = letter_folder(job.folder)
    refuse_if_sent(folder, job.force)
    letter, pdf = cosigning.pdf_from_docx(workspace, folder, job.force)
    warnings: list[Problem] = []
    written = [pdf, *(email_drafts(workspace, [folder], warnings) if with_email else [])]
    return Drafted([Planned(folder, letter, None)], written, warnings)


def email_drafts(workspace: Workspace, folders: list[Path], warnings: list[Problem]) -> list[Path]:
    """`--email`: each letter's `lettre.eml`, once its PDF is made; adds to `warnings`."""
    from lettres.mail import write_drafts

    built = write_drafts(workspace, folders)
    warnings += once([warning for item in built for warning in item.warnings])
    return [item.path for item in built]


@contextmanager
def _silent(total: int) -> Iterator[Progress]:
    yield lambda _: None


def once(warnings: Sequence[Problem]) -> list[Problem]:
    """Each warning once: a batch would otherwise repeat the same missing address per letter."""
    return list(dict.fromkeys(warnings))


def write_planned(
    plan: Plan,
    settings: RenderSettings,
    progress: Progress | None = None,
    workers: int = 1,
    force: bool = False,
) -> Written:
    """Number, render and check the whole batch in memory, then write it letter by letter.

    New letters are numbered under the workspace's lock, held from the first letter
    composed until their sources are written, so that two `lettres draft` running at
    once never give the same reference; a number is taken only when its source is on
    disk, so a failure leaves no gap.
    """
    with references.counter(plan.numbering) as counter:
        rendered = render_batch(number_each(plan.letters, counter), settings, progress, workers)
        rendered, warnings = check_resumed(rendered, force)
        written = write_batch(rendered, counter)
    return replace(written, warnings=warnings, planned=[item for item, _ in rendered])


def number_each(
    planned: Iterable[Planned], counter: references.Counter | None
) -> Iterator[Planned]:
    """Each new letter with the reference it will take, in the order of the batch."""
    new = 0
    for item in planned:
        if counter is not None and item.source_text is not None:
            new += 1
            item = numbered(item, counter.next_references(new)[-1])
        yield item


def numbered(item: Planned, reference: str) -> Planned:
    """The planned letter with its reference in its source and on the letter (« N/Réf. »)."""
    assert item.source_text is not None
    letter = replace(item.letter, our_reference=final(reference))
    return replace(item, letter=letter, source_text=references.stamp(item.source_text, reference))


def render_batch(
    batch: Iterable[Planned], settings: RenderSettings, progress: Progress | None, workers: int
) -> list[tuple[Planned, Files]]:
    """Every file of every letter, in memory, each letter rendered as soon as it is
    composed: a letter that cannot be rendered stops the batch before anything is written."""
    taken: list[Planned] = []

    def jobs() -> Iterator[RenderJob]:
        for item in batch:
            taken.append(item)
            yield item.letter, not item.unfinished

    done = (lambda index: progress(taken[index])) if progress else (lambda index: None)
    rendered = render_all(jobs(), settings, workers, done)
    return list(zip(taken, rendered, strict=True))


def check_resumed(
    rendered: Sequence[tuple[Planned, Files]], force: bool
) -> tuple[list[tuple[Planned, Files]], list[Problem]]:
    """The letters of an interrupted batch, before anything is written: a sent one may be
    passed over, never changed; a DOCX edited since is refused, or kept aside (--force)."""
    checked, warnings = [], []
    for item, files in rendered:
        changed = [ext for ext, data in files.items() if not is_identical(item.folder, ext, data)]
        if item.resumed and item.frozen and changed:
            raise LettresError(
                f"ce courrier a déjà été envoyé (voir {journal_path(item.folder)}) : le refaire "
                "changerait ce qui a été reçu ; rien n'a été écrit. Si vous le voulez vraiment, "
                f"lancez « lettres draft {argument(item.source)} --force », puis relancez le lot."
            )
        if item.resumed and "docx" in changed:
            kept = cosigning.edits_to_keep(item.folder, item.source, True, force)
            if kept is not None:
                warnings.append(kept)
                item = replace(item, keep_docx=True)
        checked.append((item, files))
    return checked, warnings


@dataclass(frozen=True)
class Written:
    """The files a batch wrote, and those already on disk exactly as this run made them."""

    paths: list[Path]
    unchanged: list[Path]
    warnings: list[Problem] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)  # numbered, in the batch's order


def write_batch(
    rendered: Sequence[tuple[Planned, Files]], counter: references.Counter | None
) -> Written:
    """Each letter's source (never over an existing one), then its outputs, atomically,
    then its manifest; an output already identical on disk is left alone, so that a
    re-run only completes what an interruption left undone."""
    written: list[Path] = []
    unchanged: list[Path] = []
    for item, files in rendered:
        item.folder.mkdir(parents=True, exist_ok=True)  # an OSError is explained by the CLI
        remove_stray_temporaries(item.folder)
        if item.source_text is not None:
            if item.source.exists():
                raise OutputExists(
                    f"{item.source} existe déjà : lettres n'écrase jamais une source"
                )
            write_text_atomic(item.source, item.source_text)
            written.append(item.source)
            if counter is not None:
                counter.taken()
        outputs = [item.folder / output_name(extension) for extension in files]
        same = [is_identical(item.folder, ext, data) for ext, data in files.items()]
        if item.keep_docx and "docx" in files and not same[list(files).index("docx")]:
            written.append(cosigning.keep_edited_docx(item.folder))
        for path, data, identical in zip(outputs, files.values(), same, strict=True):
            if identical:
                unchanged.append(path)
            else:
                write_atomic(path, data, durable=False)  # made again from the source
                written.append(path)
        record_drafted(item.folder, item.letter, outputs)
    return Written(written, unchanged)


def is_identical(folder: Path, extension: str, data: bytes) -> bool:
    """Is this output already on disk, byte for byte?"""
    path = folder / output_name(extension)
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def remove_stray_temporaries(folder: Path) -> None:
    """What a killed run left in a letter's folder: never a file anyone reads."""
    for path in folder.iterdir():
        if is_stray_temporary(path):
            path.unlink(missing_ok=True)
