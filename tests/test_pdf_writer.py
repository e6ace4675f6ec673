"""The PDF writer, read back with pypdf and set against the DOCX of the same letter."""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lettres.compose import clean
from lettres.errors import DataError, LettresError
from lettres.letter import Block, Letter, ListBlock, Paragraph, Run
from lettres.pdf_writer import (
    PdfRenderer,
    UnprintableText,
    letter_data,
    letter_texts,
    letter_to_json,
)
from tests.helpers import (
    LAYOUT,
    MM,
    NB,
    REPO,
    SOURCE_2015,
    compact,
    docx_text,
    letter_parts,
    make_letter,
    render_pdf,
    tiny_png,
)

TYPST_SYNTAX = "#set page(width: 1cm) $x^2$ *gras* _it_ [a] @ref <lbl> \\ // c /* d */ #pagebreak()"


def render(letter: Letter, **options: Any) -> bytes:
    return render_pdf(letter, **options)


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, without its "n/N" footer."""
    pages = reader(pdf).pages
    texts = [page.extract_text() for page in pages]
    if len(pages) > 1:
        texts = [re.sub(rf"\s*{n}/{len(pages)}\s*$", "", text) for n, text in enumerate(texts, 1)]
    return texts


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))


def assert_in_order(parts: list[str], text: str) -> None:
    position = 0
    haystack = compact(text)
    for part in parts:
        found = haystack.find(compact(part), position)
        assert found >= 0, f"absent ou mal placé : {part!r}"
        position = found + len(compact(part))


def line_positions(pdf: bytes, page: int = 0) -> list[tuple[str, float, float]]:
    """(text, x, y) of each piece of text, in millimetres from the page's top-left corner."""
    found: list[tuple[str, float, float]] = []
    target = reader(pdf).pages[page]
    height = float(target.mediabox.height)

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            x, y = pypdf.mult(tm, cm)[4:6]
            found.append((text, x / MM, (height - y) / MM))

    target.extract_text(visitor_text=visit)
    return found


# --- words and order -------------------------------------------------------------------


def test_pdf_says_what_the_docx_says() -> None:
    letter = make_letter()
    assert compact(pdf_text(render(letter))) == compact(docx_text(letter))


def test_every_part_of_the_letter_in_reading_order() -> None:
    letter = make_letter()
    assert_in_order(letter_parts(letter), pdf_text(render(letter)))


def test_subject_label_is_bold_and_list_markers_are_printed() -> None:
    text = pdf_text(render(make_letter()))
    assert f"Objet{NB}:" in text
    assert re.search(r"–\s*premier point", text)
    assert re.search(r"1\.\s*première étape", text) and re.search(r"2\.\s*deuxième étape", text)


def test_link_is_a_real_link() -> None:
    page = reader(render(make_letter())).pages[0]
    uris = [
        annotation.get_object()["/A"]["/URI"]
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    assert uris == ["https://www.contrelatraite.org/"]


def test_no_copies_no_copies_heading() -> None:
    letter = make_letter(copies=(), enclosures=(), reference=None, our_reference=None)
    text = pdf_text(render(letter))
    assert "Copie" not in text and "P." not in text and "Réf." not in text
    assert compact(text) == compact(docx_text(letter))


def test_one_copy_is_singular() -> None:
    text = pdf_text(render(make_letter(copies=("Monsieur Jacques Toubon",))))
    assert f"Copie{NB}:" in text and "Copies" not in text


def test_the_2015_letter_composed_from_the_workspace(workspace: Path) -> None:
    from lettres.drafting import plan_existing
    from lettres.workspace import load_workspace

    source = SOURCE_2015 / "lettre.md"
    letter = plan_existing(load_workspace(workspace), source, workspace / "sortie").letter
    pdf = render_pdf(letter, workspace / "modeles" / "lettre.typ")
    text = pdf_text(pdf)
    assert compact(text) == compact(docx_text(letter))
    assert_in_order(letter_parts(letter), text)
    assert "Cazeneuve" in text and "Veuillez agréer, Monsieur le Ministre" in text
    assert reader(pdf).metadata.title == letter.subject


# --- metadata, fonts, standards --------------------------------------------------------


def test_metadata() -> None:
    letter = make_letter()
    pdf = reader(render(letter))
    assert pdf.metadata.title == letter.subject
    assert pdf.metadata.author == letter.author
    assert "/Keywords" not in pdf.metadata  # a letter has none (compose never set any)
    assert pdf.trailer["/Root"]["/Lang"] == "fr-FR"
    assert (
        pdf.metadata.creation_date is not None and pdf.metadata.creation_date.date() == letter.date
    )


@pytest.mark.parametrize("paragraphs", [1, 60], ids=["une-page", "plusieurs-pages"])
def test_the_layout_compiles_without_warnings(paragraphs: int) -> None:
    """A warning (a layout that does not converge, an unknown font…) is a fault of ours."""
    import typst

    compiler = typst.Compiler(LAYOUT, root=REPO, font_paths=[], ignore_system_fonts=True)
    letter = make_letter(body=long_body(paragraphs))
    _, warnings = compiler.compile_with_warnings(sys_inputs={"lettre": letter_to_json(letter)})
    assert [w.message for w in warnings] == []


def test_same_letter_same_bytes() -> None:
    assert render(make_letter()) == render(make_letter())


def font_files(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name, has an embedded font program) for every font the pages use."""
    fonts: list[tuple[str, bool]] = []
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for part in [font, *[f.get_object() for f in font.get("/DescendantFonts", [])]]:
                descriptor = part.get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    embedded = any(
                        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                    )
                    fonts.append((str(part["/BaseFont"]), embedded))
    return fonts


def test_every_font_is_embedded() -> None:
    fonts = font_files(render(make_letter()))
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("Libertinus" in name for name, _ in fonts)


def test_pdfa_output_is_identified_as_pdfa_2b() -> None:
    pdf = render(make_letter(), pdfa=True)
    xmp = reader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")2", xmp), xmp
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp), xmp
    plain = reader(render(make_letter())).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid" not in plain


# --- typst syntax is text --------------------------------------------------------------


def test_typst_syntax_in_every_field_prints_literally() -> None:
    s = TYPST_SYNTAX
    letter = make_letter(
        letterhead=(s,),
        recipient_block=(s, s),
        date_line=s,
        subject=s,
        reference=s,
        our_reference=s,
        appellation=s,
        body=(
            Paragraph((Run(s), Run(s, bold=True), Run(s, italic=True), Run(s, link=s))),
            ListBlock(False, ((Run(s),),)),
            ListBlock(True, ((Run(s),),)),
        ),
        closing=s,
        signatures=((s,),),
        enclosures=(s,),
        copies=(s,),
        members_heading=s,
        members=(s,),
        contact=s,
        author=s,
    )
    pdf = render(letter)
    text = pdf_text(pdf)
    assert compact(text) == compact(docx_text(letter))
    assert compact(text).count(compact(s)) == 21
    assert "*gras*" in text and "$x^2$" in text and "#pagebreak()" in text
    assert len(reader(pdf).pages) == 1  # neither #pagebreak() nor #set page ran
    assert reader(pdf).metadata.title == s and reader(pdf).metadata.author == s


def test_letter_is_passed_as_json_data() -> None:
    letter = make_letter(subject=TYPST_SYNTAX, copies=("A",))
    data = json.loads(letter_to_json(letter, logo="modeles/logo.png"))
    assert data["subject"] == TYPST_SYNTAX
    assert data["subject_label"] == f"Objet{NB}: "
    assert data["subject_line"] == letter.subject_line
    assert data["copies_heading"] == f"Copie{NB}:" and data["copy_lines"] == [f"–{NB}A"]
    assert data["enclosures_line"] == letter.enclosures_line
    assert data["members_line"] == letter.members_line
    assert data["logo"] == "modeles/logo.png"
    assert [block["type"] for block in data["body"]] == [
        "paragraphe", "paragraphe", "liste", "liste", "paragraphe",
    ]  # fmt: skip
    assert data["body"][1]["runs"][1] == {
        "text": "en gras",
        "bold": True,
        "italic": False,
        "link": None,
    }
    assert data["body"][3]["ordered"] is True
    assert data["body"][2]["items"][0] == [
        {"text": "premier point", "bold": False, "italic": False, "link": None}
    ]


# --- pages -----------------------------------------------------------------------------


def long_body(paragraphs: int) -> tuple[Block, ...]:
    sentence = "Les associations constatent chaque jour les difficultés des victimes. "
    return tuple(
        Paragraph((Run(f"Paragraphe {n} : " + sentence * 6),)) for n in range(1, paragraphs + 1)
    )


def test_a_long_letter_numbers_every_page_and_loses_nothing() -> None:
    letter = make_letter(body=long_body(200))
    pdf = render(letter)
    pages = reader(pdf).pages
    assert len(pages) >= 20
    for number, page in enumerate(pages, 1):
        assert page.extract_text().rstrip().endswith(f"{number}/{len(pages)}")
    text = pdf_text(pdf)
    assert [int(n) for n in re.findall(r"Paragraphe (\d+) :", text)] == list(range(1, 201))
    assert compact(text) == compact(docx_text(letter))


def test_a_one_page_letter_has_no_page_number() -> None:
    pdf = render(make_letter())
    assert len(reader(pdf).pages) == 1
    assert "1/1" not in reader(pdf).pages[0].extract_text()


def test_closing_never_starts_a_page_alone() -> None:
    """Whatever the length of the body, the closing comes after the end of the body."""
    last = Paragraph((Run("Dernier paragraphe, assez long pour tenir sur deux lignes. " * 2),))
    letters = [
        make_letter(body=(*(Paragraph((Run(f"Ligne {n}."),)) for n in range(count)), last))
        for count in range(10, 60)
    ]
    breaks = 0
    renderer = PdfRenderer(LAYOUT)
    for pdf in map(renderer.render, letters):
        for page in reader(pdf).pages[1:]:
            first = page.extract_text().strip().splitlines()[0]
            assert not first.startswith(("Veuillez", "Véronique")), first
            breaks += first.startswith("Dernier paragraphe")
    assert breaks > 0  # the case arose: the last paragraph went over with the closing


def test_recipient_block_sits_in_the_envelope_window() -> None:
    letter = make_letter()
    positions = line_positions(render(letter))
    lines = [(t, x, y) for t, x, y in positions if t.strip() in letter.recipient_block]
    assert [t.strip() for t, _, _ in lines] == list(letter.recipient_block)
    for _, x, baseline in lines:
        assert 110 <= x < 195
        assert baseline - 11 / MM >= 45  # the top of the first line
        assert baseline <= 80
    date_y = next(y for t, _, y in positions if t.startswith("Paris, le"))
    assert date_y > 80  # the date is below the window, never seen through it


def test_a_tall_letterhead_stays_out_of_the_window() -> None:
    letter = make_letter(
        letterhead=("Une ligne d'en-tête assez longue pour passer à la ligne",) * 12
    )
    positions = line_positions(render(letter))
    for text, x, _ in positions:
        if text.startswith("Une ligne"):
            assert x < 110
    first_recipient = next(y for t, _, y in positions if t.strip() == "Monsieur Bernard Cazeneuve")
    assert 45 <= first_recipient <= 80


def test_a_word_longer_than_the_line_is_cut_rather_than_overflowing() -> None:
    letter = make_letter(
        body=(Paragraph((Run("Voir " + "a" * 300 + " fin."),)),),
        recipient_block=("b" * 60, "Place Beauvau"),
    )
    pdf = render(letter)
    lines = pdf_text(pdf).splitlines()
    assert len([line for line in lines if "aaaaaaaaaa" in line]) >= 4
    assert len([line for line in lines if "bbbbbbbbbb" in line]) == 2
    for text, x, _ in line_positions(pdf):
        if text.strip("\u200b") in ("a", "b"):
            assert x < (185 if text.strip("\u200b") == "a" else 195)
    assert compact(pdf_text(pdf)) == compact(docx_text(letter))


def test_one_compiler_for_a_batch_keeps_letters_apart() -> None:
    letters = [make_letter(subject=f"Objet numéro {n}") for n in range(3)]
    renderer = PdfRenderer(LAYOUT)
    pdfs = [renderer.render(letter) for letter in letters]
    assert [reader(pdf).metadata.title for pdf in pdfs] == [f"Objet numéro {n}" for n in range(3)]


def test_a_renderer_kept_across_letters_gives_the_same_pdfs() -> None:
    letters = [make_letter(subject=f"Objet numéro {n}") for n in range(2)]
    renderer = PdfRenderer(LAYOUT)
    assert [renderer.render(letter) for letter in letters] == [render(letter) for letter in letters]


# --- errors ----------------------------------------------------------------------------


def edited_layout(tmp_path: Path, old: str, new: str) -> Path:
    text = LAYOUT.read_text(encoding="utf-8")
    assert old in text
    layout = tmp_path / "modeles" / "lettre.typ"
    layout.parent.mkdir(parents=True)
    layout.write_text(text.replace(old, new, 1), encoding="utf-8")
    return layout


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_a_layout_of_an_older_workspace_still_compiles(tmp_path: Path) -> None:
    """Layouts copied by `lettres init` before keywords left the model still read them."""
    layout = edited_layout(
        tmp_path,
        "  author: lettre.author,\n",
        "  author: lettre.author,\n  keywords: lettre.keywords,\n",
    )
    pdf = render_pdf(make_letter(), layout, root=tmp_path)
    assert pdf == render(make_letter())
    assert "/Keywords" not in reader(pdf).metadata


@pytest.mark.parametrize(
    "code",
    ["#let n = 0\n#while n < 100000000 { n += 1 }", "#let f(x) = f(x)\n#f(1)"],
    ids=["endless-loop", "endless-recursion"],
)
def test_a_layout_that_never_ends_is_stopped_at_its_line(tmp_path: Path, code: str) -> None:
    """typst bounds loops and calls itself: a layout edited badly fails fast, never hangs."""
    layout = edited_layout(tmp_path, "#let police =", f"{code}\n#let police =")
    with pytest.raises(DataError) as caught:
        render_pdf(make_letter(), layout)
    problem = caught.value.problems[0]
    assert problem.path == layout.resolve()
    assert problem.line in (
        line_of(layout, code.splitlines()[-1]),
        line_of(layout, code.splitlines()[0]),
    )
    assert "la mise en page ne se compile pas" in problem.message


def test_a_syntax_error_in_the_layout_names_file_and_line(tmp_path: Path) -> None:
    layout = edited_layout(tmp_path, "#let police =", "#let cassé = (\n#let police =")
    with pytest.raises(DataError) as caught:
        render_pdf(make_letter(), layout)
    problem = caught.value.problems[0]
    assert problem.path == layout.resolve()
    assert problem.line == line_of(layout, "#let cassé = (")
    assert "mise en page" in problem.message and "unclosed delimiter" in problem.message
    assert str(caught.value).startswith(f"{layout.resolve()}:{problem.line}: ")


def test_an_unknown_key_in_the_layout_names_its_line(tmp_path: Path) -> None:
    layout = edited_layout(tmp_path, "brut(lettre.closing)", "brut(lettre.formule)")
    with pytest.raises(DataError) as caught:
        render_pdf(make_letter(), layout)
    assert caught.value.problems[0].line == line_of(layout, "lettre.formule")
    assert "formule" in str(caught.value)


def test_an_unknown_font_is_an_error_not_a_silent_substitute(tmp_path: Path) -> None:
    layout = edited_layout(tmp_path, '#let police = "Libertinus Serif"', '#let police = "Arial"')
    with pytest.raises(DataError) as caught:
        render_pdf(make_letter(), layout)
    problem = caught.value.problems[0]
    assert problem.path == layout.resolve()
    assert problem.line == line_of(layout, "font: police")
    assert "police inconnue « arial »" in problem.message
    assert "Libertinus Serif" in problem.message  # says which fonts there are


def test_a_missing_layout_is_named(tmp_path: Path) -> None:
    with pytest.raises(LettresError, match=r"mise en page introuvable.*absente\.typ"):
        render_pdf(make_letter(), tmp_path / "absente.typ")


def test_a_logo_is_drawn(tmp_path: Path) -> None:
    layout = edited_layout(tmp_path, "", "")
    (tmp_path / "modeles" / "logo.png").write_bytes(tiny_png())
    pdf = render_pdf(make_letter(), layout, root=tmp_path, logo="modeles/logo.png")
    images = reader(pdf).pages[0].images
    assert len(images) == 1
    without = render_pdf(make_letter(), layout, root=tmp_path)
    assert len(reader(without).pages[0].images) == 0


def test_a_missing_logo_is_named(tmp_path: Path) -> None:
    layout = edited_layout(tmp_path, "", "")
    with pytest.raises(LettresError, match="logo introuvable") as caught:
        render_pdf(make_letter(), layout, root=tmp_path, logo="modeles/absent.png")
    assert str(tmp_path / "modeles" / "absent.png") in str(caught.value)


def test_a_logo_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    layout = edited_layout(tmp_path, "", "")
    outside = tmp_path.parent / "ailleurs.png"
    outside.write_bytes(tiny_png())
    with pytest.raises(LettresError, match="doit se trouver dans le dossier"):
        render_pdf(make_letter(), layout, root=tmp_path, logo=outside)


@pytest.mark.parametrize("pdfa", [False, True], ids=["pdf", "pdfa"])
def test_characters_no_font_can_draw_are_refused_by_name(pdfa: bool) -> None:
    letter = make_letter(body=(Paragraph((Run("Merci 🙂 beaucoup"),)),))
    with pytest.raises(UnprintableText, match=r"« 🙂 » \(U\+1F642\)"):
        render(letter, pdfa=pdfa)


def test_greek_and_cyrillic_and_accents_are_drawn() -> None:
    text = "Ελληνικά, русский, Łódź, Ærøskøbing, ŒUVRE, e\u0301"
    pdf = render(make_letter(body=(Paragraph((Run(text),)),)))
    assert compact(text) in compact(pdf_text(pdf))


# --- any text at all -------------------------------------------------------------------

NASTY = [
    TYPST_SYNTAX,
    "**Markdown** _emph_ [lien](http://x) `code` # titre\n- liste\n1. un",
    "😀👍🏽 👨‍👩‍👧",
    "a" * 300,
    "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000030543233?param=valeur&autre=chose",
    "\x00\x07\x1b\r\n\t\x7f\ufeff\u200b\u00ad",
    "אבג عربي 中文",
    f"«{NB}guillemets{NB}»{NB}; deux-points\u202f:",
    "e\u0301te\u0301 c\u0327a o\u0308",
    "",
    " ",
]
# Mostly Latin, Greek and Cyrillic with control characters (the fonts draw those, so most
# examples reach the comparison), and any Unicode at all but combining marks, which come
# only on Latin letters (in NASTY). A mark on a base of another script is drawn from a
# fallback font, and reads back wrong: pypdf turns U+0483 after a digit into ",", and
# typst maps a Devanagari cluster drawn from the math font to its text twice.
NO_MARKS = ("Mn", "Mc", "Me", "Cs")
european = st.text(
    st.characters(max_codepoint=0x7F)  # with the C0 controls, which compose strips
    | st.characters(min_codepoint=0xA0, max_codepoint=0x17F)
    | st.characters(min_codepoint=0x370, max_codepoint=0x45F, exclude_categories=("Cn", *NO_MARKS)),
    max_size=80,
)
anything = st.text(st.characters(exclude_categories=NO_MARKS), max_size=80)
texts = st.one_of(*[european] * 8, anything, st.sampled_from(NASTY), st.lists(
    st.sampled_from(NASTY) | european | anything, max_size=4).map("".join))  # fmt: skip


def letters(text: st.SearchStrategy[str]) -> st.SearchStrategy[Letter]:
    """Letters whose subject, body, closing and address are drawn from `text`, cleaned as
    compose cleans them."""
    runs = st.builds(
        lambda t, bold, italic, link: Run(clean(t), bold, italic, clean(link) if link else None),
        text,
        st.booleans(),
        st.booleans(),
        st.none() | text,
    )
    items = st.lists(st.lists(runs, min_size=1, max_size=2).map(tuple), min_size=1, max_size=3)
    blocks = st.one_of(
        st.builds(Paragraph, st.lists(runs, min_size=1, max_size=4).map(tuple)),
        st.builds(ListBlock, st.booleans(), items.map(tuple)),
    )
    return st.builds(
        lambda subject, body, closing, recipient: make_letter(
            subject=clean(subject),
            body=tuple(body),
            closing=clean(closing),
            recipient_block=(clean(recipient), "Place Beauvau"),
        ),
        text,
        st.lists(blocks, max_size=4),
        text,
        text,
    )


# Half the letters mostly European, half with any text in any field.
plain = st.one_of(european, european, european, st.sampled_from(NASTY))


@settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(letter=letters(plain) | letters(texts))
def test_any_text_gives_the_docx_words_or_one_clean_error(letter: Letter) -> None:
    try:
        pdf = render(letter)
    except UnprintableText as error:
        event("caractères refusés")
        named = {int(code, 16) for code in re.findall(r"U\+([0-9A-F]{4,6})", str(error))}
        assert named and named <= {ord(c) for c in "".join(letter_texts(letter_data(letter)))}
        return
    except LettresError as error:
        pytest.fail(f"erreur inattendue : {error}")
    pdf_words, docx_words = compact(pdf_text(pdf)), compact(docx_text(letter))
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in docx_words):
        # Right-to-left text comes back in visual order: compare the characters only.
        assert sorted(pdf_words) == sorted(docx_words)
    else:
        assert pdf_words == docx_words
