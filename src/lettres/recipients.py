"""Who holds which position on a date, who the members are, and the lines of copies."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from lettres import english, protocol
from lettres.errors import NoHolder, UnknownRecipient
from lettres.models import (
    Association,
    Directory,
    Gendered,
    Holder,
    Members,
    Position,
    gendered,
)
from lettres.text import excerpt, fold
from lettres.typography import typographize

CopyStyle = Literal["personne", "fonction"]


@dataclass(frozen=True)
class Recipient:
    """A position resolved to its holder on one date: everything a letter says about them.

    `holder` is None for a `service` the directory names no one at: the letter goes to the
    department, « Madame, Monsieur », and prints no person.
    """

    key: str
    position: Position
    holder: Holder | None

    @property
    def gender(self) -> protocol.Gender:
        return self.holder.gender if self.holder is not None else "m"

    def _form(self, title: str | Gendered) -> str:
        return gendered(title, self.holder.civility if self.holder else "Monsieur")

    @property
    def title(self) -> str:
        return self._form(self.position.title)

    @property
    def person(self) -> str:
        """Who the letter is for: « Madame Prénom Nom », or the service itself."""
        if self.holder is None:
            return self.title
        return f"{self.holder.civility} {self.holder.full_name}"

    @property
    def name(self) -> str:
        """The name an e-mail header shows: the holder's, or the service's."""
        return self.holder.full_name if self.holder is not None else self.title

    @property
    def appellation(self) -> str:
        own = self.position.appellation
        if own:
            return self._form(own)
        return protocol.appellation(self.position.category, self.gender)

    @property
    def degree(self) -> str:
        return self.position.degree or protocol.degree(self.position.category)

    def address_block(self) -> list[str]:
        short = self.position.short_title
        function = self._form(short) if short else self.title
        person = [self.person] if self.holder is not None else []
        return [*person, function, *self.position.address]

    def copy_text(self, style: CopyStyle = "personne") -> str:
        if self.holder is None:
            return self.title
        if style == "personne":
            return f"{self.person}, {self.title}"
        article = protocol.article(self.title, self.gender)
        return f"{self.holder.civility} {article}{self.title}, {self.holder.full_name}"

    # In English (langue: en): compose checks first that the post has its `poste_en`.
    @property
    def english_person(self) -> str:
        if self.holder is None:
            return self.english_title
        return f"{english.civility(self.holder.civility)} {self.holder.full_name}"

    @property
    def english_title(self) -> str:
        title = self.position.title_en
        return self._form(title) if title is not None else self.title

    @property
    def english_appellation(self) -> str:
        own = self.position.appellation_en
        if own is not None:
            return self._form(own)
        if self.holder is None:  # a service: « Dear Sir or Madam »
            return english.salutation(self.position.category, "", "")
        return english.salutation(self.position.category, self.holder.civility, self.holder.name)

    def english_address_block(self) -> list[str]:
        short = self.position.short_title_en
        function = self._form(short) if short else self.english_title
        person = [self.english_person] if self.holder is not None else []
        return [*person, function, *self.position.address]

    def english_copy_text(self) -> str:
        if self.holder is None:
            return self.english_title
        return f"{self.english_person}, {self.english_title}"


@dataclass(frozen=True)
class CopyLine:
    """One line of the « Copies : » list; several recipients when the group joins them."""

    recipients: tuple[Recipient, ...]

    def text(self, style: CopyStyle = "personne") -> str:
        return " et ".join(r.copy_text(style) for r in self.recipients)

    def english_text(self) -> str:
        return " and ".join(r.english_copy_text() for r in self.recipients)


def holder_on(key: str, position: Position, on: date) -> Holder:
    if not position.holders:
        raise NoHolder(
            f"le poste « {key} » est un service sans titulaire : l'annuaire n'y nomme "
            "personne (ajoutez-en un avec « lettres recipients set »)"
        )
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
        raise NoHolder(vacancy(key, position, holder, on))
    return holder


def vacancy(key: str, position: Position, holder: Holder, on: date) -> str:
    """Between a `jusqu_au` and the next holder's arrival, or after a last `jusqu_au`."""
    assert holder.until is not None
    left = (
        f"le poste « {key} » n'a pas de titulaire connu le {on.isoformat()} : "
        f"{holder.full_name} l'a quitté le {holder.until.isoformat()}"
    )
    later = [h for h in position.holders if h.since > on]
    if later:
        return (
            f"{left} et {later[0].full_name} n'y arrive que le {later[0].since.isoformat()}. "
            "Changez la date du courrier, ou corrigez jusqu_au ou depuis dans "
            "destinataires.yaml si le poste n'était pas vacant."
        )
    return (
        f"{left}. Ajoutez son successeur : « lettres recipients set {key} --holder "
        '"Madame Prénom Nom" --since AAAA-MM-JJ ».'
    )


def position(directory: Directory, key: str) -> Position:
    found = directory.positions.get(key)
    if found is None:
        raise UnknownRecipient(
            f"destinataire inconnu « {excerpt(key)} »{_suggestions(directory, key)} ; "
            "« lettres recipients » liste les postes de l'annuaire."
        )
    return found


def recipient(directory: Directory, key: str, on: date) -> Recipient:
    """The post and its holder on `on`; a service that names no one has none to look up."""
    found = position(directory, key)
    if not found.holders and found.category == "service":
        return Recipient(key, found, None)
    return Recipient(key, found, holder_on(key, found, on))


@dataclass(frozen=True)
class Currency:
    """Whether the directory can vouch for a post's holder on a date, and if not, why.

    `vouched` is the last date the directory vouches for (verifie_le, or depuis when never
    verified); `vouched_until` that date plus the workspace's margin, when no end is known;
    `moved_to` the later post of the directory this person took on or before the date.
    """

    recipient: Recipient
    on: date
    vouched: date
    vouched_until: date | None
    moved_to: Recipient | None = None

    @property
    def key(self) -> str:
        return self.recipient.key

    @property
    def holder(self) -> Holder:
        """Only a named holder can fail to be current: a service that names no one is."""
        assert self.recipient.holder is not None
        return self.recipient.holder

    @property
    def current(self) -> bool:
        return self.moved_to is None and (
            self.vouched_until is None or self.on <= self.vouched_until
        )

    @property
    def last_vouched(self) -> str:
        """« vérifié en poste le … », or « jamais vérifié, en poste depuis le … »."""
        e = "e" if self.recipient.gender == "f" else ""
        if self.holder.verified is None:
            return f"jamais vérifié{e} en poste (arrivé{e} le {self.vouched.isoformat()})"
        return f"vérifié{e} en poste pour la dernière fois le {self.vouched.isoformat()}"

    @property
    def reason(self) -> str | None:
        """Why the holder is not current, in French; None when they are."""
        if self.moved_to is not None:
            e = "e" if self.recipient.gender == "f" else ""
            return (
                f"{self.recipient.person} est devenu{e} {self.moved_to.title} "
                f"(« {self.moved_to.key} ») le {self.moved_since} et "
                f"l'annuaire ne {'la' if e else 'le'} dit pas resté{e} {self.recipient.title} "
                f"({self.last_vouched})"
            )
        if self.current or self.vouched_until is None:
            return None
        return (
            f"{self.recipient.person}, {self.recipient.title}, {self.last_vouched} : "
            f"l'annuaire n'en répond que jusqu'au {self.vouched_until.isoformat()} "
            f"(marge de vérification)"
        )

    @property
    def moved_since(self) -> str:
        """The day the holder took the later post (moved_on always names its holder)."""
        assert self.moved_to is not None and self.moved_to.holder is not None
        return self.moved_to.holder.since.isoformat()

    @property
    def mark(self) -> str:
        """The short note `copies` and `recipients` print beside a holder who is not current."""
        if self.moved_to is not None:
            return (
                f"à vérifier : {self.moved_to.title} depuis le "
                f"{self.moved_since}, {self.last_vouched}"
            )
        return f"à vérifier : {self.last_vouched}"


def currency(directory: Directory, key: str, on: date) -> Currency:
    """Is the holder of `key` on `on` one the directory can vouch for on that date?

    Current means: the date falls before the end the directory knows (jusqu_au or the next
    holder's depuis) or, with no known end, no later than the last date vouched for plus
    the margin; and the person has not since taken another post of the directory, unless
    the directory records both as held at once (a jusqu_au or verifie_le on or after the
    start of the later post).
    """
    return currency_of(directory, recipient(directory, key, on), on)


def currency_of(directory: Directory, found: Recipient, on: date) -> Currency:
    """The currency of a holder already looked up (a letter's resolution walks the directory
    once)."""
    holder = found.holder
    if holder is None:  # a service: no one to vouch for
        return Currency(found, on, on, None)
    last = holder is found.position.holders[-1]
    vouched_until = (
        directory.vouches_until(holder.vouched) if last and holder.until is None else None
    )
    return Currency(found, on, holder.vouched, vouched_until, moved_on(directory, found, on))


def moved_on(directory: Directory, found: Recipient, on: date) -> Recipient | None:
    """The first later post of the directory the same person took on or before `on`."""
    holder = found.holder
    if holder is None:
        return None
    ends = [d for d in (holder.until, holder.verified) if d is not None]
    later = [
        (taken.since, Recipient(key, other, taken))
        for key, other, taken in holders_by_name(Same(directory)).get(fold(holder.full_name), ())
        if key != found.key
        and holder.since < taken.since <= on
        and not any(end >= taken.since for end in ends)
    ]
    return min(later, key=lambda pair: pair[0], default=(None, None))[1]


class Same:
    """A directory as a cache key: that very object. A Directory is never changed in place
    (a file edited is loaded again, as a new one), and the cache holds it alive."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def __hash__(self) -> int:
        return id(self.directory)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.directory is self.directory


HeldPost = tuple[str, Position, Holder]


@functools.lru_cache(maxsize=4)
def holders_by_name(key: Same) -> dict[str, tuple[HeldPost, ...]]:
    """Every post each person held, in the directory's order, by name (folded: the same
    person whatever the accents or the case); moved_on looks up one person, not the whole
    directory, for each holder of each letter. One walk a directory."""
    posts: dict[str, list[HeldPost]] = {}
    for post, position in key.directory.positions.items():
        for holder in position.holders:
            posts.setdefault(fold(holder.full_name), []).append((post, position, holder))
    return {name: tuple(held) for name, held in posts.items()}


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
    """Position keys that match the query, best first (see `find`)."""
    return [found.key for found in find(directory, query)]


@dataclass(frozen=True)
class Match:
    """A position found by a search, and the text of it that matched best."""

    key: str
    score: float
    matched: str


# Words a query may hold that say nothing about which position is meant.
STOP_WORDS = {"le", "la", "les", "l", "de", "des", "du", "d", "et", "a", "au", "aux", "en"}


def find(directory: Directory, query: str) -> list[Match]:
    """Positions whose key, title, institution or holders hold every word of the query.

    Words match in any order, without accents or case, by their beginning (« minis »), or
    with a small typo; the best matches come first.
    """
    words = [w for w in words_of(query) if w not in STOP_WORDS] or words_of(query)
    found = []
    for key, position in directory.positions.items():
        fields = searched_fields(key, position)
        if not words:
            found.append(Match(key, 0, ""))
            continue
        scores = [word_score(word, fields) for word in words]
        if min(scores) > 0:
            best = max(fields, key=lambda field: field_score(words, field))
            found.append(Match(key, sum(scores) / len(scores) + field_score(words, best), best))
    return sorted(found, key=lambda match: -match.score)


def words_of(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", fold(text))


def searched_fields(key: str, position: Position) -> list[str]:
    titles = (
        [position.title]
        if isinstance(position.title, str)
        else [position.title.masculine, position.title.feminine]
    )
    names = [holder.full_name for holder in position.holders]
    institution = [position.institution] if position.institution else []
    return [*titles, *institution, *names, key]  # on a tie, a title shows better than a key


def word_score(word: str, fields: list[str]) -> float:
    return max(
        (similarity(word, other) for field in fields for other in words_of(field)), default=0
    )


def similarity(word: str, other: str) -> float:
    """100 for the same word, 95 for its beginning, less for each typo (one in a short word)."""
    from rapidfuzz.distance import OSA

    if word == other:
        return 100
    if other.startswith(word) and len(word) >= 3:
        return 95
    allowed = 0 if len(word) < 4 else (1 if len(word) <= 6 else 2)
    typos = OSA.distance(word, other, score_cutoff=allowed + 1)  # a swap counts as one
    return 90 - 10 * typos if typos <= allowed else 0


def field_score(words: list[str], field: str) -> float:
    """How many of the query's words this one field holds: the match to show."""
    return float(sum(1 for word in words if word_score(word, [field]) > 0))


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


def copies_listing(lines: list[CopyLine], marks: dict[str, str] | None = None) -> str:
    """The « Copies : » block as a letter prints it, one line a dash.

    `marks` (post key → note) flags the holders the directory cannot vouch for.
    """
    marks = marks or {}
    people = sum(len(line.recipients) for line in lines)  # a line may join two
    heading = "Copie :" if people == 1 else "Copies :"
    return "\n".join([heading, *(f"- {typographize(line.text())}{_marked(line, marks)}"
                                  for line in lines)])  # fmt: skip


def _marked(line: CopyLine, marks: dict[str, str]) -> str:
    joined = len(line.recipients) > 1
    notes = [
        f"{r.name} : {marks[r.key]}" if joined else marks[r.key]
        for r in line.recipients
        if r.key in marks
    ]
    return f" [{' ; '.join(notes)}]" if notes else ""


def stale_marks(directory: Directory, lines: list[CopyLine], on: date) -> dict[str, str]:
    """The note of each copy whose holder is not current on `on`, by post key."""
    found = (currency(directory, r.key, on) for line in lines for r in line.recipients)
    return {c.key: c.mark for c in found if not c.current}


def copy_records(directory: Directory, lines: list[CopyLine], on: date) -> list[dict[str, Any]]:
    """The copies for a program: each line as printed, and the people behind it."""
    return [
        {
            "ligne": typographize(line.text()),
            "destinataires": [person_record(directory, r, on) for r in line.recipients],
        }
        for line in lines
    ]


def person_record(directory: Directory, r: Recipient, on: date) -> dict[str, Any]:
    found = currency(directory, r.key, on)
    holder = r.holder  # None for a service that names no one: its fields are null
    return {
        "cle": r.key,
        "civilite": holder.civility if holder else None,
        "prenom": holder.first_name if holder else None,
        "nom": holder.name if holder else None,
        "poste": r.title,
        "courriel": r.position.email,
        "depuis": holder.since.isoformat() if holder else None,
        "verifie_le": holder.verified.isoformat() if holder and holder.verified else None,
        "a_verifier": not found.current,
        "motif": found.reason,
    }


def copy_emails(lines: list[CopyLine]) -> tuple[list[str], list[Recipient]]:
    """`Nom <adresse>` of each copy that has an address, and the people who have none."""
    people = [r for line in lines for r in line.recipients]
    with_email = [f"{r.name} <{r.position.email}>" for r in people if r.position.email]
    return with_email, [r for r in people if not r.position.email]
