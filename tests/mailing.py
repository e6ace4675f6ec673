"""Helpers of the mailing tests: letters with e-mail addresses, real PDFs, a real SMTP server."""

from __future__ import annotations

import asyncio
import base64
import datetime
import email
import email.policy
import io
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from pypdf import PdfWriter

LETTER_DATE = "2015-04-21"


def give_email(workspace: Path, key: str, address: str) -> None:
    """Set the e-mail of one position in the workspace copy's directory (shipped as null)."""
    path = workspace / "destinataires.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n  {key}:\n")
    at = text.index("    courriel: null", start)
    path.write_text(
        text[:at] + f"    courriel: {address}" + text[at + len("    courriel: null") :],
        encoding="utf-8",
    )


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the test's anchor « {old} » must exist in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pdf_bytes(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def write_letter(
    workspace: Path,
    name: str,
    *,
    pdf: bool = True,
    body: str = "Corps du courrier.\n",
    **front: str,
) -> Path:
    """A letter's folder as `lettres draft` leaves it: its source, and its PDF (written after)."""
    values = {"destinataire": "interieur", "objet": f"Essai {name}", "date": LETTER_DATE,
              "signataire": "fayet"} | front  # fmt: skip
    folder = workspace / "courriers" / name
    folder.mkdir(parents=True, exist_ok=True)
    header = "".join(f"{key}: {value}\n" for key, value in values.items())
    (folder / "lettre.md").write_text(f"---\n{header}---\n{body}", encoding="utf-8")
    if pdf:
        (folder / "lettre.pdf").write_bytes(pdf_bytes(name))
    return folder


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def addresses(message: EmailMessage, name: str) -> list[str]:
    header = message[name]
    return [] if header is None else [a.addr_spec for a in header.addresses]


def attachments(message: EmailMessage) -> dict[str, tuple[str, bytes]]:
    """File name → (content type, bytes) of every attachment."""
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        data = part.get_content()
        found[str(part.get_filename())] = (part.get_content_type(), bytes(data))
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    authenticated: bool

    @property
    def message(self) -> EmailMessage:
        return parse(self.content)


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message and injects the faults a real server has.

    - `refuse`: recipients refused for good at RCPT (550);
    - `later`: recipient → how many RCPT of it are refused for now (450) before it is taken;
    - `drop_at_mail`: drop the connection when the client starts its n-th message (MAIL FROM);
    - `lose_reply_at`: take the n-th message (it is received) and close the connection
      before its « 250 »: the client never learns that it went;
    - `hold_at`: take the n-th message and hold it, no reply, until `release` is set
      (`holding` is set meanwhile: the moment to kill the client);
    - `data_replies`: the replies to the first DATA commands, in order (« 451 … », « 554 … »):
      a message so answered is not kept.
    Each fault happens once (the counters count the whole server's life).
    """

    refuse: set[str] = field(default_factory=set)
    later: dict[str, int] = field(default_factory=dict)
    drop_at_mail: int | None = None
    lose_reply_at: int | None = None
    hold_at: int | None = None
    data_replies: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    mails: int = 0
    datas: int = 0
    rcpts: list[tuple[str, str]] = field(default_factory=list)  # (address, reply code)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.mails += 1
        if self.mails == self.drop_at_mail:
            self.drop_at_mail = None
            server.transport.close()
            return "421 fermeture"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            self.rcpts.append((address, "550"))
            return "550 5.1.1 Destinataire inconnu"
        if self.later.get(address, 0) > 0:
            self.later[address] -= 1
            self.rcpts.append((address, "450"))
            return "450 4.2.0 Boite pleine, reessayez plus tard"
        self.rcpts.append((address, "250"))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0)
        self.datas += 1
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                bytes(envelope.original_content or envelope.content),
                session.ssl is not None
                or server.transport.get_extra_info("ssl_object") is not None,
                bool(session.authenticated),
            )
        )
        if self.datas == self.lose_reply_at:
            server.transport.abort()  # taken, and the « 250 » never leaves
            return "250 Message accepté"
        if self.datas == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return "250 Message accepté"

    def to(self) -> list[str]:
        """The main recipient of each message received, in order."""
        return [addresses(r.message, "To")[0] for r in self.received]


Server = Callable[..., Controller]


@contextmanager
def smtp_servers() -> Iterator[Server]:
    """Start aiosmtpd servers on 127.0.0.1 and free ports; all stopped at the end."""
    started: list[Controller] = []

    def start(handler: Recorder, **options: Any) -> Controller:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        started.append(controller)
        return controller

    try:
        yield start
    finally:
        for controller in started:
            if isinstance(controller.handler, Recorder):
                controller.handler.release.set()
            controller.stop()


def self_signed(tmp: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for 127.0.0.1 made here: the server's context, and a client's that trusts it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "serveur.crt", tmp / "serveur.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


APPLICATION = "11111111-2222-3333-4444-555555555555"  # a client id as IT would give it


def configure(workspace: Path, port: int, security: str = "none", user: str | None = None) -> None:
    """Add the `envoi:` section to the workspace copy's collectif.yaml."""
    lines = ["envoi:", "  hote: 127.0.0.1", f"  port: {port}", f"  securite: {security}"]
    if user:
        lines.append(f"  utilisateur: {user}")
    if security == "oauth2-microsoft":
        lines.append(f"  application: {APPLICATION}")
    path = workspace / "modeles" / "collectif.yaml"
    with path.open("a", encoding="utf-8") as stream:
        stream.write("\n" + "\n".join(lines) + "\n")


@dataclass
class MicrosoftRecorder(Recorder):
    """A Recorder that logs in as Exchange Online does: SASL XOAUTH2, a user and a bearer
    token; a wrong one gets the JSON challenge, then 535. Every exchange is kept."""

    tokens: dict[str, str] = field(default_factory=dict)  # user → the token it accepts
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> Any:
        from aiosmtpd.smtp import AuthResult

        if len(args) != 2:
            return AuthResult(success=False, handled=False, message="501 réponse initiale attendue")
        fields = base64.b64decode(args[1]).decode("ascii")
        assert fields.endswith("\x01\x01"), fields
        parts = dict(part.split("=", 1) for part in fields[:-2].split("\x01"))
        assert set(parts) == {"user", "auth"} and parts["auth"].startswith("Bearer "), parts
        user, token = parts["user"], parts["auth"].removeprefix("Bearer ")
        self.logins.append((user, token))
        if self.tokens.get(user) == token:
            return AuthResult(success=True, auth_data=user)
        problem = json.dumps({"status": "401", "schemes": "bearer", "scope": "SMTP.Send"})
        await server.challenge_auth(problem)  # the client answers it with an empty line
        return AuthResult(
            success=False, handled=False, message="535 5.7.3 Authentication unsuccessful"
        )


# The ministers and copies of the sending tests, with the addresses the directory lacks.
MINISTRIES = {
    "interieur": "ministre@interieur.gouv.fr",
    "justice": "ministre@justice.gouv.fr",
    "education": "ministre@education.gouv.fr",
    "affaires-sociales": "ministre@sante.gouv.fr",
}
COPIES = {"cncdh": "cncdh@cncdh.fr", "greta": "greta@coe.int"}
