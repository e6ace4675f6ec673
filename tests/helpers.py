"""Helpers shared by the test modules: the workspace's paths, a letter model, text comparisons.

Test modules import from here (and from `tests.mailing` for the SMTP server), never from
each other.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import docx
from typer.testing import Result

from lettres.docx_writer import render_docx
from lettres.letter import Letter, ListBlock, Paragraph, Run
from lettres.pdf_writer import PdfRenderer

REPO = Path(__file__).resolve().parent.parent
LAYOUT = REPO / "modeles" / "lettre.typ"
SOURCE_2015 = REPO / "courriers" / "2015-04-21-interieur-vos-engagements"
NB = "\u00a0"  # no-break space
MM = 72 / 25.4  # PDF points in a millimetre

Invoke = Callable[..., Result]


def lettres_process(
    *args: str | Path,
    cwd: Path | None = None,
    pythonpath: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`python -m lettres ARGS` in its own process, as a user's shell starts it: its real
    standard streams (bytes, to be decoded by the test), its own environment and imports."""
    environment = {k: v for k, v in os.environ.items() if k not in ("LETTRES_WORKSPACE",)}
    if pythonpath is not None:
        environment["PYTHONPATH"] = str(pythonpath)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "lettres", *map(str, args)],
        cwd=cwd, env=environment, capture_output=True, check=False, timeout=120,
    )  # fmt: skip


# The tests write letters on 2015-04-21, 2015-06-10, 2016-12-14 and 2017-01-05. The shipped
# directory vouches for few holders on those dates (its verifications are those of the
# example documents), so the tests' workspace adds what public records say (Journal
# officiel, Council of Europe): successors the directory lacks and verifications on a date
# the person held the post. The guard is never relaxed; the data is completed.
PUBLIC_RECORD_HOLDERS = [  # (post, holder, since, verified)
    ("interieur", "Monsieur Bruno Le Roux", date(2016, 12, 6), date(2016, 12, 14)),
    ("justice", "Monsieur Jean-Jacques Urvoas", date(2016, 1, 27), date(2016, 12, 14)),
    ("education", "Madame Najat Vallaud-Belkacem", date(2014, 8, 26), date(2016, 12, 14)),
]
PUBLIC_RECORD_VERIFIED = [  # (post, a day its holder then was in post)
    ("president-republique", date(2016, 12, 14)),
    ("premier-ministre", date(2016, 12, 14)),
    ("affaires-sociales", date(2016, 12, 14)),
    ("familles", date(2016, 12, 14)),
    ("greta", date(2016, 12, 14)),  # Nicolas Le Coz, president until the end of his mandate
    ("defenseur-droits", date(2016, 12, 14)),
    ("defenseur-enfants", date(2016, 12, 14)),
]


def complete_directory(root: Path) -> None:
    """The public record above, written with `lettres recipients set` and `verify`'s code."""
    from lettres.directory_file import parse_person, set_holder, verify

    today = date.today()
    for key, person, since, verified in PUBLIC_RECORD_HOLDERS:
        set_holder(root, key, parse_person(person), since, verified, today)
    for key, on in PUBLIC_RECORD_VERIFIED:
        verify(root, key, on, today)


def make_letter(**changes: Any) -> Letter:
    letter = Letter(
        letterhead=(
            f"Collectif «{NB}Ensemble contre la traite des êtres humains{NB}»",
            f"Coordination{NB}: Secours Catholique – Caritas France",
            "106 rue du Bac, 75341 PARIS CEDEX 07",
        ),
        recipient_block=(
            "Monsieur Bernard Cazeneuve",
            "Ministre de l'Intérieur",
            "Place Beauvau",
            "75800 PARIS CEDEX 08",
        ),
        date_line=f"Paris, le 21{NB}avril{NB}2015",
        subject="Vos engagements dans la lutte contre la traite des êtres humains",
        reference="Votre courrier du 3 mars 2015",
        our_reference="GC/2015-12",
        appellation="Monsieur le Ministre,",
        body=(
            Paragraph(
                (Run("Vous aviez reçu les représentants du Collectif le 23 septembre 2014."),)
            ),
            Paragraph(
                (
                    Run("Un texte "),
                    Run("en gras", bold=True),
                    Run(", "),
                    Run("en italique", italic=True),
                    Run(" et "),
                    Run("un lien", link="https://www.contrelatraite.org/"),
                    Run("."),
                )
            ),
            ListBlock(False, ((Run("premier point"),), (Run("second point"),))),
            ListBlock(True, ((Run("première étape"),), (Run("deuxième étape"),))),
            Paragraph((Run("Nous restons à votre disposition."),)),
        ),
        closing="Veuillez agréer, Monsieur le Ministre, l'assurance de ma très haute considération.",
        signature=("Véronique Fayet", "Présidente du Secours Catholique – Caritas France"),
        enclosures=("Synthèse de la rencontre", "Compte rendu"),
        copies=(
            "Madame Elisabeth Moiron-Braud, MIPROF",
            "Monsieur Jacques Toubon, Défenseur des droits",
        ),
        members_heading="Associations membres du Collectif :",
        members=("Amicale du Nid", "Comité contre l'esclavage moderne", "ECPAT France"),
        contact="Coordination : Geneviève Colas – genevieve.colas@secours-catholique.org",
        author="Collectif « Ensemble contre la traite des êtres humains »",
        date=date(2015, 4, 21),
    )
    return replace(letter, **changes)


def render_pdf(letter: Letter, layout: Path = LAYOUT, **options: Any) -> bytes:
    """One letter as a PDF, by the renderer drafting uses (a compiler of its own)."""
    return PdfRenderer(layout, **options).render(letter)


def docx_text(letter: Letter) -> str:
    document = docx.Document(io.BytesIO(render_docx(letter)))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def compact(text: str) -> str:
    """The characters that carry words, for comparing texts laid out differently.

    Line breaks, justification and hyphenation change the spaces and hyphens a PDF
    gives back, and invisible format characters (U+00AD, U+200B…) are not drawn: all
    three are dropped, the same way on both sides. So are control characters: the letter
    has none (compose strips them), pypdf sometimes makes one up after a combining mark.
    """
    text = unicodedata.normalize("NFC", text)
    return "".join(
        c
        for c in text
        if not c.isspace() and c != "-" and unicodedata.category(c) not in ("Cf", "Cc")
    )


def letter_parts(letter: Letter) -> list[str]:
    """Every text of the letter, in reading order, as the DOCX writer lays them out."""
    body: list[str] = []
    for block in letter.body:
        if isinstance(block, Paragraph):
            body.append("".join(run.text for run in block.runs))
        else:
            body += ["".join(run.text for run in item) for item in block.items]
    optional = [letter.reference_line, letter.our_reference_line]
    return [
        *letter.letterhead,
        *letter.recipient_block,
        letter.date_line,
        letter.subject_line,
        *[line for line in optional if line],
        letter.appellation,
        *body,
        letter.closing,
        *letter.signature,
        *([letter.enclosures_line] if letter.enclosures_line else []),
        *([letter.copies_heading] if letter.copies_heading else []),
        *letter.copy_lines,
        letter.members_heading,
        letter.members_line,
        letter.contact,
    ]


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\x00\xff" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
