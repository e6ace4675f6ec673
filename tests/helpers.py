"""Helpers shared by the test modules: the workspace's paths, a letter model, text comparisons.

Test modules import from here (and from `tests.mailing` for the SMTP server), never from
each other.
"""

from __future__ import annotations

import email
import errno
import io
import os
import struct
import subprocess
import sys
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import docx
import pypdf
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph
from typer.testing import Result

from lettres.docx_writer import render_docx
from lettres.letter import Letter, ListBlock, Paragraph, Run
from lettres.pdf_writer import PdfRenderer

REPO = Path(__file__).resolve().parent.parent
LAYOUT = REPO / "modeles" / "lettre.typ"
SOURCE_2015 = REPO / "courriers" / "2015-04-21-interieur-vos-engagements"
NB = "\u00a0"  # no-break space
MM = 72 / 25.4  # PDF points in a millimetre
XHTML = "{http://www.w3.org/1999/xhtml}"

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
        signatures=(("Véronique Fayet", "Présidente du Secours Catholique – Caritas France"),),
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


def write_source(workspace: Path, body: str, **front: str) -> Path:
    """A letter's source `courriers/essai/lettre.md` to the Interior minister, 2015-04-21,
    with `front` changing or adding header fields."""
    values = {"destinataire": "interieur", "objet": "Essai", "date": "2015-04-21",
              "signataire": "fayet"} | front  # fmt: skip
    folder = workspace / "courriers" / "essai"
    folder.mkdir(parents=True, exist_ok=True)
    header = "".join(f"{k}: {v}\n" for k, v in values.items())
    (folder / "lettre.md").write_text(f"---\n{header}---\n{body}", encoding="utf-8")
    return folder / "lettre.md"


def prepared_email(folder: Path) -> tuple[EmailMessage, str]:
    """The e-mail `lettres` prepared in a letter's folder, and its plain text."""
    message = email.message_from_bytes((folder / "lettre.eml").read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    return message, body.get_content()


def docx_paragraphs(document: DocxDocument) -> list[DocxParagraph]:
    """Every paragraph of the body in reading order, those in tables (signatures) included."""
    return [DocxParagraph(p, document._body) for p in document.element.body.iter(qn("w:p"))]


def docx_text(letter: Letter) -> str:
    document = docx.Document(io.BytesIO(render_docx(letter)))
    return "\n".join(paragraph.text for paragraph in docx_paragraphs(document))


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
        *[line for block in letter.signatures for line in block],
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


def give_the_minister_an_address(root: Path) -> None:
    """The shipped directory has no e-mail address: one is needed to send."""
    path = root / "destinataires.yaml"
    text = path.read_text(encoding="utf-8")
    head, sep, tail = text.partition("  interieur:")
    tail = tail.replace("courriel: null", "courriel: ministre@interieur.gouv.fr", 1)
    path.write_text(head + sep + tail, encoding="utf-8")


# --- printed pages, read back ---------------------------------------------------------


@dataclass(frozen=True)
class PrintedLine:
    """A line as pdftotext sees it on the page: its words, its box in millimetres."""

    page: int  # from 0
    text: str  # words joined by single spaces (no-break spaces read as spaces)
    left: float
    top: float
    right: float
    bottom: float


def printed_lines(pdf: bytes) -> list[PrintedLine]:
    """Every line of every page, top to bottom, from `pdftotext -bbox-layout`."""
    result = subprocess.run(
        ["pdftotext", "-bbox-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    root = ElementTree.fromstring(result.stdout)
    found: list[PrintedLine] = []
    for number, page in enumerate(root.iter(f"{XHTML}page")):
        lines = []
        for line in page.iter(f"{XHTML}line"):
            words = [word.text or "" for word in line.iter(f"{XHTML}word")]
            box = [float(line.get(name, "0")) / MM for name in ("xMin", "yMin", "xMax", "yMax")]
            text = " ".join(words).replace("\u00a0", " ")
            lines.append(PrintedLine(number, text, *box))
        found += sorted(lines, key=lambda line: (round(line.top, 1), line.left))
    return found


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def libreoffice_pdfs(letters: list[Letter], folder: Path) -> list[bytes]:
    """The DOCX of each letter as LibreOffice prints it (one LibreOffice run for all)."""
    from lettres.libreoffice import convert_with_libreoffice

    paths = []
    for index, letter in enumerate(letters):
        path = folder / f"lettre-{index}.docx"
        path.write_bytes(render_docx(letter))
        paths.append(path)
    convert_with_libreoffice(paths)
    return [path.with_suffix(".pdf").read_bytes() for path in paths]


class FullDisk:
    """A file being written when the disk fills: half its bytes go, then ENOSPC."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()

    def write(self, data: bytes) -> int:
        self.stream.write(data[: len(data) // 2])
        self.stream.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
