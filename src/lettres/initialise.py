"""`lettres init`: a new workspace from the example bundled with the package."""

from __future__ import annotations

import shutil
from datetime import date
from importlib import resources
from pathlib import Path

from lettres.errors import BrokenExample, LettresError
from lettres.oserrors import explain


def example_files() -> list[tuple[Path, bytes]]:
    """Every file of the bundled example, as (relative path, content)."""
    root = resources.files("lettres") / "exemple"
    files: list[tuple[Path, bytes]] = []
    stack = [(root, Path())]
    while stack:
        node, relative = stack.pop()
        for child in node.iterdir():
            if child.name.startswith(".") or child.name == "__pycache__":
                continue
            if child.is_dir():
                stack.append((child, relative / child.name))
            else:
                files.append((relative / child.name, child.read_bytes()))
    return sorted(files)


def create_workspace(folder: Path) -> list[Path]:
    """Write the example into `folder`, which must not hold any of its files already.

    The files go to a temporary folder first, are checked there as `lettres check` would,
    and are moved in only then: a failure, or a damaged example, leaves nothing behind.
    """
    files = example_files()
    clashes = [folder / path for path, _ in files if (folder / path).exists()]
    if clashes:
        raise LettresError(
            f"{folder} contient déjà {clashes[0].relative_to(folder)} : "
            "« lettres init » n'écrase rien ; choisissez un dossier vide ou nouveau."
        )
    try:
        move_in(files, folder)
    except OSError as error:  # named by the folder the user gave, not by the staging one
        raise explain(error, folder, "create") from None
    return [folder / path for path, _ in files]


def move_in(files: list[tuple[Path, bytes]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / ".lettres-init.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for path, content in files:
            (staging / path).parent.mkdir(parents=True, exist_ok=True)
            (staging / path).write_bytes(content)
        refuse_broken_example(staging)
        for path, _ in files:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (staging / path).replace(folder / path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def refuse_broken_example(staging: Path) -> None:
    """A checkout made without symbolic links (Git for Windows' default) once shipped
    one-line text files in place of the example: `init` said it succeeded and every later
    command failed. Better to refuse and say why."""
    from lettres.check import check_workspace

    errors = check_workspace(staging, date.today()).errors
    if errors:
        first = errors[0]
        where = first.path.relative_to(staging) if first.path else "?"
        raise BrokenExample(
            f"l'exemple fourni avec lettres est abîmé ({where} : {first.message}) ; "
            "rien n'a été créé. Réinstallez lettres (pip install --force-reinstall lettres), "
            "ou, depuis une copie du dépôt, vérifiez que src/lettres/exemple contient de vrais "
            "fichiers."
        )
