"""The answers a letter received: one JSON line each in `reponses.jsonl`, in the letter's folder.

An answered letter is no longer due for a follow-up. A ministry may answer twice, so the
file keeps every answer; the answer's own document is copied beside the letter under a
name that never replaces a file already there. A line is appended under the file's lock,
never by rewriting the file: two `lettres answer` at once both count, and fields that
another version wrote in earlier lines stay as they are.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lettres.errors import LettresError
from lettres.files import append_lines, copy_without_overwriting, read_json_lines, record_lock
from lettres.folders import ANSWERS_NAME, SOURCE_NAME
from lettres.source import load_letter

MAX_DOCUMENT = 50 * 2**20  # bytes; a scanned answer of a few pages is a few megabytes


@dataclass(frozen=True)
class Answer:
    received: date
    file: str | None = None  # the copied document, relative to the letter's folder

    def to_json(self) -> str:
        return json.dumps({"date": self.received.isoformat(), "fichier": self.file})


def answers_path(folder: Path) -> Path:
    return folder / ANSWERS_NAME


def read_answers(folder: Path) -> list[Answer]:
    """Every answer recorded for the letter in `folder`; a damaged line is an error at its line."""
    return read_json_lines(answers_path(folder), answer_from_json, "de réponse")


def answer_from_json(data: dict[str, Any]) -> Answer:
    file = data.get("fichier")
    return Answer(date.fromisoformat(data["date"]), None if file is None else str(file))


def record_answer(folder: Path, received: date, document: Path | None = None) -> Answer:
    """Copy the answer's document (if any) beside the letter, then add its line."""
    if not (folder / SOURCE_NAME).is_file():
        raise LettresError(f"{folder} n'est pas le dossier d'un courrier : {SOURCE_NAME} y manque")
    front, _ = load_letter(folder / SOURCE_NAME)
    if received < front.date:
        raise LettresError(
            f"une réponse du {received.isoformat()} ne peut pas précéder le courrier, "
            f"daté du {front.date.isoformat()} : vérifiez --date"
        )
    data = read_document(document) if document is not None else None
    path = answers_path(folder)
    with record_lock(path):
        read_answers(folder)  # a damaged record is fixed first, never added to blindly
        copied = None
        if document is not None and data is not None:
            name = f"reponse-{received.isoformat()}"
            copied = copy_without_overwriting(data, document.suffix, folder, name)
        answer = Answer(received, copied.name if copied else None)
        append_lines(path, [answer.to_json()])
    return answer


def read_document(source: Path) -> bytes:
    """The answer's document, if it is a file of a sensible size.

    Opened without blocking and checked before it is read: a FIFO would wait for ever for
    a writer, /dev/zero never ends.
    """
    try:
        handle = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise LettresError(f"fichier introuvable : {source}") from None
    except OSError as error:
        raise LettresError(f"lecture impossible de {source} ({error.strerror})") from None
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise LettresError(
                f"{source} n'est pas un fichier ordinaire (un dossier, un périphérique ou un "
                "tube) : indiquez le document de la réponse (PDF, courriel…)"
            )
        if status.st_size > MAX_DOCUMENT:
            raise LettresError(too_big(source))
        with os.fdopen(os.dup(handle), "rb") as stream:
            data = stream.read(MAX_DOCUMENT + 1)
    except OSError as error:
        raise LettresError(f"lecture impossible de {source} ({error.strerror})") from None
    finally:
        os.close(handle)
    if len(data) > MAX_DOCUMENT:
        raise LettresError(too_big(source))
    return data


def too_big(source: Path) -> str:
    return (
        f"{source} dépasse {MAX_DOCUMENT // 2**20} Mo : ce n'est sans doute pas le document de "
        "la réponse ; réduisez-le (un PDF compressé) ou gardez-le ailleurs"
    )
