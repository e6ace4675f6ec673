"""The letter model: a whole letter resolved into final text, ready to be laid out.

Both writers (DOCX and PDF) read only this: they never look up data, format dates or
run templates, so the two files always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lettres import typography

SUBJECT_LABEL = "Objet\u00a0: "
COPY_DASH = "–\u00a0"  # before each name of the copy list


@dataclass(frozen=True)
class Run:
    """A stretch of text with one look; `link` is the target of a hyperlink."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str | None = None


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class ListBlock:
    """A bulleted or numbered list; each item is one line of runs."""

    ordered: bool
    items: tuple[tuple[Run, ...], ...]


Block = Paragraph | ListBlock


@dataclass(frozen=True)
class Window:
    """Where the recipient's address is printed, in millimetres from the page's top-left
    corner: the window of the envelope (the workspace's `mise_en_page: fenetre:`)."""

    x: float = 110
    y: float = 48
    width: float = 85


@dataclass(frozen=True)
class Letter:
    """Every text of a letter, top to bottom (reference §2), typography already applied.

    The fields hold what compose resolved; the properties below word the lines built from
    them (labels, headings, dashes), so that a writer prints them without adding a word.
    """

    letterhead: tuple[str, ...]
    recipient_block: tuple[str, ...]
    date_line: str
    subject: str
    reference: str | None
    our_reference: str | None
    appellation: str
    body: tuple[Block, ...]
    closing: str
    # One block of lines per signatory, the name first; several make a grid of two columns.
    signatures: tuple[tuple[str, ...], ...]
    enclosures: tuple[str, ...]
    copies: tuple[str, ...]
    members_heading: str
    members: tuple[str, ...]
    contact: str
    # Document properties
    author: str
    date: date
    # Layout settings of the workspace, the same for both writers
    window: Window = Window()

    @property
    def subject_label(self) -> str:
        """Printed in bold before the subject, the space that follows it included."""
        return SUBJECT_LABEL

    @property
    def subject_line(self) -> str:
        return self.subject_label + self.subject

    @property
    def reference_line(self) -> str | None:
        return f"Réf.\u00a0: {self.reference}" if self.reference else None

    @property
    def our_reference_line(self) -> str | None:
        return f"N/Réf.\u00a0: {self.our_reference}" if self.our_reference else None

    @property
    def enclosures_line(self) -> str | None:
        # « ; » never starts a line: a narrow no-break space before it, as in the body.
        joined = "\u202f; ".join(self.enclosures)
        return f"P.\u00a0J.\u00a0: {joined}" if self.enclosures else None

    @property
    def copies_heading(self) -> str | None:
        """None when the letter goes to no one else: then neither heading nor lines."""
        if not self.copies:
            return None
        return "Copie\u00a0:" if len(self.copies) == 1 else "Copies\u00a0:"

    @property
    def copy_lines(self) -> tuple[str, ...]:
        return tuple(COPY_DASH + line for line in self.copies)

    @property
    def members_line(self) -> str:
        return ", ".join(self.members) + "."


def whole_pieces(text: str) -> list[tuple[str, bool]]:
    """A final text cut into pieces, True for those no writer may hyphenate or break inside
    but at their own separators: URLs, addresses, words glued by no-break spaces."""
    return list(typography.whole_pieces(text))
