"""What an error of the operating system means to the user, in French, with the fix.

Python's own texts (« [Errno 28] No space left on device ») are English and say nothing of
what to do. Every OSError that reaches the user goes through `explain`: `files` calls it
where it writes, with the file it meant to write; the command line calls it for any other.
Windows' own errors are known by their `winerror`: a file open in Word, a OneDrive file
not yet downloaded, a path past 260 characters.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lettres.errors import FileFailure

Action = Literal["read", "write", "replace", "create"]
VERBS: dict[Action, str] = {
    "read": "lire",
    "write": "écrire",
    "replace": "remplacer",
    "create": "créer",
}

# Windows' system error codes (winerror.h).
SHARING_VIOLATION, LOCK_VIOLATION = 32, 33
IN_USE = {SHARING_VIOLATION, LOCK_VIOLATION}
DISK_FULL, HANDLE_DISK_FULL = 112, 39
WRITE_PROTECT = 19
FILENAME_EXCED_RANGE = 206
CLOUD_FILE_PROVIDER_NOT_RUNNING = 0x16A  # 362: OneDrive is not running
CLOUD_FILE_UNSUCCESSFUL = 0x179  # 377: OneDrive could not fetch the file
CLOUD_FILE_ERRORS = {CLOUD_FILE_PROVIDER_NOT_RUNNING, CLOUD_FILE_UNSUCCESSFUL}

# Who keeps a file of this kind open on the coordinator's machine.
OPENED_IN = {
    ".docx": "Word",
    ".doc": "Word",
    ".xlsx": "Excel",
    ".csv": "Excel",
    ".pdf": "votre lecteur de PDF",
    ".eml": "votre messagerie",
    ".html": "votre navigateur",
}


def explain(error: OSError, path: Path | None = None, action: Action = "write") -> FileFailure:
    """The user's message for `error`, met while doing `action` on `path`."""
    path = path if path is not None else path_of(error)
    return FileFailure(
        f"{path}: {reason(error, path, action)}" if path else reason(error, None, action)
    )


def path_of(error: OSError) -> Path | None:
    name = error.filename
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    return Path(name) if isinstance(name, str) and name else None


@dataclass(frozen=True)
class Failure:
    """An OSError with what lettres was doing, and to which file."""

    error: OSError
    path: Path | None
    action: Action

    def has(self, errnos: Collection[int] = (), winerrors: Collection[int] = ()) -> bool:
        return self.error.errno in errnos or getattr(self.error, "winerror", None) in winerrors

    @property
    def denied(self) -> bool:
        return isinstance(self.error, PermissionError)


def reason(error: OSError, path: Path | None, action: Action) -> str:
    """Why, and what to do: the most specific cause first."""
    failure = Failure(error, path, action)
    for cause in CAUSES:
        text = cause(failure)
        if text is not None:
            return text
    what = error.strerror or str(error) or type(error).__name__
    return f"impossible {of(action)} ce fichier ({what})"


def file_read_only(f: Failure) -> str | None:
    """Windows will not replace a file whose « Lecture seule » box is ticked."""
    if not (f.denied and f.action == "replace" and f.path and not f.has(winerrors=IN_USE)):
        return None
    try:
        marked = f.path.is_file() and not os.access(f.path, os.W_OK)
    except OSError:
        marked = False
    return (
        "ce fichier est en lecture seule : décochez « Lecture seule » dans ses propriétés "
        "(ou supprimez-le), puis relancez la commande"
        if marked
        else None
    )


def file_in_use(f: Failure) -> str | None:
    """Word and Excel lock the file they show; replacing it is then « access denied »."""
    if not (f.has(winerrors=IN_USE) or (f.denied and f.action == "replace")):
        return None
    program = OPENED_IN.get(f.path.suffix.lower(), "un autre programme") if f.path else None
    name = f.path.name if f.path else "le fichier"
    return f"{name} est ouvert dans {program or 'un programme'} : fermez-le et relancez la commande"


def not_downloaded(f: Failure) -> str | None:
    if not f.has(winerrors=CLOUD_FILE_ERRORS):
        return None
    return (
        "ce fichier est dans OneDrive et n'est pas encore téléchargé sur cet ordinateur : "
        "démarrez OneDrive, attendez la fin de la synchronisation (ou choisissez « Toujours "
        "conserver sur cet appareil » sur le dossier de l'espace de travail), puis relancez"
    )


def path_too_long(f: Failure) -> str | None:
    if not f.has({errno.ENAMETOOLONG}, {FILENAME_EXCED_RANGE}):
        return None
    length = f" ({len(str(f.path))} caractères)" if f.path else ""
    return (
        f"chemin trop long{length} : déplacez l'espace de travail plus près de la racine du "
        "disque (par exemple C:\\Collectif), ou raccourcissez le nom du dossier"
    )


def disk_full(f: Failure) -> str | None:
    if not f.has({errno.ENOSPC, errno.EDQUOT}, {DISK_FULL, HANDLE_DISK_FULL}):
        return None
    return (
        "le disque est plein, ce fichier n'a pas pu être écrit : libérez de la place (videz "
        "la corbeille, déplacez de gros fichiers), puis relancez la commande"
    )


def disk_read_only(f: Failure) -> str | None:
    if not f.has({errno.EROFS}, {WRITE_PROTECT}):
        return None
    return (
        "ce disque est en lecture seule : copiez l'espace de travail sur un disque où "
        "vous pouvez écrire, ou choisissez un autre dossier"
    )


def folder_is_a_file(f: Failure) -> str | None:
    """`--out note.txt/x`, `init fichier`: a file stands where a folder must be."""
    kinds = (NotADirectoryError, FileExistsError)
    if f.path is None or not (isinstance(f.error, kinds) or f.has({errno.ENOTDIR})):
        return None
    blocking = file_in_the_way(f.path)
    if blocking is None:
        return None
    what = "c'est" if blocking == f.path else f"{blocking} est"
    return (
        f"{what} un fichier, pas un dossier : rien ne peut être créé dedans ; "
        "choisissez un autre chemin"
    )


def symlink_loop(f: Failure) -> str | None:
    if not f.has({errno.ELOOP}):
        return None
    return "boucle de liens symboliques : ce lien mène à lui-même ; corrigez-le ou supprimez-le"


def not_allowed(f: Failure) -> str | None:
    if not f.denied:
        return None
    if f.action == "read":
        return "lettres n'a pas le droit de lire ce fichier : vérifiez ses droits d'accès"
    return (
        f"lettres n'a pas le droit {of(f.action)} ici : vérifiez que le dossier n'est pas "
        "en lecture seule et que vous pouvez y écrire, ou choisissez un autre dossier"
    )


def not_found(f: Failure) -> str | None:
    if not isinstance(f.error, FileNotFoundError):
        return None
    if f.action == "read":
        return "fichier introuvable"
    if f.path is not None and f.path.parent.is_dir():  # /proc, a drive's system folder
        return (
            f"le système refuse d'y créer un fichier ({f.path.parent} est un dossier du "
            "système) : choisissez un dossier à vous, dans vos Documents par exemple"
        )
    return "le dossier qui devait le contenir n'existe pas (ou plus) : vérifiez le chemin"


def is_a_folder(f: Failure) -> str | None:
    if not isinstance(f.error, IsADirectoryError):
        return None
    return "c'est un dossier, pas un fichier : indiquez un fichier"


def pipe_closed(f: Failure) -> str | None:
    if not isinstance(f.error, BrokenPipeError):
        return None
    return "la sortie a été fermée avant la fin : le programme qui la lisait s'est arrêté"


def disk_error(f: Failure) -> str | None:
    if not f.has({errno.EIO}):
        return None
    return (
        "erreur du disque ou du partage réseau : vérifiez que le partage est toujours "
        "connecté, puis relancez la commande"
    )


CAUSES: tuple[Callable[[Failure], str | None], ...] = (
    file_read_only, file_in_use, not_downloaded, path_too_long, disk_full, disk_read_only,
    folder_is_a_file, symlink_loop, not_allowed, not_found, is_a_folder, pipe_closed, disk_error,
)  # fmt: skip


def of(action: Action) -> str:
    """« d'écrire », « de lire »: French elides before a vowel."""
    verb = VERBS[action]
    return f"d'{verb}" if verb[0] in "aeéiou" else f"de {verb}"


def file_in_the_way(path: Path) -> Path | None:
    """The file that stands where `path` needs a folder: `path` itself, or one above it."""
    for candidate in (path, *path.parents):
        try:
            if candidate.exists() and not candidate.is_dir():
                return candidate
        except OSError:
            return None
    return None
