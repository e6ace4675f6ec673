"""`lettres draft` writes the PDF beside the DOCX: both engines, PDF/A, --open."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import docx
import pypdf
import pytest

from tests.helpers import SOURCE_2015
from tests.helpers import Invoke as Run


def words(text: str) -> list[str]:
    """Words only: the writers differ in line breaks, hyphenation and kinds of spaces."""
    return text.replace("\u00ad", "").replace("-\n", "").split()


def docx_words(path: Path) -> list[str]:
    return words("\n".join(p.text for p in docx.Document(str(path)).paragraphs))


def pdf_words(path: Path) -> list[str]:
    return words("\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages))


@pytest.fixture
def letter_2015(workspace: Path) -> Path:
    folder = workspace / "courriers" / "2015"
    folder.mkdir(parents=True)
    shutil.copy(SOURCE_2015 / "lettre.md", folder / "lettre.md")
    return folder / "lettre.md"


def test_default_writes_docx_and_pdf_with_the_same_words(run: Run, letter_2015: Path) -> None:
    result = run("draft", str(letter_2015))
    assert result.exit_code == 0, result.output
    pdf = letter_2015.with_name("lettre.pdf")
    assert pypdf.PdfReader(pdf).metadata.title.startswith("Vos engagements dans la lutte")
    in_pdf = [w for w in pdf_words(pdf) if not w.startswith(("1/", "2/"))]  # page numbers
    assert in_pdf == docx_words(letter_2015.with_name("lettre.docx"))
    assert "Veuillez" in in_pdf and "Moiron-Braud," in in_pdf


def test_pdf_only_and_pdfa(run: Run, letter_2015: Path) -> None:
    result = run("draft", str(letter_2015), "--format", "pdf", "--pdfa")
    assert result.exit_code == 0, result.output
    assert not letter_2015.with_name("lettre.docx").exists()
    metadata = pypdf.PdfReader(letter_2015.with_name("lettre.pdf")).xmp_metadata
    assert metadata is not None and "pdfaid" in metadata.rdf_root.toxml()


def test_pdfa_needs_typst(run: Run, letter_2015: Path) -> None:
    result = run("draft", str(letter_2015), "--pdf-engine", "libreoffice", "--pdfa")
    assert result.exit_code == 1
    assert "--pdfa ne vaut qu'avec le moteur typst" in result.stderr


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice absent (libreoffice-writer-nogui)"
)
def test_libreoffice_engine_converts_the_docx(run: Run, letter_2015: Path) -> None:
    result = run("draft", str(letter_2015), "--pdf-engine", "libreoffice")
    assert result.exit_code == 0, result.output
    pdf = letter_2015.with_name("lettre.pdf")
    assert "lettre.pdf" in result.stdout
    in_pdf = pdf_words(pdf)
    assert "Cazeneuve" in in_pdf and "considération." in in_pdf


def test_libreoffice_missing_is_said_plainly(
    run: Run, letter_2015: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    result = run("draft", str(letter_2015), "--pdf-engine", "libreoffice")
    assert result.exit_code == 1
    assert "libreoffice-writer-nogui" in " ".join(result.stderr.split())


def test_emoji_gives_one_clean_error_for_the_pdf(run: Run, letter_2015: Path) -> None:
    letter_2015.write_text(
        letter_2015.read_text(encoding="utf-8") + "\nMerci 🙂\n", encoding="utf-8"
    )
    result = run("draft", str(letter_2015))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "U+1F642" in result.stderr
    assert not letter_2015.with_name("lettre.pdf").exists()
    assert run("draft", str(letter_2015), "--format", "docx").exit_code == 0


def fake_viewer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An xdg-open that writes down what it was asked to open; the only one on the PATH."""
    opened = tmp_path / "ouvert.txt"
    viewer = tmp_path / "bin" / "xdg-open"
    viewer.parent.mkdir()
    viewer.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    viewer.chmod(0o755)
    monkeypatch.setenv("PATH", str(viewer.parent))
    return opened


def wait_for(path: Path) -> str:
    for _ in range(100):
        if path.exists() and path.read_text(encoding="utf-8").strip():
            break
        time.sleep(0.05)
    return path.read_text(encoding="utf-8").strip()


def test_open_without_a_viewer_warns_and_succeeds(
    run: Run, letter_2015: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "vide").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))  # no xdg-open anywhere
    result = run("draft", str(letter_2015), "--open")
    assert result.exit_code == 0, result.output  # the letter is written: that is what counts
    assert "impossible d'ouvrir" in result.stderr and "ouvrez le fichier vous-même" in result.stderr
    assert letter_2015.with_name("lettre.pdf").exists()


def test_open_with_a_viewer(
    run: Run, letter_2015: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = fake_viewer(tmp_path, monkeypatch)
    result = run("draft", str(letter_2015), "--open")
    assert result.exit_code == 0, result.output
    assert "Ouvert :" in result.stderr
    assert wait_for(opened).endswith("lettre.pdf")


def test_open_the_docx_when_only_the_docx_was_asked(
    run: Run, letter_2015: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = fake_viewer(tmp_path, monkeypatch)
    result = run("draft", str(letter_2015), "--format", "docx", "--open")
    assert result.exit_code == 0, result.output
    assert wait_for(opened).endswith("lettre.docx")


def set_logo(workspace: Path, logo: str) -> None:
    path = workspace / "modeles" / "collectif.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "  lieu: Paris\n", f"  lieu: Paris\n  logo: {logo}\n", 1
    )
    path.write_text(text, encoding="utf-8")


def test_the_coalitions_logo_goes_on_the_pdf(run: Run, workspace: Path, letter_2015: Path) -> None:
    from tests.helpers import tiny_png

    (workspace / "modeles" / "logo.png").write_bytes(tiny_png())
    set_logo(workspace, "modeles/logo.png")
    assert run("draft", str(letter_2015)).exit_code == 0
    page = pypdf.PdfReader(letter_2015.with_name("lettre.pdf")).pages[0]
    assert len(page.images) == 1


def test_a_missing_logo_is_named(run: Run, workspace: Path, letter_2015: Path) -> None:
    set_logo(workspace, "modeles/absent.png")
    result = run("draft", str(letter_2015))
    assert result.exit_code == 1
    assert "logo introuvable" in result.stderr and "absent.png" in result.stderr
    assert not letter_2015.with_name("lettre.docx").exists()
