"""Which files a letter becomes, and the writer behind each.

One renderer per process serves a whole batch, so that costly set-up (the typst compiler,
its fonts) happens once in each (`workers.py`). LibreOffice works the other way round: it
converts the DOCX files of the whole batch in one call, after they are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from lettres.errors import LettresError
from lettres.folders import LAYOUT_NAME
from lettres.letter import Letter
from lettres.workers import Renderer, RenderSettings
from lettres.workspace import Workspace

FORMATS = ("docx", "pdf")
Engine = Literal["typst", "libreoffice"]


class Render(Protocol):
    """A letter to its files, by extension; `pdf=False` for a letter that is not finished."""

    def __call__(self, letter: Letter, *, pdf: bool = True) -> dict[str, bytes]: ...


@dataclass(frozen=True)
class Outputs:
    formats: tuple[str, ...]
    engine: Engine = "typst"
    pdfa: bool = False

    @property
    def docx(self) -> bool:
        """LibreOffice makes the PDF from the DOCX: then the DOCX is written too."""
        return "docx" in self.formats or self.libreoffice_pdf

    @property
    def typst_pdf(self) -> bool:
        return "pdf" in self.formats and self.engine == "typst"

    @property
    def libreoffice_pdf(self) -> bool:
        return "pdf" in self.formats and self.engine == "libreoffice"


def parse_outputs(text: str, engine: str = "typst", pdfa: bool = False) -> Outputs:
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise LettresError(
            f"format inconnu « {unknown[0] if unknown else text} » ; formats possibles : "
            + ", ".join(FORMATS)
        )
    if engine not in ("typst", "libreoffice"):
        raise LettresError(
            f"moteur PDF inconnu « {engine} » ; moteurs possibles : typst, libreoffice"
        )
    if pdfa and engine != "typst":
        raise LettresError("--pdfa ne vaut qu'avec le moteur typst (--pdf-engine typst)")
    return Outputs(chosen, "libreoffice" if engine == "libreoffice" else "typst", pdfa)


def render_settings(workspace: Workspace, outputs: Outputs) -> RenderSettings:
    """What the renderers of a batch need, the layout and the logo checked once, here, so
    that a missing file is named before any letter (and before any worker) starts."""
    layout, root, logo_path = workspace.templates_dir / LAYOUT_NAME, workspace.root.resolve(), None
    if outputs.typst_pdf:
        from lettres.pdf_writer import check_layout, check_logo

        layout = check_layout(layout, root)
        logo_path = check_logo(workspace.sender.coalition.logo, root)
    logo = read_logo(workspace) if outputs.docx else None
    return RenderSettings(
        docx=outputs.docx, pdf=outputs.typst_pdf, pdfa=outputs.pdfa, layout=layout, root=root,
        logo_path=logo_path, logo=logo,
    )  # fmt: skip


def make_renderer(workspace: Workspace, outputs: Outputs) -> Render:
    """The files of one letter, in memory, in this process; the PDF compiler made once."""
    return Renderer(render_settings(workspace, outputs))


def read_logo(workspace: Workspace) -> bytes | None:
    """The `logo:` of collectif.yaml, read once for the DOCX of a whole batch."""
    logo = workspace.sender.coalition.logo
    if not logo:
        return None
    path = workspace.root / logo
    try:
        return path.read_bytes()
    except OSError:
        raise LettresError(
            f"logo introuvable : {path} ; corrigez le chemin du logo (relatif au dossier "
            f"{workspace.root}) ou placez-y l'image"
        ) from None


def finish(written: Sequence[Path], outputs: Outputs) -> list[Path]:
    """After the batch: the LibreOffice PDFs, in one call. Returns the files it wrote."""
    if not outputs.libreoffice_pdf:
        return []
    from lettres.libreoffice import convert_with_libreoffice

    documents = [path for path in written if path.suffix == ".docx"]
    convert_with_libreoffice(documents)
    return [path.with_suffix(".pdf") for path in documents]
