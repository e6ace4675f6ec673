"""Opening a PDF in the system's viewer, or saying plainly that there is none."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from lettres.errors import LettresError


def viewer_command() -> list[str] | None:
    """The program that opens a file with its usual application on this system."""
    if sys.platform == "darwin":
        return ["open"]
    opener = shutil.which("xdg-open")
    return [opener] if opener else None


def open_in_viewer(path: Path) -> None:
    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined,unused-ignore]
        return
    command = viewer_command()
    if command is None:
        raise LettresError(
            f"aucune visionneuse trouvée pour ouvrir {path} (ni xdg-open ni open) ; "
            "ouvrez le fichier vous-même"
        )
    subprocess.Popen(
        [*command, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
