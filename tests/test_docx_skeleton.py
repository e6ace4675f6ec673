"""The shipped DOCX skeleton: what python-docx and our trimming make, and letters made from it
identical, part for part, to letters made from a skeleton built on the spot."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from lettres import docx_writer
from lettres.letter import ENGLISH, Letter
from tests.helpers import make_letter, tiny_png


def parts(data: bytes) -> dict[str, bytes]:
    """A DOCX's members and their bytes: the zip's own dates and compression set aside."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_shipped_skeleton_is_what_python_docx_makes() -> None:
    shipped = parts(docx_writer.SKELETON.read_bytes())
    built = parts(docx_writer.build_skeleton())
    assert list(shipped) == list(built), "parties différentes : lancez docx_writer.write_skeleton()"
    for name, data in built.items():
        assert shipped[name] == data, f"{name} diffère : lancez docx_writer.write_skeleton()"


def test_the_shipped_skeleton_keeps_only_our_styles() -> None:
    """The trimming is in it: our styles and the defaults, no thumbnail, no numbering."""
    document = docx.Document(io.BytesIO(docx_writer.SKELETON.read_bytes()))
    ours = {style.name for style in document.styles if style.name.startswith("Lettre – ")}
    assert ours == {name for name, *_ in docx_writer.STYLES}
    assert len(list(document.styles)) < len(docx_writer.STYLES) + 8
    names = parts(docx_writer.SKELETON.read_bytes())
    assert not [n for n in names if "thumbnail" in n or "numbering" in n or "Effects" in n]


def two_signatories() -> Letter:
    return make_letter(
        signatures=(("Véronique Fayet", "Présidente"), ("Geneviève Colas", "Coordinatrice"))
    )


@pytest.mark.parametrize("logo", [None, tiny_png()], ids=["sans-logo", "logo"])
@pytest.mark.parametrize(
    "letter",
    [make_letter(), two_signatories(), make_letter(labels=ENGLISH)],
    ids=["un", "deux", "anglais"],
)
def test_a_letter_from_the_shipped_skeleton_is_the_letter_built_from_scratch(
    monkeypatch: pytest.MonkeyPatch, letter: Letter, logo: bytes | None
) -> None:
    docx_writer.skeleton.cache_clear()
    shipped = docx_writer.render_docx(letter, logo)
    monkeypatch.setattr(docx_writer, "skeleton", docx_writer.build_skeleton)
    from_scratch = docx_writer.render_docx(letter, logo)
    assert parts(shipped) == parts(from_scratch)
    assert ("word/media/image1.png" in parts(shipped)) is (logo is not None)


def test_the_skeleton_is_read_once_per_logo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Read from the package once, then from memory: a batch never reads it again."""
    docx_writer.skeleton.cache_clear()
    copy = tmp_path / "skeleton.docx"
    copy.write_bytes(docx_writer.SKELETON.read_bytes())
    monkeypatch.setattr(docx_writer, "SKELETON", copy)
    try:
        first = docx_writer.render_docx(make_letter())
        copy.unlink()
        assert parts(docx_writer.render_docx(make_letter())) == parts(first)
    finally:
        docx_writer.skeleton.cache_clear()
