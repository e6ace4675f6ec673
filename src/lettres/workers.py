"""Rendering a batch on every core: the letters' files made in memory by worker processes.

Each worker is a fresh interpreter (the "spawn" way, the same on every system): it gets
only what rendering needs, the renderer's settings once and then the letter models, and
builds its own typst compiler once. It imports the writers and the letter model, never
the workspace or the CLI. The files come back in the order of the batch, so a batch
rendered by several workers is byte for byte the one rendered by one.
"""

from __future__ import annotations

import gc
import os
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lettres.errors import LettresError
from lettres.letter import Letter

if TYPE_CHECKING:
    from concurrent.futures import Future

Files = dict[str, bytes]  # a letter's files, by extension
Job = tuple[Letter, bool]  # a letter, and whether it gets its PDF (not if unfinished)

# A worker is a new interpreter that imports python-docx and typst and builds its own
# compiler: about the time of ten letters. Below this many letters for each, workers
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
        from lettres.docx_writer import render_docx

        self.settings = settings
        self.render_docx = render_docx
        self.compiler = None
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
    """The files of every letter, in order; `done(i)` as the i-th letter is ready, always
    in this thread (it may raise to stop the batch).

    This process is one of the `workers`: it renders from the end of the batch while the
    others, spawned, render from its start; each letter is rendered once, by whoever takes
    it first. The first letter that fails stops the batch: its error is raised here, as it
    was raised in the worker, and the letters not yet begun are abandoned.
    """
    if workers <= 1 or len(jobs) <= 1:
        return render_here(jobs, Renderer(settings), done)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    size = max(1, min(4, len(jobs) // (workers * 4)))
    starts = range(0, len(jobs), size)
    context = multiprocessing.get_context("spawn")
    claims = context.Array("b", len(starts))  # who renders each chunk: 0 nobody yet
    pool = ProcessPoolExecutor(
        max_workers=workers - 1,
        mp_context=context,
        initializer=start_worker,
        initargs=(settings, claims),
    )
    rendered: dict[int, Files] = {}
    try:
        with quiet_start():  # the workers start as the first chunks are handed out
            chunks = {
                start: pool.submit(render_chunk, number, jobs[start : start + size])
                for number, start in enumerate(starts)
            }
        here = Renderer(settings)  # made while the workers start
        for number in reversed(range(len(starts))):
            if not claim(claims, number, HERE):
                break  # a worker has it: every chunk before it is taken too
            for index in range(starts[number], min(starts[number] + size, len(jobs))):
                letter, pdf = jobs[index]
                rendered[index] = here(letter, pdf=pdf)
                done(index)
                collect(chunks, rendered, done, wait=False)
        collect(chunks, rendered, done, wait=True)
    except BrokenProcessPool:
        raise LettresError(
            "un des processus qui mettent en page les DOCX et PDF du lot s'est arrêté "
            "(mémoire épuisée ? processus tué ?) : rien n'a été écrit ; relancez la même "
            "commande"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [rendered[index] for index in range(len(jobs))]


HERE, WORKER = 1, 2  # who claimed a chunk


def claim(claims: Any, number: int, who: int) -> bool:
    """Take chunk `number` if nobody has: the parent from the end, the workers from the start."""
    with claims.get_lock():
        if claims[number]:
            return False
        claims[number] = who
        return True


def collect(
    chunks: dict[int, Future[list[Files] | None]],
    rendered: dict[int, Files],
    done: Callable[[int], None],
    wait: bool,
) -> None:
    """The chunks the workers finished (all of them, if `wait`), told to `done` in order;
    a chunk this process claimed comes back empty from its worker."""
    for start in sorted(chunks):
        chunk = chunks[start]
        if not wait and not chunk.done():
            continue
        for offset, files in enumerate(chunk.result() or []):
            rendered[start + offset] = files
            done(start + offset)
        del chunks[start]


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
_claims: Any = None  # the batch's chunks, and who renders each
_rendered = 0


def start_worker(settings: RenderSettings, claims: Any) -> None:
    global _renderer, _claims
    _renderer, _claims = Renderer(settings), claims


def render_chunk(number: int, jobs: Sequence[Job]) -> list[Files] | None:
    """The files of a chunk of letters, or None if the parent took it first."""
    global _rendered
    assert _renderer is not None, "start_worker runs first in every worker"
    if not claim(_claims, number, WORKER):
        return None
    files = []
    for letter, pdf in jobs:
        _rendered += 1
        if _rendered % 25 == 0:
            gc.collect()
        files.append(_renderer(letter, pdf=pdf))
    return files
