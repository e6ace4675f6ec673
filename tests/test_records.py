"""The journals and the answers on disk: appended under a lock, read back line by line.

Ten `lettres answer` at once must record ten answers; a file saved in Latin-1 by another
program, a FIFO given as a document, a date past the year 9999: each is a clear message
naming its file and line, and the other letters are still listed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import Result

from lettres import answers
from tests.helpers import Invoke as Run
from tests.mailing import write_letter

LATIN_1_LINE = '{"date": "2015-05-04", "fichier": null, "note": "reçue"}\n'.encode("latin-1")


def lettres(workspace: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, as a user (or a script) runs it."""
    command = [sys.executable, "-m", "lettres", "--workspace", str(workspace), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def clean_failure(result: Result) -> str:
    """Exit 1 through the CLI's own message, never an exception escaping it."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    return " ".join(result.stderr.split())


def test_ten_answers_at_once_are_ten_answers(workspace: Path) -> None:
    folder = write_letter(workspace, "lettre", pdf=False)
    document = workspace / "reponse.pdf"
    document.write_bytes(b"%PDF-1.4 reponse")
    command = [sys.executable, "-m", "lettres", "--workspace", str(workspace), "answer",
               str(folder), "--date", "2015-05-04", "--file", str(document)]  # fmt: skip
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(10)
    ]
    codes = [process.wait(120) for process in processes]
    for process in processes:
        process.communicate()
    assert codes == [0] * 10
    recorded = answers.read_answers(folder)
    assert len(recorded) == 10
    names = sorted(str(a.file) for a in recorded)
    expected = ["reponse-2015-05-04.pdf"] + [f"reponse-2015-05-04-{n}.pdf" for n in range(2, 11)]
    assert names == sorted(expected)
    assert all((folder / name).read_bytes() == b"%PDF-1.4 reponse" for name in names)


def test_an_answer_is_appended_and_earlier_lines_keep_their_fields(
    workspace: Path, run: Run
) -> None:
    folder = write_letter(workspace, "lettre", pdf=False)
    earlier = '{"date": "2015-05-02", "fichier": null, "canal": "courrier", "vu": {"par": "GC"}}'
    (folder / "reponses.jsonl").write_text(earlier, encoding="utf-8")  # no final newline
    result = run("answer", str(folder), "--date", "2015-05-04")
    assert result.exit_code == 0, result.output
    lines = (folder / "reponses.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines[0] == earlier
    assert json.loads(lines[1]) == {"date": "2015-05-04", "fichier": None}


def test_a_latin_1_journal_is_an_error_at_its_line_and_the_register_lists_the_others(
    workspace: Path, run: Run
) -> None:
    broken = write_letter(workspace, "abime", pdf=False)
    write_letter(workspace, "intact", pdf=False, objet="Un courrier intact")
    (broken / "envois.jsonl").write_bytes(
        b'{"message_id": "<1@x>", "date": "2015-04-22T10:00:00", "a": []}\n'
        + '{"message_id": "<2@x>", "date": "2015-04-23T10:00:00", "a": ["é"]}\n'.encode("latin-1")
    )
    where = f"{broken / 'envois.jsonl'}:2:"
    register = run("register", "--format", "csv")
    assert where in clean_failure(register) and "UTF-8" in register.stderr
    assert "Un courrier intact" in register.stdout
    for command in (
        ["draft", str(broken / "lettre.md"), "--format", "docx"],
        ["send", str(broken)],
        ["sent", str(broken)],
    ):
        assert where in clean_failure(run(*command)), command


def test_a_latin_1_answers_file_is_an_error_at_its_line(workspace: Path, run: Run) -> None:
    broken = write_letter(workspace, "abime", pdf=False)
    write_letter(workspace, "intact", pdf=False, objet="Un courrier intact")
    (broken / "reponses.jsonl").write_bytes(LATIN_1_LINE)
    where = f"{broken / 'reponses.jsonl'}:1:"
    register = run("register", "--format", "csv")
    assert where in clean_failure(register)
    assert "Un courrier intact" in register.stdout
    assert where in clean_failure(run("answer", str(broken), "--date", "2015-05-05"))
    assert (broken / "reponses.jsonl").read_bytes() == LATIN_1_LINE  # nothing added to it


def test_answer_refuses_a_device_and_a_fifo_without_waiting(workspace: Path) -> None:
    folder = write_letter(workspace, "lettre", pdf=False)
    fifo = workspace / "tube.pdf"
    os.mkfifo(fifo)
    for document in ("/dev/zero", str(fifo), str(workspace)):
        result = lettres(workspace, "answer", str(folder), "--date", "2015-05-04",
                         "--file", document, timeout=30)  # fmt: skip
        assert result.returncode == 1, (document, result.stderr)
        assert "n'est pas un fichier ordinaire" in " ".join(result.stderr.split())
        assert "Traceback" not in result.stderr
    assert not (folder / "reponses.jsonl").exists()
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["lettre.md"]


def test_answer_refuses_a_document_too_big(
    workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_letter(workspace, "lettre", pdf=False)
    document = workspace / "enorme.pdf"
    document.write_bytes(b"x" * 2048)
    monkeypatch.setattr(answers, "MAX_DOCUMENT", 1024)
    message = clean_failure(
        run("answer", str(folder), "--date", "2015-05-04", "--file", str(document))
    )
    assert "dépasse" in message
    assert not (folder / "reponses.jsonl").exists()


@pytest.mark.parametrize("delay", ["999 mois", "999 semaines"])
def test_a_follow_up_past_the_year_9999_is_a_problem_of_its_letter(
    workspace: Path, run: Run, delay: str
) -> None:
    far = write_letter(workspace, "lointain", pdf=False, date="9999-12-31", relance=delay)
    write_letter(workspace, "intact", pdf=False, objet="Un courrier intact", relance="6 semaines")
    result = run("register", "--format", "csv")
    message = clean_failure(result)
    assert f"{far / 'lettre.md'}:6:" in message and "après l'an 9999" in message
    assert "Un courrier intact" in result.stdout
    due = run("register", "--due", "--date", "2016-01-01", "--format", "csv")
    assert "Un courrier intact" in due.stdout and f"{far / 'lettre.md'}:6:" in clean_failure(due)


def test_a_journal_written_by_hand_without_state_still_counts_as_sent(workspace: Path) -> None:
    from lettres.journal import read_history

    folder = write_letter(workspace, "ancien", pdf=False)
    (folder / "envois.jsonl").write_text(
        '{"message_id": "<1@x>", "date": "2015-04-22T10:00:00+02:00", "a": ["a@b.fr"], '
        '"outil": "v0"}\n',
        encoding="utf-8",
    )
    history = read_history(folder)
    assert [line.state for line in history.lines] == ["envoye"]
    assert history.first_sent_on() is not None and history.frozen
