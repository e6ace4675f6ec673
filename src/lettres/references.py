"""Letter references `PREFIXE/ANNEE/NNN`, unique even when two `lettres draft` run at once.

The next number is the highest one already taken, plus one. Taken numbers are read from
two places: the `reference:` lines of the sources under `courriers/`, and a small counter
file that also remembers letters written elsewhere with `--out`. Numbers are handed out
under a file lock that stays held until the sources carrying them are written, so a
number is never given twice and a failed letter leaves no gap. The lock and the counter
live in the workspace's root, beside the sending lock, so `courriers/` holds only letters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lettres.errors import DataError, LettresError
from lettres.files import write_text_atomic
from lettres.folders import LETTERS_DIR, REFERENCES_COUNTER, REFERENCES_LOCK, letter_sources

LOCK_TIMEOUT = 120.0  # seconds; a batch rendered under the lock takes a few seconds at most

_REFERENCE_LINE = re.compile(r"""^reference:[ \t]*(["']?)([^"'#\s][^"'#]*?)\1[ \t]*(?:#.*)?$""")


@dataclass(frozen=True)
class Numbering:
    """Where and how a new letter is numbered: the workspace and its prefix."""

    root: Path
    prefix: str
    year: int

    @property
    def letters_dir(self) -> Path:
        return self.root / LETTERS_DIR

    def key(self) -> str:
        return f"{self.prefix}/{self.year}"

    def reference(self, number: int) -> str:
        return f"{self.key()}/{number:03d}"


@dataclass(frozen=True)
class Found:
    """A reference as a source states it, with its place for error messages."""

    reference: str
    path: Path
    line: int


def reference_line(text: str) -> tuple[str, int] | None:
    """The `reference:` of a source's front matter, read line by line.

    Read without YAML on purpose: a source whose front matter no longer parses still
    holds its number, and must not have it given again.
    """
    lines = text.removeprefix("\ufeff").splitlines()
    if not lines or lines[0].rstrip() != "---":
        return None
    for number, line in enumerate(lines[1:], 2):
        if line.rstrip() == "---":
            return None
        match = _REFERENCE_LINE.match(line)
        if match:
            return match[2].strip(), number
    return None


def scan(letters_dir: Path) -> list[Found]:
    """Every reference stated by a source `courriers/*/lettre.md`, in folder order."""
    found = []
    for source in letter_sources(letters_dir):
        try:
            text = source.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found += stated(source, text)
    return found


def stated(source: Path, text: str) -> list[Found]:
    """The reference `source` states, if any: none, or one."""
    located = reference_line(text)
    return [Found(located[0], source, located[1])] if located else []


def duplicates(letters_dir: Path) -> list[tuple[Found, Found]]:
    """(first holder, later holder) for each source reusing a reference already taken."""
    return duplicates_among(scan(letters_dir))


def duplicates_among(references: list[Found]) -> list[tuple[Found, Found]]:
    """`duplicates` of references already read (`lettres check` reads each source once)."""
    first: dict[str, Found] = {}
    pairs = []
    for found in references:
        if found.reference in first:
            pairs.append((first[found.reference], found))
        else:
            first[found.reference] = found
    return pairs


def highest_in_sources(numbering: Numbering) -> int:
    pattern = re.compile(rf"^{re.escape(numbering.key())}/(\d+)$")
    numbers = [int(m[1]) for f in scan(numbering.letters_dir) if (m := pattern.match(f.reference))]
    return max(numbers, default=0)


def read_counter(path: Path) -> dict[str, int]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and all(isinstance(v, int) for v in data.values()):
            return {str(k): v for k, v in data.items()}
    except (ValueError, OSError):
        pass
    raise DataError.at(
        path,
        None,
        "compteur de références illisible : supprimez ce fichier, lettres le refera "
        "à partir des sources des courriers",
    )


class Counter:
    """The numbers of one year, handed out while the lock is held."""

    def __init__(self, numbering: Numbering) -> None:
        self.numbering = numbering
        self.path = numbering.root / REFERENCES_COUNTER
        counted = read_counter(self.path).get(numbering.key(), 0)
        self.last = max(counted, highest_in_sources(numbering))
        self.changed = False

    def next_reference(self) -> str:
        """The reference the next letter gets; it is taken only once `taken` is called."""
        return self.numbering.reference(self.last + 1)

    def next_references(self, count: int) -> list[str]:
        """The references the next `count` letters get, each taken as its source is written."""
        return [self.numbering.reference(self.last + n) for n in range(1, count + 1)]

    def taken(self) -> None:
        self.last += 1
        self.changed = True

    def save(self) -> None:
        if self.changed:
            counts = read_counter(self.path) | {self.numbering.key(): self.last}
            write_text_atomic(self.path, json.dumps(counts, indent=2, sort_keys=True) + "\n")


@contextmanager
def counter(numbering: Numbering | None) -> Iterator[Counter | None]:
    """Hold the workspace's numbering lock while new letters are written; None: no lock."""
    if numbering is None:
        yield None
        return
    from filelock import FileLock, Timeout  # only new letters need it: keeps rebuilds fast

    lock = FileLock(numbering.root / REFERENCES_LOCK, timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout:
        raise LettresError(
            f"un autre « lettres draft » numérote des courriers depuis plus de "
            f"{LOCK_TIMEOUT:.0f} s ({lock.lock_file}) : attendez qu'il finisse, puis réessayez"
        ) from None
    try:
        remove_stray_temporaries(numbering.root / REFERENCES_COUNTER)
        numbers = Counter(numbering)
        try:
            yield numbers
        finally:
            numbers.save()
    finally:
        lock.release()


def remove_stray_temporaries(counter: Path) -> None:
    """The counter's temporary files left by a killed run; safe under the lock, which
    every writer of the counter holds."""
    for path in counter.parent.glob(f".{counter.name}.*.tmp"):
        path.unlink(missing_ok=True)


def stamp(source_text: str, reference: str) -> str:
    """A new source with its reference as the first line of its front matter."""
    if not source_text.startswith("---\n"):
        raise ValueError("a new source always starts with its front matter")
    return f"---\nreference: {reference}\n{source_text[4:]}"
