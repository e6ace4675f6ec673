"""Errors of the operating system, injected or real: each one a French message, exit 1.

The coordinator works on Windows (Word open on the DOCX, files on OneDrive or a share); here
those errors are injected with the `winerror` Windows would give, and the POSIX ones (a full
disk, a read-only disk) by the errno the system would return. Tests run as root, who ignores
file modes: so a read-only folder is injected too.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from lettres import files
from lettres.errors import FileFailure
from lettres.oserrors import explain
from tests.helpers import FullDisk
from tests.helpers import Invoke as Run

LETTER = ("--template", "courrier-general", "--to", "interieur", "--subject", "Essai",
          "--date", "2015-04-21", "--format", "docx")  # fmt: skip


def windows_error(code: int, kind: type[OSError] = OSError, number: int | None = None) -> OSError:
    """An OSError as Windows' Python raises it: `winerror` set (Linux has no such attribute)."""
    error = kind(number, f"[WinError {code}] erreur Windows simulée")
    error.winerror = code  # type: ignore[attr-defined]
    return error


def failed_cleanly(result: Result) -> str:
    """The error's text on stderr, after checking it is a clean exit 1 and not a crash."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return " ".join(result.stderr.split())


def leftovers(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.name.endswith(".tmp"))


def refuse_in(root: Path, error: Callable[[], OSError]) -> Callable[..., Any]:
    """A tempfile.mkstemp that fails in `root` (as a read-only or full disk would) only."""
    real: Callable[..., Any] = tempfile.mkstemp

    def mkstemp(*args: Any, dir: Any = None, **kwargs: Any) -> Any:
        if dir is not None and Path(dir).resolve().is_relative_to(root.resolve()):
            raise error()
        return real(*args, dir=dir, **kwargs)

    return mkstemp


def letter_folder(workspace: Path) -> Path:
    [folder] = (workspace / "courriers").iterdir()
    return folder


def test_a_read_only_workspace_is_said_in_french(
    workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = lambda: PermissionError(errno.EACCES, "Permission denied")  # noqa: E731
    monkeypatch.setattr(tempfile, "mkstemp", refuse_in(workspace, error))
    message = failed_cleanly(run("draft", *LETTER))
    assert "lettre.md: lettres n'a pas le droit d'écrire ici" in message
    assert "lecture seule" in message
    assert not (workspace / "courriers").exists() or not any((workspace / "courriers").rglob("*.*"))
    assert leftovers(workspace) == []


def test_a_full_disk_leaves_no_half_written_file(
    workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DOCX's temporary gets half its bytes, then the disk is full."""
    real_fdopen = os.fdopen

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        stream = real_fdopen(fd, mode, *args, **kwargs)
        return FullDisk(stream) if mode == "wb" else stream

    monkeypatch.setattr(os, "fdopen", fdopen)
    message = failed_cleanly(run("draft", *LETTER))
    assert "le disque est plein" in message and "libérez de la place" in message
    assert leftovers(workspace) == []
    assert list((workspace / "courriers").rglob("lettre.*")) == []


def test_a_read_only_disk(workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def replace(src: Any, dst: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", replace)
    message = failed_cleanly(run("draft", *LETTER))
    assert "ce disque est en lecture seule" in message
    assert leftovers(workspace) == []


def test_out_under_a_file(workspace: Path, run: Run) -> None:
    (workspace / "note.txt").write_text("une note\n", encoding="utf-8")
    message = failed_cleanly(run("draft", *LETTER, "--out", str(workspace / "note.txt" / "x")))
    assert f"{workspace / 'note.txt'} est un fichier, pas un dossier" in message
    assert (workspace / "note.txt").read_text(encoding="utf-8") == "une note\n"


def test_register_out_under_a_file(workspace: Path, run: Run) -> None:
    (workspace / "note.txt").write_text("une note\n", encoding="utf-8")
    message = failed_cleanly(run("register", "--out", str(workspace / "note.txt" / "r.csv")))
    assert "note.txt est un fichier, pas un dossier" in message


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="/proc is Linux's")
@pytest.mark.parametrize(
    "args", [("register", "--out", "/proc/registre.csv"), ("draft", *LETTER, "--out", "/proc/x")]
)
def test_out_in_proc(run: Run, args: tuple[str, ...]) -> None:
    message = failed_cleanly(run(*args))
    assert "/proc est un dossier du système" in message and "choisissez un dossier" in message


def test_init_on_a_file(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "fichier"
    target.write_text("x", encoding="utf-8")
    message = failed_cleanly(run("init", str(target)))
    assert "c'est un fichier, pas un dossier" in message
    message = failed_cleanly(run("init", str(target / "sous-dossier")))
    assert f"{target} est un fichier, pas un dossier" in message
    assert target.read_text(encoding="utf-8") == "x"


def test_init_on_a_full_disk_leaves_nothing(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.write_bytes

    def write_bytes(self: Path, data: bytes) -> int:
        if self.name == "lettre.typ":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    message = failed_cleanly(run("init", str(tmp_path / "neuf")))
    assert f"{tmp_path / 'neuf'}: le disque est plein" in message
    assert list((tmp_path / "neuf").iterdir()) == []


def test_a_symlink_loop(workspace: Path, run: Run) -> None:
    assert run("draft", *LETTER).exit_code == 0
    source = letter_folder(workspace) / "lettre.md"
    source.unlink()
    source.symlink_to(source)
    message = failed_cleanly(run("draft", str(source), "--format", "docx"))
    assert "boucle de liens symboliques" in message
    collectif = workspace / "modeles" / "collectif.yaml"
    collectif.unlink()
    collectif.symlink_to(collectif)
    checked = run("check")
    failed_cleanly(checked)
    message = " ".join(checked.stdout.split())  # check's findings are its result: stdout
    assert "collectif.yaml" in message and "boucle de liens symboliques" in message


def test_a_stray_oserror_is_translated_by_the_command_line(
    workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the core forgot to translate, the user reads French, not a traceback."""
    from lettres import recipients

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EIO, "Input/output error", str(workspace / "destinataires.yaml"))

    monkeypatch.setattr(recipients, "copy_lines", broken)
    message = failed_cleanly(run("copies"))
    assert "destinataires.yaml: erreur du disque ou du partage réseau" in message


# Windows' own errors


def test_a_docx_open_in_word(workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Word keeps lettre.docx locked: the rename over it fails; the old DOCX stays whole."""
    assert run("draft", *LETTER).exit_code == 0
    folder = letter_folder(workspace)
    before = (folder / "lettre.docx").read_bytes()
    real = os.replace

    def replace(src: Any, dst: Any) -> None:
        if str(dst).endswith("lettre.docx"):
            raise windows_error(32, PermissionError, errno.EACCES)
        real(src, dst)

    source = folder / "lettre.md"  # edited, so that the rebuilt DOCX differs and is written
    source.write_text(source.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", "utf-8")
    monkeypatch.setattr(os, "replace", replace)
    message = failed_cleanly(run("draft", str(folder / "lettre.md"), "--format", "docx"))
    assert "lettre.docx est ouvert dans Word : fermez-le et relancez" in message
    assert (folder / "lettre.docx").read_bytes() == before
    assert leftovers(workspace) == []


@pytest.mark.parametrize("winerror", [5, 32])
def test_a_locked_workbook_is_open_in_excel(tmp_path: Path, winerror: int) -> None:
    """Windows says « access denied » (5) or « sharing violation » (32) for a file in use."""
    error = windows_error(winerror, PermissionError, errno.EACCES)
    text = str(explain(error, tmp_path / "registre.xlsx", "replace"))
    assert "registre.xlsx est ouvert dans Excel : fermez-le et relancez" in text


def test_a_register_open_in_excel_is_kept(
    workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = workspace / "registre.xlsx"
    out.write_bytes(b"le classeur d'avant")

    def replace(src: Any, dst: Any) -> None:
        raise windows_error(32, PermissionError, errno.EACCES)

    monkeypatch.setattr(os, "replace", replace)
    message = failed_cleanly(run("register", "--out", str(out), "--force"))
    assert "registre.xlsx est ouvert dans Excel : fermez-le et relancez" in message
    assert out.read_bytes() == b"le classeur d'avant"
    assert leftovers(workspace) == []


def test_a_read_only_file_is_not_blamed_on_excel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to replace a file marked read-only (access denied, winerror 5)."""
    out = tmp_path / "registre.xlsx"
    out.write_bytes(b"classeur")
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != out)
    text = str(explain(windows_error(5, PermissionError, errno.EACCES), out, "replace"))
    assert "registre.xlsx: ce fichier est en lecture seule : décochez « Lecture seule »" in text
    text = str(explain(windows_error(32, PermissionError, errno.EACCES), out, "replace"))
    assert "registre.xlsx est ouvert dans Excel" in text


def test_a_sharing_violation_when_reading(tmp_path: Path) -> None:
    text = str(explain(windows_error(32), tmp_path / "lettre.docx", "read"))
    assert "lettre.docx est ouvert dans Word" in text


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(OSError(errno.EPERM, "Operation not permitted"), id="EPERM"),
        pytest.param(OSError(errno.ENOTSUP, "Operation not supported"), id="ENOTSUP"),
        pytest.param(OSError(errno.EXDEV, "Invalid cross-device link"), id="EXDEV"),
        pytest.param(windows_error(1), id="winerror-1"),
    ],
)
def test_a_drive_without_hard_links(
    workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, error: OSError
) -> None:
    """FAT, SMB: `answer --file` still copies, and still never replaces a file."""
    assert run("draft", *LETTER).exit_code == 0
    folder = letter_folder(workspace)

    def link(*args: Any, **kwargs: Any) -> None:
        raise error

    monkeypatch.setattr(os, "link", link)
    document = tmp_path / "réponse.pdf"
    document.write_bytes(b"%PDF-1.4 premiere")
    kept = folder / "reponse-2015-05-04.pdf"
    result = run("answer", str(folder), "--date", "2015-05-04", "--file", str(document))
    assert result.exit_code == 0, result.output
    assert kept.read_bytes() == b"%PDF-1.4 premiere"
    document.write_bytes(b"%PDF-1.4 seconde")
    result = run("answer", str(folder), "--date", "2015-05-04", "--file", str(document))
    assert result.exit_code == 0, result.output
    assert kept.read_bytes() == b"%PDF-1.4 premiere"
    assert (folder / "reponse-2015-05-04-2.pdf").read_bytes() == b"%PDF-1.4 seconde"
    assert leftovers(workspace) == []


def test_write_new_without_hard_links_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def link(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", link)
    taken = tmp_path / "pris.pdf"
    taken.write_bytes(b"ancien")
    with pytest.raises(FileExistsError):
        files.write_new(taken, b"nouveau")
    assert taken.read_bytes() == b"ancien"
    files.write_new(tmp_path / "libre.pdf", b"nouveau")
    assert (tmp_path / "libre.pdf").read_bytes() == b"nouveau"
    assert leftovers(tmp_path) == []


def test_write_new_fallback_leaves_no_placeholder_when_the_move_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def link(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    def replace(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "link", link)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(FileFailure, match=r"libre\.pdf: erreur du disque"):
        files.write_new(tmp_path / "libre.pdf", b"nouveau")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("code", [0x16A, 0x179])
def test_a_onedrive_file_not_yet_downloaded(
    workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "destinataires.yaml":
            raise windows_error(code)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    message = failed_cleanly(run("copies"))
    assert "destinataires.yaml" in message
    assert "dans OneDrive et n'est pas encore téléchargé" in message
    assert "Toujours conserver sur cet appareil" in message


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(lambda: OSError(errno.ENAMETOOLONG, "File name too long"), id="ENAMETOOLONG"),
        pytest.param(lambda: windows_error(206), id="winerror-206"),
    ],
)
def test_a_path_too_long(
    workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch, error: Callable[[], OSError]
) -> None:
    monkeypatch.setattr(tempfile, "mkstemp", refuse_in(workspace, error))
    message = failed_cleanly(run("draft", *LETTER))
    assert "chemin trop long" in message
    assert "plus près de la racine du disque (par exemple C:\\Collectif)" in message
    assert leftovers(workspace) == []


def test_an_unreadable_journal_is_named(workspace: Path, run: Run) -> None:
    assert run("draft", *LETTER).exit_code == 0
    folder = letter_folder(workspace)
    (folder / "reponses.jsonl").mkdir()
    message = failed_cleanly(run("answer", str(folder), "--date", str(date(2015, 5, 4))))
    assert "reponses.jsonl: c'est un dossier, pas un fichier" in message
