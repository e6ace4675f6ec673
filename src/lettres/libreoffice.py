"""The optional PDF engine: LibreOffice converts the DOCX itself, for a PDF that matches it.

LibreOffice starts slowly (seconds), so a whole batch goes through one run. It runs with
a user profile of its own in a temporary folder: it neither disturbs nor waits for a
LibreOffice the user has open.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from lettres.errors import LibreOfficeError
from lettres.files import write_atomic

PROGRAM_NAMES = ("soffice", "libreoffice")
# Where the installers put it when it is not on the PATH.
KNOWN_PLACES = (
    Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
    Path("C:/Program Files/LibreOffice/program/soffice.exe"),
)
INSTALL_HINT = (
    "installez LibreOffice (sous Debian ou Ubuntu : « apt-get install "
    "libreoffice-writer-nogui » ; sinon depuis https://www.libreoffice.org), ou gardez le "
    "moteur PDF par défaut (--pdf-engine typst)"
)


def convert_with_libreoffice(docx_paths: Sequence[Path], timeout: float = 120) -> None:
    """Write each DOCX's PDF beside it (same name, .pdf), all through one LibreOffice run."""
    if not docx_paths:
        return
    missing = [path for path in docx_paths if not path.is_file()]
    if missing:
        raise LibreOfficeError(f"DOCX introuvable : {missing[0]}")
    program = find_soffice()
    with tempfile.TemporaryDirectory(prefix="lettres-libreoffice-") as folder:
        work = Path(folder)
        # Every letter is called lettre.docx: numbered copies keep them apart in one outdir.
        inputs = work / "docx"
        inputs.mkdir()
        staged = [inputs / f"{index:05d}.docx" for index in range(len(docx_paths))]
        for source, copy in zip(docx_paths, staged, strict=True):
            shutil.copyfile(source, copy)
        outdir = work / "pdf"
        run_soffice(soffice_command(program, work / "profil", outdir, staged), timeout)
        for source, copy in zip(docx_paths, staged, strict=True):
            produced = outdir / copy.with_suffix(".pdf").name
            if not produced.is_file():
                raise LibreOfficeError(f"LibreOffice n'a pas produit le PDF de {source}")
            write_atomic(source.with_suffix(".pdf"), produced.read_bytes(), durable=False)


def find_soffice() -> str:
    for name in PROGRAM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for place in KNOWN_PLACES:
        if place.is_file():
            return str(place)
    raise LibreOfficeError(f"LibreOffice (soffice) est introuvable : {INSTALL_HINT}")


def soffice_command(program: str, profile: Path, outdir: Path, inputs: Sequence[Path]) -> list[str]:
    return [
        program,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(outdir),
        *map(str, inputs),
    ]


def run_soffice(command: list[str], timeout: float) -> None:
    """Run LibreOffice; past the timeout, stop it and every process it started."""
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=sys.platform != "win32",
        )
    except OSError as error:
        raise LibreOfficeError(f"LibreOffice ne démarre pas ({error}) : {INSTALL_HINT}") from None
    try:
        output, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(process)
        raise LibreOfficeError(
            f"LibreOffice n'a pas fini la conversion en {timeout:g} s : arrêté. Réessayez, "
            "ou convertissez moins de courriers à la fois."
        ) from None
    if process.returncode != 0:
        said = (errors or output).decode("utf-8", "replace").strip()
        raise LibreOfficeError(
            f"LibreOffice a échoué (code {process.returncode})"
            + (f" : {said[-500:]}" if said else "")
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """soffice hands the work to a child process: end the whole group it leads."""
    if sys.platform != "win32":
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    process.communicate()
