"""The one family of exceptions the core raises; the CLI turns them into messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, located so that the user can go and fix it."""

    path: Path | None
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class LettresError(Exception):
    """A user error: its text is shown as it is, without a traceback."""


class DataError(LettresError):
    """Bad data in a workspace file; carries every problem found, each with its place."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def at(cls, path: Path | None, line: int | None, message: str) -> DataError:
        return cls([Problem(path, line, message)])
