"""`lettres send`: a batch of letters through one SMTP connection, each journaled as it goes.

At most once, then certain. Before a message's DATA goes, its journal says « en-cours »
(on disk); the server's reply adds « envoye » or « refuse ». A batch cut short anywhere
leaves every journal exact, and the same command run again resumes it: what was sent is
skipped, the rest is sent, and a message whose reply was lost (perhaps received) is
reported « incertain », never sent again until the user says (`lettres sent` or
`--resend`). The main recipient refused at RCPT means no DATA at all: nothing reached
anyone, the letter is « refusé » and a later run may try again; a temporary refusal (4xx)
is retried a few times within the run first. Every letter is built and checked before the
connection opens: a bad one stops the batch before anything leaves.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from email.headerregistry import AddressHeader
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

from filelock import FileLock, Timeout

from lettres.errors import LettresError, Problem, SendInterrupted, SettingsMissing
from lettres.folders import JOURNAL_NAME, SENDER_FILE, SENDING_LOCK, letter_folder
from lettres.journal import Sent, State, append_sent, read_history
from lettres.mail import Built, attachment_names, build, record_acceptance
from lettres.models import Sending
from lettres.smtp import (
    PASSWORD_VARIABLE,
    TIMEOUT,
    Envelope,
    Refusals,
    connection,
    describe,
    envelope_of,
    failure,
    open_transaction,
    reset,
    send_data,
    text_of,
)
from lettres.text import argument
from lettres.workspace import Workspace

SendStatus = Literal["simulation", "sent", "already-sent", "uncertain", "refused"]
# Waits before each new try of a message refused for now (4xx, e.g. greylisting), in seconds.
RETRY_DELAYS = (10.0, 30.0, 90.0)
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
    warnings: tuple[Problem, ...] = ()
    problem: str | None = None  # why an « uncertain » or « refused » letter did not go


Progress = Callable[[Outcome], None]


@dataclass(frozen=True)
class SendOptions:
    """What the user asked of `lettres send`; by default nothing leaves, it is only shown."""

    dry_run: bool = True
    resend: bool = False
    rate: float | None = None
    with_docx: bool = False
    attachments: tuple[Path, ...] = ()
    accept_unverified: bool = False  # holders the directory cannot vouch for: noted, sent


@dataclass(frozen=True)
class Seams:
    """What the tests replace so that a real server on 127.0.0.1 can be used quickly: the
    TLS trust (a self-signed certificate), the clock and the sleep of the pacing and of the
    retries, the timeout."""

    tls_context: ssl.SSLContext | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    timeout: float = TIMEOUT
    retry_delays: tuple[float, ...] = RETRY_DELAYS


@dataclass(frozen=True)
class Planned:
    """A message to send, and the journal's unanswered messages it replaces (--resend)."""

    built: Built
    abandoned: tuple[Sent, ...] = ()

    @property
    def folder(self) -> Path:
        return self.built.folder


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
        todo = [item for item in planned if isinstance(item, Planned)]
        for item in todo:
            record_acceptance(item.built)
        if todo:
            secret = ask(password) if settings.user else None
            pacer = Pacer(options.rate, seams.clock, seams.sleep)
            with connection(settings, secret, seams.tls_context, seams.timeout) as client:
                for item in todo:
                    pacer.wait()
                    sent = sum(1 for outcome in done if outcome.status == "sent")
                    sender = Sender(client, seams, sent)
                    done.append(report_on(report, sender.send(item)))
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
) -> list[Planned | Outcome]:
    """Each letter built (so checked) or, when its journal says it went or perhaps went,
    skipped; `--resend` sends both kinds again."""
    planned: list[Planned | Outcome] = []
    for folder in folders:
        history = read_history(folder)
        pending, sendings = history.pending(), history.sendings()
        if pending and not options.resend:
            planned.append(uncertain(folder, pending[-1]))
        elif sendings and not options.resend:
            planned.append(already_sent(folder, sendings[-1]))
        else:
            built = build(
                workspace,
                folder,
                with_docx=options.with_docx,
                attachments=options.attachments,
                accept_unverified=options.accept_unverified,
            )
            planned.append(Planned(built, tuple(pending)))
    return planned


def already_sent(folder: Path, last: Sent) -> Outcome:
    return Outcome(
        folder, "already-sent", last.to, last.cc, message_id=last.message_id, sent_at=last.sent_at
    )


def uncertain(folder: Path, line: Sent) -> Outcome:
    return Outcome(
        folder,
        "uncertain",
        line.to,
        line.cc,
        message_id=line.message_id,
        sent_at=line.sent_at,
        problem=uncertain_text(folder, line),
    )


def uncertain_text(folder: Path, line: Sent) -> str:
    """What the user must check, and the two commands that settle it."""
    when = line.sent_at.strftime("%d/%m/%Y à %H:%M")
    return (
        f"{folder} : envoi incertain — le message {line.message_id} a été remis au serveur le "
        f"{when}, mais sa réponse n'est jamais arrivée : il est peut-être parti. Vérifiez les "
        "éléments envoyés de la boîte de la coordination (si le serveur y garde les messages) "
        f"ou demandez à {', '.join(line.to) or 'son destinataire'} s'il l'a reçu. Arrivé : "
        f"« lettres sent {argument(folder)} » ; pas arrivé : « lettres send --no-dry-run --resend "
        f"{argument(folder)} ». D'ici là, il ne repart pas."
    )


def addresses(message: EmailMessage, name: str, *, display: bool = True) -> tuple[str, ...]:
    header = message[name]
    if not isinstance(header, AddressHeader):
        return ()
    return tuple(str(a) if display else a.addr_spec for a in header.addresses)


def outcome_of(
    item: Built,
    status: SendStatus,
    sent_at: datetime | None = None,
    refused: tuple[Problem, ...] = (),
    problem: str | None = None,
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
        problem,
    )


def simulated(item: Planned | Outcome) -> Outcome:
    return item if isinstance(item, Outcome) else outcome_of(item.built, "simulation")


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


def is_temporary(code: int) -> bool:
    return 400 <= code < 500


@dataclass
class Sender:
    """One message through the open connection, journaled at each step."""

    client: smtplib.SMTP
    seams: Seams
    sent_before: int

    def send(self, item: Planned) -> Outcome:
        """Try, and try again after a wait while the server refuses for now (4xx)."""
        envelope = envelope_of(item.built.message)
        delays = self.seams.retry_delays
        for attempt in range(len(delays) + 1):
            if attempt:
                self.seams.sleep(delays[attempt - 1])
            outcome = self.attempt(item, envelope, last=attempt == len(delays))
            if outcome is not None:
                return outcome
        raise AssertionError("the last attempt always ends with an outcome")

    def attempt(self, item: Planned, envelope: Envelope, *, last: bool) -> Outcome | None:
        """The message's outcome, or None to try again later."""
        try:
            refused = open_transaction(self.client, envelope)
        except smtplib.SMTPSenderRefused as error:
            if not is_temporary(error.smtp_code):
                raise self.interrupted(item, failure(error)) from None
            return self.refused(item, error.smtp_code, reply_text(error)) if last else None
        except (smtplib.SMTPException, OSError) as error:
            raise self.interrupted(item, failure(error)) from None
        main = set(addresses(item.built.message, "To", display=False))
        main_refused = {a: r for a, r in refused.items() if a in main}
        for_now = [is_temporary(code) for code, _ in main_refused.values()]
        if (main_refused and not all(for_now)) or (main_refused and last):
            self.reset(item)
            address, (code, why) = next(iter(main_refused.items()))
            return self.refused(item, code, f"{address} : {why}")
        if main_refused or (not last and any(is_temporary(c) for c, _ in refused.values())):
            self.reset(item)
            return None
        return self.deliver(item, envelope, refused, last=last)

    def deliver(
        self, item: Planned, envelope: Envelope, refused: Refusals, *, last: bool
    ) -> Outcome | None:
        """Journal « en-cours », hand over the DATA, journal the server's answer."""
        built = item.built
        flight = line_of(built, "en-cours")
        settled = tuple(replace(old, state="non-recu", sent_at=flight.sent_at)
                        for old in item.abandoned)  # fmt: skip
        self.journal(item, *settled, flight)
        try:
            code, why = send_data(self.client, envelope)
        except (smtplib.SMTPException, OSError) as error:
            raise SendInterrupted(
                f"{uncertain_text(built.folder, flight)} (cause : {failure(error)}). "
                f"{self.sent_before} courrier(s) envoyé(s) avant celui-ci, chacun inscrit dans "
                f"son journal ({JOURNAL_NAME}) ; relancez la même commande pour envoyer les "
                "suivants."
            ) from None
        if code != 250:
            return self.not_accepted(item, flight, code, why, last=last)
        done = replace(line_of(built, "envoye"), refused=tuple(refused))
        try:
            append_sent(built.folder, done)
        except (OSError, LettresError) as error:
            raise SendInterrupted(
                f"le courrier {built.folder} est parti (Message-ID {flight.message_id}) mais son "
                f"journal n'a pas pu le noter ({error_text(error)}) : il y est « incertain » et "
                "ne repartira pas ; quand le disque le permet : "
                f"« lettres sent {argument(built.folder)} »"
            ) from None
        warnings = tuple(
            Problem(built.folder, None,
                    f"{addr} refusé par le serveur ({code} {why}) ; ce destinataire n'a rien reçu")
            for addr, (code, why) in refused.items()
        )  # fmt: skip
        return outcome_of(built, "sent", done.sent_at, warnings)

    def not_accepted(
        self, item: Planned, flight: Sent, code: int, why: str, *, last: bool
    ) -> Outcome | None:
        """A reply other than 250 to the DATA: the server did not take the message."""
        refusal = replace(flight, state="refuse", sent_at=now(), code=code, reason=why)
        self.journal(item, refusal)
        if code == 421:
            raise self.interrupted(item, f"le serveur a fermé la connexion ({code} {why})")
        self.reset(item)
        if is_temporary(code) and not last:
            return None
        return outcome_of(
            item.built, "refused", refusal.sent_at, problem=refused_text(item, code, why)
        )

    def refused(self, item: Planned, code: int, why: str) -> Outcome:
        """Nothing went: the journal says so, and the letter may be sent by a later run."""
        line = replace(line_of(item.built, "refuse"), code=code, reason=why)
        self.journal(item, line)
        return outcome_of(
            item.built, "refused", line.sent_at, problem=refused_text(item, code, why)
        )

    def journal(self, item: Planned, *lines: Sent) -> None:
        try:
            append_sent(item.folder, *lines)
        except (OSError, LettresError) as error:
            self.reset(item)
            raise SendInterrupted(
                f"le journal de {item.folder} ne peut pas être écrit ({error_text(error)}) : "
                "rien n'est envoyé sans lui. Libérez le disque ou rendez le dossier inscriptible, "
                "puis relancez la même commande."
            ) from None

    def reset(self, item: Planned) -> None:
        try:
            reset(self.client)
        except (smtplib.SMTPException, OSError) as error:
            raise self.interrupted(item, failure(error)) from None

    def interrupted(self, item: Planned, reason: str) -> SendInterrupted:
        return SendInterrupted(
            f"envoi interrompu au courrier {item.folder} : {reason}. {self.sent_before} "
            f"courrier(s) envoyé(s) avant l'interruption, chacun inscrit dans son journal "
            f"({JOURNAL_NAME}) ; relancez la même commande pour reprendre : les courriers déjà "
            "envoyés ne repartiront pas."
        )


def line_of(built: Built, state: State) -> Sent:
    message = built.message
    return Sent(
        message_id=str(message["Message-ID"]),
        sent_at=now(),
        to=addresses(message, "To", display=False),
        cc=addresses(message, "Cc", display=False),
        state=state,
    )


def refused_text(item: Planned, code: int, why: str) -> str:
    later = (
        "refus temporaire, essayé plusieurs fois : relancez la même commande plus tard"
        if is_temporary(code)
        else "vérifiez l'adresse du destinataire dans destinataires.yaml, puis relancez la même "
        "commande"
    )
    return (
        f"{item.folder} : refusé par le serveur ({code} {why}) ; le courriel n'est parti pour "
        f"personne, pas même les copies ; {later}"
    )


def reply_text(error: smtplib.SMTPResponseException) -> str:
    return text_of(error.smtp_error)


def error_text(error: Exception) -> str:
    return describe(error) if isinstance(error, OSError) else str(error)


def now() -> datetime:
    return datetime.now().astimezone()
