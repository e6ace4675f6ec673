"""Batches: a progress bar only on a terminal, and a Ctrl-C that stops between two letters."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from lettres import drafting
from lettres.folders import FINGERPRINTS_NAME
from tests.helpers import Invoke as Run

BATCH = ["draft", "--template", "courrier-general", "--to", "ministres", "--subject", "Plan",
         "--date", "2016-03-01", "--format", "docx"]  # fmt: skip


def test_ctrl_c_stops_after_the_letter_in_progress(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = drafting.write_atomic
    calls: list[Path] = []

    def write_then_interrupt(path: Path, data: Any) -> None:
        calls.append(path)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the first letter is written
        real(path, data)

    monkeypatch.setattr(drafting, "write_atomic", write_then_interrupt)
    result = run(*BATCH)
    assert result.exit_code == 130
    folders = sorted((workspace / "courriers").iterdir())
    assert [f.name for f in folders] == ["2016-03-01-interieur-plan"]  # whole, and alone
    assert sorted(p.name for p in folders[0].iterdir()) == [
        FINGERPRINTS_NAME,
        "lettre.docx",
        "lettre.md",
    ]
    assert "Ctrl-C : arrêt après le courrier en cours" in result.stderr
    assert "Interrompu : 1 courrier(s) sur 5 traité(s) en entier" in result.stderr
    assert "2016-03-01-interieur-plan" in result.stderr
    assert (
        "relancez la même commande avec seulement les destinataires restants : --to justice "
        "--to education --to affaires-sociales --to familles" in result.stderr
    )
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back


def test_the_resumed_command_finishes_the_batch(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = drafting.write_atomic

    calls: list[Path] = []

    def interrupt_once(path: Path, data: Any) -> None:
        calls.append(path)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)
        real(path, data)

    monkeypatch.setattr(drafting, "write_atomic", interrupt_once)
    stopped = run(*BATCH)
    assert stopped.exit_code == 130
    resume = stopped.stderr.rsplit("restants : ", 1)[1].split()
    monkeypatch.setattr(drafting, "write_atomic", real)
    again = run(*BATCH[:3], *BATCH[5:], *resume)  # without « --to ministres »
    assert again.exit_code == 0, again.output
    assert len(list((workspace / "courriers").iterdir())) == 5


def test_a_progress_bar_on_a_terminal_none_when_piped(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lettres import cli

    piped = run("-q", *BATCH)
    assert piped.exit_code == 0, piped.output
    assert piped.stderr == ""  # no bar, no control characters in a pipe
    assert "5 courrier(s)" in piped.stdout
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich: a terminal
    cli.console.cache_clear()
    try:
        shown = run("-q", *BATCH[:-4], "--subject", "Autre", *BATCH[-4:])
    finally:
        cli.console.cache_clear()
    assert shown.exit_code == 0, shown.output
    assert "Courriers" in shown.stderr and "\x1b[" in shown.stderr


def test_ctrl_c_stops_a_send_after_the_message_in_progress(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.controller import Controller

    from lettres import sending
    from tests.mailing import Recorder, configure, free_port, give_email, write_letter

    ministries = {"interieur": "a@interieur.gouv.fr", "justice": "b@justice.gouv.fr",
                  "education": "c@education.gouv.fr"}  # fmt: skip
    for key, address in ministries.items():
        give_email(workspace, key, address)
    folders = [str(write_letter(workspace, key, destinataire=key)) for key in ministries]
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        configure(workspace, controller.port)
        real = sending.append_sent
        calls: list[Path] = []

        def journal_then_interrupt(folder: Path, entry: Any) -> None:
            calls.append(folder)
            if len(calls) == 1:
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the first one goes
            real(folder, entry)

        monkeypatch.setattr(sending, "append_sent", journal_then_interrupt)
        stopped = run("send", "--no-dry-run", *folders)
        assert stopped.exit_code == 130, stopped.output
        assert len(handler.received) == 1
        assert "Interrompu : 1 courrier(s) sur 3 traité(s) en entier" in stopped.stderr
        assert "relancez la même commande ; ce qui est parti ne repartira pas" in stopped.stderr
        again = run("send", "--no-dry-run", *folders)
        assert again.exit_code == 0, again.output
        assert len(handler.received) == 3  # the first one did not go twice
    finally:
        controller.stop()


def test_email_shows_its_progress_on_a_terminal(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lettres import cli
    from tests.mailing import give_email, write_letter

    for key in ("interieur", "justice"):
        give_email(workspace, key, f"ministre@{key}.gouv.fr")
    folders = [
        str(write_letter(workspace, key, destinataire=key)) for key in ("interieur", "justice")
    ]
    piped = run("-q", "email", *folders)
    assert piped.exit_code == 0, piped.output
    assert "Courriers" not in piped.stderr
    monkeypatch.setenv("FORCE_COLOR", "1")
    cli.console.cache_clear()
    try:
        shown = run("-q", "email", *folders)
    finally:
        cli.console.cache_clear()
    assert shown.exit_code == 0, shown.output
    assert "Courriers" in shown.stderr
