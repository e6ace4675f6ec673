"""Letters in English (shared/reference/letters-in-english.md): the date, the typography,
the salutation and closing by rank, and the style warnings of English text.

British usage, as in Council of Europe and EU correspondence. The names of the coalition
and of French institutions stay in French, guillemets included: their no-break spaces are kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from lettres.errors import Problem
from lettres.typography import NBSP, _apply, _quote_pairs

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def english_date(d: date) -> str:
    """« 21 April 2015 »: day, month, year, no ordinal suffix, no comma."""
    return f"{d.day}{NBSP}{_MONTHS[d.month - 1]}{NBSP}{d.year}"


def date_line(place: str, d: date) -> str:
    return f"{place}, {english_date(d)}"


# ----------------------------------------------------------------------------- typography

_H = "[ \t\u00a0\u202f]"
_BEFORE_HIGH = re.compile(f"(?<=\\S){_H}+(?=[;:!?])")
_BEFORE_LOW = re.compile(f"(?<=\\S){_H}+(?=[,.…)])")
_AFTER_OPENING_GUILLEMET = re.compile(f"«{_H}*(?=\\S)")
_BEFORE_CLOSING_GUILLEMET = re.compile(f"(?<=\\S){_H}*»")
_OPENING_SINGLE = re.compile(r"(?:(?<=^)|(?<=[\s(\[“—–-]))'(?=\w)", re.MULTILINE)
_APOSTROPHE = re.compile("'")


def _curly_double(text: str) -> str:
    chars = list(text)
    for opening, closing in _quote_pairs(text):
        chars[opening], chars[closing] = "“", "”"
    return "".join(chars)


def typographize(text: str) -> str:
    """English spacing and quotes; safe to run again on its own output.

    No space before « : ; ! ? », “ ” for straight double quotes, ‘ ’ and the apostrophe ’;
    a French name in guillemets keeps its no-break spaces.
    """
    text = _apply(text, _BEFORE_HIGH, lambda m: "")
    text = _apply(text, _BEFORE_LOW, lambda m: "")
    text = _curly_double(text)
    text = _apply(text, _OPENING_SINGLE, lambda m: "‘")
    text = _apply(text, _APOSTROPHE, lambda m: "’")
    text = _apply(text, _AFTER_OPENING_GUILLEMET, lambda m: "«" + NBSP)
    return _apply(text, _BEFORE_CLOSING_GUILLEMET, lambda m: NBSP + "»")


_TITLE_WITH_STOP = re.compile(r"(?<![\w.])(Mr|Ms|Mrs|Dr)\.(?=\s)")
_MRS = re.compile(r"(?<![\w.])Mrs(?![\w])")


def lint(text: str, first_line: int = 1, path: Path | None = None) -> list[Problem]:
    """British usage the author should know of: « Mr. », « Dr. » take no full stop, and
    « Mrs » is used only when the person asked for it (the directory would say so)."""
    found = []
    for match in _TITLE_WITH_STOP.finditer(text):
        line = text.count("\n", 0, match.start()) + first_line
        title = match.group(1)
        message = f"« {title}. » s'écrit « {title} » en anglais britannique (sans point)"
        found.append((match.start(), line, message))
    for match in _MRS.finditer(text):
        line = text.count("\n", 0, match.start()) + first_line
        message = "« Mrs » : écrivez « Ms », sauf si la personne demande « Mrs »"
        found.append((match.start(), line, message))
    return [Problem(path, line, message) for _, line, message in sorted(found)]


# ----------------------------------------------------------------------------- protocol

Kind = Literal["person", "president", "minister", "excellency", "service"]

# What each French category of the directory is, in English correspondence.
KINDS: Mapping[str, Kind] = MappingProxyType(
    {
        "president-republique": "excellency",
        "premier-ministre": "excellency",
        "ambassadeur": "excellency",
        "ministre": "minister",
        "secretaire-etat": "minister",
        "garde-des-sceaux": "minister",
        "president": "president",
        "service": "service",
    }
)
SINCERELY = "Yours sincerely,"
FAITHFULLY = "Yours faithfully,"
# Salutations that name no one: the closing is then « Yours faithfully, ».
_IMPERSONAL = ("Dear Sir or Madam", "Dear Sir", "Dear Madam", "Sir", "Madam", "Your Excellency")


def kind(category: str) -> Kind:
    return KINDS.get(category, "person")


def civility(french: str) -> str:
    """Mr and Ms, without a full stop; never « Mrs » unless the directory says so."""
    return "Ms" if french == "Madame" else "Mr"


def salutation(category: str, french_civility: str, name: str) -> str:
    """The opening words, without the comma."""
    found = kind(category)
    woman = french_civility == "Madame"
    if found == "excellency":
        return "Your Excellency"
    if found == "minister":
        return "Dear Minister"
    if found == "president":
        return "Dear Madam President" if woman else "Dear Mr President"
    if found == "service":
        return "Dear Sir or Madam"
    return f"Dear {civility(french_civility)} {name}"


def closing(category: str, salutation: str) -> str:
    """« Yours faithfully, » to a head of state, an ambassador or no one by name; else
    « Yours sincerely, ». Unchanged by the number of signatories."""
    formal = kind(category) in ("excellency", "service")
    impersonal = salutation.rstrip(", ") in _IMPERSONAL
    return FAITHFULLY if formal or impersonal else SINCERELY
