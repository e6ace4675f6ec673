"""A follow-up letter points to the letter it follows up: `relance_de: ../DOSSIER` in its front
matter, a path relative to its own folder.

The link is the one place the two letters meet: the follow-up's body quotes the earlier
letter (date, reference), its e-mail carries the earlier PDF, and the register shows the chain.
Everything is read from the earlier letter's folder when needed, never copied, so that
rebuilding the follow-up always agrees with what was sent first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lettres.errors import DataError, MissingFile
from lettres.folders import PDF_NAME, SOURCE_NAME, letter_folder
from lettres.source import LetterFront, load_letter
from lettres.text import argument
from lettres.typography import french_date

FIELD = "relance_de"
PREFIX = "Relance : "


@dataclass(frozen=True)
class Earlier:
    """The letter a follow-up follows up, as its own source says it."""

    folder: Path
    front: LetterFront

    @property
    def pdf(self) -> Path:
        return self.folder / PDF_NAME

    def mention(self) -> str:
        """« courrier du 21 avril 2015 (réf. CTEH/2015/001) », the words both letters use."""
        reference = f" (réf. {self.front.reference})" if self.front.reference else ""
        return f"courrier du {french_date(self.front.date)}{reference}"

    def enclosure(self) -> str:
        return f"Notre {self.mention()}"

    def attachment_name(self) -> str:
        return f"{self.folder.resolve().name}.pdf"

    def context(self) -> dict[str, Any]:
        """What the follow-up's template may quote of the earlier letter."""
        return {
            "date": french_date(self.front.date),
            "date_iso": self.front.date.isoformat(),
            "reference": self.front.reference or "",
            "objet": self.front.subject,
            "mention": self.mention(),
        }


def link_text(new_folder: Path, earlier_folder: Path) -> str:
    """The `relance_de` of a new letter: relative when both sit on one drive, with `/`."""
    try:
        return Path(os.path.relpath(earlier_folder.resolve(), new_folder.resolve())).as_posix()
    except ValueError:  # two drives under Windows: no relative path between them
        return earlier_folder.resolve().as_posix()


def earlier_folder(source: Path, link: str) -> Path:
    return (source.parent / link).resolve()


def load_earlier(source: Path, link: str, line: int | None) -> Earlier:
    """The earlier letter of the follow-up `source`, or an error at the line of its link."""
    folder = earlier_folder(source, link)
    if not (folder / SOURCE_NAME).is_file():
        raise DataError.at(
            source,
            line,
            f"« {FIELD}: {link} » ne mène à aucun courrier ({folder / SOURCE_NAME} n'existe "
            f"pas) : corrigez le chemin, relatif au dossier du courrier "
            f"(par exemple ../2015-04-21-interieur-vos-engagements)",
        )
    front, _ = load_letter(folder / SOURCE_NAME)
    return Earlier(folder, front)


def load_named(path: Path) -> Earlier:
    """The letter named on the command line (`draft --relance COURRIER_DIR`)."""
    folder = letter_folder(path)
    if not (folder / SOURCE_NAME).is_file():
        raise MissingFile(f"{folder} n'est pas un dossier de courrier : {SOURCE_NAME} y manque")
    front, _ = load_letter(folder / SOURCE_NAME)
    return Earlier(folder.resolve(), front)


def require_pdf(earlier: Earlier) -> Path:
    """The follow-up encloses the earlier letter: its PDF must exist."""
    if not earlier.pdf.is_file():
        raise MissingFile(
            f"pas de PDF dans {earlier.folder} : la relance le joint ; lancez « lettres draft "
            f"{argument(earlier.folder / SOURCE_NAME)} --format pdf », puis recommencez"
        )
    return earlier.pdf


def subject(earlier: LetterFront) -> str:
    """« Relance : … », once: the follow-up of a follow-up keeps the same objet."""
    text = earlier.subject.strip()
    return text if text.startswith("Relance") else PREFIX + text
