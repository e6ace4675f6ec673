"""Which files a letter becomes, and the writer behind each."""

from __future__ import annotations

from collections.abc import Sequence

from lettres.drafting import FORMATS, Render
from lettres.errors import LettresError
from lettres.letter import Letter
from lettres.workspace import Workspace


def parse_formats(text: str) -> list[str]:
    chosen = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise LettresError(
            f"format inconnu « {unknown[0] if unknown else text} » ; formats possibles : "
            + ", ".join(FORMATS)
        )
    return chosen


def make_renderer(workspace: Workspace, formats: Sequence[str]) -> Render:
    """One renderer per batch, so that costly set-up (the PDF compiler) happens once."""
    from lettres.docx_writer import render_docx

    def render(letter: Letter) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        if "docx" in formats:
            files["docx"] = render_docx(letter)
        return files

    return render
