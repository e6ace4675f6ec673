"""Where lines may break: never inside a unit, an address or a URL, in both writers.

Each letter is read back as a reader gets it: the PDF with pdftotext (typst), the DOCX through
LibreOffice's own PDF. Sweeps move the text one character at a time, so that what is checked
falls at every position of a line, the end of a line included.
"""

from __future__ import annotations

import io
import itertools
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement

from lettres.compose import compose
from lettres.docx_writer import render_docx
from lettres.letter import Letter, Paragraph, Run
from lettres.libreoffice import convert_with_libreoffice
from lettres.pdf_writer import PdfRenderer
from lettres.source import load_letter
from lettres.typography import typographize
from lettres.workspace import load_workspace
from tests.helpers import LAYOUT, REPO, SOURCE_2015, make_letter

ADDRESS = "genevieve.colas@secours-catholique.org"
URL = "https://www.contrelatraite.org/plaidoyer/courriers/2015/lettre-au-ministre?annee=2015&p=12"
# U+00AD is left out: typst writes it where it hyphenates a word, as PDF readers expect.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
UNITS = [
    "23 septembre 2014",
    "18 h 30",
    "30 °C",
    "12 km",
    "18 000 €",
    "8,5 %",
    "n° 12",
    "Monsieur Cazeneuve",
    "article 225-4-1",
]

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext")
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="soffice")


def pdftotext(pdf: Path, layout: bool = False) -> str:
    options = ["-layout"] if layout else []
    command = ["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def spaces_plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def body_letter(text: str) -> Letter:
    """A letter whose body is this text, made final as compose makes it; the address is
    nowhere else in the letter."""
    return make_letter(
        body=(Paragraph((Run(typographize(text)),)),), contact="Coordination : Geneviève Colas"
    )


def sweep(before: str, after: str, start: int = 0, end: int = 100) -> list[str]:
    """The same sentence shifted by one character at a time: `start` to `end` characters
    before it, so that it falls at every position of a line (about 90 characters)."""
    return [f"{'x' * (n % 5 + 1)} {'mots ' * (n // 5)}{before}{after}" for n in range(start, end)]


def write_pdfs(folder: Path, letters: list[Letter]) -> list[Path]:
    paths = []
    renderer = PdfRenderer(LAYOUT)  # one compiler for the sweep
    for index, pdf in enumerate(renderer.render(letter) for letter in letters):
        path = folder / f"lettre-{index}.pdf"
        path.write_bytes(pdf)
        paths.append(path)
    return paths


def write_docx_pdfs(folder: Path, letters: list[Letter]) -> list[Path]:
    """Through LibreOffice, with automatic hyphenation on (as a user may set it in Word)."""
    paths = []
    for index, letter in enumerate(letters):
        document = docx.Document(io.BytesIO(render_docx(letter)))
        document.settings.element.insert(0, OxmlElement("w:autoHyphenation"))
        path = folder / f"lettre-{index}.docx"
        document.save(str(path))
        paths.append(path)
    convert_with_libreoffice(paths)
    return [path.with_suffix(".pdf") for path in paths]


def line_ends_inside(text: str, word: str) -> list[str]:
    """Where `word` is cut at a line end, the part left on the first line ("" when whole).

    Raises if the word cannot be read back: something was added (a hyphen, an invisible
    character) or lost.
    """
    lines = [line.strip() for line in text.splitlines()]
    joined = "".join(lines)
    assert word in joined or word in " ".join(lines), f"{word!r} illisible dans {text!r}"
    cuts = []
    for first, second in itertools.pairwise(lines):
        for cut in range(1, len(word)):
            left, right = word[:cut].rstrip(), word[cut:].lstrip()
            if second.startswith(right) and first.endswith((left, left + "-", left + " -")):
                cuts.append(first[first.rindex(left) :])
    return cuts


# --- the PDF (typst) -------------------------------------------------------------------------


@needs_pdftotext
def test_an_address_in_the_pdf_breaks_only_after_its_own_separators(tmp_path: Path) -> None:
    texts = sweep("écrire à ", f"{ADDRESS} pour toute question sur la suite de ce courrier.", 35)
    cuts = []
    for pdf in write_pdfs(tmp_path, [body_letter(text) for text in texts]):
        text = pdftotext(pdf)
        assert not set(INVISIBLE) & set(text)
        assert ADDRESS in text.replace("\n", "")
        cuts += line_ends_inside(text, ADDRESS)
    assert cuts  # the sweep did put the address across a line end
    assert all(cut[-1] in "./@" for cut in cuts), cuts  # never « secours- », never « se- »


@needs_pdftotext
def test_a_long_url_reads_back_as_written(tmp_path: Path) -> None:
    letters = [
        make_letter(body=(Paragraph((Run("Voir "), Run(URL, link=URL), Run(" pour la suite."))),)),
        body_letter(f"Voir {URL} pour la suite."),
        make_letter(contact=f"Coordination : {ADDRESS} – {URL}"),
    ]
    for pdf in write_pdfs(tmp_path, letters):
        text = pdftotext(pdf)
        assert not set(INVISIBLE) & set(text)
        assert URL in text.replace("\n", "")
        assert all(cut[-1] in "./@" for cut in line_ends_inside(text, URL))


@needs_pdftotext
def test_a_very_long_word_is_cut_without_invisible_characters(tmp_path: Path) -> None:
    word = "abcdefghij" * 30
    (pdf,) = write_pdfs(tmp_path, [body_letter(f"Voir {word} fin.")])
    text = pdftotext(pdf)
    assert not set(INVISIBLE) & set(text)
    assert word in text.replace("\n", "")
    assert len([line for line in text.splitlines() if "abcdefghij" in line]) >= 3


@needs_pdftotext
def test_a_unit_in_the_pdf_never_breaks(tmp_path: Path) -> None:
    texts = sweep("nous en parlions, ", ", puis ".join(UNITS) + " et d'autres mots.", 10, 70)
    read = [pdftotext(pdf) for pdf in write_pdfs(tmp_path, [body_letter(t) for t in texts])]
    for text in read:
        lines = [spaces_plain(line) for line in text.splitlines()]
        for unit in UNITS:
            assert any(unit in line for line in lines), (unit, text)


@needs_pdftotext
def test_the_2015_letter_keeps_its_dates_whole(tmp_path: Path) -> None:
    workspace = load_workspace(REPO)
    front, document = load_letter(SOURCE_2015 / "lettre.md")
    (pdf,) = write_pdfs(tmp_path, [compose(workspace, front, document)])
    text = spaces_plain(pdftotext(pdf))
    for date in ("23 septembre 2014", "22 janvier 2015", "septembre 2014"):
        assert line_ends_inside(text, date) == [], date


# --- the DOCX, read through LibreOffice ------------------------------------------------------


@needs_soffice
@needs_pdftotext
def test_an_address_in_the_docx_is_never_hyphenated(tmp_path: Path) -> None:
    texts = sweep(
        "écrire à ", f"{ADDRESS} pour toute question sur la suite de ce courrier.", 45, 70
    )
    letters = [body_letter(text) for text in texts]
    link = Run("x " * 26 + ADDRESS, link=f"mailto:{ADDRESS}")
    letters.append(make_letter(body=(Paragraph((link,)),), contact="Coordination"))
    cuts = []
    for pdf in write_docx_pdfs(tmp_path, letters):
        text = pdftotext(pdf, layout=True)
        cuts += line_ends_inside(text, ADDRESS)
        assert ADDRESS in "".join(line.strip() for line in text.splitlines())
    assert cuts  # the address did fall across a line end
    # LibreOffice breaks after the address's own hyphen, never adds one.
    assert set(cuts) <= {"genevieve.colas@secours-", "genevieve.", "genevieve.colas@"}, cuts


@needs_soffice
@needs_pdftotext
def test_units_in_the_docx_never_break(tmp_path: Path) -> None:
    texts = sweep("", " ".join(UNITS) + " et la fin.", 0, 24)
    for pdf in write_docx_pdfs(tmp_path, [body_letter(text) for text in texts]):
        lines = [spaces_plain(line) for line in pdftotext(pdf, layout=True).splitlines()]
        flat = [" ".join(line.split()) for line in lines]
        for unit in UNITS:
            assert any(unit in line for line in flat), (unit, lines)
