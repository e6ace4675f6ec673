"""The DOCX writer alone: milliseconds a letter of the 100-letter merge, in one process.

The merge runs once (on one core, so that every letter goes through this process); the
letters it gave the writer are then rendered again in a loop and timed.

Run: python bench/docx_writer_alone.py   (from the repository root)
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from draft import make_workspace

from lettres import docx_writer


def merge_letters(root: Path) -> list[tuple[Any, bytes | None]]:
    """The letters and logo of the merge, as the draft command handed them to the writer."""
    seen: list[tuple[Any, bytes | None]] = []
    render = docx_writer.render_docx

    def recording(letter: Any, logo: bytes | None = None) -> bytes:
        seen.append((letter, logo))
        return render(letter, logo)

    docx_writer.render_docx = recording  # type: ignore[assignment]
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from lettres.cli import app

    arguments = ["--workspace", str(root), "draft", "--template", "demande-rencontre",
                 "--to", "essai", "--date", "2016-12-14", "--var", "sujet=x", "--var",
                 "contexte=y", "--format", "docx", "--accept-unverified"]  # fmt: skip
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            app(arguments)
    except SystemExit as end:
        if end.code:
            raise
    finally:
        docx_writer.render_docx = render
    return seen


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        letters = merge_letters(make_workspace(Path(folder)))
    rounds = []
    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 5):
        start = time.perf_counter()
        for letter, logo in letters:
            docx_writer.render_docx(letter, logo)
        rounds.append((time.perf_counter() - start) / len(letters))
    best, median = min(rounds), sorted(rounds)[len(rounds) // 2]
    print(f"render_docx, {len(letters)} lettres : {best * 1000:.2f} ms par lettre "
          f"(meilleur tour), {median * 1000:.2f} ms (médiane)")  # fmt: skip


if __name__ == "__main__":
    main()
