"""Batches: a progress bar only on a terminal, and a Ctrl-C that stops between two letters."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from lettres import drafting
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
    assert sorted(p.name for p in folders[0].iterdir()) == ["lettre.docx", "lettre.md"]
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
