"""The sending journal of a letter: one JSON line per message sent, appended, never rewritten.

It is what makes a batch resumable (a letter in the journal is not sent again) and what
freezes a letter once sent. `lettres register` reads it for the status of each letter.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from lettres.files import read_json_lines
from lettres.folders import JOURNAL_NAME


@dataclass(frozen=True)
class Sent:
    message_id: str
    sent_at: datetime
    to: tuple[str, ...]
    cc: tuple[str, ...]
    refused: tuple[str, ...] = ()  # addresses the server refused while it accepted the others

    def to_json(self) -> str:
        data = {
            "message_id": self.message_id,
            "date": self.sent_at.isoformat(timespec="seconds"),
            "a": list(self.to),
            "cc": list(self.cc),
        }
        if self.refused:
            data["refuses"] = list(self.refused)
        return json.dumps(data, ensure_ascii=False)


def journal_path(folder: Path) -> Path:
    return folder / JOURNAL_NAME


def read_journal(folder: Path) -> list[Sent]:
    """Every message sent for the letter in `folder`; a damaged line is an error at its line."""
    return read_json_lines(journal_path(folder), sent_from_json, "de journal")


def sent_from_json(data: dict[str, Any]) -> Sent:
    return Sent(
        message_id=str(data["message_id"]),
        sent_at=datetime.fromisoformat(data["date"]),
        to=tuple(data["a"]),
        cc=tuple(data.get("cc", [])),
        refused=tuple(data.get("refuses", [])),
    )


def append_sent(folder: Path, sent: Sent) -> None:
    """Append one line and flush it to disk before the next message goes out."""
    with journal_path(folder).open("a", encoding="utf-8") as stream:
        stream.write(sent.to_json() + "\n")
        stream.flush()
        os.fsync(stream.fileno())


def is_sent(folder: Path) -> bool:
    return bool(read_journal(folder))
