"""Batches: a progress bar only on a terminal, and a Ctrl-C that stops between two letters."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from lettres import drafting, workers
from lettres.folders import FINGERPRINTS_NAME
from tests.helpers import Invoke as Run

BATCH = ["draft", "--template", "courrier-general", "--to", "ministres", "--subject", "Plan",
         "--date", "2016-03-01", "--format", "docx"]  # fmt: skip


def test_ctrl_c_while_rendering_writes_nothing_and_the_same_command_resumes(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = workers.Renderer.__call__
    calls: list[Any] = []

    def render_then_interrupt(self: workers.Renderer, letter: Any, *, pdf: bool = True) -> Any:
        calls.append(letter)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the first letter is rendered
        return real(self, letter, pdf=pdf)

    monkeypatch.setattr(workers.Renderer, "__call__", render_then_interrupt)
    result = run(*BATCH)
    assert result.exit_code == 130
    assert len(calls) == 1  # stopped after the letter in progress
    assert not (workspace / "courriers").exists()  # a batch is written whole or not at all
    assert not (workspace / ".lettres-references.json").exists()
    assert "Ctrl-C : arrêt avant l'écriture" in result.stderr
    assert "aucun fichier écrit, aucune référence prise" in result.stderr
    assert "relancez la même commande" in result.stderr
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back
    monkeypatch.setattr(workers.Renderer, "__call__", real)
    again = run(*BATCH)
    assert again.exit_code == 0, again.output
    folders = sorted((workspace / "courriers").iterdir())
    assert len(folders) == 5
    assert all(
        sorted(p.name for p in folder.iterdir()) == [FINGERPRINTS_NAME, "lettre.docx", "lettre.md"]
        for folder in folders
    )


def test_ctrl_c_while_writing_lets_the_batch_finish(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = drafting.write_atomic
    calls: list[Path] = []

    def write_then_interrupt(path: Path, data: Any, **options: bool) -> None:
        calls.append(path)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the first letter is written
        real(path, data, **options)

    monkeypatch.setattr(drafting, "write_atomic", write_then_interrupt)
    result = run(*BATCH)
    assert result.exit_code == 0, result.output
    assert "Ctrl-C : arrêt avant l'écriture (un lot qui s'écrit déjà est achevé)" in result.stderr
    folders = sorted((workspace / "courriers").iterdir())
    assert len(folders) == 5
    assert all((folder / "lettre.docx").is_file() for folder in folders)


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
