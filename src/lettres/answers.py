"""The answers a letter received: one JSON line each in `reponses.jsonl`, in the letter's folder.

An answered letter is no longer due for a follow-up. A ministry may answer twice, so the
file keeps every answer; the answer's own document is copied beside the letter under a
name that never replaces a file already there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lettres.errors import LettresError
from lettres.files import read_json_lines, write_new, write_text_atomic
from lettres.folders import ANSWERS_NAME, SOURCE_NAME
from lettres.source import load_letter


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
    earlier = read_answers(folder)
    copied = None
    if document is not None:
        copied = copy_without_overwriting(document, folder, f"reponse-{received.isoformat()}")
    answer = Answer(received, copied.name if copied else None)
    lines = [a.to_json() for a in earlier] + [answer.to_json()]
    write_text_atomic(answers_path(folder), "\n".join(lines) + "\n")
    return answer


def copy_without_overwriting(source: Path, folder: Path, stem: str) -> Path:
    """Copy under `stem.ext`, else `stem-2.ext`…: a hard link is made only if the name is free."""
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        raise LettresError(f"fichier introuvable : {source}") from None
    except OSError as error:
        raise LettresError(f"lecture impossible de {source} ({error.strerror})") from None
    suffix = source.suffix.lower()
    for index in range(1, 1000):
        target = folder / f"{stem}{'' if index == 1 else f'-{index}'}{suffix}"
        try:
            write_new(target, data)
        except FileExistsError:
            continue
        return target
    raise LettresError(f"trop de réponses nommées {stem} dans {folder}")
