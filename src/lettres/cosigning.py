"""The DOCX is the co-signers' working copy: their edits are never overwritten in silence.

`lettres draft` records the fingerprint of each file it writes (`fingerprints.py`). A DOCX
that no longer matches holds someone's work: drafting the letter again from its source
refuses, or, with --force, first keeps the edited file beside it under a dated name.
`lettres draft --from-docx` makes the PDF from the edited DOCX instead, through LibreOffice
(the one engine that reads a DOCX), and records that the DOCX is now the letter's text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lettres.compose import compose
from lettres.errors import EditedDocx, MissingFile, NotAsRead, Problem, Unfinished
from lettres.files import copy_without_overwriting
from lettres.fingerprints import (
    Manifest,
    docx_edits,
    file_fingerprint,
    letter_fingerprint,
    read_manifest,
    write_manifest,
)
from lettres.folders import (
    DIRECTORY_FILE,
    DOCX_NAME,
    KEPT_DOCX_STEM,
    PDF_NAME,
    SOURCE_NAME,
    letter_folder,
)
from lettres.guards import unfinished_docx
from lettres.letter import Letter
from lettres.source import load_letter
from lettres.text import argument
from lettres.workspace import Workspace


def edits_to_keep(folder: Path, source: Path, writes_docx: bool, force: bool) -> Problem | None:
    """Refuse to draft over a DOCX that holds edits; with --force, say it will be kept.

    Returns the warning to show when the edited DOCX is to be kept, None when there is
    nothing to protect.
    """
    manifest = read_manifest(folder)
    reason = docx_edits(folder, manifest)
    from_docx = manifest is not None and manifest.from_docx
    if reason is None or not (writes_docx or from_docx):
        return None
    if not force:
        raise EditedDocx(
            f"{folder / DOCX_NAME} : {reason} ; le refaire depuis {SOURCE_NAME} perdrait ces "
            f"modifications. Pour faire le PDF depuis ce DOCX : « lettres draft --from-docx "
            f"{argument(folder)} ». Pour revenir au texte de {SOURCE_NAME} : « lettres draft "
            f"{argument(source)} --force » (le DOCX modifié est d'abord gardé à côté, sous "
            f"{KEPT_DOCX_STEM}-AAAA-MM-JJ.docx)."
        )
    if not writes_docx:
        return None
    return Problem(
        folder / DOCX_NAME, None, f"{reason} ; il est gardé à côté avant d'être remplacé (--force)"
    )


def keep_edited_docx(folder: Path) -> Path:
    """The edited DOCX copied under the day it was last saved; an earlier copy is never replaced."""
    docx = folder / DOCX_NAME
    saved = date.fromtimestamp(docx.stat().st_mtime).isoformat()
    return copy_without_overwriting(
        docx.read_bytes(), docx.suffix, folder, f"{KEPT_DOCX_STEM}-{saved}"
    )


def pdf_from_docx(workspace: Workspace, folder: Path, force: bool = False) -> tuple[Letter, Path]:
    """The letter's PDF made from its edited DOCX, recorded as the letter's text."""
    from lettres.libreoffice import convert_with_libreoffice

    folder = letter_folder(folder)
    source, docx = folder / SOURCE_NAME, folder / DOCX_NAME
    if not source.is_file():
        raise MissingFile(f"{folder} n'est pas un dossier de courrier : {SOURCE_NAME} y manque")
    if not docx.is_file():
        raise MissingFile(
            f"pas de DOCX dans {folder} : « --from-docx » fait le PDF depuis {DOCX_NAME} ; "
            f"lancez d'abord « lettres draft {argument(source)} »"
        )
    front, document = load_letter(source)
    letter = compose(workspace, front, document)
    manifest = read_manifest(folder)
    if manifest is not None and manifest.letter != letter_fingerprint(letter) and not force:
        raise NotAsRead.at(source, None, (
            f"le courrier ne se lit plus comme quand {DOCX_NAME} a été rédigé ({SOURCE_NAME}, "
            f"{DIRECTORY_FILE} ou les modèles ont changé depuis) : le DOCX ne le dit pas. Si "
            "le DOCX est juste malgré tout, ajoutez --force ; sinon refaites le courrier "
            f"(« lettres draft {argument(source)} --force », le DOCX modifié est gardé à côté) et "
            "reportez-y les corrections"
        ))  # fmt: skip
    problems = unfinished_docx(docx)
    if problems:
        hint = f"complétez {docx}, puis relancez « lettres draft --from-docx {argument(folder)} »"
        raise Unfinished([*problems, Problem(None, None, hint)])
    text = file_fingerprint(docx)
    convert_with_libreoffice([docx])
    pdf = folder / PDF_NAME
    files = {
        SOURCE_NAME: file_fingerprint(source),
        DOCX_NAME: text,
        PDF_NAME: file_fingerprint(pdf),
    }
    write_manifest(folder, Manifest(letter_fingerprint(letter), DOCX_NAME, files))
    return letter, pdf
