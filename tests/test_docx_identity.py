"""The DOCX writer's output, pinned: varied letters rendered today give, part for part and
byte for byte, the files committed under tests/docx_references/ (made by the writer as it was
before it was sped up). A faster writer must write the same files.

After a deliberate change of the DOCX, write the references again and review their diff:
`python -m tests.test_docx_identity` (from the repository root).
"""

from __future__ import annotations

import difflib
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from lettres import docx_writer
from lettres.letter import ENGLISH, Letter, ListBlock, Paragraph, Run, Window
from tests.helpers import NB, make_letter, tiny_png

REFERENCES = Path(__file__).with_name("docx_references")
LONG_WORD = "anticonstitutionnellement" * 4


def english() -> Letter:
    return make_letter(
        labels=ENGLISH,
        date_line="London, 14 December 2016",
        subject="Our meeting of 3 December",
        reference=None,
        our_reference="GC/2016-7",
        appellation="Dear Minister,",
        closing="Yours sincerely,",
        enclosures=("Minutes",),
        copies=("Ms Myria Vassiliadou and Mr Nicolas Le Coz, GRETA",),
        copied_people=2,
        members_heading="Member associations of the Collective:",
        contact="Contact: Geneviève Colas – genevieve.colas@secours-catholique.org",
    )


def several_signatories(count: int, **changes: object) -> Letter:
    names = ("Véronique Fayet", "Geneviève Colas", "Jean Dupont", "Anne Martin", "Luc Petit")
    blocks = tuple((name, "Présidente", "Pour le Collectif") for name in names[:count])
    return make_letter(signatures=blocks, **changes)


def unusual_texts() -> Letter:
    """Spaces at the ends of runs, tabs and line breaks, glued units, addresses and URLs in
    bold, italic and links, long words, an empty list, empty runs."""
    body = (
        Paragraph((Run(" espace au début"), Run("espace à la fin "), Run(" "), Run(""))),
        Paragraph(
            (
                Run(f"Un mot très long : {LONG_WORD}, "),
                Run(f"25{NB}% des victimes", bold=True),
                Run(" écrivez à contact@contrelatraite.org ou voyez ", italic=True),
                Run("www.contrelatraite.org", link="https://www.contrelatraite.org/"),
                Run(" ; "),
                Run("le site", bold=True, italic=True, link="https://example.org/a?b=c&d=e"),
                Run(f" le 23{NB}septembre{NB}2014.", bold=True, italic=True),
            )
        ),
        Paragraph((Run("une\ttabulation\net une ligne\r\nnouvelle"),)),
        ListBlock(False, ()),
        ListBlock(
            True,
            tuple((Run(f"étape {n} "), Run("https://example.org/", bold=True)) for n in range(12)),
        ),
        Paragraph((Run("", link="https://example.org/vide"), Run("fin."))),
    )
    return make_letter(
        body=body,
        subject=f"Objet avec {LONG_WORD} et <balises> & « guillemets »",
        author="A" * 300,
        appellation="  Madame,  ",
    )


def bare() -> Letter:
    """No reference, enclosure, copy or body; a long address in another window."""
    return make_letter(
        letterhead=("Collectif",),
        recipient_block=tuple(f"Ligne {n}" for n in range(9)),
        reference=None,
        our_reference=None,
        body=(),
        enclosures=(),
        copies=(),
        window=Window(x=20, y=45.5, width=90),
    )


# name: (letter, with the logo)
LETTERS: dict[str, tuple[Letter, bool]] = {
    "francais": (make_letter(), False),
    "francais-logo": (make_letter(), True),
    "deux-signataires": (several_signatories(2), False),
    "trois-signataires-logo": (several_signatories(3), True),
    "cinq-signataires-anglais": (several_signatories(5, labels=ENGLISH), False),
    "anglais": (english(), False),
    "anglais-logo": (english(), True),
    "textes-inhabituels": (unusual_texts(), False),
    "sans-rien": (bare(), False),
    "une-copie": (replace(make_letter(), copies=("Madame Elisabeth Moiron-Braud",)), False),
}


def render(name: str) -> bytes:
    letter, with_logo = LETTERS[name]
    return docx_writer.render_docx(letter, tiny_png() if with_logo else None)


def entries(data: bytes) -> list[tuple[str, tuple[int, ...], int]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(i.filename, i.date_time, i.compress_type) for i in archive.infolist()]


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def assert_same_docx(made: bytes, expected: bytes, name: str) -> None:
    assert entries(made) == entries(expected), f"{name}: other entries in the zip"
    made_parts, expected_parts = parts(made), parts(expected)
    for part, data in expected_parts.items():
        if made_parts[part] != data:
            diff = difflib.unified_diff(
                data.decode().replace("><", ">\n<").splitlines(),
                made_parts[part].decode().replace("><", ">\n<").splitlines(),
                "attendu",
                "produit",
                lineterm="",
                n=2,
            )
            pytest.fail(f"{name}: {part} differs\n" + "\n".join(list(diff)[:60]))


@pytest.mark.parametrize("name", list(LETTERS))
def test_the_docx_is_the_one_the_writer_always_made(name: str) -> None:
    assert_same_docx(render(name), (REFERENCES / f"{name}.docx").read_bytes(), name)


def test_letters_rendered_in_any_order_stay_the_same() -> None:
    """Whatever a process keeps from one letter to the next changes nothing in the next."""
    names = list(LETTERS)
    for name in [*reversed(names), *names, *names[::3]]:
        assert_same_docx(render(name), (REFERENCES / f"{name}.docx").read_bytes(), name)


def test_the_references_cover_every_kind_of_letter() -> None:
    """Each feature the writer lays out appears in at least one reference."""
    documents = b"".join(b"".join(parts(render(name)).values()) for name in LETTERS)
    for marker in (b"<w:hyperlink", b"<w:tbl>", b'w:val="zxx"', b'xml:space="preserve"',
                   b"<w:tab/>", b"<w:br/>", b"<w:b/>", b"<w:i/>", b"<w:framePr",
                   b"w:cantSplit", b"en-GB"):  # fmt: skip
        assert marker in documents, marker
    assert any("word/media/image1.png" in parts(render(name)) for name in LETTERS)


def test_a_letter_leaves_the_opened_skeleton_as_it_was() -> None:
    """Letters start from copies of one opened skeleton: none writes into it."""
    prototype = docx_writer.opened(docx_writer.skeleton(None))
    body = prototype.element.body
    before = (len(body), len(prototype.part.rels), prototype.core_properties.title)
    for name in LETTERS:
        render(name)
    assert (len(body), len(prototype.part.rels), prototype.core_properties.title) == before
    assert [child.tag.rsplit("}", 1)[1] for child in body] == ["sectPr"]


def write_references() -> None:
    REFERENCES.mkdir(exist_ok=True)
    for name in LETTERS:
        (REFERENCES / f"{name}.docx").write_bytes(render(name))


if __name__ == "__main__":
    write_references()
