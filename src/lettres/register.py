"""The register of letters, read from the letters' folders: sources, sending journals, answers.

It only reads. A folder it cannot read (no source, a front matter that no longer
parses, a damaged journal) becomes a Problem to report, and every other letter is
still listed: a register that stops at the first bad folder is no register.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

from lettres import recipients, signatories
from lettres.answers import read_answers
from lettres.errors import DataError, LettresError, Problem
from lettres.folders import PDF_NAME, SOURCE_NAME, letter_folders
from lettres.followup import BadFollowUp, due_date
from lettres.journal import History, read_history
from lettres.models import Directory
from lettres.relance import earlier_folder
from lettres.source import LetterFront, load_letter
from lettres.workspace import Workspace

LetterStatus = Literal["brouillon", "envoye", "repondu", "inconnu", "incertain", "refuse"]


@dataclass(frozen=True)
class Link:
    """The other end of a follow-up link, as the register names it."""

    folder: Path
    dated: date | None
    reference: str | None

    def text(self) -> str:
        """« CTEH/2015/001 du 2015-04-21 », or the folder's name when it has no reference."""
        name = self.reference or self.folder.name
        return f"{name} du {self.dated.isoformat()}" if self.dated else name


@dataclass(frozen=True)
class Entry:
    """One letter as the register shows it; `recipient` is the key when it cannot be resolved."""

    folder: Path
    dated: date
    reference: str | None
    to: str
    recipient: str
    subject: str
    sent_on: date | None
    answered_on: date | None
    follow_up: date | None
    pdf: Path | None
    journal_readable: bool = True
    uncertain_since: date | None = None  # a message handed over whose reply never came
    refused_on: date | None = None  # the server's last word: refused, nothing went
    follow_up_of: Link | None = None  # `relance_de`: the letter this one follows up
    followed_up_by: tuple[Link, ...] = ()  # the follow-ups of this letter, oldest first
    signer_keys: tuple[str, ...] = ()
    signers: tuple[str, ...] = ()  # « Prénom Nom » of each signatory, in signing order

    @property
    def status(self) -> LetterStatus:
        if self.answered_on is not None:
            return "repondu"
        if not self.journal_readable:
            return "inconnu"
        if self.uncertain_since is not None:
            return "incertain"
        if self.sent_on is not None:
            return "envoye"
        return "refuse" if self.refused_on is not None else "brouillon"

    def status_text(self) -> str:
        if self.answered_on is not None:
            return f"répondu le {self.answered_on.isoformat()}"
        if not self.journal_readable:
            return "envoi inconnu (journal illisible)"
        if self.uncertain_since is not None:
            return f"incertain (remis le {self.uncertain_since.isoformat()})"
        if self.sent_on is not None:
            return f"envoyé le {self.sent_on.isoformat()}"
        if self.refused_on is not None:
            return f"refusé le {self.refused_on.isoformat()} (non envoyé)"
        return "brouillon"

    def has_status(self, status: LetterStatus) -> bool:
        """`envoye` keeps answered letters too: an answer means the letter went out."""
        return self.status == status or (status == "envoye" and self.status == "repondu")

    def is_due(self, today: date) -> bool:
        """Due once its follow-up day has come, until an answer or a follow-up letter: the
        follow-up then waits for the answer in its place."""
        return (
            self.follow_up is not None
            and self.follow_up <= today
            and self.answered_on is None
            and not self.followed_up_by
        )


@dataclass(frozen=True)
class Register:
    entries: list[Entry]
    problems: list[Problem]


def list_letters(workspace: Workspace, today: date) -> Register:
    """Every letter of the workspace, newest first, with what could not be read."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    names = Names(workspace)
    for folder in letter_folders(workspace.letters_dir):
        entry = read_entry(names, folder, problems)
        if entry is not None:
            entries.append(entry)
    return Register(newest_first(linked(entries)), problems)


class Names:
    """Who a letter names, looked up once per post (or signatories) and date: the hundred
    letters of a merge, sent the same day, name the same people."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.recipients: dict[tuple[str, date], str] = {}
        self.signers: dict[tuple[tuple[str, ...], date], tuple[str, ...]] = {}

    def recipient(self, front: LetterFront) -> str:
        key = (front.to, front.date)
        if key not in self.recipients:
            self.recipients[key] = recipient_label(self.workspace.directory, front)
        return self.recipients[key]

    def signatories(self, front: LetterFront) -> tuple[str, ...]:
        key = (tuple(front.signer_keys), front.date)
        if key not in self.signers:
            self.signers[key] = signer_names(self.workspace, *key)
        return self.signers[key]


def signer_names(workspace: Workspace, keys: tuple[str, ...], dated: date) -> tuple[str, ...]:
    """Who signed, by name; a key that no longer resolves is shown as it is written."""
    names = []
    for key in keys:
        try:
            found = signatories.signatory(workspace, key, dated)
        except LettresError:
            names.append(key)
            continue
        names.append(f"{found.first_name} {found.name}" if found.name else key)
    return tuple(names)


def linked(entries: list[Entry]) -> list[Entry]:
    """Each follow-up's `relance_de` joined to its letter, in both directions; a link to no
    letter stays as it is (`lettres check` names it)."""
    if all(entry.follow_up_of is None for entry in entries):
        return entries  # no follow-up: each folder resolved for nothing
    resolved = [entry.folder.resolve() for entry in entries]
    by_folder = dict(zip(resolved, entries, strict=True))
    later: dict[Path, list[Link]] = {}
    joined = []
    for entry in entries:
        link = entry.follow_up_of
        earlier = by_folder.get(link.folder) if link is not None else None
        if earlier is not None:
            entry = replace(
                entry, follow_up_of=Link(earlier.folder, earlier.dated, earlier.reference)
            )
            own = Link(entry.folder, entry.dated, entry.reference)
            later.setdefault(earlier.folder.resolve(), []).append(own)
        joined.append(entry)
    return [
        replace(e, followed_up_by=by_date(later.get(folder, [])))
        for e, folder in zip(joined, resolved, strict=True)
    ]


def by_date(links: list[Link]) -> tuple[Link, ...]:
    return tuple(sorted(links, key=lambda link: (link.dated or date.min, link.folder.name)))


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.dated, e.reference or "", e.folder.name), reverse=True)


def read_entry(names: Names, folder: Path, problems: list[Problem]) -> Entry | None:
    source = folder / SOURCE_NAME
    if not source.is_file():
        problems.append(
            Problem(folder, None, f"dossier sans source {SOURCE_NAME} : il n'est pas listé")
        )
        return None
    try:
        front, document = load_letter(source)
    except DataError as error:
        problems.extend(error.problems)
        return None
    history = read_sendings(folder, problems)
    sent_on = history.first_sent_on() if history else None
    pending = history.pending() if history else []
    uncertain_since = min(line.day for line in pending) if pending else None
    refusal = history.refusal() if history else None
    left_on = sent_on or uncertain_since or (None if refusal else front.date)
    try:
        follow_up = due_date(front.follow_up, left_on) if front.follow_up and left_on else None
    except BadFollowUp as error:
        problems.append(Problem(source, document.front.key_lines.get("relance"), str(error)))
        return None
    pdf = folder / PDF_NAME
    return Entry(
        folder=folder,
        dated=front.date,
        reference=front.reference,
        to=front.to,
        recipient=names.recipient(front),
        subject=front.subject,
        sent_on=sent_on,
        answered_on=first_answer(folder, problems),
        follow_up=follow_up,
        pdf=pdf if pdf.is_file() else None,
        journal_readable=history is not None,
        uncertain_since=uncertain_since,
        refused_on=refusal.day if refusal and not sent_on else None,
        signer_keys=tuple(front.signer_keys),
        signers=names.signatories(front),
        follow_up_of=(
            Link(earlier_folder(source, front.follow_up_of), None, None)
            if front.follow_up_of
            else None
        ),
    )


def read_sendings(folder: Path, problems: list[Problem]) -> History | None:
    """The journal, or None (its problem reported) when it cannot be read."""
    try:
        return read_history(folder)
    except DataError as error:
        problems.extend(error.problems)
        return None


def first_answer(folder: Path, problems: list[Problem]) -> date | None:
    try:
        answers = read_answers(folder)
    except DataError as error:
        problems.extend(error.problems)
        return None
    return min((a.received for a in answers), default=None)


def recipient_label(directory: Directory, front: LetterFront) -> str:
    """Who held the post on the letter's date, as the copies list names them."""
    try:
        return recipients.recipient(directory, front.to, front.date).copy_text("personne")
    except LettresError:
        return front.to


def select(
    entries: Sequence[Entry],
    directory: Directory,
    *,
    today: date,
    year: int | None = None,
    to: Sequence[str] = (),
    status: LetterStatus | None = None,
    due: bool = False,
) -> list[Entry]:
    """The entries every given filter keeps; `to` takes position keys and groups."""
    keys = wanted_keys(directory, to, entries) if to else None
    return [
        entry
        for entry in entries
        if (year is None or entry.dated.year == year)
        and (keys is None or entry.to in keys)
        and (status is None or entry.has_status(status))
        and (not due or entry.is_due(today))
    ]


def published(entries: Sequence[Entry]) -> list[Entry]:
    """What the public page shows: letters that went out (answered ones too), never a draft.

    A draft on the site would put a letter nobody received, or a test, in front of the public.
    """
    return [entry for entry in entries if entry.has_status("envoye")]


def wanted_keys(directory: Directory, to: Sequence[str], entries: Sequence[Entry]) -> set[str]:
    """Groups expanded; a key the directory no longer knows still finds its old letters."""
    used = {entry.to for entry in entries}
    kept = {key for key in to if key in used and key not in directory.groups}
    rest = [key for key in to if key not in kept]
    return kept | {key for line in recipients.expand(directory, rest) for key in line}
