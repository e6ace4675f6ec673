"""The letter on paper, measured: both writers' pages read back with pdftotext, in millimetres.

The PDF is typst's; the DOCX is printed by LibreOffice (which draws Times New Roman with
its metric twin, Liberation Serif). Each measure is taken on both.
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
from docx.oxml.ns import qn

from lettres.letter import Letter
from lettres.pdf_writer import PdfRenderer
from tests.helpers import (
    LAYOUT,
    SOURCE_2015,
    PrintedLine,
    libreoffice_pdfs,
    make_letter,
    page_count,
    printed_lines,
    tiny_png,
)

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice et poppler sont nécessaires (apt-get install "
    "libreoffice-writer-nogui poppler-utils fonts-liberation)",
)

WRITERS = ["pdf", "docx"]
PAGE_CENTRE, RIGHT_MARGIN, LEFT_MARGIN = 105.0, 185.0, 25.0
ROOM_TO_SIGN = 25.0
TOLERANCE = 0.5  # mm: pdftotext's boxes are the font's, a little wider than the ink


def pdfs(letters: list[Letter], writer: str, folder: Path) -> list[bytes]:
    if writer == "pdf":
        renderer = PdfRenderer(LAYOUT)
        return [renderer.render(letter) for letter in letters]
    return libreoffice_pdfs(letters, folder)


def printed(letters: list[Letter], writer: str, folder: Path) -> list[list[PrintedLine]]:
    return [printed_lines(pdf) for pdf in pdfs(letters, writer, folder)]


def letter_2015(workspace: Path) -> Letter:
    from lettres.drafting import plan_existing
    from lettres.workspace import load_workspace

    folder = workspace / "courriers" / SOURCE_2015.name  # not the repository's own folder
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOURCE_2015 / "lettre.md", folder)
    return plan_existing(load_workspace(workspace), folder / "lettre.md").letter


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def line_with(lines: list[PrintedLine], start: str) -> PrintedLine:
    return next(line for line in lines if line.text.startswith(start))


def closing_bottom(lines: list[PrintedLine], letter: Letter) -> PrintedLine:
    """The closing's last line (it may wrap)."""
    last_word = plain(letter.closing).split()[-1]
    first = lines.index(line_with(lines, plain(letter.closing).split()[0]))
    return next(line for line in lines[first:] if line.text.endswith(last_word))


# --- the signature ---------------------------------------------------------------------


@pytest.mark.parametrize("writer", WRITERS)
def test_the_signature_sits_on_the_right_half_with_room_to_sign(
    writer: str, workspace: Path, tmp_path: Path
) -> None:
    letter = letter_2015(workspace)
    (block,) = letter.signatures
    lines = printed([letter], writer, tmp_path)[0]
    name = line_with(lines, "Véronique Fayet")
    signature = lines[lines.index(name) :][: len(block) + 2]
    signature = [line for line in signature if line.left >= PAGE_CENTRE - 10]
    for line in signature:
        assert line.left >= PAGE_CENTRE - TOLERANCE, line
        assert line.right <= RIGHT_MARGIN + TOLERANCE, line
    text = "\n".join(line.text for line in signature)
    # Lines break between words, never inside a name: the signatory's, the Collectif's,
    # the coordinating association's.
    for whole in (
        "Véronique Fayet",
        "Secours Catholique – Caritas France",
        "« Ensemble contre la traite des êtres humains »",
    ):
        assert any(whole in line.text for line in signature), (whole, text)
    assert text.replace("\n", " ") == plain(" ".join(block))
    closing = closing_bottom(lines, letter)
    assert closing.page == name.page
    assert name.top - closing.bottom >= ROOM_TO_SIGN, (closing, name)


def signatories(count: int) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (f"Prénom{n} Nom{n}", f"Qualité du signataire numéro {n}", f"Association {n}")
        for n in range(1, count + 1)
    )


@pytest.mark.parametrize("writer", WRITERS)
def test_several_signatories_make_a_grid_of_two_columns(writer: str, tmp_path: Path) -> None:
    letters = [make_letter(signatures=signatories(count)) for count in (2, 3, 4)]
    for letter, lines in zip(letters, printed(letters, writer, tmp_path), strict=True):
        closing = closing_bottom(lines, letter)
        names = [line_with(lines, block[0]) for block in letter.signatures]
        for index, name in enumerate(names):
            column, row = index % 2, index // 2
            assert abs(name.left - (LEFT_MARGIN, PAGE_CENTRE)[column]) <= 1, name
            assert name.page == closing.page  # the grid is never split from its closing
            above = closing.bottom
            if row:
                previous = [n for n in names[(row - 1) * 2 : row * 2]]
                above = max(
                    line.bottom
                    for line in lines
                    if line.page == name.page
                    and previous[0].top <= line.top < name.top
                    and line is not name
                )
            # each signatory has room of its own to sign above the name
            assert name.top - above >= ROOM_TO_SIGN, (index, name, above)
            if column:
                assert abs(name.top - names[index - 1].top) <= TOLERANCE  # same row
            for line_text in letter.signatures[index][1:]:
                line = line_with(lines, line_text)
                assert abs(line.left - name.left) <= TOLERANCE and line.top > name.top


def test_the_model_holds_every_block_in_the_pdf_data() -> None:
    from lettres.pdf_writer import letter_data

    letter = replace(make_letter(), signatures=signatories(3))
    data = letter_data(letter)
    assert data["signatures"] == [list(block) for block in signatories(3)]
    assert data["signature"] == [line for block in signatories(3) for line in block]


# --- pages that end well ---------------------------------------------------------------

FOOTER_START = "Associations membres du"
PAGE_NUMBER = re.compile(r"\d+/\d+")


def sweep(letter: Letter, step: int) -> list[Letter]:
    """The letter from one paragraph to four pages long, with five copies or one."""
    paragraphs = list(letter.body) * 4
    return [
        replace(letter, body=tuple(paragraphs[:count]), copies=letter.copies[:copies])
        for copies in (len(letter.copies), 1)
        for count in range(1, len(paragraphs) + 1, step)
    ]


def check_pages(letter: Letter, lines: list[PrintedLine], pages: int) -> None:
    lines = [line for line in lines if not PAGE_NUMBER.fullmatch(line.text)]
    footer = lines.index(line_with(lines, FOOTER_START))
    own, footer_lines = lines[:footer], lines[footer:]
    for page in range(pages):  # no blank page, no page of a few lines
        count = len([line for line in own if line.page == page])
        assert count >= 5, f"page {page + 1}/{pages} : {count} ligne(s) du courrier"
    # the member footer whole, at the end of the last page
    assert {line.page for line in footer_lines} == {pages - 1}
    assert footer_lines[-1].text.startswith(plain(letter.contact)[:20])
    # the closing and the signature together, after some of the body
    closing = lines.index(line_with(lines, plain(letter.closing).split(",")[0]))
    name = line_with(lines, plain(letter.signatures[0][0]))
    assert name.page == lines[closing].page
    assert lines[closing - 1].page == lines[closing].page, "la formule commence une page"


@pytest.mark.parametrize(("writer", "step"), [("pdf", 1), ("docx", 3)])
def test_pages_end_well_from_one_page_to_four(
    writer: str, step: int, workspace: Path, tmp_path: Path
) -> None:
    letters = sweep(letter_2015(workspace), step)
    seen = set()
    for letter, pdf in zip(letters, pdfs(letters, writer, tmp_path), strict=True):
        pages = page_count(pdf)
        seen.add(pages)
        check_pages(letter, printed_lines(pdf), pages)
    assert {1, 2, 3, 4} <= seen


# --- the window, the address ------------------------------------------------------------


def set_sender(workspace: Path, old: str, new: str) -> None:
    path = workspace / "modeles" / "collectif.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def address_lines(lines: list[PrintedLine], letter: Letter) -> list[PrintedLine]:
    block = [plain(line) for line in letter.recipient_block]
    return [line for line in lines if line.page == 0 and line.text in block]


@pytest.mark.parametrize("writer", WRITERS)
def test_one_window_setting_places_the_address_in_both_writers(
    writer: str, workspace: Path, tmp_path: Path
) -> None:
    set_sender(
        workspace,
        "signataires:",
        "mise_en_page:\n  fenetre: {x: 100, y: 55, largeur: 90}\n\nsignataires:",
    )
    letter = letter_2015(workspace)
    layout = workspace / "modeles" / "lettre.typ"
    pdf = PdfRenderer(layout).render(letter) if writer == "pdf" else None
    lines = printed_lines(pdf) if pdf else printed([letter], writer, tmp_path)[0]
    found = address_lines(lines, letter)
    assert [line.text for line in found] == [plain(line) for line in letter.recipient_block]
    for line in found:
        assert abs(line.left - 100) <= TOLERANCE, line
        assert line.right <= 190
    assert 55 - 1 <= found[0].top <= 55 + 2, found[0]


@pytest.mark.parametrize("writer", WRITERS)
def test_a_long_address_is_printed_whole_and_the_date_below_it(writer: str, tmp_path: Path) -> None:
    block = (*(f"Ligne numéro {n} de l'adresse" for n in range(1, 10)), "75800 PARIS")
    letter = make_letter(recipient_block=block)
    lines = printed([letter], writer, tmp_path)[0]
    found = address_lines(lines, letter)
    assert [line.text for line in found] == list(block)  # never cut
    date = line_with(lines, "Paris, le")
    assert date.top > found[-1].bottom  # never printed over the address


# --- the DOCX as good as the PDF --------------------------------------------------------


@pytest.mark.parametrize("writer", WRITERS)
def test_copies_and_enclosures_hang_under_their_first_word(writer: str, tmp_path: Path) -> None:
    long = "Madame Une Telle, " + "Présidente d'une commission au nom très long " * 3
    letter = make_letter(copies=(long, "Monsieur Jacques Toubon"), enclosures=(long,))
    lines = printed([letter], writer, tmp_path)[0]
    for start in ("– Madame Une Telle", "P. J. : Madame Une Telle"):
        first = line_with(lines, start)
        following = lines[lines.index(first) + 1]
        assert following.left >= first.left + 2, (first, following)  # hanging indent
    heading = line_with(lines, "Copies")
    assert heading.left <= first.left + TOLERANCE


@pytest.mark.parametrize("writer", WRITERS)
def test_a_list_has_the_space_of_a_paragraph_after_it(writer: str, tmp_path: Path) -> None:
    letter = make_letter()
    lines = printed([letter], writer, tmp_path)[0]

    def line(part: str) -> PrintedLine:
        return next(line for line in lines if part in line.text)

    def gap(before: str, after: str) -> float:
        return line(after).top - line(before).bottom

    between_paragraphs = gap("Vous aviez reçu", "Un texte en gras")
    assert abs(gap("deuxième étape", "Nous restons") - between_paragraphs) <= 1
    assert gap("second point", "première étape") >= between_paragraphs - 1


def test_the_docx_hyphenates_in_french(tmp_path: Path) -> None:
    import docx

    from lettres.docx_writer import render_docx
    from lettres.letter import Paragraph, Run

    words = "Les institutionnalisations extraordinairement compliquées découragent "
    letter = make_letter(body=(Paragraph((Run(words * 12),)),))
    document = docx.Document(io.BytesIO(render_docx(letter)))
    settings = document.settings.element
    assert settings.find(qn("w:autoHyphenation")) is not None
    lang = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == "fr-FR"
    lines = printed_lines(libreoffice_pdfs([letter], tmp_path)[0])
    body = [line for line in lines if "institution" in line.text or "extra" in line.text]
    assert any(line.text.endswith("-") for line in body), [line.text for line in body]


def test_the_logo_is_in_the_docx_header(workspace: Path, tmp_path: Path) -> None:
    import docx

    from lettres.outputs import Outputs, make_renderer
    from lettres.workspace import load_workspace

    (workspace / "modeles" / "logo.png").write_bytes(tiny_png())
    set_sender(workspace, "  # logo: modeles/logo.png", "  logo: modeles/logo.png")
    render = make_renderer(load_workspace(workspace), Outputs(("docx",)))
    data = render(letter_2015(workspace))["docx"]
    header = docx.Document(io.BytesIO(data)).sections[0].first_page_header
    pictures = header._element.findall(".//" + qn("pic:pic"))
    assert len(pictures) == 1
    path = tmp_path / "lettre.docx"
    path.write_bytes(data)
    from lettres.libreoffice import convert_with_libreoffice

    convert_with_libreoffice([path])
    page = pypdf.PdfReader(path.with_suffix(".pdf")).pages[0]
    assert len(page.images) == 1
    # without a logo, none
    plain_docx = render_docx_plain(letter_2015(workspace))
    assert (
        docx.Document(io.BytesIO(plain_docx))
        .sections[0]
        .first_page_header._element.findall(".//" + qn("pic:pic"))
        == []
    )


def render_docx_plain(letter: Letter) -> bytes:
    from lettres.docx_writer import render_docx

    return render_docx(letter)


@pytest.mark.parametrize("writer", WRITERS)
def test_a_link_prints_its_address_on_paper(writer: str, workspace: Path, tmp_path: Path) -> None:
    from lettres.compose import compose
    from lettres.models import validate
    from lettres.source import LetterFront, split_document
    from lettres.workspace import load_workspace

    body = (
        "Voir [le site du Collectif](https://www.contrelatraite.org/) et "
        "[www.contrelatraite.org](https://www.contrelatraite.org/)."
    )
    text = (
        "---\ndestinataire: interieur\nobjet: Essai\ndate: 2015-04-21\nsignataire: fayet\n---\n"
        + body
    )
    document = split_document(workspace / "lettre.md", text)
    front = validate(LetterFront, document.front, document.path)
    letter = compose(load_workspace(workspace), front, document)
    lines = printed([letter], writer, tmp_path)[0]
    text_read = " ".join(line.text for line in lines)
    assert "le site du Collectif (https://www.contrelatraite.org/)" in text_read
    assert "et www.contrelatraite.org." in text_read  # the text is the address: not twice


@pytest.mark.parametrize("writer", WRITERS)
def test_a_grid_of_signatures_is_never_split_across_pages(writer: str, tmp_path: Path) -> None:
    from lettres.letter import Paragraph, Run

    line = Paragraph((Run("Une ligne du corps de la lettre."),))
    letters = [
        make_letter(body=(line,) * count, signatures=signatories(4), copies=(), enclosures=())
        for count in range(20, 44, 2)
    ]
    splits_avoided = 0
    for letter, lines in zip(letters, printed(letters, writer, tmp_path), strict=True):
        closing = closing_bottom(lines, letter)
        pages = {line_with(lines, block[0]).page for block in letter.signatures}
        assert pages == {closing.page}, pages
        splits_avoided += closing.page > 0
    assert splits_avoided  # some letters did reach a second page
