"""Where things are: the names of a workspace's files and of a letter's folder.

Every module that needs a file name or has to find letters takes it from here. This module
imports nothing of the pipeline, so that a name has one home and nobody depends on the
draft pipeline for it.
"""

from __future__ import annotations

import re
from pathlib import Path

from lettres.text import fold

# The workspace
DIRECTORY_FILE = "destinataires.yaml"
TEMPLATES_DIR = "modeles"
LETTERS_DIR = "courriers"
SENDER_FILE = Path(TEMPLATES_DIR) / "collectif.yaml"
MEMBERS_FILE = Path(TEMPLATES_DIR) / "membres.yaml"
LAYOUT_NAME = "lettre.typ"  # the typst layout, in TEMPLATES_DIR
COVER_NOTE = "courriel"  # TEMPLATES_DIR/courriel.md: the e-mail's own text, not a letter
REFERENCES_LOCK = ".lettres-references.lock"
REFERENCES_COUNTER = ".lettres-references.json"
SENDING_LOCK = ".lettres-envoi.lock"

# A letter's folder
SOURCE_NAME = "lettre.md"
DOCX_NAME = "lettre.docx"
PDF_NAME = "lettre.pdf"
EMAIL_NAME = "lettre.eml"
JOURNAL_NAME = "envois.jsonl"
ANSWERS_NAME = "reponses.jsonl"
FINGERPRINTS_NAME = ".lettres-empreintes.json"  # what `lettres draft` wrote, by sha256
KEPT_DOCX_STEM = "lettre.modifie"  # a co-signer's edited DOCX, kept before a forced re-draft


def output_name(extension: str) -> str:
    """`lettre.docx`, `lettre.pdf`: the outputs sit beside the source, under its stem."""
    return f"{Path(SOURCE_NAME).stem}.{extension}"


def letter_folder(path: Path) -> Path:
    """The user may name a letter by its folder or by its source: accept both."""
    return path.parent if path.name == SOURCE_NAME and path.is_file() else path


def letter_folders(letters_dir: Path) -> list[Path]:
    """Each letter's folder; hidden entries (locks, counters) are not letters."""
    if not letters_dir.is_dir():
        return []
    return sorted(p for p in letters_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def letter_sources(letters_dir: Path) -> list[Path]:
    """The source of every letter under `letters_dir`, in folder order."""
    if not letters_dir.is_dir():
        return []
    return sorted(letters_dir.glob(f"*/{SOURCE_NAME}"))


def slug(text: str, limit: int = 40) -> str:
    """A folder-name form of a subject: ascii, lower case, dashes, cut at a word."""
    words = re.sub(r"[^a-z0-9]+", " ", fold(text)).split()
    result = ""
    for word in words:
        if len(result) + len(word) + 1 > limit:
            break
        result = f"{result}-{word}" if result else word
    return result or "courrier"
