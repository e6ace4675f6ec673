"""When a letter must be followed up: `relance: 6 semaines` (or `15 jours`, `2 mois`) or a date.

A delay is counted from the day the letter left: the first sending in its journal when
there is one (`lettres sent` records one made by hand), otherwise the letter's own date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from lettres.text import excerpt

_DELAY = re.compile(
    r"^\s*(\d{1,3})\s*(jours?|semaines?|mois)\s*$",
    re.IGNORECASE,
)

FOLLOW_UP_HELP = (
    "écrivez une durée (« 15 jours », « 6 semaines », « 2 mois ») ou une date AAAA-MM-JJ"
)


class BadFollowUp(ValueError):
    """A `relance` value that is neither a delay nor a date; its text is the French message."""


@dataclass(frozen=True)
class Delay:
    count: int
    unit: str  # "jours", "semaines" or "mois"

    def after(self, start: date) -> date:
        if self.unit == "jours":
            return start + timedelta(days=self.count)
        if self.unit == "semaines":
            return start + timedelta(weeks=self.count)
        return add_months(start, self.count)


def add_months(start: date, months: int) -> date:
    """Same day `months` later; the 31 January plus one month is the last day of February."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def parse_delay(value: str) -> Delay | None:
    """« 15 jours », « 6 semaines », « 2 mois »; None when the text is no delay."""
    match = _DELAY.match(value)
    if not match:
        return None
    unit = match[2].lower()
    return Delay(int(match[1]), unit if unit.endswith("s") else unit + "s")


def parse_follow_up(value: str | date) -> Delay | date:
    """The one reading of a `relance` value, shared by the loader and the register."""
    if isinstance(value, date):
        return value
    delay = parse_delay(value)
    if delay is not None:
        if delay.count == 0:
            raise BadFollowUp(
                f"« relance : {excerpt(value)} » : une relance se fait au moins un jour après"
            )
        return delay
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadFollowUp(
            f"« relance : {excerpt(value)} » n'est pas compris ; {FOLLOW_UP_HELP}"
        ) from None


def due_date(value: str | date, start: date) -> date:
    """The day the follow-up falls due, for a letter that left on `start`.

    A delay that would end after the year 9999 is a BadFollowUp, not a crash: `register`
    then names this one letter and lists the others.
    """
    parsed = parse_follow_up(value)
    if isinstance(parsed, date):
        return parsed
    try:
        return parsed.after(start)
    except (OverflowError, ValueError):
        raise BadFollowUp(
            f"« relance : {value} » à partir du {start.isoformat()} tomberait après l'an 9999 : "
            f"vérifiez la date du courrier et sa relance ; {FOLLOW_UP_HELP}"
        ) from None
