"""`lettres send`: a batch of letters through one SMTP connection, each journaled as it goes.

A letter's journal line is written as soon as the server has accepted its message and before
the next one goes out. So a batch cut short by any failure leaves every journal exact, and the
same command run again resumes it: what was sent is skipped, the rest is sent, once.
Every letter is built and checked before the connection opens: a bad one stops the batch
before anything leaves.
"""

from __future__ import annotations

import smtplib
import socket
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

from lettres.errors import ConnectionFailed, LettresError, SendInterrupted, SettingsMissing
from lettres.folders import JOURNAL_NAME, SENDER_FILE, SENDING_LOCK, letter_folder
from lettres.journal import Sent, append_sent, journal_path, read_journal
from lettres.mail import Built, attachment_names, build
from lettres.models import Sending
from lettres.workspace import Workspace

PASSWORD_VARIABLE = "LETTRES_SMTP_PASSWORD"
TIMEOUT = 60.0

Status = Literal["simulation", "sent", "already-sent"]
Password = str | Callable[[], str] | None


@dataclass(frozen=True)
class Outcome:
    """What happened to one letter of the batch, as the user will be told."""

    folder: Path
    status: Status
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str = ""
    attachments: tuple[str, ...] = ()
    message_id: str | None = None
    sent_at: datetime | None = None
    warnings: tuple[str, ...] = ()


Progress = Callable[[Outcome], None]


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
    *,
    dry_run: bool = True,
    resend: bool = False,
    rate: float | None = None,
    password: Password = None,
    progress: Progress | None = None,
    with_docx: bool = False,
    attachments: Sequence[Path] = (),
    tls_context: ssl.SSLContext | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = TIMEOUT,
) -> list[Outcome]:
    """Send the e-mail of each letter, or by default only say what would go to whom.

    `password` may be a function: it is then called only once every letter has passed its
    checks and a server login is really needed.
    """
    if rate is not None and rate <= 0:
        raise LettresError("--rate : un nombre de messages par minute, plus grand que 0")
    report = progress or _ignore
    folders = unique(folders)
    if dry_run:
        planned = prepare(workspace, folders, resend, with_docx, attachments)
        return [report_on(report, simulated(item)) for item in planned]
    settings = server_settings(workspace)
    with batch_lock(workspace):
        planned = prepare(workspace, folders, resend, with_docx, attachments)
        done = [report_on(report, item) for item in planned if isinstance(item, Outcome)]
        todo = [item for item in planned if isinstance(item, Built)]
        if todo:
            secret = ask(password) if settings.user else None
            pacer = Pacer(rate, clock, sleep)
            with connection(settings, secret, tls_context, timeout) as client:
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
    workspace: Workspace,
    folders: Sequence[Path],
    resend: bool,
    with_docx: bool,
    attachments: Sequence[Path],
) -> list[Built | Outcome]:
    """Each letter built (so checked) or, when its journal says it went, skipped."""
    planned: list[Built | Outcome] = []
    for folder in folders:
        journal = read_journal(folder)
        if journal and not resend:
            planned.append(already_sent(folder, journal[-1]))
        else:
            planned.append(build(workspace, folder, with_docx=with_docx, attachments=attachments))
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
    item: Built, status: Status, sent_at: datetime | None = None, refused: tuple[str, ...] = ()
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


@contextmanager
def connection(
    settings: Sending, password: str | None, context: ssl.SSLContext | None, timeout: float
) -> Iterator[smtplib.SMTP]:
    client = open_connection(settings, password, context or ssl.create_default_context(), timeout)
    try:
        yield client
    finally:
        close_quietly(client)


def open_connection(
    settings: Sending, password: str | None, context: ssl.SSLContext, timeout: float
) -> smtplib.SMTP:
    """Connect, secure and log in, or say in French which of the three failed and why."""
    host, port = settings.host, settings.server_port
    stage = "connect"
    client: smtplib.SMTP | None = None
    try:
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        if settings.security == "starttls":
            stage = "starttls"
            client.starttls(context=context)
        if settings.user:
            stage = "login"
            client.login(settings.user, password or "")
        return client
    except (smtplib.SMTPException, OSError) as error:
        if client is not None:
            close_quietly(client)
        message = connection_message(error, settings, stage)
        raise ConnectionFailed(f"{message} ; rien n'a été envoyé.") from None


def connection_message(error: Exception, settings: Sending, stage: str) -> str:
    where = f"{settings.host}:{settings.server_port}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (
            f"le serveur {where} refuse la connexion de l'utilisateur « {settings.user} » "
            f"({reply(error)}) : vérifiez l'utilisateur (section envoi de {SENDER_FILE}) et le "
            f"mot de passe ({PASSWORD_VARIABLE})"
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        if stage == "starttls":
            return (
                f"le serveur {where} ne propose pas STARTTLS : vérifiez le port, ou essayez "
                f"« securite: ssl » (port 465) dans {SENDER_FILE}"
            )
        return (
            f"le serveur {where} ne propose pas d'authentification sur cette connexion : "
            f"vérifiez « securite » et « utilisateur » dans {SENDER_FILE}"
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"le certificat du serveur {where} est refusé ({error.verify_message}) : "
            "vérifiez le nom du serveur (hote)"
        )
    if isinstance(error, ssl.SSLError):
        return (
            f"échec de la connexion chiffrée (TLS) avec {where} ({error.reason or error}) : "
            "vérifiez « securite » (starttls sur le port 587, ssl sur le port 465)"
        )
    if isinstance(error, ConnectionRefusedError):
        return (
            f"connexion refusée par {where} : aucun serveur n'y répond ; vérifiez « hote » "
            f"et « port » dans la section envoi de {SENDER_FILE}"
        )
    if isinstance(error, socket.gaierror):
        return f"serveur « {settings.host} » introuvable : vérifiez « hote » dans {SENDER_FILE}"
    if isinstance(error, TimeoutError):
        return f"le serveur {where} ne répond pas (délai dépassé)"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return f"le serveur {where} a fermé la connexion"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"le serveur {where} refuse la connexion ({reply(error)})"
    return f"connexion impossible à {where} ({describe(error)})"


def reply(error: smtplib.SMTPResponseException) -> str:
    return f"{error.smtp_code} {text_of(error.smtp_error)}"


def text_of(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def describe(error: Exception) -> str:
    return (
        (error.strerror if isinstance(error, OSError) else None)
        or str(error)
        or type(error).__name__
    )


def close_quietly(client: smtplib.SMTP) -> None:
    """A broken connection cannot say goodbye; that must not hide the error that broke it."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def send_one(client: smtplib.SMTP, item: Built, sent_before: int) -> Outcome:
    """Hand one message to the server, then journal it before anything else happens."""
    try:
        refused = client.send_message(item.message)
    except (smtplib.SMTPException, OSError) as error:
        raise interrupted(item, sent_before, failure(error)) from None
    return record(item, refused)


def failure(error: Exception) -> str:
    """Why a message did not go; 421 is the server closing, whatever the command."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"le serveur refuse tous ses destinataires ({refusals(error.recipients)})"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "le serveur a fermé la connexion"
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421:
        return f"le serveur a fermé la connexion ({reply(error)})"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return (
            f"le serveur refuse l'expéditeur {text_of(error.sender)} ({reply(error)}) ; il "
            "n'accepte peut-être que l'adresse de l'utilisateur connecté"
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"le serveur refuse le message ({reply(error)})"
    return f"connexion perdue ({describe(error)})"


def refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{addr} : {code} {text_of(why)}" for addr, (code, why) in refused.items())


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
