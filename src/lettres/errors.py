"""The one family of exceptions the core raises; the CLI turns them into messages.

Every class lives here, so that a reader sees at once what can go wrong and a caller can
catch a kind of failure without importing the stage that raises it.
"""

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

    def __reduce__(self) -> tuple[type[DataError], tuple[object, ...]]:
        """Sent back whole from a worker process (pickled), not rebuilt from its text."""
        return (type(self), (self.problems,))

    @classmethod
    def at(cls, path: Path | None, line: int | None, message: str) -> DataError:
        return cls([Problem(path, line, message)])


class WorkspaceNotFound(LettresError):
    """No workspace where the user asked, or none above the current folder."""


class BrokenExample(LettresError):
    """The example shipped with lettres does not load: the installation itself is damaged."""


class UnknownRecipient(LettresError):
    """A key that names neither a position nor a group of the directory."""


class NoHolder(LettresError):
    """A position that had nobody in it on the letter's date."""


class NotCurrent(DataError):
    """A letter to, or copied to, a holder the directory cannot vouch for on its date."""

    def __init__(self, problems: list[Problem], heading: str) -> None:
        super().__init__(problems)
        self.heading = heading
        self.args = (heading + "\n" + "\n".join(str(p) for p in problems),)

    def __reduce__(self) -> tuple[type[DataError], tuple[object, ...]]:
        return (type(self), (self.problems, self.heading))

    def __str__(self) -> str:
        return str(self.args[0])


class OutputExists(LettresError):
    """A folder or file that a new letter would overwrite."""


class UnprintableText(LettresError):
    """Characters that no font of the layout can draw: the PDF would show empty boxes."""


class Unfinished(DataError):
    """A letter that still holds a placeholder, an empty objet or body: no PDF, no e-mail."""


class NotAsRead(DataError):
    """A PDF that no longer says what the letter says, or a DOCX edited after its PDF."""


class EditedDocx(LettresError):
    """A DOCX changed since `lettres draft` wrote it: drafting again would lose the edits."""


class LibreOfficeError(LettresError):
    """LibreOffice is missing, failed, or took too long."""


class MissingFile(LettresError):
    """A PDF, DOCX or attachment that a message needs and that is not there."""


class NoAddress(LettresError):
    """A recipient without a usable e-mail address."""


class SettingsMissing(LettresError):
    """No `envoi:` section, or no password for a server that asks for one."""


class ConnectionFailed(LettresError):
    """The server could not be reached, refused the login, or the TLS handshake failed."""


class SendInterrupted(LettresError):
    """A batch stopped in the middle; the journals say exactly what went out."""


class FileFailure(LettresError):
    """The system would not let lettres read or write a file: locked, full, read-only…"""


class BadDate(LettresError):
    """A date the user typed that names no day, or could name two."""
