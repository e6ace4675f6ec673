"""Who holds which position on a date, who the members are, and the lines of copies."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from lettres import english, protocol
from lettres.errors import NoHolder, UnknownRecipient
from lettres.models import Association, Directory, Holder, Members, Position, gendered
from lettres.text import excerpt, fold
from lettres.typography import typographize

CopyStyle = Literal["personne", "fonction"]


@dataclass(frozen=True)
class Recipient:
    """A position resolved to its holder on one date: everything a letter says about them."""

    key: str
    position: Position
    holder: Holder

    @property
    def gender(self) -> protocol.Gender:
        return "f" if self.holder.civility == "Madame" else "m"

    @property
    def title(self) -> str:
        return gendered(self.position.title, self.holder.civility)

    @property
    def person(self) -> str:
        return f"{self.holder.civility} {self.holder.full_name}"

    @property
    def appellation(self) -> str:
        return self.position.appellation or protocol.appellation(
            self.position.category, self.gender
        )

    @property
    def degree(self) -> str:
        return self.position.degree or protocol.degree(self.position.category)

    def address_block(self) -> list[str]:
        short = self.position.short_title
        function = gendered(short, self.holder.civility) if short else self.title
        return [self.person, function, *self.position.address]

    def copy_text(self, style: CopyStyle = "personne") -> str:
        if style == "personne":
            return f"{self.person}, {self.title}"
        article = (
            "l'" if _starts_with_vowel(self.title) else ("la " if self.gender == "f" else "le ")
        )
        return f"{self.holder.civility} {article}{self.title}, {self.holder.full_name}"

    # In English (langue: en): compose checks first that the post has its `poste_en`.
    @property
    def english_person(self) -> str:
        return f"{english.civility(self.holder.civility)} {self.holder.full_name}"

    @property
    def english_title(self) -> str:
        title = self.position.title_en
        return gendered(title, self.holder.civility) if title is not None else self.title

    @property
    def english_appellation(self) -> str:
        own = self.position.appellation_en
        if own is not None:
            return gendered(own, self.holder.civility)
        return english.salutation(self.position.category, self.holder.civility, self.holder.name)

    def english_address_block(self) -> list[str]:
        short = self.position.short_title_en
        function = gendered(short, self.holder.civility) if short else self.english_title
        return [self.english_person, function, *self.position.address]

    def english_copy_text(self) -> str:
        return f"{self.english_person}, {self.english_title}"


@dataclass(frozen=True)
class CopyLine:
    """One line of the « Copies : » list; several recipients when the group joins them."""

    recipients: tuple[Recipient, ...]

    def text(self, style: CopyStyle = "personne") -> str:
        return " et ".join(r.copy_text(style) for r in self.recipients)

    def english_text(self) -> str:
        return " and ".join(r.english_copy_text() for r in self.recipients)


def _starts_with_vowel(text: str) -> bool:
    return fold(text[:1]) in set("aeiouyh")


def holder_on(key: str, position: Position, on: date) -> Holder:
    current = [h for h in position.holders if h.since <= on]
    if not current:
        first = position.holders[0]
        raise NoHolder(
            f"le poste « {key} » ({gendered(position.title, first.civility)}) n'a pas de "
            f"titulaire connu le {on.isoformat()} : le premier connu, {first.full_name}, "
            f"y est depuis le {first.since.isoformat()}. Ajoutez le titulaire de cette date "
            "dans destinataires.yaml, ou changez la date."
        )
    holder = current[-1]
    if holder.until is not None and on > holder.until:
        raise NoHolder(
            f"le poste « {key} » n'a pas de titulaire connu le {on.isoformat()} : "
            f"{holder.full_name} l'a quitté le {holder.until.isoformat()}. Ajoutez son "
            "successeur dans destinataires.yaml."
        )
    return holder


def position(directory: Directory, key: str) -> Position:
    found = directory.positions.get(key)
    if found is None:
        raise UnknownRecipient(
            f"destinataire inconnu « {excerpt(key)} »{_suggestions(directory, key)} ; "
            "« lettres recipients » liste les postes de l'annuaire."
        )
    return found


def recipient(directory: Directory, key: str, on: date) -> Recipient:
    return Recipient(key, position(directory, key), holder_on(key, position(directory, key), on))


def _suggestions(directory: Directory, key: str) -> str:
    names = [*directory.positions, *directory.groups]
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
    return " (clés proches : " + ", ".join(close) + ")" if close else ""


def expand(directory: Directory, keys: list[str]) -> list[list[str]]:
    """Position and group keys to the lines they stand for, each position once."""
    lines: list[list[str]] = []
    seen: set[str] = set()
    for key in keys:
        if key in directory.groups:
            group_lines = directory.groups[key].lines
            candidates = [[line] if isinstance(line, str) else list(line) for line in group_lines]
        else:
            position(directory, key)
            candidates = [[key]]
        for line in candidates:
            fresh = [k for k in line if k not in seen]
            seen.update(fresh)
            if fresh:
                lines.append(fresh)
    return lines


def copy_lines(directory: Directory, keys: list[str], on: date) -> list[CopyLine]:
    """The copies of a letter dated `on`, in the order of the keys and their groups."""
    return [
        CopyLine(tuple(recipient(directory, key, on) for key in line))
        for line in expand(directory, keys)
    ]


def search(directory: Directory, query: str) -> list[str]:
    """Position keys whose key, title, institution or any holder's name contains the query."""
    needle = fold(query.strip())
    found = []
    for key, position in directory.positions.items():
        titles = (
            [position.title]
            if isinstance(position.title, str)
            else [position.title.masculine, position.title.feminine]
        )
        names = [h.full_name for h in position.holders]
        haystack = " | ".join([key, *titles, position.institution or "", *names])
        if needle in fold(haystack):
            found.append(key)
    return found


def status_on(association: Association, on: date) -> str | None:
    if not association.statuses:
        return "membre"
    passed = [s.status for s in association.statuses if s.since <= on]
    if passed:
        return passed[-1]
    # Before its first change: a founding member if that change is its leaving, else not yet.
    return "membre" if association.statuses[0].status == "sortie" else None


def name_on(association: Association, on: date) -> str:
    names = [r.name for r in association.renames if r.on <= on]
    return names[-1] if names else association.name


def member_names(members: Members, on: date) -> list[str]:
    """The member associations on a date, in the order letters of that time print them."""
    current = [
        (key, name_on(a, on))
        for key, a in members.associations.items()
        if status_on(a, on) == "membre"
    ]
    if members.alphabetical_since is not None and on >= members.alphabetical_since:
        current.sort(key=lambda item: (item[0] == members.coordinator, fold(item[1])))
    return [name for _, name in current]


def copies_listing(lines: list[CopyLine]) -> str:
    """The « Copies : » block as a letter prints it, one line a dash."""
    heading = "Copie :" if len(lines) == 1 else "Copies :"
    return "\n".join([heading, *(f"- {typographize(line.text())}" for line in lines)])


def copy_records(lines: list[CopyLine]) -> list[dict[str, Any]]:
    """The copies for a program: each line as printed, and the people behind it."""
    return [
        {
            "ligne": typographize(line.text()),
            "destinataires": [
                {
                    "cle": r.key,
                    "civilite": r.holder.civility,
                    "prenom": r.holder.first_name,
                    "nom": r.holder.name,
                    "poste": r.title,
                    "courriel": r.position.email,
                }
                for r in line.recipients
            ],
        }
        for line in lines
    ]


def copy_emails(lines: list[CopyLine]) -> tuple[list[str], list[Recipient]]:
    """`Nom <adresse>` of each copy that has an address, and the people who have none."""
    people = [r for line in lines for r in line.recipients]
    with_email = [f"{r.holder.full_name} <{r.position.email}>" for r in people if r.position.email]
    return with_email, [r for r in people if not r.position.email]
