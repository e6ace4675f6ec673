"""The letter model words every printed line: the writers lay its strings out, adding none."""

from __future__ import annotations

import io
from dataclasses import replace

import docx
import pypdf
import pytest

from lettres import letter as model
from lettres.docx_writer import render_docx
from lettres.pdf_writer import letter_data
from tests.helpers import NB, compact, letter_parts, make_letter, render_pdf


def test_the_model_words_the_labels_and_the_copy_lines() -> None:
    letter = make_letter(copies=("Madame A", "Monsieur B"))
    assert letter.subject_label == f"Objet{NB}: "
    assert letter.subject_line == f"Objet{NB}: {letter.subject}"
    assert letter.copies_heading == f"Copies{NB}:"
    assert letter.copy_lines == (f"–{NB}Madame A", f"–{NB}Monsieur B")
    assert make_letter(copies=("Madame A",)).copies_heading == f"Copie{NB}:"


def test_no_copies_no_heading_and_no_lines() -> None:
    letter = make_letter(copies=())
    assert letter.copies_heading is None and letter.copy_lines == ()
    data = letter_data(letter)
    assert data["copies_heading"] is None and data["copy_lines"] == []


def docx_paragraphs(letter: model.Letter) -> list[str]:
    document = docx.Document(io.BytesIO(render_docx(letter)))
    return [paragraph.text for paragraph in document.paragraphs]


def test_the_docx_prints_the_model_s_lines_and_nothing_else() -> None:
    letter = make_letter()
    # List items carry their marker ("–\t", "1.\t"), the one layout the DOCX writes as text.
    shown = [text.split("\t", 1)[-1] for text in docx_paragraphs(letter)]
    assert shown == letter_parts(letter)


def test_the_writers_take_the_words_from_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another label and dash in the model reach both files: no writer spells its own."""
    monkeypatch.setattr(model, "COPY_DASH", "* ")
    labels = replace(model.FRENCH, subject="Concerne : ")
    letter = make_letter(copies=("Madame A",), labels=labels)
    paragraphs = docx_paragraphs(letter)
    assert f"Concerne : {letter.subject}" in paragraphs and "* Madame A" in paragraphs
    document = docx.Document(io.BytesIO(render_docx(letter)))
    subject = next(p for p in document.paragraphs if p.text.startswith("Concerne"))
    assert [(run.text, run.bold) for run in subject.runs] == [
        ("Concerne : ", True),
        (letter.subject, None),
    ]
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(render_pdf(letter))).pages
    )
    assert compact(f"Concerne : {letter.subject}") in compact(text)
    assert compact("* Madame A") in compact(text)
    assert "Objet" not in text and "–" + NB + "Madame" not in text
