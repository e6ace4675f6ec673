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


def reason(error: OSError, path: Path | None, action: Action) -> str:
    """Why, and what to do: the most specific cause first."""
    code = getattr(error, "winerror", None)
    shown = str(path) if path else "ce fichier"
    if code in (SHARING_VIOLATION, LOCK_VIOLATION) or (
        isinstance(error, PermissionError) and action == "replace"
    ):
        program = (
            OPENED_IN.get(path.suffix.lower(), "un autre programme") if path else "un programme"
        )
        name = path.name if path else "le fichier"
        return f"{name} est ouvert dans {program} : fermez-le et relancez la commande"
    if code in CLOUD_FILE_ERRORS:
        return (
            "ce fichier est dans OneDrive et n'est pas encore téléchargé sur cet ordinateur : "
            "démarrez OneDrive, attendez la fin de la synchronisation (ou choisissez « Toujours "
            "conserver sur cet appareil » sur le dossier de l'espace de travail), puis relancez"
        )
    if code == FILENAME_EXCED_RANGE or error.errno == errno.ENAMETOOLONG:
        return (
            f"chemin trop long ({len(shown)} caractères) : déplacez l'espace de travail plus près "
            "de la racine du disque (par exemple C:\\Collectif), ou raccourcissez le nom du dossier"
        )
    if code in (DISK_FULL, HANDLE_DISK_FULL) or error.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            "le disque est plein, ce fichier n'a pas pu être écrit : libérez de la place (videz "
            "la corbeille, déplacez de gros fichiers), puis relancez la commande"
        )
    if code == WRITE_PROTECT or error.errno == errno.EROFS:
        return (
            "ce disque est en lecture seule : copiez l'espace de travail sur un disque où "
            "vous pouvez écrire, ou choisissez un autre dossier"
        )
    blocking = file_in_the_way(path) if path else None
    if blocking is not None and (
        isinstance(error, (NotADirectoryError, FileExistsError)) or error.errno == errno.ENOTDIR
    ):
        what = "c'est" if blocking == path else f"{blocking} est"
        return (
            f"{what} un fichier, pas un dossier : rien ne peut être créé dedans ; "
            "choisissez un autre chemin"
        )
    if error.errno == errno.ELOOP:
        return "boucle de liens symboliques : ce lien mène à lui-même ; corrigez-le ou supprimez-le"
    if isinstance(error, PermissionError):
        if action == "read":
            return "lettres n'a pas le droit de lire ce fichier : vérifiez ses droits d'accès"
        return (
            f"lettres n'a pas le droit {of(action)} ici : vérifiez que le dossier n'est pas "
            "en lecture seule et que vous pouvez y écrire, ou choisissez un autre dossier"
        )
    if isinstance(error, FileNotFoundError):
        if action == "read":
            return "fichier introuvable"
        if path is not None and path.parent.is_dir():  # /proc, a drive's system folder
            return (
                f"le système refuse d'y créer un fichier ({path.parent} est un dossier du "
                "système) : choisissez un dossier à vous, dans vos Documents par exemple"
            )
        return "le dossier qui devait le contenir n'existe pas (ou plus) : vérifiez le chemin"
    if isinstance(error, IsADirectoryError):
        return "c'est un dossier, pas un fichier : indiquez un fichier"
    if isinstance(error, BrokenPipeError):
        return "la sortie a été fermée avant la fin : le programme qui la lisait s'est arrêté"
    if error.errno == errno.EIO:
        return (
            "erreur du disque ou du partage réseau : vérifiez que le partage est toujours "
            "connecté, puis relancez la commande"
        )
    what = error.strerror or str(error) or type(error).__name__
    return f"impossible {of(action)} ce fichier ({what})"


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
