"""The SMTP connection of `lettres send`, and what to tell the user in French when it fails.

Every failure is worded for someone who knows their mail settings but not SMTP: it names
the server, the setting to check in modeles/collectif.yaml, and whether anything went.
The batch (which letter, its journal, the pace) is `sending`'s; this module only talks
to the server.
"""

from __future__ import annotations

import io
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from copy import copy as shallow_copy
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.headerregistry import AddressHeader
from email.message import EmailMessage

from lettres.errors import ConnectionFailed
from lettres.folders import SENDER_FILE
from lettres.models import MICROSOFT, Sending

PASSWORD_VARIABLE = "LETTRES_SMTP_PASSWORD"
TIMEOUT = 60.0

Refusals = dict[str, tuple[int, str]]  # address → the server's reply to its RCPT


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
        if settings.security in ("starttls", MICROSOFT):
            stage = "starttls"
            client.starttls(context=context)
        if settings.security == MICROSOFT:
            stage = "oauth"
            authenticate_xoauth2(client, settings.user or "", password or "")
        elif settings.user:
            stage = "login"
            client.login(settings.user, password or "")
        return client
    except (smtplib.SMTPException, OSError) as error:
        if client is not None:
            close_quietly(client)
        message = connection_message(error, settings, stage)
        raise ConnectionFailed(f"{message} ; rien n'a été envoyé.") from None


def authenticate_xoauth2(client: smtplib.SMTP, user: str, token: str) -> None:
    """Microsoft 365's login: the OAuth token in place of a password (SASL XOAUTH2).

    A refused token is answered by a 334 carrying the reason in JSON; the client answers it
    with an empty line and the server then says 535, which smtplib raises.
    """
    client.ehlo_or_helo_if_needed()
    if "xoauth2" not in client.esmtp_features.get("auth", "").lower().split():
        raise smtplib.SMTPNotSupportedError("XOAUTH2")

    def respond(challenge: bytes | None = None) -> str:
        return f"user={user}\x01auth=Bearer {token}\x01\x01" if challenge is None else ""

    client.auth("XOAUTH2", respond)


def connection_message(error: Exception, settings: Sending, stage: str) -> str:
    where = f"{settings.host}:{settings.server_port}"
    if stage == "oauth" and isinstance(error, smtplib.SMTPAuthenticationError):
        return (
            f"Microsoft 365 ({where}) refuse la connexion de « {settings.user} » "
            f"({reply(error)}) : vérifiez l'utilisateur (section envoi de {SENDER_FILE}) et que "
            "l'envoi SMTP authentifié est permis pour cette boîte (centre d'administration "
            "Microsoft 365 → Utilisateurs → Courrier → Applications de messagerie)"
        )
    if stage == "oauth" and isinstance(error, smtplib.SMTPNotSupportedError):
        return (
            f"le serveur {where} ne propose pas la connexion Microsoft 365 (XOAUTH2) : "
            f"vérifiez « hote: smtp.office365.com » dans {SENDER_FILE}"
        )
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


# One message, step by step: `smtplib.send_message` hands over the DATA at once, while the
# journal must note the message as in flight between the server's « oui » to every RCPT and
# the DATA, and the batch decides what a refused recipient means.


@dataclass(frozen=True)
class Envelope:
    """What the server is told: who sends, to whom, and the message's bytes."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes


def envelope_of(message: EmailMessage) -> Envelope:
    """The message as `send_message` would transmit it (no Bcc ever sent; the envelope's
    sender is the Sender when there is one: the user who sends for a shared mailbox)."""
    copy = shallow_copy(message)
    del copy["Bcc"]
    with io.BytesIO() as stream:
        BytesGenerator(stream).flatten(copy, linesep="\r\n")
        data = stream.getvalue()
    return Envelope(
        (addresses(message, "Sender") or addresses(message, "From"))[0],
        (*addresses(message, "To"), *addresses(message, "Cc")),
        data,
    )


def addresses(message: EmailMessage, name: str) -> tuple[str, ...]:
    header = message[name]
    if not isinstance(header, AddressHeader):
        return ()
    return tuple(a.addr_spec for a in header.addresses)


def open_transaction(client: smtplib.SMTP, envelope: Envelope) -> Refusals:
    """MAIL FROM then one RCPT TO per address; the refused addresses with the server's reply.

    A refused sender is SMTPSenderRefused; a server closing (421) is SMTPServerDisconnected.
    """
    client.ehlo_or_helo_if_needed()
    options = [f"size={len(envelope.data)}"] if client.has_extn("size") else []
    code, answer = client.mail(envelope.sender, options)
    closing(client, code, answer)
    if code != 250:
        reset(client)
        raise smtplib.SMTPSenderRefused(code, answer, envelope.sender)
    refused: Refusals = {}
    for recipient in envelope.recipients:
        code, answer = client.rcpt(recipient)
        closing(client, code, answer)
        if code not in (250, 251):
            refused[recipient] = (code, text_of(answer))
    return refused


def send_data(client: smtplib.SMTP, envelope: Envelope) -> tuple[int, str]:
    """The DATA and the server's reply: 250 means the message is the server's now."""
    code, answer = client.data(envelope.data)
    if code == 421:
        client.close()
    return code, text_of(answer)


def closing(client: smtplib.SMTP, code: int, answer: bytes) -> None:
    if code == 421:
        client.close()
        raise smtplib.SMTPServerDisconnected(f"421 {text_of(answer)}")


def reset(client: smtplib.SMTP) -> None:
    """Forget the message begun, keep the connection for the next one."""
    code, answer = client.rset()
    closing(client, code, answer)
