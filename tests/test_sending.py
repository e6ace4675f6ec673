"""`lettres send` against a real SMTP server on 127.0.0.1 (aiosmtpd), started by the tests."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from filelock import FileLock

from lettres.errors import ConnectionFailed, LettresError
from lettres.journal import JOURNAL_NAME, Sent, append_sent, read_history, read_journal
from lettres.sending import Seams, SendOptions, send_letters
from lettres.workspace import load_workspace
from tests.helpers import Invoke as Run
from tests.mailing import (
    COPIES,
    MINISTRIES,
    Recorder,
    Server,
    addresses,
    attachments,
    configure,
    free_port,
    give_email,
    replace_in,
    self_signed,
    write_letter,
)


@pytest.fixture
def letters(workspace: Path) -> list[Path]:
    """Four letters to four ministers, copies to the CNCDH and the GRETA (and MIPROF, unknown)."""
    for key, address in {**MINISTRIES, **COPIES}.items():
        give_email(workspace, key, address)
    return [write_letter(workspace, key, destinataire=key) for key in MINISTRIES]


def sendings(folder: Path) -> list[Sent]:
    return read_history(folder).sendings()


def journals(folders: list[Path]) -> dict[str, str]:
    return {
        f.name: (f / JOURNAL_NAME).read_text(encoding="utf-8")
        for f in folders
        if (f / JOURNAL_NAME).exists()
    }


def test_dry_run_shows_what_would_go_to_whom_and_sends_nothing(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder()
    configure(workspace, server(handler).port)
    result = run("send", str(letters[0]))
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "À : Bernard Cazeneuve <ministre@interieur.gouv.fr>" in out
    assert "Cc : Christine Lazerges <cncdh@cncdh.fr>, Nicolas Le Coz <greta@coe.int>" in out
    assert "Objet : Essai interieur" in out and "pièces jointes : interieur.pdf" in out
    assert "Simulation : rien n'a été envoyé ; ajoutez --no-dry-run pour envoyer." in out
    assert "Moiron-Braud (miprof)" in result.stderr
    assert handler.received == [] and handler.mails == 0
    assert journals(letters) == {}


def test_sent_message_parses_back_to_the_same_message(
    workspace: Path, letters: list[Path], run: Run, server: Server, tmp_path: Path
) -> None:
    handler = Recorder()
    configure(workspace, server(handler).port)
    enclosure = tmp_path / "Synthèse de la rencontre.pdf"
    enclosure.write_bytes(b"%PDF-1.4 synthese")
    result = run("send", "--no-dry-run", str(letters[0]), "--attach", str(enclosure))
    assert result.exit_code == 0, result.output
    assert "1 courriel(s) envoyé(s), 0 déjà envoyé(s) auparavant." in result.stdout
    [received] = handler.received
    message = received.message
    assert message["From"].addresses[0].display_name == "Geneviève Colas"
    assert addresses(message, "From") == ["genevieve.colas@secours-catholique.org"]
    assert addresses(message, "To") == ["ministre@interieur.gouv.fr"]
    assert addresses(message, "Cc") == ["cncdh@cncdh.fr", "greta@coe.int"]
    assert message["Subject"] == "Essai interieur"
    assert message["X-Unsent"] is None
    assert received.mail_from == "genevieve.colas@secours-catholique.org"
    assert received.rcpt_tos == ["ministre@interieur.gouv.fr", "cncdh@cncdh.fr", "greta@coe.int"]
    files = attachments(message)
    assert files["interieur.pdf"] == ("application/pdf", (letters[0] / "lettre.pdf").read_bytes())
    assert files[enclosure.name] == ("application/pdf", b"%PDF-1.4 synthese")
    [entry] = sendings(letters[0])
    assert entry.message_id == message["Message-ID"]
    assert entry.to == ("ministre@interieur.gouv.fr",)
    assert entry.cc == ("cncdh@cncdh.fr", "greta@coe.int")


def test_a_sent_letter_is_not_sent_again_unless_resend(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder()
    configure(workspace, server(handler).port)
    assert run("send", "--no-dry-run", str(letters[0])).exit_code == 0
    again = run("send", "--no-dry-run", str(letters[0]), str(letters[0] / "lettre.md"))
    assert again.exit_code == 0, again.output
    assert "Déjà envoyé le" in again.stdout and "--resend" in again.stdout
    assert "0 courriel(s) envoyé(s), 1 déjà envoyé(s)" in again.stdout
    assert len(handler.received) == 1
    resent = run("send", "--no-dry-run", "--resend", str(letters[0]))
    assert resent.exit_code == 0, resent.output
    assert len(handler.received) == 2
    ids = [entry.message_id for entry in sendings(letters[0])]
    assert ids == [r.message["Message-ID"] for r in handler.received] and len(set(ids)) == 2
    frozen = run("draft", str(letters[0] / "lettre.md"), "--format", "docx")
    assert frozen.exit_code == 1 and "déjà été envoyé" in frozen.stderr


def test_a_folder_named_twice_is_sent_once(
    workspace: Path, letters: list[Path], server: Server
) -> None:
    handler = Recorder()
    configure(workspace, server(handler).port)
    ws = load_workspace(workspace)
    outcomes = send_letters(ws, [letters[0], letters[0] / "lettre.md"], SendOptions(dry_run=False))
    assert [o.status for o in outcomes] == ["sent"]
    assert len(handler.received) == 1


def test_starttls_with_a_self_signed_certificate_and_a_login(
    workspace: Path, letters: list[Path], server: Server, tmp_path: Path
) -> None:
    server_context, client_context = self_signed(tmp_path)
    seen: list[tuple[str, str]] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        seen.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"s3cret", handled=False)

    handler = Recorder()
    controller = server(handler, tls_context=server_context, require_starttls=True,
                        authenticator=authenticate, auth_required=True)  # fmt: skip
    configure(workspace, controller.port, "starttls", user="coordination")
    ws = load_workspace(workspace)
    asked: list[str] = []

    def password() -> str:
        asked.append("asked")
        return "s3cret"

    outcomes = send_letters(ws, letters[:2], SendOptions(dry_run=False), password=password,
                            seams=Seams(tls_context=client_context))  # fmt: skip
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert asked == ["asked"] and seen == [("coordination", "s3cret")]  # one connection
    assert [(r.tls, r.authenticated) for r in handler.received] == [(True, True)] * 2
    pdf = (letters[1] / "lettre.pdf").read_bytes()
    assert attachments(handler.received[1].message)["justice.pdf"][1] == pdf


def test_an_untrusted_certificate_is_a_tls_failure(
    workspace: Path, letters: list[Path], server: Server, tmp_path: Path
) -> None:
    server_context, _ = self_signed(tmp_path)
    handler = Recorder()
    configure(workspace, server(handler, tls_context=server_context).port, "starttls")
    with pytest.raises(ConnectionFailed, match="certificat") as error:
        send_letters(load_workspace(workspace), letters[:1], SendOptions(dry_run=False))
    assert "rien n'a été envoyé" in str(error.value)
    assert handler.received == [] and journals(letters) == {}


def test_implicit_tls(workspace: Path, letters: list[Path], server: Server, tmp_path: Path) -> None:
    server_context, client_context = self_signed(tmp_path)
    handler = Recorder()
    configure(workspace, server(handler, ssl_context=server_context).port, "ssl")
    ws = load_workspace(workspace)
    send_letters(
        ws, letters[:1], SendOptions(dry_run=False), seams=Seams(tls_context=client_context)
    )
    assert [r.tls for r in handler.received] == [True]


def refuse_everyone(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    return AuthResult(success=False, handled=False)


def test_a_refused_login_sends_nothing(
    workspace: Path, letters: list[Path], run: Run, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = Recorder()
    controller = server(handler, authenticator=refuse_everyone, auth_require_tls=False)
    configure(workspace, controller.port, "none", user="coordination")
    monkeypatch.setenv("LETTRES_SMTP_PASSWORD", "faux")
    result = run("send", "--no-dry-run", *map(str, letters))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert (
        f"le serveur 127.0.0.1:{controller.port} refuse la connexion de l'utilisateur « coordination » (535"
        in message
    )
    assert "LETTRES_SMTP_PASSWORD" in message and "rien n'a été envoyé" in message
    assert "Traceback" not in result.output
    assert handler.received == [] and journals(letters) == {}


def test_the_password_is_asked_when_not_in_the_environment(
    workspace: Path, letters: list[Path], run: Run, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    def only_s3cret(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        return AuthResult(success=data.password == b"s3cret", handled=False)

    handler = Recorder()
    controller = server(handler, authenticator=only_s3cret, auth_require_tls=False)
    configure(workspace, controller.port, "none", user="coordination")
    monkeypatch.delenv("LETTRES_SMTP_PASSWORD", raising=False)
    from typer.testing import CliRunner

    from lettres.cli import app

    result = CliRunner().invoke(
        app, ["--workspace", str(workspace), "send", "--no-dry-run", str(letters[0])],
        input="s3cret\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Mot de passe de coordination sur 127.0.0.1" in result.output
    assert "s3cret" not in result.output
    assert len(handler.received) == 1
    assert "s3cret" not in (workspace / "modeles" / "collectif.yaml").read_text(encoding="utf-8")
    assert "s3cret" not in (letters[0] / JOURNAL_NAME).read_text(encoding="utf-8")


def test_server_closing_mid_batch_then_the_same_command_resumes(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder(drop_at_mail=3)
    configure(workspace, server(handler).port)
    command = ["send", "--no-dry-run", *map(str, letters)]
    first = run(*command)
    assert first.exit_code == 1
    message = " ".join(first.stderr.split())
    assert f"envoi interrompu au courrier {letters[2]}" in message
    assert "le serveur a fermé la connexion" in message
    assert "2 courrier(s) envoyé(s) avant l'interruption" in message
    assert "relancez la même commande pour reprendre" in message
    assert sorted(journals(letters)) == ["interieur", "justice"]
    assert len(handler.received) == 2

    second = run(*command)
    assert second.exit_code == 0, second.output
    assert "2 courriel(s) envoyé(s), 2 déjà envoyé(s) auparavant." in second.stdout
    # Each letter reached its minister exactly once, and each journal names its message.
    received_to = [addresses(r.message, "To")[0] for r in handler.received]
    assert sorted(received_to) == sorted(MINISTRIES.values())
    for folder in letters:
        [entry] = sendings(folder)
        [match] = [r for r in handler.received if r.message["Message-ID"] == entry.message_id]
        assert addresses(match.message, "To") == [MINISTRIES[folder.name]]


def test_connection_refused(workspace: Path, letters: list[Path], run: Run) -> None:
    port = free_port()  # nobody listens there
    configure(workspace, port)
    result = run("send", "--no-dry-run", str(letters[0]))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert f"connexion refusée par 127.0.0.1:{port}" in message
    assert "rien n'a été envoyé" in message and "Traceback" not in result.output
    assert journals(letters) == {}


def test_one_recipient_refused_while_the_others_are_accepted(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder(refuse={"greta@coe.int"})
    configure(workspace, server(handler).port)
    result = run("send", "--no-dry-run", str(letters[0]), str(letters[1]))
    assert result.exit_code == 0, result.output
    warning = " ".join(result.stderr.split())
    for name in ("interieur", "justice"):
        assert (
            f"{name}: avertissement : greta@coe.int refusé par le serveur (550 5.1.1 Destinataire inconnu) ; ce destinataire n'a rien reçu"
            in warning
        )
    assert warning.count("Moiron-Braud (miprof)") == 1  # the same warning once per batch
    assert [r.rcpt_tos for r in handler.received] == [
        ["ministre@interieur.gouv.fr", "cncdh@cncdh.fr"],
        ["ministre@justice.gouv.fr", "cncdh@cncdh.fr"],
    ]
    for folder in letters[:2]:
        [entry] = sendings(folder)
        assert entry.refused == ("greta@coe.int",)
        assert entry.cc == ("cncdh@cncdh.fr", "greta@coe.int")
        flight, done = map(json.loads, (folder / JOURNAL_NAME).read_text("utf-8").splitlines())
        assert (flight["etat"], done["etat"]) == ("en-cours", "envoye")
        assert flight["message_id"] == done["message_id"] and "refuses" not in flight
        assert done["refuses"] == ["greta@coe.int"]


def test_rate_limit_waits_between_messages(
    workspace: Path, letters: list[Path], server: Server
) -> None:
    handler = Recorder()
    configure(workspace, server(handler).port)
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    ws = load_workspace(workspace)
    send_letters(ws, letters[:3], SendOptions(dry_run=False, rate=30),
                 seams=Seams(clock=lambda: now[0], sleep=sleep))  # fmt: skip
    assert slept == [2.0, 2.0]  # 30 a minute: one every two seconds
    assert len(handler.received) == 3
    with pytest.raises(LettresError, match="plus grand que 0"):
        send_letters(ws, letters[3:], SendOptions(dry_run=False, rate=0))


def test_without_server_settings_a_real_send_says_where_to_add_them(
    workspace: Path, letters: list[Path], run: Run
) -> None:
    dry = run("send", str(letters[0]))
    assert dry.exit_code == 0, dry.output
    assert "Aucun serveur d'envoi configuré" in dry.stderr
    result = run("send", "--no-dry-run", str(letters[0]))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "ajoutez une section « envoi: »" in message and "collectif.yaml" in message


def test_bad_server_settings_are_located(workspace: Path, run: Run) -> None:
    configure(workspace, 587, "tls")
    result = run("check")
    assert result.exit_code == 1
    lines = (workspace / "modeles" / "collectif.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(lines, 1) if "securite: tls" in t)
    assert f"collectif.yaml:{line}:" in result.stdout  # check's findings are its result
    assert "« securite » vaut « tls »" in " ".join(result.stdout.split())


def test_a_port_out_of_range_is_located(workspace: Path, run: Run) -> None:
    configure(workspace, 70000)
    result = run("check")
    assert result.exit_code == 1
    assert "port 70000 impossible" in result.stdout


# Bad input: each a clear message, exit 1, nothing sent, every journal as it was.
def invalid_address(workspace: Path, letters: list[Path]) -> tuple[list[str], str]:
    replace_in(workspace / "destinataires.yaml", "courriel: cncdh@cncdh.fr",
               "courriel: cncdh.cncdh.fr")  # fmt: skip
    return [], "n'est pas une adresse électronique valide"


def missing_attachment(workspace: Path, letters: list[Path]) -> tuple[list[str], str]:
    return ["--attach", str(workspace / "absente.pdf")], "pièce jointe introuvable"


def folder_without_pdf(workspace: Path, letters: list[Path]) -> tuple[list[str], str]:
    (letters[3] / "lettre.pdf").unlink()
    return [], "pas de PDF dans"


def damaged_journal(workspace: Path, letters: list[Path]) -> tuple[list[str], str]:
    with (letters[1] / JOURNAL_NAME).open("a", encoding="utf-8") as stream:
        stream.write("{pas du json\n")
    return [], f"{JOURNAL_NAME}:2: ligne de journal illisible"


BAD = [
    pytest.param(invalid_address, id="invalid-address"),
    pytest.param(missing_attachment, id="missing-attachment"),
    pytest.param(folder_without_pdf, id="folder-without-pdf"),
    pytest.param(damaged_journal, id="damaged-journal"),
]


@pytest.mark.parametrize("breaker", BAD)
def test_bad_input_sends_nothing_and_leaves_journals_intact(
    workspace: Path, letters: list[Path], run: Run, server: Server, breaker: Any
) -> None:
    from datetime import datetime

    handler = Recorder()
    configure(workspace, server(handler).port)
    append_sent(letters[1], Sent("<avant@x>", datetime(2015, 4, 21, 10), ("a@b.fr",), ()))
    before = journals(letters)
    extra, words = breaker(workspace, letters)
    after_break = journals(letters)
    result = run("send", "--no-dry-run", *map(str, letters), *extra)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert words in " ".join(result.stderr.split())
    assert handler.mails == 0 and handler.received == []
    assert journals(letters) == after_break
    assert set(after_break) == set(before)


def test_an_invalid_address_is_reported_at_its_line_by_check_and_send(
    workspace: Path, letters: list[Path], run: Run
) -> None:
    invalid_address(workspace, letters)
    lines = (workspace / "destinataires.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(lines, 1) if "cncdh.cncdh.fr" in t)
    for command in (
        ["check"],
        ["send", str(letters[0])],
        ["send", "--no-dry-run", str(letters[0])],
    ):
        result = run(*command)
        said = result.stdout if command == ["check"] else result.stderr
        assert result.exit_code == 1, command
        assert f"destinataires.yaml:{line}:" in said, command
        assert "« cncdh.cncdh.fr » n'est pas une adresse électronique valide" in said


def test_header_injection_through_send_reaches_nobody_else(
    workspace: Path, letters: list[Path], server: Server
) -> None:
    handler = Recorder()
    configure(workspace, server(handler).port)
    folder = write_letter(workspace, "piege", objet='"Essai\\r\\nBcc: pirate@exemple.fr"')
    send_letters(load_workspace(workspace), [folder], SendOptions(dry_run=False))
    [received] = handler.received
    assert "pirate@exemple.fr" not in received.rcpt_tos
    assert received.message["Bcc"] is None
    assert not any(line.startswith(b"Bcc:") for line in received.content.splitlines())


def test_a_second_send_at_the_same_time_is_refused(
    workspace: Path, letters: list[Path], server: Server
) -> None:
    handler = Recorder()
    configure(workspace, server(handler).port)
    ws = load_workspace(workspace)
    busy = pytest.raises(LettresError, match="un autre « lettres send » est en cours")
    with FileLock(workspace / ".lettres-envoi.lock"), busy:
        send_letters(ws, letters, SendOptions(dry_run=False))
    assert handler.received == []


def test_journal_keeps_old_lines_readable_and_locates_a_damaged_one(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    when = datetime(2015, 4, 21, 10, 30, tzinfo=UTC)
    append_sent(tmp_path, Sent("<1@x>", when, ("a@b.fr",), ("c@d.fr",), refused=("c@d.fr",)))
    (tmp_path / JOURNAL_NAME).open("a", encoding="utf-8").write(
        '{"message_id": "<2@x>", "date": "2015-04-22T09:00:00", "a": ["a@b.fr"]}\n'
    )
    first, second = read_journal(tmp_path)
    assert first == Sent("<1@x>", when, ("a@b.fr",), ("c@d.fr",), ("c@d.fr",))
    assert second.cc == () and second.refused == ()
    (tmp_path / JOURNAL_NAME).open("a", encoding="utf-8").write('{"message_id": "<3@x>"}\n')
    with pytest.raises(LettresError, match=f"{JOURNAL_NAME}:3: ligne de journal illisible"):
        read_journal(tmp_path)


def test_tls_context_is_used_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a test context, the system's trusted authorities decide: nothing is skipped."""
    made: list[ssl.SSLContext] = []
    original = ssl.create_default_context

    def spy(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(ssl, "create_default_context", spy)
    from lettres.models import Sending
    from lettres.smtp import connection

    settings = Sending.model_validate({"hote": "127.0.0.1", "port": free_port()})
    with pytest.raises(ConnectionFailed), connection(settings, None, None, 5.0):
        pass
    assert made and made[0].verify_mode == ssl.CERT_REQUIRED and made[0].check_hostname
