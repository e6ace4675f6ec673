"""Rendering a batch on every core: the letters' files made in memory, the PDFs by worker
processes, the DOCX by this one.

Each worker is a fresh interpreter (the "spawn" way, the same on every system): it gets
only what laying out a PDF needs, the renderer's settings once and then the letter
models, and builds its own typst compiler once. It imports the PDF writer and the letter
model, never python-docx, the workspace or the CLI. The files come back in the order of
the batch, so a batch rendered by several processes is byte for byte the one rendered
by one.
"""

from __future__ import annotations

import gc
import os
import sys
import types
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lettres.errors import LettresError
from lettres.letter import Letter

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

Files = dict[str, bytes]  # a letter's files, by extension
Job = tuple[Letter, bool]  # a letter, and whether it gets its PDF (not if unfinished)

# A worker is a new interpreter that imports typst and builds its own compiler: about the
# time of ten letters. Below this many letters for each, workers
# would cost more than they save (bench/workers.py measures it).
LETTERS_PER_WORKER = 12


@dataclass(frozen=True)
class RenderSettings:
    """What a renderer needs, checked in the parent: plain values a worker can receive."""

    docx: bool
    pdf: bool  # the typst PDF; LibreOffice's is made after the batch is written
    pdfa: bool
    layout: Path
    root: Path
    logo_path: str | None  # for typst, relative to `root`
    logo: bytes | None  # for the DOCX


class Renderer:
    """One letter to its files; the typst compiler (and its fonts) made once, here."""

    def __init__(self, settings: RenderSettings) -> None:
        self.settings = settings
        self.compiler = None
        if settings.docx:
            from lettres.docx_writer import render_docx

            self.render_docx = render_docx
        if settings.pdf:
            from lettres.pdf_writer import PdfRenderer

            self.compiler = PdfRenderer(
                settings.layout, pdfa=settings.pdfa, root=settings.root, logo=settings.logo_path
            )

    def __call__(self, letter: Letter, *, pdf: bool = True) -> Files:
        files: Files = {}
        if self.settings.docx:
            files["docx"] = self.render_docx(letter, self.settings.logo)
        if self.compiler is not None and pdf:
            files["pdf"] = self.compiler.render(letter)
        return files


def worker_count(letters: int) -> int:
    """As many workers as cores this process may use, if the batch is worth them; one
    (this process) for a single letter or a small batch."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    return max(1, min(cores, letters // LETTERS_PER_WORKER))


def render_all(
    jobs: Sequence[Job],
    settings: RenderSettings,
    workers: int,
    done: Callable[[int], None] = lambda index: None,
) -> list[Files]:
    """The files of every letter, in order; `done(i)` as the i-th letter is ready, in order
    and always in this thread (it may raise to stop the batch).

    With several workers, the `workers - 1` spawned processes lay out the PDFs while this
    one writes the DOCX: typst and its caches (about 50 MiB) live in the PDF workers only,
    python-docx in this process only, so that the batch takes the memory of one process
    and a half, not two. The first letter that fails stops the batch: its error is raised
    here, as it was raised in the worker, and the letters not yet begun are abandoned.
    """
    if workers <= 1 or len(jobs) <= 1 or not settings.pdf:
        return render_here(jobs, Renderer(settings), done)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(
        max_workers=workers - 1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
        initargs=(replace(settings, docx=False),),
    )
    try:
        with quiet_start():  # the workers start as the first letters are handed out
            joined = PdfsBeside(submit_pdfs(pool, jobs, workers - 1), done)
        here = Renderer(replace(settings, pdf=False))
        for index, (letter, _) in enumerate(jobs):
            if index % 25 == 24:
                gc.collect()  # python-docx leaves ~1 MiB of cycles a letter
            joined.add(here(letter, pdf=False))
        return joined.all()
    except BrokenProcessPool:
        raise LettresError(
            "un des processus qui mettent en page les PDF du lot s'est arrêté (mémoire "
            "épuisée ? processus tué ?) : rien n'a été écrit ; relancez la même commande"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


Chunk = tuple[int, "Future[list[bytes | None]]"]  # the index of its first letter, its PDFs


def submit_pdfs(pool: Executor, jobs: Sequence[Job], pdf_workers: int) -> list[Chunk]:
    """The PDFs of the batch, by chunks of a few letters: fewer trips between processes,
    yet every worker busy until the end."""
    size = max(1, min(4, len(jobs) // (pdf_workers * 4)))
    return [
        (start, pool.submit(render_pdfs, jobs[start : start + size]))
        for start in range(0, len(jobs), size)
    ]


class PdfsBeside:
    """The PDFs the workers lay out, joined in order to the DOCX made here."""

    def __init__(self, chunks: list[Chunk], done: Callable[[int], None]) -> None:
        self.chunks = deque(chunks)
        self.done = done
        self.rendered: list[Files] = []
        self.pdfs: dict[int, bytes | None] = {}  # arrived, not yet joined
        self.told = 0  # the letters told to `done`: all those before this index

    def add(self, files: Files) -> None:
        self.rendered.append(files)
        self.join(wait=False)

    def all(self) -> list[Files]:
        self.join(wait=True)
        return self.rendered

    def join(self, wait: bool) -> None:
        """Each letter whose DOCX and PDF are both here, told to `done` in order."""
        while self.chunks and (wait or self.chunks[0][1].done()):
            start, chunk = self.chunks.popleft()
            for offset, pdf in enumerate(chunk.result()):
                self.pdfs[start + offset] = pdf
        while self.told in self.pdfs and self.told < len(self.rendered):
            pdf = self.pdfs.pop(self.told)
            if pdf is not None:
                self.rendered[self.told]["pdf"] = pdf
            self.done(self.told)
            self.told += 1


@contextmanager
def quiet_start() -> Iterator[None]:
    """While the workers start: Ctrl-C ignored, so that they inherit its being ignored (a
    worker killed by it while importing would print a traceback of its own; Ctrl-C is the
    parent's to handle, between letters); and the parent's main script hidden, which a
    spawned worker would import again before anything else: for the `lettres` command, the
    whole command line (typer, click, rich), a third of a second a worker for nothing,
    since all a worker runs lives in this module."""
    import signal
    import threading

    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    here = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if here else None
    try:
        yield
    finally:
        sys.modules["__main__"] = main
        if here:
            signal.signal(signal.SIGINT, previous)


def render_here(jobs: Sequence[Job], render: Renderer, done: Callable[[int], None]) -> list[Files]:
    rendered = []
    for index, (letter, pdf) in enumerate(jobs):
        if index % 25 == 24:
            gc.collect()  # python-docx leaves ~1 MiB of cycles a letter: keep a batch small
        rendered.append(render(letter, pdf=pdf))
        done(index)
    return rendered


_renderer: Renderer | None = None  # the worker's own, made by start_worker
_rendered = 0


def start_worker(settings: RenderSettings) -> None:
    global _renderer
    _renderer = Renderer(settings)


def render_pdfs(jobs: Sequence[Job]) -> list[bytes | None]:
    """In a worker: the PDFs of a chunk of letters (None for a letter that gets none)."""
    global _rendered
    assert _renderer is not None and _renderer.compiler is not None, "start_worker first"
    pdfs: list[bytes | None] = []
    for letter, pdf in jobs:
        _rendered += 1
        if _rendered % 25 == 0:
            gc.collect()
        pdfs.append(_renderer.compiler.render(letter) if pdf else None)
    return pdfs
