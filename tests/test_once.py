"""At most once, then certain: `lettres send` against a server that fails the way real ones do.

The faults are injected by the server on 127.0.0.1 (tests/mailing.py): a reply lost after
the message was taken, the client killed while the server holds the message, a temporary
refusal (450) then an acceptance, the main recipient refused (550), one copy refused. Each
test counts what the server received: no minister receives a letter twice.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lettres.errors import SendInterrupted
from lettres.journal import JOURNAL_NAME, read_history
from lettres.sending import Seams, SendOptions, send_letters
from lettres.workspace import load_workspace
from tests.helpers import Invoke as Run
from tests.mailing import (
    COPIES,
    MINISTRIES,
    Recorder,
    Server,
    configure,
    give_email,
    write_letter,
)


@pytest.fixture
def letters(workspace: Path) -> list[Path]:
    """Four letters to four ministers, each with a follow-up in six weeks."""
    for key, address in {**MINISTRIES, **COPIES}.items():
        give_email(workspace, key, address)
    return [
        write_letter(workspace, key, destinataire=key, relance="6 semaines") for key in MINISTRIES
    ]


def states(folder: Path) -> list[str]:
    path = folder / JOURNAL_NAME
    if not path.exists():
        return []
    return [json.loads(line)["etat"] for line in path.read_text("utf-8").splitlines()]


def register_rows(run: Run) -> dict[str, dict[str, Any]]:
    result = run("register", "--format", "json", "--date", "2030-01-01")
    assert result.exit_code == 0, result.output
    return {Path(row["dossier"]).name: row for row in json.loads(result.stdout)}


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_lost_reply_is_uncertain_never_sent_again_then_settled_by_sent(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder(lose_reply_at=3)  # the server takes education's message, no « 250 »
    configure(workspace, server(handler).port)
    command = ["send", "--no-dry-run", *map(str, letters)]
    first = run(*command)
    assert first.exit_code == 1
    message = flat(first.stderr)
    assert f"{letters[2]} : envoi incertain" in message
    assert f"« lettres sent {letters[2]} »" in message
    assert f"« lettres send --no-dry-run --resend {letters[2]} »" in message
    assert "éléments envoyés" in message and "Traceback" not in first.output
    assert [states(f) for f in letters] == [["en-cours", "envoye"]] * 2 + [["en-cours"], []]
    [flight] = read_history(letters[2]).lines
    assert flight.message_id == handler.received[2].message["Message-ID"]

    second = run(*command)
    assert second.exit_code == 1
    assert "1 courriel(s) envoyé(s), 2 déjà envoyé(s) auparavant." in second.stdout
    assert "Incertain" in second.stderr and f"{letters[2]} : envoi incertain" in flat(second.stderr)
    assert sorted(handler.to()) == sorted(MINISTRIES.values())  # each minister once
    assert states(letters[2]) == ["en-cours"]

    rows = register_rows(run)
    assert rows["education"]["statut"] == "incertain"
    table = flat(run("register").stdout)
    assert "incertain" in table
    frozen = run("draft", str(letters[2] / "lettre.md"), "--format", "docx")
    assert frozen.exit_code == 1 and "déjà été envoyé" in frozen.stderr

    settled = run("sent", str(letters[2]))
    assert settled.exit_code == 0, settled.output
    assert "Envoi incertain confirmé" in settled.stdout
    assert states(letters[2]) == ["en-cours", "envoye"]
    assert read_history(letters[2]).lines[1].message_id == flight.message_id
    row = register_rows(run)["education"]
    assert row["statut"] == "envoye" and row["envoye_le"] == flight.day.isoformat()
    third = run(*command)
    assert third.exit_code == 0, third.output
    assert "0 courriel(s) envoyé(s), 4 déjà envoyé(s)" in third.stdout
    assert len(handler.received) == 4


def test_an_uncertain_letter_that_did_not_arrive_is_resent_on_request(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder(lose_reply_at=1)
    configure(workspace, server(handler).port)
    assert run("send", "--no-dry-run", str(letters[0])).exit_code == 1
    assert run("send", "--no-dry-run", str(letters[0])).exit_code == 1
    assert len(handler.received) == 1
    resent = run("send", "--no-dry-run", "--resend", str(letters[0]))
    assert resent.exit_code == 0, resent.output
    assert len(handler.received) == 2
    lost, new = (r.message["Message-ID"] for r in handler.received)
    lines = read_history(letters[0]).lines
    assert [(line.state, line.message_id) for line in lines] == [
        ("en-cours", lost), ("non-recu", lost), ("en-cours", new), ("envoye", new),
    ]  # fmt: skip
    assert register_rows(run)["interieur"]["statut"] == "envoye"


def test_a_client_killed_while_the_server_holds_the_message_is_not_sent_twice(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder(hold_at=2)
    configure(workspace, server(handler).port)
    command = [sys.executable, "-m", "lettres", "--workspace", str(workspace), "send",
               "--no-dry-run", *map(str, letters)]  # fmt: skip
    environment = {**os.environ, "LETTRES_SMTP_PASSWORD": "inutile"}
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert handler.holding.wait(60), "the server never got the second message"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    handler.release.set()
    assert [states(f) for f in letters] == [["en-cours", "envoye"], ["en-cours"], [], []]

    again = run("send", "--no-dry-run", *map(str, letters))
    assert again.exit_code == 1
    assert f"{letters[1]} : envoi incertain" in flat(again.stderr)
    assert "2 courriel(s) envoyé(s), 1 déjà envoyé(s) auparavant." in again.stdout
    assert sorted(handler.to()) == sorted(MINISTRIES.values())
    assert register_rows(run)["justice"]["statut"] == "incertain"


def test_a_temporary_refusal_is_retried_within_the_run(
    workspace: Path, letters: list[Path], server: Server
) -> None:
    handler = Recorder(later={"ministre@interieur.gouv.fr": 2})  # 450, 450, then 250
    configure(workspace, server(handler).port)
    slept: list[float] = []
    outcomes = send_letters(load_workspace(workspace), letters[:2], SendOptions(dry_run=False),
                            seams=Seams(sleep=slept.append))  # fmt: skip
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert slept == [10.0, 30.0]  # a longer wait each time
    assert handler.to() == ["ministre@interieur.gouv.fr", "ministre@justice.gouv.fr"]
    assert [code for address, code in handler.rcpts if "interieur" in address] == [
        "450", "450", "250",
    ]  # fmt: skip
    assert states(letters[0]) == ["en-cours", "envoye"]


def test_a_refusal_that_lasts_is_left_for_the_next_run(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder(later={"ministre@interieur.gouv.fr": 4})
    configure(workspace, server(handler).port)
    slept: list[float] = []
    outcomes = send_letters(load_workspace(workspace), letters[:2], SendOptions(dry_run=False),
                            seams=Seams(sleep=slept.append))  # fmt: skip
    assert [o.status for o in outcomes] == ["refused", "sent"]
    assert slept == [10.0, 30.0, 90.0]
    assert "refus temporaire" in str(outcomes[0].problem)
    assert handler.to() == ["ministre@justice.gouv.fr"]  # nobody got interieur, no copy either
    [refusal] = read_history(letters[0]).lines
    assert (refusal.state, refusal.code) == ("refuse", 450)
    row = register_rows(run)["interieur"]
    assert row["statut"] == "refuse" and row["envoye_le"] is None and row["relance"] is None

    again = run("send", "--no-dry-run", str(letters[0]))  # the server takes it now
    assert again.exit_code == 0, again.output
    assert handler.to() == ["ministre@justice.gouv.fr", "ministre@interieur.gouv.fr"]
    row = register_rows(run)["interieur"]
    assert row["statut"] == "envoye" and row["envoye_le"] == date.today().isoformat()


def test_a_message_refused_after_its_data_is_retried_then_journaled_as_refused(
    workspace: Path, letters: list[Path], server: Server
) -> None:
    handler = Recorder(data_replies=["451 4.3.0 Erreur locale, reessayez", "554 5.6.0 Refuse"])
    configure(workspace, server(handler).port)
    slept: list[float] = []
    ws = load_workspace(workspace)
    outcomes = send_letters(ws, letters[:2], SendOptions(dry_run=False),
                            seams=Seams(sleep=slept.append))  # fmt: skip
    assert [o.status for o in outcomes] == ["refused", "sent"]
    assert slept == [10.0] and "554" in str(outcomes[0].problem)
    assert states(letters[0]) == ["en-cours", "refuse", "en-cours", "refuse"]
    assert read_history(letters[0]).pending() == []  # refused is certain: nothing went
    assert handler.to() == ["ministre@justice.gouv.fr"]


def test_no_data_is_sent_when_the_journal_cannot_note_it_first(
    workspace: Path, letters: list[Path], server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = Recorder()
    configure(workspace, server(handler).port)

    def disk_full(path: Path, lines: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("lettres.journal.append_lines", disk_full)
    with pytest.raises(SendInterrupted, match="ne peut pas être écrit") as error:
        send_letters(load_workspace(workspace), letters[:1], SendOptions(dry_run=False))
    assert "No space left on device" in str(error.value) and "rien n'est envoyé" in str(error.value)
    assert handler.mails == 1 and handler.datas == 0 and handler.received == []


def test_the_main_recipient_refused_means_not_sent(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder(refuse={"ministre@justice.gouv.fr"})
    configure(workspace, server(handler).port)
    result = run("send", "--no-dry-run", *map(str, letters))
    assert result.exit_code == 1
    message = flat(result.stderr)
    assert f"Refusé : {letters[1]} : refusé par le serveur (550 ministre@justice.gouv.fr" in message
    assert "pas même les copies" in message and "Traceback" not in result.output
    assert "3 courriel(s) envoyé(s), 0 déjà envoyé(s)" in result.stdout
    assert "ministre@justice.gouv.fr" not in handler.to()
    assert all("ministre@justice.gouv.fr" not in r.rcpt_tos for r in handler.received)
    assert len(handler.received) == 3  # no copy of the refused letter went either
    [refusal] = read_history(letters[1]).lines
    assert (refusal.state, refusal.code) == ("refuse", 550)
    rows = register_rows(run)
    assert rows["justice"]["statut"] == "refuse" and rows["justice"]["relance"] is None
    justice = next(
        line for line in run("register").stdout.splitlines() if "justice" in line.lower()
    )  # off a terminal, the register is one line per letter, its status whole
    assert "refusé le" in justice and "(non envoyé)" in justice and "envoyé le" not in justice
    assert [rows[k]["statut"] for k in ("interieur", "education", "affaires-sociales")] == [
        "envoye"
    ] * 3

    handler.refuse.clear()  # the address fixed: a re-run sends it, and only it
    again = run("send", "--no-dry-run", *map(str, letters))
    assert again.exit_code == 0, again.output
    assert "1 courriel(s) envoyé(s), 3 déjà envoyé(s)" in again.stdout
    assert sorted(handler.to()) == sorted(MINISTRIES.values())


def test_a_refused_copy_does_not_stop_the_letter(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder(refuse={"greta@coe.int"})
    configure(workspace, server(handler).port)
    result = run("send", "--no-dry-run", str(letters[0]))
    assert result.exit_code == 0, result.output
    assert "greta@coe.int refusé par le serveur (550" in flat(result.stderr)
    assert handler.received[0].rcpt_tos == ["ministre@interieur.gouv.fr", "cncdh@cncdh.fr"]
    assert register_rows(run)["interieur"]["statut"] == "envoye"


def test_sent_by_hand_has_the_effects_of_send(
    workspace: Path, letters: list[Path], run: Run, server: Server
) -> None:
    handler = Recorder()
    configure(workspace, server(handler).port)
    folder = letters[0]
    result = run("sent", str(folder), "--date", "2015-05-01", "--note", "Outlook")
    assert result.exit_code == 0, result.output
    assert "Envoi noté : le 2015-05-01" in result.stdout
    [line] = map(json.loads, (folder / JOURNAL_NAME).read_text("utf-8").splitlines())
    assert line["etat"] == "envoye" and line["manuel"] is True and line["note"] == "Outlook"
    row = register_rows(run)[folder.name]
    assert (row["statut"], row["envoye_le"], row["relance"]) == (
        "envoye", "2015-05-01", "2015-06-12",
    )  # fmt: skip
    published = run("register", "--status", "envoye", "--format", "html")
    assert "Essai interieur" in published.stdout and "Essai justice" not in published.stdout
    frozen = run("draft", str(folder / "lettre.md"), "--format", "docx")
    assert frozen.exit_code == 1 and "déjà été envoyé" in frozen.stderr
    again = run("send", "--no-dry-run", str(folder))
    assert again.exit_code == 0 and "Déjà envoyé le 01/05/2015" in again.stdout
    assert handler.received == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--date", "2015-04-20"], "ne peut pas précéder le courrier"),
        (["--date", "2999-01-01"], "serait dans l'avenir"),
        (["--date", "21/04/15"], "écrivez l'année en entier"),  # 21/04/2015 is understood
    ],
)
def test_sent_refuses_an_impossible_date(
    letters: list[Path], run: Run, args: list[str], words: str
) -> None:
    result = run("sent", str(letters[0]), *args)
    assert result.exit_code in (1, 2) and words in flat(result.output)
    assert not (letters[0] / JOURNAL_NAME).exists()


def test_sent_refuses_a_folder_that_is_not_a_letter(workspace: Path, run: Run) -> None:
    (workspace / "courriers" / "vide").mkdir(parents=True)
    result = run("sent", str(workspace / "courriers" / "vide"))
    assert result.exit_code == 1 and "lettre.md y manque" in result.stderr
