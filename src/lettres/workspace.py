"""Finding the workspace and loading its data files into typed models."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lettres.errors import WorkspaceNotFound
from lettres.folders import (
    DIRECTORY_FILE,
    LETTERS_DIR,
    MEMBERS_FILE,
    SENDER_FILE,
    TEMPLATES_DIR,
)
from lettres.models import Directory, Members, Sender, validate
from lettres.text import argument
from lettres.yamlfile import LineDict, load_mapping

ENV_VARIABLE = "LETTRES_WORKSPACE"


@dataclass(frozen=True)
class Workspace:
    """The loaded data of one workspace; `raw` keeps each file's lines for later warnings."""

    root: Path
    directory: Directory
    sender: Sender
    members: Members
    raw: dict[Path, LineDict]

    @property
    def templates_dir(self) -> Path:
        return self.root / TEMPLATES_DIR

    @property
    def letters_dir(self) -> Path:
        return self.root / LETTERS_DIR


def find_root(explicit: Path | None = None, start: Path | None = None) -> Path:
    """The workspace folder: --workspace, then LETTRES_WORKSPACE, then the nearest parent."""
    chosen = explicit or (Path(os.environ[ENV_VARIABLE]) if os.environ.get(ENV_VARIABLE) else None)
    if chosen is not None:
        if not (chosen / DIRECTORY_FILE).is_file():
            raise WorkspaceNotFound(
                f"{chosen} n'est pas un espace de travail : {DIRECTORY_FILE} y manque. "
                f"Créez-en un avec « lettres init {argument(chosen)} »."
            )
        return chosen
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DIRECTORY_FILE).is_file():
            return folder
    raise WorkspaceNotFound(
        f"aucun espace de travail trouvé : ni ce dossier ni ses parents ne contiennent "
        f"{DIRECTORY_FILE}. Créez-en un avec « lettres init DOSSIER », puis placez-vous "
        f"dedans, ou indiquez-le avec --workspace DOSSIER ou la variable {ENV_VARIABLE}."
    )


def load_workspace(root: Path) -> Workspace:
    """Load and validate the three data files of a workspace."""
    paths = [root / DIRECTORY_FILE, root / SENDER_FILE, root / MEMBERS_FILE]
    raw = {path: load_mapping(path) for path in paths}
    return Workspace(
        root=root,
        directory=validate(Directory, raw[paths[0]], paths[0]),
        sender=validate(Sender, raw[paths[1]], paths[1]),
        members=validate(Members, raw[paths[2]], paths[2]),
        raw=raw,
    )


def load_directory(root: Path) -> Directory:
    """Only the directory: what `copies` and `recipients` need, at half the start-up cost."""
    path = root / DIRECTORY_FILE
    return validate(Directory, load_mapping(path), path)
