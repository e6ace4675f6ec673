"""The manifest of a letter's folder: the sha256 of each file `lettres draft` wrote there.

It is how lettres knows, later, that a co-signer edited the DOCX (its fingerprint no longer
matches), that the PDF about to be sent is the one it made, and that the letter still reads
as it did then: the manifest also holds a fingerprint of the letter model, every printed
text resolved, so a change of the source, of a holder in the directory or of a template is
seen without comparing dates.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lettres.errors import DataError
from lettres.files import write_text_atomic
from lettres.folders import DOCX_NAME, FINGERPRINTS_NAME, SOURCE_NAME
from lettres.letter import Letter

VERSION = 1


@dataclass(frozen=True)
class Manifest:
    """`text` names the file that holds the letter's text: the source, or the DOCX once a
    PDF was made from it (`lettres draft --from-docx`)."""

    letter: str
    text: str = SOURCE_NAME
    files: dict[str, str] = field(default_factory=dict)

    @property
    def from_docx(self) -> bool:
        return self.text == DOCX_NAME

    def matches(self, path: Path) -> bool:
        """Is `path` the very file recorded under its name?"""
        recorded = self.files.get(path.name)
        return recorded is not None and path.is_file() and file_fingerprint(path) == recorded


def manifest_path(folder: Path) -> Path:
    return folder / FINGERPRINTS_NAME


def file_fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def letter_fingerprint(letter: Letter) -> str:
    """Every text of the letter model, in a stable form: equal exactly when letters read alike."""
    data = json.dumps(dataclasses.asdict(letter), default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def read_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, or None for a letter drafted before lettres kept one."""
    path = manifest_path(folder)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["fichiers"]
        if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()
        ):
            raise TypeError
        return Manifest(str(data["courrier"]), str(data["texte"]), dict(files))
    except (ValueError, KeyError, TypeError):
        raise DataError.at(
            path,
            None,
            "empreintes illisibles : supprimez ce fichier et refaites le courrier "
            f"(lettres draft {folder / SOURCE_NAME} --force ; un DOCX modifié est gardé à côté)",
        ) from None


def write_manifest(folder: Path, manifest: Manifest) -> None:
    data = {
        "version": VERSION,
        "courrier": manifest.letter,
        "texte": manifest.text,
        "fichiers": dict(sorted(manifest.files.items())),
    }
    write_text_atomic(manifest_path(folder), json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def record_drafted(folder: Path, letter: Letter, written: Iterable[Path]) -> Manifest:
    """Record the files a draft from the source just wrote, after them.

    A file it did not write this time stays recorded only if the letter reads as it did
    when that file was made: `--format pdf` after `--format docx` keeps the DOCX's
    fingerprint, a changed letter forgets the old PDF's.
    """
    fingerprint = letter_fingerprint(letter)
    before = read_manifest(folder)
    files: dict[str, str] = {}
    if before is not None and before.letter == fingerprint and not before.from_docx:
        files = {name: sha for name, sha in before.files.items() if (folder / name).is_file()}
    files |= {path.name: file_fingerprint(path) for path in written if path.parent == folder}
    if (folder / SOURCE_NAME).is_file():
        files[SOURCE_NAME] = file_fingerprint(folder / SOURCE_NAME)
    manifest = Manifest(fingerprint, SOURCE_NAME, files)
    if manifest != before:  # a batch run again over identical files changes nothing
        write_manifest(folder, manifest)
    return manifest


def add_fingerprints(folder: Path, written: Iterable[Path]) -> None:
    """Files made after the letter's others, from them: LibreOffice's PDF of the DOCX."""
    before = read_manifest(folder)
    if before is None:
        return  # only a draft from the source records a letter; this cannot happen after one
    files = before.files | {path.name: file_fingerprint(path) for path in written}
    write_manifest(folder, Manifest(before.letter, before.text, files))


def docx_edits(folder: Path, manifest: Manifest | None) -> str | None:
    """Why the folder's DOCX may hold work that is not in the source, or None if it holds none."""
    docx = folder / DOCX_NAME
    if not docx.is_file() or docx.stat().st_size == 0:
        return None  # an empty DOCX (a write cut short by a power cut) holds no one's work
    if manifest is None:
        return (
            f"lettres n'a pas d'empreinte de {DOCX_NAME} (fait avant qu'il ne les garde, ou "
            "ailleurs) : il a peut-être été modifié"
        )
    if manifest.from_docx:
        return f"{DOCX_NAME} est le texte du courrier depuis « lettres draft --from-docx »"
    if not manifest.matches(docx):
        return f"{DOCX_NAME} a été modifié depuis « lettres draft » (par un cosignataire ?)"
    return None
