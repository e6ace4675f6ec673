"""Writing files so that a failure never leaves a half-written one behind."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from lettres.errors import DataError, LettresError
from lettres.oserrors import explain, reason

T = TypeVar("T")


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write to a temporary file beside `path`, then rename it over: all or nothing.

    `durable=False` for what lettres can make again from the source (DOCX, PDF, e-mail
    drafts): their bytes are not forced to the disk before the rename. A power cut may
    then leave such a file empty, never half of an old one and half of a new; the next
    `lettres draft` sees it differ and writes it again. Forcing costs a millisecond a file
    here, many more on Windows, and a batch writes two hundred.
    """
    make_folder(path.parent, path)
    temporary = write_temporary(path, data, durable=durable)
    try:
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise explain(error, path, "replace") from None
        raise


def write_new(path: Path, data: bytes) -> None:
    """Like write_atomic, but for a name that must be free: FileExistsError if it is taken.

    A hard link never replaces a file, so two writers cannot overwrite each other. Drives
    without hard links (FAT, many SMB shares, some OneDrive folders) get the same promise
    from an exclusive create instead.
    """
    temporary = write_temporary(path, data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError as error:
        if not no_hard_links(error):
            raise explain(error, path, "write") from None
        claim_then_replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# errno values (and Windows' ERROR_INVALID_FUNCTION, 1) of a file system without hard links.
NO_LINK_ERRNOS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}
NO_LINK_WINERRORS = {1, 50}  # ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED


def no_hard_links(error: OSError) -> bool:
    return getattr(error, "winerror", None) in NO_LINK_WINERRORS or error.errno in NO_LINK_ERRNOS


def claim_then_replace(temporary: Path, path: Path) -> None:
    """Take the name with an exclusive create (FileExistsError if it is taken), then move the
    finished temporary onto that empty placeholder, which is ours: nothing else is replaced."""
    try:
        with open(path, "xb"):
            pass
    except FileExistsError:
        raise
    except OSError as error:
        raise explain(error, path, "write") from None
    try:
        os.replace(temporary, path)
    except OSError as error:
        path.unlink(missing_ok=True)
        raise explain(error, path, "write") from None


def make_folder(folder: Path, path: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise explain(error, path, "create") from None


def copy_without_overwriting(data: bytes, suffix: str, folder: Path, stem: str) -> Path:
    """Write under `stem.ext`, else `stem-2.ext`…: a hard link is made only if the name is free."""
    suffix = suffix.lower()
    for index in range(1, 1000):
        target = folder / f"{stem}{'' if index == 1 else f'-{index}'}{suffix}"
        try:
            write_new(target, data)
        except FileExistsError:
            continue
        return target
    raise LettresError(f"trop de fichiers nommés {stem}… dans {folder} : faites-y de la place")


def write_temporary(path: Path, data: bytes, *, durable: bool = True) -> Path:
    """`data` on disk beside `path`, under a hidden temporary name, readable as the umask says.

    mkstemp makes its file 0600 whatever the umask; renamed into place, that would keep a
    web server or a colleague on the shared drive from reading a letter.
    """
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise explain(error, path, "write") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            if hasattr(os, "fchmod"):  # Windows has no modes to fix
                os.fchmod(stream.fileno(), 0o666 & ~current_umask())
            stream.write(data)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise explain(error, path, "write") from None
        raise
    return Path(temporary)


def current_umask() -> int:
    """The process's umask; reading it means setting it, so it is put back at once."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))


RECORD_LOCK_TIMEOUT = 30.0  # seconds; a line is appended in milliseconds


def record_lock_path(path: Path) -> Path:
    """`.envois.jsonl.lock` beside `envois.jsonl`: hidden, so never taken for a letter's file."""
    return path.with_name(f".{path.name}.lock")


@contextmanager
def record_lock(path: Path) -> Iterator[None]:
    """Held while a record (journal, answers) is read then added to by one process at a time.

    Two `lettres answer` at once would otherwise both read the same lines and one of the
    two new lines could be lost. Held already by this process, it is simply kept: a
    command may check a record, then append to it under the same lock.
    """
    from filelock import FileLock, Timeout

    key = record_lock_path(path).absolute()
    if key in _held:
        yield
        return
    lock = FileLock(key, timeout=RECORD_LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout:
        raise LettresError(
            f"{path} est occupé par une autre commande lettres depuis plus de "
            f"{RECORD_LOCK_TIMEOUT:.0f} s ({lock.lock_file}) : attendez qu'elle finisse, "
            "puis relancez"
        ) from None
    except OSError as error:
        raise explain(error, Path(lock.lock_file), "write") from None
    _held.add(key)
    try:
        yield
    finally:
        _held.discard(key)
        lock.release()


_held: set[Path] = set()


def append_lines(path: Path, lines: Sequence[str]) -> None:
    """Add lines at the end, on disk before returning; earlier lines are never rewritten.

    The caller holds `record_lock(path)`. A last line without its newline (a hand edit)
    gets one first, so the new line never joins it.
    """
    data = "".join(f"{line}\n" for line in lines).encode("utf-8")
    with path.open("a+b") as stream:
        new = stream.tell() == 0
        if not new:
            stream.seek(-1, os.SEEK_END)
            if stream.read(1) != b"\n":
                data = b"\n" + data
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    if new:
        sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """A new file's name on disk too, not only its bytes (POSIX; Windows has no such call)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def read_json_lines(path: Path, parse: Callable[[Any], T], what: str) -> list[T]:
    """Each line of a JSON-lines record (journal, answers); a damaged one is named by line.

    Read as bytes and decoded line by line: a file saved in Latin-1 by another program is
    an error at its first bad line, never a crash.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise DataError.at(path, None, reason(error, path, "read")) from None
    items = []
    for number, raw in enumerate(data.splitlines(), 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DataError.at(
                path,
                number,
                f"ligne {what} qui n'est pas du texte UTF-8 (le fichier a-t-il été enregistré "
                "dans un autre encodage ?) : corrigez-la ou supprimez-la",
            ) from None
        if not line.strip():
            continue
        try:
            items.append(parse(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
            raise DataError.at(
                path, number, f"ligne {what} illisible : corrigez-la ou supprimez-la"
            ) from None
    return items
