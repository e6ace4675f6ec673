"""Real outside programs read what lettres writes: LibreOffice, pdffonts, pdftotext.

Each test needing a program skips, saying which, when it is not installed (CI installs
them: see .ci/run). The LibreOffice engine's own errors are tested with stand-in programs.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pypdf
import pytest

from lettres.docx_writer import render_docx
from lettres.errors import LettresError
from lettres.letter import Letter
from lettres.libreoffice import convert_with_libreoffice
from tests.helpers import LAYOUT, MM, compact, docx_text, letter_parts, make_letter, render_pdf


def needs(program: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        shutil.which(program) is None,
        reason=f"{program} n'est pas installé (apt-get install "
        f"{'libreoffice-writer-nogui' if program == 'soffice' else 'poppler-utils'})",
    )


def write_docx(folder: Path, letter: Letter) -> Path:
    path = folder / "lettre.docx"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_docx(letter))
    return path


def pdf_of(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(path.read_bytes()))


# --- LibreOffice -----------------------------------------------------------------------


@needs("soffice")
def test_libreoffice_converts_a_batch_and_keeps_every_word(tmp_path: Path) -> None:
    letters = [make_letter(subject=f"Premier objet {n}") for n in range(2)]
    paths = [write_docx(tmp_path / f"courrier-{n}", letter) for n, letter in enumerate(letters)]
    convert_with_libreoffice(paths)
    for path, letter in zip(paths, letters, strict=True):
        pdf = path.with_suffix(".pdf")
        text = compact("\n".join(page.extract_text() for page in pdf_of(pdf).pages))
        for part in letter_parts(letter):
            assert compact(part) in text, part
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        ["courrier-0", "courrier-1", "lettre.docx", "lettre.docx", "lettre.pdf", "lettre.pdf"]
    )  # nothing else left behind


@needs("soffice")
def test_libreoffice_puts_the_address_in_the_window(tmp_path: Path) -> None:
    letter = make_letter()
    path = write_docx(tmp_path, letter)
    convert_with_libreoffice([path])
    page = pdf_of(path.with_suffix(".pdf")).pages[0]
    height = float(page.mediabox.height)
    found: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip() == letter.recipient_block[0]:
            x, y = pypdf.mult(tm, cm)[4:6]
            found.append((x / MM, (height - y) / MM))

    page.extract_text(visitor_text=visit)
    x, baseline = found[0]
    assert 110 <= x < 195
    assert baseline - 11 / MM >= 45 and baseline <= 80


def fake_soffice(folder: Path, script: str) -> None:
    """A stand-in `soffice` first on the PATH."""
    program = folder / "soffice"
    program.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)


def test_missing_libreoffice_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("lettres.libreoffice.KNOWN_PLACES", ())
    path = write_docx(tmp_path / "c", make_letter())
    with pytest.raises(
        LettresError, match=r"introuvable.*apt-get install libreoffice-writer-nogui"
    ):
        convert_with_libreoffice([path])
    assert not path.with_suffix(".pdf").exists()


def test_libreoffice_failing_is_reported_with_what_it_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_soffice(tmp_path, 'echo "Error: source file could not be loaded" >&2; exit 3')
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    path = write_docx(tmp_path / "c", make_letter())
    with pytest.raises(LettresError, match=r"code 3\) : Error: source file could not be loaded"):
        convert_with_libreoffice([path])
    assert not path.with_suffix(".pdf").exists()


def test_libreoffice_producing_nothing_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_soffice(tmp_path, "exit 0")  # soffice exits 0 even when it converted nothing
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    path = write_docx(tmp_path / "c", make_letter())
    with pytest.raises(LettresError, match=r"n'a pas produit le PDF de .*lettre\.docx"):
        convert_with_libreoffice([path])


def test_libreoffice_past_its_timeout_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "encore-vivant"
    # The stand-in starts a child of its own, as soffice does: both must end.
    fake_soffice(tmp_path, f"(sleep 1; touch {marker}) & sleep 30")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    path = write_docx(tmp_path / "c", make_letter())
    with pytest.raises(LettresError, match=r"n'a pas fini la conversion en 0\.5 s"):
        convert_with_libreoffice([path], timeout=0.5)
    time.sleep(1.5)  # longer than the child would have needed
    assert not marker.exists()  # the child was stopped with its parent


def test_a_missing_docx_is_named(tmp_path: Path) -> None:
    with pytest.raises(LettresError, match=r"DOCX introuvable.*absent\.docx"):
        convert_with_libreoffice([tmp_path / "absent.docx"])


def test_nothing_to_convert_needs_no_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    convert_with_libreoffice([])


# --- poppler ---------------------------------------------------------------------------


@pytest.fixture
def typst_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "lettre.pdf"
    path.write_bytes(render_pdf(make_letter(), LAYOUT))
    return path


@needs("pdffonts")
def test_pdffonts_sees_every_font_embedded(typst_pdf: Path) -> None:
    result = subprocess.run(
        ["pdffonts", str(typst_pdf)], capture_output=True, text=True, check=True
    )
    rows = result.stdout.splitlines()[2:]  # after the header and its underline
    assert rows
    for row in rows:
        # name type encoding emb sub uni object-id: emb is the 5th column from the right
        assert row.split()[-5] == "yes", row


@needs("pdftotext")
def test_pdftotext_reads_the_pdf(typst_pdf: Path) -> None:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(typst_pdf), "-"], capture_output=True, check=True
    )
    assert b"Syntax Error" not in result.stderr
    letter = make_letter()
    assert compact(result.stdout.decode("utf-8")) == compact(docx_text(letter))


@needs("pdftotext")
def test_pdftotext_reads_a_mark_on_a_digit(tmp_path: Path) -> None:
    """The case pypdf misreads (see test_pdf_writer): the PDF itself is right."""
    path = tmp_path / "lettre.pdf"
    path.write_bytes(render_pdf(make_letter(recipient_block=("0\u0483",)), LAYOUT))
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    assert "0\u0483" in result.stdout.decode("utf-8")
