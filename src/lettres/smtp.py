"""The SMTP connection of `lettres send`, and what to tell the user in French when it fails.

Every failure is worded for someone who knows their mail settings but not SMTP: it names
the server, the setting to check in modeles/collectif.yaml, and whether anything went.
The batch (which letter, its journal, the pace) is `sending`'s; this module only talks
to the server.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from lettres.errors import ConnectionFailed
from lettres.folders import SENDER_FILE
from lettres.models import Sending

PASSWORD_VARIABLE = "LETTRES_SMTP_PASSWORD"
TIMEOUT = 60.0


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
