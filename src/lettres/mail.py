"""The e-mail that carries a letter, built from its folder; nothing here touches the network.

One message serves both uses: the draft written beside the letter (`lettre.eml`, marked
`X-Unsent: 1` so that mail clients open it as a message ready to send) and `lettres send`.
Its addresses come from the same resolution as the letter (recipient and copies at the
letter's date), so the e-mail and the letter's « Copies : » never disagree.
"""

from __future__ import annotations

import copy
import mimetypes
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

from lettres import guards, relance
from lettres.compose import Resolved, compose, final, require_current, resolve, subject
from lettres.errors import MissingFile, NoAddress, Problem
from lettres.files import write_atomic
from lettres.folders import (
    COVER_NOTE,
    DIRECTORY_FILE,
    DOCX_NAME,
    EMAIL_NAME,
    PDF_NAME,
    SOURCE_NAME,
    letter_folder,
)
from lettres.models import MICROSOFT
from lettres.recipients import Recipient
from lettres.source import (
    Document,
    Language,
    LetterFront,
    load_letter,
    load_template,
    record_accepted,
)
from lettres.templating import render
from lettres.workspace import Workspace
from lettres.yamlfile import line_of

# mimetypes reads the system's tables, which vary; the types a letter travels with are fixed.
_KNOWN_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
}
# Everything that could end a header line or hide in one: C0 and C1 controls, line separators.
_NOT_IN_HEADER = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class Built:
    """A message and what the user should know about it before it goes."""

    folder: Path
    message: EmailMessage
    warnings: tuple[Problem, ...]
    accepted: dict[str, str] = field(default_factory=dict)  # to record in the source (sent)

    @property
    def path(self) -> Path:
        """Where `lettres email` writes the draft of this message."""
        return self.folder / EMAIL_NAME


def header_text(text: str) -> str:
    """One line of text: a newline in an objet or a name must never start a new header."""
    return re.sub(" {2,}", " ", _NOT_IN_HEADER.sub(" ", text)).strip()


def build(
    workspace: Workspace,
    folder: Path,
    *,
    with_docx: bool = False,
    attachments: Sequence[Path] = (),
    now: datetime | None = None,
    accept_unverified: bool = False,
) -> Built:
    """The e-mail from the letter's own resolution, so it names whom the letter names.

    Its Subject is the letter's objet as printed, and the recipient, copies and signatory
    are looked up once. The body is rendered only for guards.py: a letter not finished, or
    whose PDF no longer says what it says, does not leave.
    """
    folder = letter_folder(folder)
    source = folder / SOURCE_NAME
    if not source.is_file():
        raise MissingFile(f"{folder} n'est pas un dossier de courrier : {SOURCE_NAME} y manque")
    front, document = load_letter(source)
    resolved = resolve(workspace, front, document)
    accepted = require_current(workspace, front, document, accept_unverified, resolved)
    cc, cc_warnings = copy_addresses(workspace, resolved)
    to = recipient_address(workspace, resolved.recipient)
    curly = workspace.sender.typography.curly_apostrophes
    message = headers(workspace, to, cc, subject(front, curly), now)
    letter = compose(workspace, front, document, resolved)
    guards.ready_to_send(workspace, folder, front, document, letter)
    files = letter_files(folder, with_docx, attachments)
    files[1:1] = earlier_files(document, front)
    message.set_content(cover_text(workspace, resolved, front.language))
    for path, name in files:
        attach(message, path, name)
    return Built(folder, message, tuple(cc_warnings), accepted)


def headers(
    workspace: Workspace, to: Address, cc: list[Address], subject: str, now: datetime | None
) -> EmailMessage:
    coordination = workspace.sender.coalition.coordination
    message = EmailMessage(policy=SMTP)
    message["From"] = address(header_text(coordination.name), coordination.email)
    shared = shared_mailbox(workspace)
    if shared is not None:
        message.replace_header("From", shared[0])
        message["Sender"] = shared[1]
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = header_text(subject)
    message["Date"] = format_datetime(now or datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=coordination.email.rpartition("@")[2])
    return message


def shared_mailbox(workspace: Workspace) -> tuple[Address, Address] | None:
    """From the coalition's shared mailbox, sent by the signed-in user (Microsoft 365's
    « envoyer en tant que » or « de la part de »): (From, Sender), when the workspace says so.

    The server takes the envelope's sender from Sender: the user it has authenticated.
    """
    sender = workspace.sender
    settings = sender.sending
    mailbox = sender.coalition.mailbox
    if mailbox is None or settings is None or settings.security != MICROSOFT or not settings.user:
        return None
    coordination = sender.coalition.coordination
    name = coordination.name if settings.user.lower() == coordination.email.lower() else ""
    return (
        address(header_text(sender.coalition.name), mailbox),
        address(header_text(name), settings.user),
    )


def address(name: str, email: str) -> Address:
    if not email.isascii():
        raise NoAddress(
            f"l'adresse « {email} » contient des caractères accentués : la plupart des "
            "serveurs la refuseraient ; corrigez-la"
        )
    try:
        return Address(display_name=name, addr_spec=email)
    except (ValueError, HeaderParseError, IndexError):
        raise NoAddress(f"l'adresse « {email} » est illisible : corrigez-la") from None


def recipient_address(workspace: Workspace, recipient: Recipient) -> Address:
    email = recipient.position.email
    if not email:
        path = workspace.root / DIRECTORY_FILE
        line = line_of(workspace.raw.get(path), ("postes", recipient.key, "courriel"))
        where = f"{path}:{line}" if line else str(path)
        raise NoAddress(
            f"{recipient.person} ({recipient.key}) n'a pas d'adresse électronique : "
            f"ajoutez-la (courriel: nom@domaine.fr) dans {where}"
        )
    return address(header_text(recipient.name), email)


def copy_addresses(workspace: Workspace, resolved: Resolved) -> tuple[list[Address], list[Problem]]:
    """The letter's copies in its order; those without an address are named, never dropped."""
    seen = {resolved.recipient.position.email}
    found: list[Address] = []
    warnings: list[Problem] = []
    for line in resolved.copies:
        for person in line.recipients:
            email = person.position.email
            if not email:
                path = workspace.root / DIRECTORY_FILE
                warnings.append(Problem(
                    path, line_of(workspace.raw.get(path), ("postes", person.key, "courriel")),
                    f"copie sans adresse électronique, absente du Cc : {person.person} "
                    f"({person.key}) ; ajoutez son courriel (courriel: nom@domaine.fr) ou "
                    "envoyez-lui le courrier autrement",
                ))  # fmt: skip
            elif email not in seen:
                seen.add(email)
                found.append(address(header_text(person.name), email))
    return found, warnings


def cover_text(workspace: Workspace, resolved: Resolved, language: Language = "fr") -> str:
    """The short message around the attachment, from a template the coalition can edit;
    `courriel.en.md` for a letter in English."""
    name = COVER_NOTE if language == "fr" else f"{COVER_NOTE}.{language}"
    path = workspace.templates_dir / f"{name}.md"
    if not path.is_file():
        raise MissingFile(
            f"le modèle du message des courriels manque : {path} ; créez-le (en-tête "
            "« description: » puis le texte, avec les mêmes variables que les courriers)"
        )
    _, document = load_template(path)
    text = render(document.body, resolved.variables(), path, document.body_line)
    return final(text, language=language).strip() + "\n"


def letter_files(
    folder: Path, with_docx: bool, attachments: Sequence[Path]
) -> list[tuple[Path, str]]:
    """Every file to attach with the name it travels under; the PDF always comes first."""
    stem = folder.resolve().name
    pdf = folder / PDF_NAME
    if not pdf.is_file():
        raise MissingFile(
            f"pas de PDF dans {folder} : lancez « lettres draft {folder / SOURCE_NAME} "
            "--format pdf » pour le produire, puis recommencez"
        )
    files = [(pdf, f"{stem}.pdf")]
    if with_docx:
        docx = folder / DOCX_NAME
        if not docx.is_file():
            raise MissingFile(
                f"pas de DOCX dans {folder} (--with-docx) : lancez « lettres draft "
                f"{folder / SOURCE_NAME} --format docx,pdf », ou retirez --with-docx"
            )
        files.append((docx, f"{stem}.docx"))
    for path in attachments:
        if not path.is_file():
            raise MissingFile(f"pièce jointe introuvable : {path} (--attach)")
        files.append((path, header_text(path.name)))
    return files


def earlier_files(document: Document, front: LetterFront) -> list[tuple[Path, str]]:
    """A follow-up carries the letter it follows up, right after its own PDF."""
    if front.follow_up_of is None:
        return []
    line = document.front.key_lines.get(relance.FIELD)
    earlier = relance.load_earlier(document.path, front.follow_up_of, line)
    return [(relance.require_pdf(earlier), earlier.attachment_name())]


def attach(message: EmailMessage, path: Path, name: str) -> None:
    kind = _KNOWN_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    maintype, _, subtype = (kind or "application/octet-stream").partition("/")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise MissingFile(f"pièce jointe illisible : {path} ({error.strerror})") from None
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)


def attachment_names(message: EmailMessage) -> list[str]:
    return [part.get_filename() or "(sans nom)" for part in message.iter_attachments()]


def draft_bytes(message: EmailMessage) -> bytes:
    """The message as a draft: `X-Unsent: 1` makes Outlook open it as a message to send."""
    draft = copy.deepcopy(message)
    draft["X-Unsent"] = "1"
    return message_bytes(draft)


def message_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=SMTP)


def write_drafts(
    workspace: Workspace,
    folders: Sequence[Path],
    *,
    with_docx: bool = False,
    attachments: Sequence[Path] = (),
    now: datetime | None = None,
    progress: Callable[[Built], None] | None = None,
    accept_unverified: bool = False,
) -> list[Built]:
    """Build every draft before writing any: one bad letter stops the batch with nothing written.

    `progress` is told of each message built (the slow part: the letter is composed again).
    """
    built = []
    for folder in folders:
        built.append(
            build(
                workspace,
                folder,
                with_docx=with_docx,
                attachments=attachments,
                now=now,
                accept_unverified=accept_unverified,
            )
        )
        if progress:
            progress(built[-1])
    for item in built:
        write_atomic(item.path, draft_bytes(item.message), durable=False)
        record_acceptance(item)
    return built


def record_acceptance(item: Built) -> None:
    """--accept-unverified is noted in the letter's source, once its e-mail exists."""
    if item.accepted:
        record_accepted(item.folder / SOURCE_NAME, item.accepted, keep_time=True)
