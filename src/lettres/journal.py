"""The sending journal of a letter: one JSON line per event, appended, never rewritten.

A message's life is two lines. « en-cours » is written (and on disk) before the server is
handed the message's DATA; the server's reply then adds « envoye » or « refuse » for the
same Message-ID. A message whose « en-cours » line has no answer was perhaps received:
its letter is « incertain » and is never sent again on its own; the user settles it with
`lettres sent` (it arrived: an « envoye » line) or `lettres send --resend` (it did not: a
« non-recu » line, then a new message). `lettres sent` also records a sending made by
hand (Outlook, post). Lines written before these states existed have no « etat »: they
are sendings the server accepted.

It is what makes a batch resumable and what freezes a letter once sent; `lettres
register` reads it for the status of each letter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from lettres.files import append_lines, read_json_lines, record_lock
from lettres.folders import JOURNAL_NAME

State = Literal["en-cours", "envoye", "refuse", "non-recu"]
STATES: tuple[State, ...] = ("en-cours", "envoye", "refuse", "non-recu")


@dataclass(frozen=True)
class Sent:
    """One line of the journal; `refused` are copies the server refused while it took the rest."""

    message_id: str | None
    sent_at: datetime
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    state: State = "envoye"
    code: int | None = None  # the server's reply to a refused message
    reason: str | None = None
    by_hand: bool = False  # recorded by `lettres sent`, not by the server's reply
    note: str | None = None

    @property
    def day(self) -> date:
        return self.sent_at.date()

    def to_json(self) -> str:
        data: dict[str, Any] = {"etat": self.state, "message_id": self.message_id}
        data["date"] = self.sent_at.isoformat(timespec="seconds")
        data |= {"a": list(self.to), "cc": list(self.cc)}
        optional = {
            "refuses": list(self.refused),
            "code": self.code,
            "raison": self.reason,
            "manuel": self.by_hand,
            "note": self.note,
        }
        data |= {key: value for key, value in optional.items() if value}
        return json.dumps(data, ensure_ascii=False)


@dataclass(frozen=True)
class History:
    """What the journal says of a letter, read in order."""

    lines: tuple[Sent, ...]

    def sendings(self) -> list[Sent]:
        """Messages the server accepted, and sendings recorded by hand."""
        return [line for line in self.lines if line.state == "envoye"]

    def pending(self) -> list[Sent]:
        """Messages handed to the server whose reply never came: perhaps received."""
        later: set[str | None] = set()
        result = []
        for line in reversed(self.lines):
            if line.state == "en-cours" and line.message_id not in later:
                result.append(line)
            later.add(line.message_id)
        return result[::-1]

    def refusal(self) -> Sent | None:
        """The last line, when it says the server refused the message (nothing went)."""
        last = self.lines[-1] if self.lines else None
        return last if last is not None and last.state == "refuse" else None

    def first_sent_on(self) -> date | None:
        return min((line.day for line in self.sendings()), default=None)

    @property
    def frozen(self) -> bool:
        """Sent, or perhaps sent: the letter must not change under its recipient's eyes."""
        return bool(self.sendings() or self.pending())


def journal_path(folder: Path) -> Path:
    return folder / JOURNAL_NAME


def read_journal(folder: Path) -> list[Sent]:
    """Every line of the letter's journal; a damaged line is an error at its line."""
    return read_json_lines(journal_path(folder), sent_from_json, "de journal")


def read_history(folder: Path) -> History:
    return History(tuple(read_journal(folder)))


def sent_from_json(data: dict[str, Any]) -> Sent:
    state = data.get("etat", "envoye")
    if state not in STATES:
        raise ValueError(state)
    message_id = data.get("message_id")
    return Sent(
        message_id=None if message_id is None else str(message_id),
        sent_at=datetime.fromisoformat(data["date"]),
        to=tuple(map(str, data.get("a", []))),
        cc=tuple(map(str, data.get("cc", []))),
        refused=tuple(map(str, data.get("refuses", []))),
        state=state,
        code=None if data.get("code") is None else int(data["code"]),
        reason=None if data.get("raison") is None else str(data["raison"]),
        by_hand=bool(data.get("manuel", False)),
        note=None if data.get("note") is None else str(data["note"]),
    )


def append_sent(folder: Path, *lines: Sent) -> None:
    """Append lines under the journal's lock, on disk before the next step happens."""
    path = journal_path(folder)
    with record_lock(path):
        append_lines(path, [line.to_json() for line in lines])


def is_sent(folder: Path) -> bool:
    """Sent or perhaps sent (« incertain »): either way the letter is frozen."""
    return read_history(folder).frozen
