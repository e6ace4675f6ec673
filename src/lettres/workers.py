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
from collections.abc import Callable, Iterable, Iterator
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
    jobs: Iterable[Job],
    settings: RenderSettings,
    workers: int,
    done: Callable[[int], None] = lambda index: None,
) -> list[Files]:
    """The files of every letter, in order; `done(i)` as the i-th letter is ready, in order
    and always in this thread (it may raise to stop the batch). `jobs` may compose each
    letter as it is taken: the first are laid out while the next are composed.

    With several workers, the `workers - 1` spawned processes lay out the PDFs while this
    one composes and writes the DOCX: typst and its caches (about 50 MiB) live in the PDF
    workers only, python-docx in this process only, so that the batch takes the memory of
    one process and a half, not two. The first letter that fails stops the batch: its
    error is raised here, as it was raised in the worker, and the letters not yet begun
    are abandoned.
    """
    if workers <= 1 or not settings.pdf:
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
        with quiet_start():
            pool.submit(ready)  # the worker starts now, while the first letter is composed
        here = Renderer(replace(settings, pdf=False))
        joined = PdfsBeside(done)
        for index, (letter, pdf) in enumerate(jobs):
            if index % 25 == 24:
                gc.collect()  # python-docx leaves ~1 MiB of cycles a letter
            joined.add(here(letter, pdf=False), submit(pool, letter) if pdf else None)
        return joined.all()
    except BrokenProcessPool:
        raise LettresError(
            "un des processus qui mettent en page les PDF du lot s'est arrêté (mémoire "
            "épuisée ? processus tué ?) : rien n'a été écrit ; relancez la même commande"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def submit(pool: Executor, letter: Letter) -> Future[bytes]:
    """A letter's PDF, handed to the workers. The pool starts a worker when it is handed a
    letter and has none free (at the first letters, mostly): always quietly."""
    with quiet_start():
        return pool.submit(render_pdf, letter)


class PdfsBeside:
    """The PDFs the workers lay out, joined in order to the DOCX made here."""

    def __init__(self, done: Callable[[int], None]) -> None:
        self.done = done
        self.rendered: list[Files] = []
        self.pending: deque[tuple[Files, Future[bytes] | None]] = deque()

    def add(self, files: Files, pdf: Future[bytes] | None) -> None:
        self.pending.append((files, pdf))
        self.join(wait=False)

    def all(self) -> list[Files]:
        self.join(wait=True)
        return self.rendered

    def join(self, wait: bool) -> None:
        """Each letter whose DOCX and PDF are both here, told to `done` in order."""
        while self.pending:
            files, pdf = self.pending[0]
            if pdf is not None and not wait and not pdf.done():
                return
            if pdf is not None:
                files["pdf"] = pdf.result()
            self.pending.popleft()
            self.rendered.append(files)
            self.done(len(self.rendered) - 1)


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


def render_here(jobs: Iterable[Job], render: Renderer, done: Callable[[int], None]) -> list[Files]:
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


def ready() -> None:
    """Nothing: handed to the pool so that it starts a worker, which builds its compiler."""


def render_pdf(letter: Letter) -> bytes:
    """In a worker: a letter's PDF."""
    global _rendered
    assert _renderer is not None and _renderer.compiler is not None, "start_worker first"
    _rendered += 1
    if _rendered % 25 == 0:
        gc.collect()
    return _renderer.compiler.render(letter)
