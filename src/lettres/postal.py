"""The recipient block as La Poste reads it (reference §5).

Sorting machines read the window of the envelope: a block they cannot parse delays the
letter. These checks only warn; the block is printed as the directory gives it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

MAX_LINES = 6
MAX_WIDTH = 38

AddressIssue = tuple[int | None, str]  # (line of the block from 1, or None; message)

_WORD = r"[A-Z0-9À-ÖØ-Þ]+"
# Postcode, then the locality in capitals: words joined by single spaces or hyphens
# ("SAINT-DENIS", "L HAY LES ROSES"), CEDEX and its number included.
_LAST_LINE = re.compile(rf"\d{{5}} {_WORD}(?:[ -]{_WORD})*")
_HYPHEN_AFTER_POSTCODE = re.compile(r"(\d{5})\s*-\s*(?=\S)")
_COMMA_AFTER_NUMBER = re.compile(r"^\s*(\d+(?:\s*(?:bis|ter|quater|[A-Za-z]))?)\s*,\s*", re.I)
_EXAMPLE = "« 75800 PARIS CEDEX 08 »"


def _plain_capitals(text: str) -> str:
    """La Poste's own form of a locality: capitals, no accents, no punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s'’.,;:]+", " ", letters).strip()


def _suggest_last_line(line: str) -> str:
    postcode_first = re.sub(r"^(\d{2})\s?(\d{3})\s*-?\s*", r"\1\2 ", line)
    return _plain_capitals(postcode_first)


def _last_line_problem(line: str) -> str | None:
    if _LAST_LINE.fullmatch(line):
        return None
    suggestion = _suggest_last_line(line)
    if _HYPHEN_AFTER_POSTCODE.match(line):
        return f"pas de trait d'union entre le code postal et la localité : « {suggestion} »"
    if not _LAST_LINE.fullmatch(suggestion):
        return (
            "la dernière ligne doit donner le code postal à 5 chiffres puis la localité "
            f"en capitales, sans ponctuation ({_EXAMPLE})"
        )
    if line != line.upper():
        return f"la localité s'écrit en capitales : « {suggestion} »"
    return f"la dernière ligne s'écrit « {suggestion} »"


def _shape_problems(number: int, line: str) -> list[AddressIssue]:
    problems: list[AddressIssue] = []
    if not line.strip():
        problems.append((number, "ligne vide dans l'adresse : la supprimer"))
    if len(line) > MAX_WIDTH:
        problems.append((number, f"{len(line)} caractères, {MAX_WIDTH} au plus"))
    return problems


def _street_problems(number: int, line: str) -> list[AddressIssue]:
    comma = _COMMA_AFTER_NUMBER.match(line)
    if not comma:
        return []
    fixed = f"{comma.group(1)} {line[comma.end() :]}"
    return [(number, f"pas de virgule après le numéro de voie : « {fixed} »")]


def fit_problems(lines: Sequence[str]) -> list[AddressIssue]:
    """What would not fit the envelope's window: too many lines, too long a line. The block
    is printed whole all the same (never cut): it is for the author to shorten it."""
    problems: list[AddressIssue] = []
    if len(lines) > MAX_LINES:
        problems.append((None, f"{len(lines)} lignes, {MAX_LINES} au plus"))
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_WIDTH:
            problems.append((number, f"{len(line)} caractères, {MAX_WIDTH} au plus"))
    return problems


def check_address(lines: Sequence[str]) -> list[AddressIssue]:
    """What would make La Poste's machines stumble, each problem with its line (from 1),
    or None when it concerns the whole block."""
    if not lines:
        return [(None, "adresse vide")]
    problems: list[AddressIssue] = []
    if len(lines) > MAX_LINES:
        problems.append((None, f"{len(lines)} lignes, {MAX_LINES} au plus"))
    last = len(lines)
    for number, line in enumerate(lines, start=1):
        problems.extend(_shape_problems(number, line))
        if number < last:  # the last line holds the postcode, not a street
            problems.extend(_street_problems(number, line))
    last_problem = _last_line_problem(lines[-1].strip()) if lines[-1].strip() else None
    if last_problem:
        problems.append((last, last_problem))
    return problems
