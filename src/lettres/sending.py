"""`lettres send`: a batch of letters through one SMTP connection, each journaled as it goes.

A letter's journal line is written as soon as the server has accepted its message and before
the next one goes out. So a batch cut short by any failure leaves every journal exact, and the
same command run again resumes it: what was sent is skipped, the rest is sent, once.
Every letter is built and checked before the connection opens: a bad one stops the batch
before anything leaves.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import AddressHeader
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

from filelock import FileLock, Timeout

from lettres.errors import LettresError, SendInterrupted, SettingsMissing
from lettres.folders import JOURNAL_NAME, SENDER_FILE, SENDING_LOCK, letter_folder
from lettres.journal import Sent, append_sent, journal_path, read_journal
from lettres.mail import Built, attachment_names, build
from lettres.models import Sending
from lettres.smtp import PASSWORD_VARIABLE, TIMEOUT, connection, describe, failure, text_of
from lettres.workspace import Workspace

SendStatus = Literal["simulation", "sent", "already-sent"]
Password = str | Callable[[], str] | None


@dataclass(frozen=True)
class Outcome:
    """What happened to one letter of the batch, as the user will be told."""

    folder: Path
    status: SendStatus
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str = ""
    attachments: tuple[str, ...] = ()
    message_id: str | None = None
    sent_at: datetime | None = None
    warnings: tuple[str, ...] = ()


Progress = Callable[[Outcome], None]


@dataclass(frozen=True)
class SendOptions:
    """What the user asked of `lettres send`; by default nothing leaves, it is only shown."""

    dry_run: bool = True
    resend: bool = False
    rate: float | None = None
    with_docx: bool = False
    attachments: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Seams:
    """What the tests replace so that a real server on 127.0.0.1 can be used quickly: the
    TLS trust (a self-signed certificate), the clock and the sleep of the pacing, the timeout."""

    tls_context: ssl.SSLContext | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    timeout: float = TIMEOUT


@dataclass
class Pacer:
    """At most `rate` messages a minute; the clock and the sleep are the tests' to replace."""

    rate: float | None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    last: float | None = None

    def wait(self) -> None:
        if self.rate and self.last is not None:
            delay = self.last + 60.0 / self.rate - self.clock()
            if delay > 0:
                self.sleep(delay)
        self.last = self.clock()


def send_letters(
    workspace: Workspace,
    folders: Sequence[Path],
    options: SendOptions | None = None,
    *,
    password: Password = None,
    progress: Progress | None = None,
    seams: Seams | None = None,
) -> list[Outcome]:
    """Send the e-mail of each letter, or by default only say what would go to whom.

    `password` may be a function: it is then called only once every letter has passed its
    checks and a server login is really needed.
    """
    options = options or SendOptions()
    seams = seams or Seams()
    if options.rate is not None and options.rate <= 0:
        raise LettresError("--rate : un nombre de messages par minute, plus grand que 0")
    report = progress or _ignore
    folders = unique(folders)
    if options.dry_run:
        planned = prepare(workspace, folders, options)
        return [report_on(report, simulated(item)) for item in planned]
    settings = server_settings(workspace)
    with batch_lock(workspace):
        planned = prepare(workspace, folders, options)
        done = [report_on(report, item) for item in planned if isinstance(item, Outcome)]
        todo = [item for item in planned if isinstance(item, Built)]
        if todo:
            secret = ask(password) if settings.user else None
            pacer = Pacer(options.rate, seams.clock, seams.sleep)
            with connection(settings, secret, seams.tls_context, seams.timeout) as client:
                for item in todo:
                    pacer.wait()
                    sent = sum(1 for outcome in done if outcome.status == "sent")
                    done.append(report_on(report, send_one(client, item, sent)))
        return done


def _ignore(outcome: Outcome) -> None:
    return None


def report_on(report: Progress, outcome: Outcome) -> Outcome:
    report(outcome)
    return outcome


def unique(folders: Sequence[Path]) -> list[Path]:
    """Each letter once, however it was named: a folder listed twice must not go twice."""
    seen: set[Path] = set()
    result = []
    for folder in map(letter_folder, folders):
        if folder.resolve() not in seen:
            seen.add(folder.resolve())
            result.append(folder)
    return result


def prepare(
    workspace: Workspace, folders: Sequence[Path], options: SendOptions
) -> list[Built | Outcome]:
    """Each letter built (so checked) or, when its journal says it went, skipped."""
    planned: list[Built | Outcome] = []
    for folder in folders:
        journal = read_journal(folder)
        if journal and not options.resend:
            planned.append(already_sent(folder, journal[-1]))
        else:
            planned.append(
                build(
                    workspace,
                    folder,
                    with_docx=options.with_docx,
                    attachments=options.attachments,
                )
            )
    return planned


def already_sent(folder: Path, last: Sent) -> Outcome:
    return Outcome(
        folder, "already-sent", last.to, last.cc, message_id=last.message_id, sent_at=last.sent_at
    )


def addresses(message: EmailMessage, name: str, *, display: bool = True) -> tuple[str, ...]:
    header = message[name]
    if not isinstance(header, AddressHeader):
        return ()
    return tuple(str(a) if display else a.addr_spec for a in header.addresses)


def outcome_of(
    item: Built, status: SendStatus, sent_at: datetime | None = None, refused: tuple[str, ...] = ()
) -> Outcome:
    message = item.message
    return Outcome(
        item.folder,
        status,
        addresses(message, "To"),
        addresses(message, "Cc"),
        str(message["Subject"]),
        tuple(attachment_names(message)),
        str(message["Message-ID"]),
        sent_at,
        item.warnings + refused,
    )


def simulated(item: Built | Outcome) -> Outcome:
    return item if isinstance(item, Outcome) else outcome_of(item, "simulation")


def server_settings(workspace: Workspace) -> Sending:
    settings = workspace.sender.sending
    if settings is None:
        raise SettingsMissing(
            "aucun serveur d'envoi : ajoutez une section « envoi: » (hote, port, securite, "
            f"utilisateur) à {workspace.root / SENDER_FILE} ; un exemple commenté se trouve "
            "à la fin de ce fichier. Sans --no-dry-run, « lettres send » montre ce qui "
            "partirait, sans serveur."
        )
    return settings


def ask(password: Password) -> str:
    secret = password() if callable(password) else password
    if not secret:
        raise SettingsMissing(
            f"mot de passe du serveur d'envoi manquant : mettez-le dans la variable "
            f"{PASSWORD_VARIABLE} (il n'est jamais enregistré)"
        )
    return secret


@contextmanager
def batch_lock(workspace: Workspace) -> Iterator[None]:
    """Two `lettres send` at once would both find a letter unsent and both send it."""
    lock = FileLock(workspace.root / SENDING_LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LettresError(
            "un autre « lettres send » est en cours dans cet espace de travail : attendez "
            "qu'il se termine, puis relancez cette commande"
        ) from None
    except OSError as error:
        raise LettresError(
            f"impossible de créer {lock.lock_file} ({describe(error)}) : lettres send doit "
            "pouvoir écrire dans l'espace de travail"
        ) from None
    try:
        yield
    finally:
        lock.release()


def send_one(client: smtplib.SMTP, item: Built, sent_before: int) -> Outcome:
    """Hand one message to the server, then journal it before anything else happens."""
    try:
        refused = client.send_message(item.message)
    except (smtplib.SMTPException, OSError) as error:
        raise interrupted(item, sent_before, failure(error)) from None
    return record(item, refused)


def record(item: Built, refused: dict[str, tuple[int, bytes]]) -> Outcome:
    message_id = str(item.message["Message-ID"])
    entry = Sent(
        message_id=message_id,
        sent_at=datetime.now().astimezone(),
        to=addresses(item.message, "To", display=False),
        cc=addresses(item.message, "Cc", display=False),
        refused=tuple(refused),
    )
    try:
        append_sent(item.folder, entry)
    except OSError as error:
        raise SendInterrupted(
            f"le courrier {item.folder} est parti (Message-ID {message_id}) mais son journal "
            f"n'a pas pu être écrit ({describe(error)}) : ajoutez à {journal_path(item.folder)} "
            f"la ligne {entry.to_json()} avant de relancer, sinon il repartirait"
        ) from None
    warnings = tuple(
        f"{item.folder.name} : {addr} refusé par le serveur ({code} {text_of(why)}) ; ce "
        "destinataire n'a rien reçu"
        for addr, (code, why) in refused.items()
    )
    return outcome_of(item, "sent", entry.sent_at, warnings)


def interrupted(item: Built, sent_before: int, reason: str) -> SendInterrupted:
    return SendInterrupted(
        f"envoi interrompu au courrier {item.folder} : {reason}. {sent_before} courrier(s) "
        f"envoyé(s) avant l'interruption, chacun inscrit dans son journal ({JOURNAL_NAME}) ; "
        "relancez la même commande pour reprendre : les courriers déjà envoyés ne "
        "repartiront pas."
    )
