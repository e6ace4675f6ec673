"""Plain-text helpers shared by the stages: nothing here knows about letters.

Text shown to a user: short excerpts of values, and no control character reaching a terminal.
A value in an error message may be a whole file's worth of text (or worse, a structure);
the user only needs enough of it to find it. A control or bidi character in an objet or a
holder's name could move the cursor, recolour or rewrite the terminal, or reorder the
letters of a line: it is shown as `\\u001b`, which is visible to a reader and, inside a
JSON string, still the same character.
"""

from __future__ import annotations

import functools
import re
import reprlib
import unicodedata
from typing import Any

EXCERPT_LENGTH = 60

# C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidi controls.
_UNSAFE = re.compile(
    "(?:\r(?!\n))|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


class _Repr(reprlib.Repr):
    """reprlib, but a subclass of list or dict (the loader's, which know their lines) is cut too."""

    def repr1(self, x: Any, level: int) -> str:
        if isinstance(x, list):
            return self.repr_list(x, level)
        if isinstance(x, dict):
            return self.repr_dict(x, level)
        return super().repr1(x, level)


_REPR = _Repr()
_REPR.maxlevel = 3
_REPR.maxstring = EXCERPT_LENGTH
_REPR.maxother = EXCERPT_LENGTH
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6


def excerpt(value: Any, length: int = EXCERPT_LENGTH) -> str:
    """At most `length` characters of `value`, cut with « … »; a structure is never shown whole."""
    text = value if isinstance(value, str) else _REPR.repr(value)
    head = " ".join(text[: length * 4].split())  # one line, whatever the value held
    if len(head) <= length and len(text) <= length * 4:
        return head
    return head[:length].rstrip() + "…"


def visible(text: str) -> str:
    """`text` with every control character that could act on a terminal written out as `\\uXXXX`."""
    return _UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Accent- and case-insensitive form, for searching and French alphabetical order.

    Cached: `check` compares each holder of each letter with the whole directory."""
    return without_accents(text).casefold()


def without_accents(text: str) -> str:
    """Uncached, for a long text searched once (a letter's body)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_NEEDS_QUOTES = re.compile(r"[\s&();|<>'`]")


def argument(path: object) -> str:
    """A path as it is typed in a command the user is told to run: in double quotes when it
    holds a space or a character the shell would take (« Mes Documents »), which both
    PowerShell and a POSIX shell then read as one argument."""
    text = str(path)
    return f'"{text}"' if _NEEDS_QUOTES.search(text) else text
