"""The DOCX writer: lays out a Letter with python-docx, in named styles a user can restyle.

Imported only when a DOCX is written: python-docx and lxml cost start-up time.
"""

from __future__ import annotations

import copy
import functools
import io
import re
import zipfile
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.exceptions import UnrecognizedImageError
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem  # what python-docx's save writes
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml.etree import SubElement

from lettres.errors import LettresError
from lettres.letter import Letter, ListBlock, Paragraph, Run, Window, whole_pieces

W = f"{{{nsmap['w']}}}"
R_ID, XML_SPACE = qn("r:id"), qn("xml:space")
RUN_BREAKS = re.compile("([\t\r\n])")
SKELETON = Path(__file__).with_name("skeleton.docx")  # see build_skeleton
FONT = "Times New Roman"
# The address goes where the letter's window says (the workspace's setting); the date
# starts below the window's bottom (a DL envelope's: y 45–80 mm, reference §2), or below
# the address if it runs lower (about 4.6 mm a line at 11 pt): never under it.
WINDOW_BOTTOM, TOP_MARGIN = Mm(80), Mm(15)
ADDRESS_LINE, BELOW_ADDRESS = Mm(4.6), Mm(4)
# The signature grid (as in lettre.typ): a right column of 80 mm ending at the right
# margin, a left one across the rest of the text less a gutter; room to sign above names.
SIGNATURE_COLUMNS = (Mm(80), Mm(80))
SIGNATURE_GUTTER, ROOM_TO_SIGN = Mm(4), Mm(25)
LOGO_HEIGHT = Mm(18)  # as in lettre.typ
# Lines of names and addresses: French hyphenation is on, but never inside these.
UNHYPHENATED = ("Lettre – En-tête", "Lettre – Destinataire", "Lettre – Date", "Lettre – Signature")

# name, size in points, alignment, space after in points
STYLES: list[tuple[str, float, WD_ALIGN_PARAGRAPH | None, float]] = [
    ("Lettre – En-tête", 9, WD_ALIGN_PARAGRAPH.LEFT, 0),
    ("Lettre – Destinataire", 11, WD_ALIGN_PARAGRAPH.LEFT, 0),
    ("Lettre – Date", 11, WD_ALIGN_PARAGRAPH.RIGHT, 18),
    ("Lettre – Objet", 11, WD_ALIGN_PARAGRAPH.LEFT, 0),
    ("Lettre – Appel", 11, WD_ALIGN_PARAGRAPH.LEFT, 12),
    ("Lettre – Corps", 11, WD_ALIGN_PARAGRAPH.JUSTIFY, 8),
    ("Lettre – Liste", 11, WD_ALIGN_PARAGRAPH.LEFT, 4),
    ("Lettre – Formule", 11, WD_ALIGN_PARAGRAPH.JUSTIFY, 0),
    ("Lettre – Signature", 11, WD_ALIGN_PARAGRAPH.LEFT, 0),
    ("Lettre – Annexes", 10, WD_ALIGN_PARAGRAPH.LEFT, 0),
    ("Lettre – Membres", 8, WD_ALIGN_PARAGRAPH.JUSTIFY, 4),
    ("Lettre – Pied de page", 8, WD_ALIGN_PARAGRAPH.CENTER, 0),
]


def render_docx(letter: Letter, logo: bytes | None = None) -> bytes:
    """The letter as the bytes of a DOCX file; `logo`, an image for the first page's header."""
    document = copy.deepcopy(opened(skeleton(logo)))
    set_properties(document, letter)
    if letter.labels.language != "fr-FR":  # the skeleton is French: spelling, hyphenation
        set_language(document, letter.labels.language)
    write_top(document, letter)
    write_body(document, letter)
    write_bottom(document, letter)
    return reproducible(document, datetime.combine(letter.date, time(9, 0)))


def reproducible(document: DocxDocument, stamp: datetime) -> bytes:
    """The DOCX as python-docx saves it (`OpcPackage.save`, step by step), but with every
    entry dated `stamp` (python-docx dates them "now"): the same letter then gives the same
    bytes, whenever and wherever it is rendered, so that a re-run recognises the files it
    already wrote. Written once: saving, then copying the zip to date it, compressed
    everything twice."""
    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:

        def write(uri: Any, blob: bytes) -> None:
            entry = zipfile.ZipInfo(uri.membername, stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, blob)

        types = _ContentTypesItem.from_parts(parts)  # type: ignore[no-untyped-call]
        write(CONTENT_TYPES_URI, types.blob)
        write(PACKAGE_URI.rels_uri, package.rels.xml)
        for part in parts:
            write(part.partname, part.blob)
            if len(part.rels):
                write(part.partname.rels_uri, part.rels.xml)
    return stream.getvalue()


@functools.lru_cache(maxsize=4)
def opened(package: bytes) -> DocxDocument:
    """The skeleton as python-docx opens it, once per process: each letter starts from a
    deep copy (lxml copies a tree much faster than python-docx reads a package).

    Only the parts' roots are referenced from a document just opened, so the copy is a
    whole new document, sharing nothing with this one."""
    return Document(io.BytesIO(package))


@functools.cache
def skeleton(logo: bytes | None = None) -> bytes:
    """The shipped skeleton, with the logo if there is one (made once per logo)."""
    shipped = SKELETON.read_bytes()
    if logo is None:
        return shipped
    document = Document(io.BytesIO(shipped))
    write_logo(document, logo)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def build_skeleton(logo: bytes | None = None) -> bytes:
    """Page, styles, language, header and footer: what every letter starts from.

    Made from python-docx's template when lettres is developed, and shipped without a logo
    as `skeleton.docx` (tests/test_docx_skeleton.py checks that they agree): building it
    took a tenth of every letter's time. After a change here, write it again with
    `python -c "from lettres import docx_writer as w; w.write_skeleton()"`.
    """
    document = Document()
    slim_template(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = TOP_MARGIN, Mm(20)
    section.footer_distance = Mm(10)
    set_language(document, "fr-FR")
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    for name, size, alignment, after in STYLES:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(size)
        style.paragraph_format.alignment = alignment
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(after)
    signature = document.styles["Lettre – Signature"].paragraph_format
    signature.left_indent = SIGNATURE_COLUMNS[0]  # a single block: the right column
    signature.keep_with_next = True
    document.styles["Lettre – Formule"].paragraph_format.keep_with_next = True
    document.styles["Lettre – Liste"].paragraph_format.left_indent = Mm(8)
    document.styles["Lettre – Liste"].paragraph_format.first_line_indent = Mm(-5)
    # Copies and enclosures: a long line goes on under its first word, not under the dash.
    document.styles["Lettre – Annexes"].paragraph_format.left_indent = Mm(3)
    document.styles["Lettre – Annexes"].paragraph_format.first_line_indent = Mm(-3)
    write_page_numbers(document)
    set_hyphenation(document)
    for name in UNHYPHENATED:
        suppress_hyphenation(document.styles[name].element.get_or_add_pPr())
    if logo is not None:
        write_logo(document, logo)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def write_skeleton() -> None:
    SKELETON.write_bytes(build_skeleton())


def suppress_hyphenation(properties: Any) -> None:
    """No hyphen in names and addresses: `w:suppressAutoHyphens`, at its place in the schema."""
    properties.insert_element_before(
        OxmlElement("w:suppressAutoHyphens"),
        *("w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
          "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
          "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
          "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
          "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    )  # fmt: skip


def write_logo(document: DocxDocument, logo: bytes) -> None:
    """The logo in the first page's header, top left, as high as in the PDF."""
    header = document.sections[0].first_page_header
    paragraph = header.paragraphs[0]
    paragraph.style = document.styles["Lettre – En-tête"]
    try:
        paragraph.add_run().add_picture(io.BytesIO(logo), height=LOGO_HEIGHT)
    except UnrecognizedImageError:
        raise LettresError(
            "le logo n'est pas une image que le DOCX sait porter : donnez une image PNG, "
            "JPEG, GIF ou BMP (logo: dans modeles/collectif.yaml)"
        ) from None


def set_hyphenation(document: DocxDocument) -> None:
    """French hyphenation on: justified lines without it leave wide gaps.

    `w:autoHyphenation` goes right after `w:defaultTabStop` (the schema's order).
    """
    settings = document.settings.element
    hyphenation = OxmlElement("w:autoHyphenation")
    tab_stop = settings.find(qn("w:defaultTabStop"))
    if tab_stop is not None:
        tab_stop.addnext(hyphenation)
    else:
        settings.insert(0, hyphenation)
    theme_language = settings.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:val"), "fr-FR")


def slim_template(document: DocxDocument) -> None:
    """Keep of python-docx's template only what a letter uses.

    Its 160 styles, 370 latent styles, a Word 2010 copy of them all and a thumbnail of a
    blank page weigh 800 KB: parsed, written and compressed again with every letter, they
    were most of its time. Users restyle our "Lettre – …" styles, which stay. The list
    numbering goes too (its levels name styles that are gone; our lists are plain text).
    """
    styles = document.styles.element
    for element in [*styles.findall(qn("w:latentStyles")), *styles.findall(qn("w:style"))]:
        if element.get(qn("w:default")) != "1":
            styles.remove(element)
    for owner in (document.part, document.part.package):
        for relation_id, relation in list(owner.rels.items()):
            if relation.reltype.endswith(("/stylesWithEffects", "/thumbnail", "/numbering")):
                owner.rels.pop(relation_id)


def set_properties(document: DocxDocument, letter: Letter) -> None:
    properties = document.core_properties
    properties.title = property_text(letter.subject)
    properties.subject = property_text(letter.subject)
    properties.author = property_text(letter.author)
    properties.last_modified_by = property_text(letter.author)
    properties.language = letter.labels.language
    properties.keywords = ""  # a letter has none; written empty, as it always was
    # Both from one value: reading `created` back would parse it with strptime, whose
    # first use costs 12 ms at every start.
    stamp = datetime.combine(letter.date, time(9, 0))
    properties.created = stamp
    properties.modified = stamp
    properties.revision = 1
    properties.comments = "Courrier préparé avec lettres"


def add(document: DocxDocument, style: str, text: str = "") -> DocxParagraph:
    """A paragraph in one of our styles, by id (our names without spaces), at the end of
    the body.

    Made with lxml, as python-docx would make it: its generic way (a style looked up by
    name, each child placed by searching the schema's order) was most of a letter's time.
    """
    paragraph = OxmlElement("w:p")
    properties = SubElement(paragraph, W + "pPr")
    SubElement(properties, W + "pStyle", {W + "val": style.replace(" ", "")})
    add_text(paragraph, text)
    document.element.body.sectPr.addprevious(paragraph)
    return DocxParagraph(paragraph, document._body)


def add_text(parent: Any, text: str, look: Run | None = None) -> None:
    """The text as runs; URLs, addresses and glued units in runs of their own, never hyphenated.

    With the `look` of a body's run, each run is bold or italic as it is, and has its
    properties even if empty (python-docx leaves an empty `w:rPr` on a run whose bold it
    sets to None)."""
    for piece, whole in whole_pieces(text):
        if look is None:
            add_run(parent, piece, whole=whole)
        else:
            add_run(parent, piece, bold=look.bold, italic=look.italic, whole=whole, formatted=True)


def add_run(
    parent: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    whole: bool = False,
    formatted: bool = False,
) -> Any:
    """A `w:r` at the end of `parent`, its properties in the schema's order.

    `whole`: no language ("zxx"), no proofing: LibreOffice hyphenates by language, Word
    skips text marked « ne pas vérifier l'orthographe ». The text itself is untouched.
    """
    run = SubElement(parent, W + "r")
    if bold or italic or underline or whole or formatted:
        properties = SubElement(run, W + "rPr")
        if bold:
            SubElement(properties, W + "b")
        if italic:
            SubElement(properties, W + "i")
        if whole:
            SubElement(properties, W + "noProof")
        if underline:
            SubElement(properties, W + "u", {W + "val": "single"})
        if whole:
            SubElement(properties, W + "lang", {W + "val": "zxx"})
    add_run_text(run, text)
    return run


def add_run_text(run: Any, text: str) -> None:
    """As python-docx writes a run's text: a tab is `w:tab`, each line break `w:br`, the rest
    `w:t`, marked to keep its spaces when it starts or ends with one."""
    for piece in RUN_BREAKS.split(text):
        if piece == "\t":
            SubElement(run, W + "tab")
        elif piece in ("\r", "\n"):
            SubElement(run, W + "br")
        elif piece:
            element = SubElement(run, W + "t")
            element.text = piece
            if len(piece.strip()) < len(piece):
                element.set(XML_SPACE, "preserve")


def property_text(text: str) -> str:
    """Word limits core properties to 255 characters."""
    return text if len(text) <= 255 else text[:254] + "…"


def set_language(document: DocxDocument, language: str) -> None:
    """fr-FR on the document defaults, so spelling and hyphenation are French everywhere."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    run_properties = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
    assert run_properties is not None
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), language)


def place_in_window(paragraph: Any, window: Window) -> None:
    """A page-anchored frame: the address lands in the envelope window.

    On each paragraph rather than in the style: LibreOffice ignores a frame set in a style.
    Consecutive paragraphs with the same frame share it.
    """
    frame = OxmlElement("w:framePr")
    for attribute, value in (
        ("w:w", str(Mm(window.width).twips)),
        ("w:hSpace", "0"),
        ("w:wrap", "notBeside"),
        ("w:vAnchor", "page"),
        ("w:hAnchor", "page"),
        ("w:x", str(Mm(window.x).twips)),
        ("w:y", str(Mm(window.y).twips)),
    ):
        frame.set(qn(attribute), value)
    paragraph.get_or_add_pPr().insert(0, frame)


def write_top(document: DocxDocument, letter: Letter) -> None:
    copied(document, ("letterhead", letter.letterhead), lambda: write_letterhead(document, letter))
    for line in letter.recipient_block:
        place_in_window(add(document, "Lettre – Destinataire", line)._p, letter.window)
    date = add(document, "Lettre – Date", letter.date_line)
    # The address frame floats; the date line must come below the window, whatever the
    # height of the letterhead above it (about 3.7 mm a line at 9 pt).
    address_bottom = Mm(letter.window.y) + ADDRESS_LINE * len(letter.recipient_block)
    bottom = max(WINDOW_BOTTOM, address_bottom) + BELOW_ADDRESS
    below_window = bottom - TOP_MARGIN - Mm(3.7) * len(letter.letterhead)
    date.paragraph_format.space_before = max(below_window, Mm(5))
    subject = add(document, "Lettre – Objet")
    add_run(subject._p, letter.subject_label, bold=True)
    add_run(subject._p, letter.subject)
    for reference in (letter.reference_line, letter.our_reference_line):
        if reference:
            add(document, "Lettre – Objet", reference)
    appellation = add(document, "Lettre – Appel", letter.appellation)
    appellation.paragraph_format.space_before = Pt(18)


def write_body(document: DocxDocument, letter: Letter) -> None:
    last: DocxParagraph | None = None
    for block in letter.body:
        if isinstance(block, Paragraph):
            last = add(document, "Lettre – Corps")
            add_runs(last, block.runs)
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, 1):
                last = add(document, "Lettre – Liste")
                add_run(last._p, f"{number}.\t" if block.ordered else "–\t")
                add_runs(last, item)
            if last is not None:
                last.paragraph_format.space_after = Pt(8)  # after the list, as after a paragraph
    if last is not None:
        last.paragraph_format.keep_with_next = True  # never a closing alone on a new page
    add(document, "Lettre – Formule", letter.closing)


def add_runs(paragraph: DocxParagraph, runs: tuple[Run, ...]) -> None:
    for run in runs:
        if run.link:
            add_hyperlink(paragraph, run)
        else:
            add_text(paragraph._p, run.text, look=run)


def add_hyperlink(paragraph: DocxParagraph, run: Run) -> None:
    assert run.link is not None
    relation = paragraph.part.relate_to(run.link, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = SubElement(paragraph._p, W + "hyperlink", {R_ID: relation})
    whole = any(whole for _, whole in whole_pieces(run.text))
    add_run(link, run.text, bold=run.bold, italic=run.italic, underline=True, whole=whole)


def write_signatures(document: DocxDocument, letter: Letter) -> None:
    """One signatory in the page's right half; several in a borderless grid of two columns,
    as in the PDF. The name's space before is the room to sign.

    A single block is plain paragraphs indented to the right column, not a table:
    LibreOffice does not carry « keep with next » from a table to what follows it.
    Rows of a grid never split and hold to the next.
    """
    if len(letter.signatures) == 1:
        for index, line in enumerate(letter.signatures[0]):
            paragraph = add(document, "Lettre – Signature", line)
            if index == 0:
                paragraph.paragraph_format.space_before = ROOM_TO_SIGN
        return
    blocks = list(letter.signatures)
    rows = (len(blocks) + 1) // 2
    table = document.add_table(rows=rows, cols=2)
    for column, width in zip(table.columns, SIGNATURE_COLUMNS, strict=True):
        column.width = width
    set_table_layout(table)
    for index, lines in enumerate(blocks):
        row = table.rows[index // 2]
        cell = row.cells[index % 2]
        cell.width = SIGNATURE_COLUMNS[index % 2]
        write_signature(cell, lines, index % 2 == 0)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def write_signature(cell: Any, lines: tuple[str, ...], left: bool) -> None:
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        paragraph._p.get_or_add_pPr().style = "Lettre–Signature"
        paragraph.add_run(line)
        paragraph.paragraph_format.left_indent = Mm(0)  # the cell is the column
        if left:
            paragraph.paragraph_format.right_indent = SIGNATURE_GUTTER
    cell.paragraphs[0].paragraph_format.space_before = ROOM_TO_SIGN


def set_table_layout(table: Any) -> None:
    """Fixed widths from the left margin, no borders, no cell margins: text on the columns."""
    properties = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), "0")
    indent.set(qn("w:type"), "dxa")
    properties.extend([indent, layout, margins])


def write_letterhead(document: DocxDocument, letter: Letter) -> None:
    for line in letter.letterhead:
        add(document, "Lettre – En-tête", line)


def copied(document: DocxDocument, key: tuple[object, ...], write: Callable[[], None]) -> None:
    """What `write` adds at the end of the body, made once per `key` in a process and then
    copied: the letterhead, the signatures, copies and members are the same for every
    letter of a merge. `key` holds everything `write` reads; what it adds must not refer
    to the letter's relationships (no hyperlink, no image)."""
    body = document.element.body
    made = MADE.get(key)
    if made is None:
        start = len(body) - 1  # the section's properties stay last
        write()
        made = MADE[key] = [copy.deepcopy(element) for element in body[start:-1]]
        if len(MADE) > 64:  # a process that renders many different letters (the tests)
            del MADE[next(iter(MADE))]
        return
    end = body.sectPr
    for element in made:
        end.addprevious(copy.deepcopy(element))


MADE: dict[tuple[object, ...], list[Any]] = {}


def write_bottom(document: DocxDocument, letter: Letter) -> None:
    key = (
        "bottom",
        letter.signatures,
        letter.enclosures_line,
        letter.copies_heading,
        letter.copy_lines,
        letter.members_heading,
        letter.members_line,
        letter.contact,
    )
    copied(document, key, lambda: write_end(document, letter))


def write_end(document: DocxDocument, letter: Letter) -> None:
    """From the closing to the contact, every paragraph holds to the next: the end of the
    letter moves to a new page whole, with the last paragraph of the body, rather than
    leave the member footer or the closing alone on a page (a word processor breaks such
    a chain anyway when it is longer than a page)."""
    write_signatures(document, letter)
    annexes: list[DocxParagraph] = []
    if letter.enclosures_line:
        annexes.append(add(document, "Lettre – Annexes", letter.enclosures_line))
    if letter.copies_heading:
        heading = add(document, "Lettre – Annexes", letter.copies_heading)
        heading.paragraph_format.space_before = Pt(10)
        annexes.append(heading)
        annexes += [add(document, "Lettre – Annexes", line) for line in letter.copy_lines]
    if annexes:
        annexes[0].paragraph_format.space_before = Pt(24)
    for paragraph in annexes:
        paragraph.paragraph_format.keep_with_next = True
    write_members(document, letter)


def write_members(document: DocxDocument, letter: Letter) -> None:
    """The member footer, never split: each paragraph whole and held to the next."""
    heading = add(document, "Lettre – Membres", letter.members_heading)
    heading.paragraph_format.space_before = Pt(18)
    members = add(document, "Lettre – Membres", letter.members_line)
    contact = add(document, "Lettre – Membres", letter.contact)
    for paragraph in (heading, members, contact):
        paragraph.paragraph_format.keep_together = True
        paragraph.paragraph_format.keep_with_next = paragraph is not contact


def write_page_numbers(document: DocxDocument) -> None:
    """Page numbers ("2/3") on every page but the first: a one-page letter shows none.

    Word and LibreOffice do not agree on conditional fields (IF NUMPAGES > 1), so the
    first page simply has its own, empty, footer.
    """
    section = document.sections[0]
    section.different_first_page_header_footer = True
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Lettre – Pied de page"]
    add_field(footer, "PAGE")
    footer.add_run("/")
    add_field(footer, "NUMPAGES")


def add_field(paragraph: DocxParagraph, instruction: str) -> None:
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
            run._r.append(element)
        elif kind == "result":
            run.text = "1"
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)
