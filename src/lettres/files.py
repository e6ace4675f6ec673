"""Writing files so that a failure never leaves a half-written one behind."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lettres.errors import DataError

T = TypeVar("T")


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over: all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = write_temporary(path, data)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Like write_atomic, but for a name that must be free: FileExistsError if it is taken.

    A hard link never replaces a file, so two writers cannot overwrite each other.
    """
    temporary = write_temporary(path, data)
    try:
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_temporary(path: Path, data: bytes) -> Path:
    """`data` on disk beside `path`, under a hidden temporary name."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))


def read_json_lines(path: Path, parse: Callable[[Any], T], what: str) -> list[T]:
    """Each line of a JSON-lines record (journal, answers); a damaged one is named by line."""
    if not path.exists():
        return []
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(parse(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise DataError.at(
                path, number, f"ligne {what} illisible : corrigez-la ou supprimez-la"
            ) from None
    return items
