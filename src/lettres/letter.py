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
class Labels:
    """The words a letter prints around its data, in one language (typography applied).

    One table per language, here and nowhere else: compose fills the model from it, and the
    writers print what the model says.
    """

    language: str  # the document's language tag (DOCX, PDF metadata, hyphenation)
    subject: str
    reference: str
    our_reference: str
    enclosure: str
    enclosures: str
    enclosure_separator: str
    copy: str
    copies: str
    members: str  # {name}: the coalition's name
    contact: str
    coordination: str  # the letterhead's line, before the coordinating structure
    on_behalf: str  # {name}: under a signature given for the coalition


FRENCH = Labels(
    language="fr-FR",
    subject=SUBJECT_LABEL,
    reference="Réf.\u00a0: ",
    our_reference="N/Réf.\u00a0: ",
    enclosure="P.\u00a0J.\u00a0: ",
    enclosures="P.\u00a0J.\u00a0: ",
    enclosure_separator="\u202f; ",  # « ; » never starts a line: a narrow no-break space
    copy="Copie\u00a0:",
    copies="Copies\u00a0:",
    members="Associations membres du {name}\u00a0:",
    contact="Coordination\u00a0: ",
    coordination="Coordination\u00a0: ",
    on_behalf="Pour le {name}",
)
ENGLISH = Labels(
    language="en-GB",
    subject="Subject: ",
    reference="Your ref.: ",
    our_reference="Our ref.: ",
    enclosure="Enclosure: ",
    enclosures="Enclosures: ",
    enclosure_separator="; ",
    copy="cc:",
    copies="cc:",
    members="Member associations of the {name}:",
    contact="Contact: ",
    coordination="Coordination: ",
    on_behalf="On behalf of the {name}",
)
LABELS = {"fr": FRENCH, "en": ENGLISH}


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
    labels: Labels = FRENCH
    # Layout settings of the workspace, the same for both writers
    window: Window = Window()
    # How many people the copies name, when a line joins several (« … et … »): the heading
    # counts people, not lines. None: one a line.
    copied_people: int | None = None

    @property
    def subject_label(self) -> str:
        """Printed in bold before the subject, the space that follows it included."""
        return self.labels.subject

    @property
    def subject_line(self) -> str:
        return self.subject_label + self.subject

    @property
    def reference_line(self) -> str | None:
        return self.labels.reference + self.reference if self.reference else None

    @property
    def our_reference_line(self) -> str | None:
        return self.labels.our_reference + self.our_reference if self.our_reference else None

    @property
    def enclosures_line(self) -> str | None:
        if not self.enclosures:
            return None
        label = self.labels.enclosure if len(self.enclosures) == 1 else self.labels.enclosures
        return label + self.labels.enclosure_separator.join(self.enclosures)

    @property
    def copies_heading(self) -> str | None:
        """None when the letter goes to no one else: then neither heading nor lines."""
        if not self.copies:
            return None
        people = len(self.copies) if self.copied_people is None else self.copied_people
        return self.labels.copy if people == 1 else self.labels.copies

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
