"""`lettres sent`: a sending the tool did not make (Outlook, the post, by hand) put in the journal.

Its line has the same effects as a message the server accepted: the letter is « envoyé »,
its follow-up counts from that day, it is frozen and on the public page. The same command
settles a message left « incertain » by a lost reply: the user saw that it arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

from lettres.errors import LettresError
from lettres.files import record_lock
from lettres.folders import SOURCE_NAME, letter_folder
from lettres.journal import Sent, append_sent, journal_path, read_history
from lettres.source import load_letter


@dataclass(frozen=True)
class Recorded:
    """What `lettres sent` wrote for one letter, and what the journal held before."""

    folder: Path
    line: Sent
    settled: bool  # it confirmed a message left « incertain »
    earlier: date | None  # the first sending already recorded, if any


def record_sent(
    folder: Path, today: date, on: date | None = None, note: str | None = None
) -> Recorded:
    """One « envoye » line, by hand, dated `on` (default: the uncertain message's day, or today)."""
    folder = letter_folder(folder)
    source = folder / SOURCE_NAME
    if not source.is_file():
        raise LettresError(f"{folder} n'est pas le dossier d'un courrier : {SOURCE_NAME} y manque")
    front, _ = load_letter(source)
    check_day(on, front.date, today)
    with record_lock(journal_path(folder)):
        history = read_history(folder)
        pending = history.pending()
        if pending:
            last = pending[-1]
            when = last.sent_at if on is None else at_midnight(on)
            line = replace(last, state="envoye", sent_at=when, by_hand=True, note=note)
            abandoned = [replace(p, state="non-recu", sent_at=when) for p in pending[:-1]]
            append_sent(folder, *abandoned, line)
        else:
            line = Sent(None, at_midnight(on or today), by_hand=True, note=note)
            if line.day < front.date:
                raise LettresError(
                    f"{folder} est daté du {front.date.isoformat()}, plus tard qu'aujourd'hui : "
                    "indiquez le jour de l'envoi (--date AAAA-MM-JJ)"
                )
            append_sent(folder, line)
    return Recorded(folder, line, bool(pending), history.first_sent_on())


def check_day(on: date | None, dated: date, today: date) -> None:
    if on is None:
        return
    if on < dated:
        raise LettresError(
            f"un envoi du {on.isoformat()} ne peut pas précéder le courrier, daté du "
            f"{dated.isoformat()} : vérifiez --date"
        )
    if on > today:
        raise LettresError(
            f"un envoi du {on.isoformat()} serait dans l'avenir : notez l'envoi une fois fait "
            "(--date : le jour où il est parti)"
        )


def at_midnight(day: date) -> datetime:
    """A sending by hand is known to the day; the journal's lines carry a time of day."""
    return datetime.combine(day, time())
