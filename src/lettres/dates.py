"""Dates as people write them on a command line: 21/04/2015, 21 avril 2015, demain.

A small parser of our own: a date library would cost every start-up more than this whole
module, and the forms a French user types are few. Anything that could be read two ways
(a two-digit year, a month first) is refused with the forms that are understood.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from lettres.errors import BadDate

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip
MONTH_NAMES = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
]  # fmt: skip
RELATIVE = {"aujourd'hui": 0, "aujourdhui": 0, "demain": 1, "hier": -1}
ACCEPTED = "2015-04-21, 21/04/2015, 21 avril 2015, 1er mai 2015, aujourd'hui ou demain"

ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d+)")
WRITTEN = re.compile(r"(\d{1,2})(?:er)? ([a-z]+)\.? (\d+)")


def parse_date(text: str, today: date) -> date:
    """The date `text` names, `today` being the day it is typed; BadDate says what is accepted."""
    typed = plain(text)
    if typed in RELATIVE:
        return today + timedelta(days=RELATIVE[typed])
    if found := ISO.fullmatch(typed):
        return checked(text, int(found[1]), int(found[2]), int(found[3]))
    if found := NUMERIC.fullmatch(typed):
        return checked(text, year_of(text, found[3]), int(found[2]), int(found[1]))
    if found := WRITTEN.fullmatch(typed):
        month = MONTHS.get(found[2])
        if month is None:
            raise BadDate(
                f"« {text} » : mois inconnu « {found[2]} » ; écrivez par exemple {ACCEPTED}"
            )
        return checked(text, year_of(text, found[3]), month, int(found[1]))
    raise BadDate(f"« {text} » n'est pas une date ; écrivez par exemple {ACCEPTED}")


def plain(text: str) -> str:
    """Lower case, no accents, one space between words, a straight apostrophe."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower().replace("’", "'"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


def year_of(text: str, digits: str) -> int:
    if len(digits) != 4:
        raise BadDate(
            f"« {text} » : écrivez l'année en entier (quatre chiffres, 2015 et non 15) ; "
            f"par exemple {ACCEPTED}"
        )
    return int(digits)


def checked(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if 1 <= month <= 12:
            raise BadDate(
                f"« {text} » : le {day} {MONTH_NAMES[month - 1]} {year} n'existe pas"
            ) from None
        raise BadDate(
            f"« {text} » : il n'y a pas de mois {month} (le jour vient d'abord : 21/04/2015)"
        ) from None
