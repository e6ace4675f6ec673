"""A batch is a unit: all of it or nothing, and an interrupted one completed by a re-run."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest

from lettres import drafting
from lettres.drafting import Progress, ProgressBar
from lettres.errors import DataError, LettresError, NotCurrent, Problem
from lettres.folders import FINGERPRINTS_NAME
from lettres.outputs import parse_outputs
from lettres.workspace import load_workspace
from tests.helpers import FullDisk
from tests.helpers import Invoke as Run

MINISTERS = ["interieur", "justice", "education", "affaires-sociales", "familles"]
COUNTER = ".lettres-references.json"

# A template whose third letter of `--to ministres` (education) alone prints the note.
TEMPLATE = """---
description: Un essai de lot.
objet: Essai de lot
signataire: fayet
variables:
  note: une note pour le seul ministre de l'Éducation
---
Le Collectif vous écrit.
{% if destinataire.cle == "education" %}
{{ note }}
{% endif %}
"""


@pytest.fixture
def batch_workspace(workspace: Path) -> Path:
    (workspace / "modeles" / "essai-lot.md").write_text(TEMPLATE, encoding="utf-8")
    return workspace


def batch_args(note: str = "Merci.", fmt: str = "docx,pdf") -> list[str]:
    return ["draft", "--template", "essai-lot", "--to", "ministres", "--date", "2016-12-14",
            "--var", f"note={note}", "--format", fmt]  # fmt: skip


def letter_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "courriers").rglob("*"))
        if p.is_file()
    }


def folder_of(root: Path, key: str) -> Path:
    (folder,) = (root / "courriers").glob(f"2016-12-14-{key}-*")
    return folder


def references(root: Path) -> list[str]:
    """The reference of each letter, in the order of the ministers."""
    return [
        (folder_of(root, key) / "lettre.md").read_text(encoding="utf-8").splitlines()[1]
        for key in MINISTERS
    ]


EXPECTED = [f"reference: CTEH/2016/00{n}" for n in range(1, 6)]


def clean_run(workspace: Path, run: Run, tmp_path: Path, *args: str) -> Path:
    """The same batch, never interrupted, in a fresh copy of the workspace."""
    other = tmp_path / "témoin"
    shutil.copytree(workspace, other, ignore=shutil.ignore_patterns("courriers", ".lettres-*"))
    result = run(*args, root=other)
    assert result.exit_code == 0, result.output
    return other


def assert_complete(root: Path, formats: tuple[str, ...] = ("docx", "pdf")) -> None:
    """Every letter whole, read back: its reference in its DOCX and PDF, its manifest
    vouching for each of its files, no temporary file left anywhere."""
    assert references(root) == EXPECTED
    for number, key in enumerate(MINISTERS, 1):
        folder = folder_of(root, key)
        reference = f"CTEH/2016/00{number}"
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted([FINGERPRINTS_NAME, "lettre.md", *(f"lettre.{f}" for f in formats)])
        if "docx" in formats:
            text = "\n".join(p.text for p in docx.Document(str(folder / "lettre.docx")).paragraphs)
            assert reference in text and "Le Collectif vous écrit." in text
        if "pdf" in formats:
            pdf = "".join(
                page.extract_text() for page in pypdf.PdfReader(folder / "lettre.pdf").pages
            )
            assert reference in pdf and "Le Collectif vous écrit." in pdf
        manifest = json.loads((folder / FINGERPRINTS_NAME).read_text(encoding="utf-8"))
        import hashlib

        assert manifest["fichiers"] == {
            name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in names
            if name != FINGERPRINTS_NAME
        }
    assert not list(root.rglob("*.tmp"))


def test_a_batch_failing_at_its_third_letter_writes_nothing(
    run: Run, batch_workspace: Path
) -> None:
    result = run(*batch_args(note="Merci 🙂"))  # no font of the layout draws it
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "U+1F642" in result.stderr
    assert not (batch_workspace / "courriers").exists()  # not even the first two letters
    assert not (batch_workspace / COUNTER).exists()  # no reference used
    result = run(*batch_args(note="Merci."))  # the cause fixed, the same batch goes through
    assert result.exit_code == 0, result.output
    assert_complete(batch_workspace)


# With DOCX and PDF, a letter is 4 writes (source, DOCX, PDF, manifest): the 9th is the
# third letter's source, the 10th its DOCX, the 11th its PDF, the 12th its manifest; the
# 21st the counter of references, after the batch.
@pytest.mark.parametrize("failing_write", [2, 9, 10, 11, 12, 21])
def test_a_full_disk_mid_batch_is_completed_by_the_same_command(
    run: Run, batch_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    failing_write: int,
) -> None:  # fmt: skip
    real, calls = os.fdopen, []

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        stream = real(fd, mode, *args, **kwargs)
        if mode == "wb":
            calls.append(fd)
            if len(calls) == failing_write:
                return FullDisk(stream)
        return stream

    monkeypatch.setattr(os, "fdopen", fdopen)
    failed = run(*batch_args())
    monkeypatch.setattr(os, "fdopen", real)
    assert failed.exit_code == 1
    assert "Traceback" not in failed.output
    assert "plein" in failed.stderr  # the French of ENOSPC
    result = run(*batch_args())
    assert result.exit_code == 0, result.output
    assert_complete(batch_workspace)
    expected = clean_run(batch_workspace, run, tmp_path, *batch_args())
    assert letter_files(batch_workspace) == letter_files(expected)  # same references, bytes


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="/proc is Linux's")
def test_sources_and_records_are_forced_to_disk_not_what_they_make(
    run: Run, batch_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, synced = os.fsync, []

    def fsync(handle: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{handle}")).name)
        real(handle)

    monkeypatch.setattr(os, "fsync", fsync)
    result = run(*batch_args())
    assert result.exit_code == 0, result.output

    def forced(name: str) -> int:  # temporaries of `name`, forced before their rename
        return sum(synced_name.startswith(f".{name}.") for synced_name in synced)

    letters = len(list((batch_workspace / "courriers").glob("*/lettre.md")))
    assert letters > 1
    assert forced("lettre.md") == forced(FINGERPRINTS_NAME) == letters  # sources, records
    assert forced("lettre.docx") == forced("lettre.pdf") == 0  # made again from the sources
    assert_complete(batch_workspace)


# The child dies by SIGKILL right after its Nth temporary file is on disk, before the
# rename: no `finally` runs, the counter is not saved, a `.tmp` file stays behind.
KILLED_CHILD = """
import os, signal, sys
from lettres import files

real, calls, fatal = files.write_temporary, [], int(sys.argv[1])

def dying(path, data, **options):
    temporary = real(path, data, **options)
    calls.append(path)
    if len(calls) == fatal:
        os.kill(os.getpid(), signal.SIGKILL)
    return temporary

files.write_temporary = dying
sys.argv = ["lettres", *sys.argv[2:]]
from lettres.cli import main
main()
"""


@pytest.mark.parametrize("killed_at", [2, 7, 8, 13])
def test_a_batch_killed_while_writing_is_completed_by_the_same_command(
    run: Run, batch_workspace: Path, tmp_path: Path, killed_at: int
) -> None:
    args = ["--workspace", str(batch_workspace), *batch_args(fmt="docx")]
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_CHILD, str(killed_at), *args],
        capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert list(batch_workspace.rglob(".*.tmp"))  # what the kill left
    result = run(*batch_args(fmt="docx"))
    assert result.exit_code == 0, result.output
    assert_complete(batch_workspace, ("docx",))
    expected = clean_run(batch_workspace, run, tmp_path, *batch_args(fmt="docx"))
    assert letter_files(batch_workspace) == letter_files(expected)


def test_running_a_finished_batch_again_changes_nothing(run: Run, batch_workspace: Path) -> None:
    assert run(*batch_args()).exit_code == 0
    before = {
        p: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in (batch_workspace / "courriers").rglob("*")
        if p.is_file()
    }
    result = run(*batch_args())
    assert result.exit_code == 0, result.output
    assert "5 courrier(s), 0 fichier(s) écrit(s), 10 déjà à jour" in result.stdout
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before
    # The next letter still gets the next number: nothing was taken twice.
    assert run("draft", "--template", "essai-lot", "--to", "interieur", "--date", "2016-12-15",
               "--format", "docx").exit_code == 0  # fmt: skip
    (source,) = (batch_workspace / "courriers").glob("2016-12-15-*/lettre.md")
    assert source.read_text(encoding="utf-8").startswith("---\nreference: CTEH/2016/006\n")


def test_a_letter_edited_after_the_batch_is_kept_as_the_user_wrote_it(
    run: Run, batch_workspace: Path
) -> None:
    assert run(*batch_args(fmt="docx")).exit_code == 0
    source = folder_of(batch_workspace, "justice") / "lettre.md"
    edited = source.read_text(encoding="utf-8").replace("vous écrit", "vous écrit encore")
    source.write_text(edited, encoding="utf-8")
    source.with_name("lettre.docx").unlink()
    assert run(*batch_args(fmt="docx")).exit_code == 0
    assert source.read_text(encoding="utf-8") == edited  # a source is never rewritten
    text = [p.text for p in docx.Document(str(source.with_name("lettre.docx"))).paragraphs]
    assert any("vous écrit encore" in t for t in text)


def test_a_docx_edited_in_a_resumed_batch_is_refused_then_kept_with_force(
    run: Run, batch_workspace: Path
) -> None:
    assert run(*batch_args(fmt="docx")).exit_code == 0
    folder = folder_of(batch_workspace, "justice")
    document = docx.Document(str(folder / "lettre.docx"))
    document.add_paragraph("Ajout d'un cosignataire.")
    document.save(str(folder / "lettre.docx"))
    edited = (folder / "lettre.docx").read_bytes()
    (folder / "lettre.md").write_text(
        (folder / "lettre.md").read_text(encoding="utf-8") + "\nUne ligne de plus.\n", "utf-8"
    )
    refused = run(*batch_args(fmt="docx"))
    assert refused.exit_code == 1
    assert "a été modifié depuis « lettres draft »" in " ".join(refused.stderr.split())
    assert (folder / "lettre.docx").read_bytes() == edited
    forced = run(*batch_args(fmt="docx"), "--force")
    assert forced.exit_code == 0, forced.output
    (kept,) = folder.glob("lettre.modifie-*.docx")
    assert kept.read_bytes() == edited
    assert any(
        "Une ligne de plus." in p.text
        for p in docx.Document(str(folder / "lettre.docx")).paragraphs
    )


def test_force_writes_into_an_occupied_out_folder_never_over_a_source(
    run: Run, batch_workspace: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dossier à moi"
    out.mkdir()
    (out / "notes.txt").write_text("à garder", encoding="utf-8")
    args = ["draft", "--template", "essai-lot", "--to", "interieur", "--date", "2016-12-14",
            "--out", str(out), "--format", "docx"]  # fmt: skip
    refused = run(*args)
    assert refused.exit_code == 1
    assert "existe déjà" in refused.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    result = run(*args, "--force")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        FINGERPRINTS_NAME, "lettre.docx", "lettre.md", "notes.txt"
    ]  # fmt: skip
    assert (out / "notes.txt").read_text(encoding="utf-8") == "à garder"
    # Another letter there is still refused, even with --force: a source is never replaced.
    before = (out / "lettre.md").read_bytes()
    other = run(*args, "--force", "--subject", "Autre chose")
    assert other.exit_code == 1
    assert "existe déjà" in other.stderr
    assert (out / "lettre.md").read_bytes() == before


def test_a_sent_letter_of_the_batch_is_passed_over_never_changed(
    run: Run, batch_workspace: Path
) -> None:
    assert run(*batch_args(fmt="docx")).exit_code == 0
    justice, interieur = (
        folder_of(batch_workspace, "justice"),
        folder_of(batch_workspace, "interieur"),
    )
    assert run("sent", str(justice), "--date", "2016-12-15").exit_code == 0
    again = run(*batch_args(fmt="docx"))  # identical: passed over
    assert again.exit_code == 0, again.output
    (justice / "lettre.docx").unlink()
    (interieur / "lettre.docx").unlink()
    refused = run(*batch_args(fmt="docx"))  # it would change: refused, nothing written
    assert refused.exit_code == 1
    assert "déjà été envoyé" in refused.stderr
    assert not (justice / "lettre.docx").exists()
    assert not (interieur / "lettre.docx").exists()
    forced = run(*batch_args(fmt="docx"), "--force")  # not even with --force
    assert forced.exit_code == 1
    assert not (justice / "lettre.docx").exists()


def recorder(seen: list[str], total: int) -> ProgressBar:
    """A progress bar that notes each letter it is told of."""

    @contextmanager
    def progress(count: int) -> Iterator[Progress]:
        assert count == total
        yield lambda item: seen.append(item.folder.name)

    return progress


def lot(note: str = "Merci.") -> drafting.NewLetters:
    return drafting.NewLetters(
        template="essai-lot", to=["ministres", "cncdh"], on=date(2016, 12, 14),
        variables={"note": note},
    )  # fmt: skip


def test_two_workers_write_the_bytes_one_worker_writes(
    batch_workspace: Path, tmp_path: Path
) -> None:
    written = {}
    for workers in (1, 2):
        root = tmp_path / f"{workers}-processus"
        shutil.copytree(batch_workspace, root)
        seen: list[str] = []
        drafting.draft(
            load_workspace(root), lot(), parse_outputs("docx,pdf"), progress=recorder(seen, 6),
            workers=workers,
        )  # fmt: skip
        assert len(seen) == 6  # progress shown for every letter
        written[workers] = letter_files(root)
    assert len([name for name in written[1] if name.endswith((".docx", ".pdf"))]) == 12
    assert written[2] == written[1]


SPLIT_CHILD = """
import json, sys
from pathlib import Path
from lettres import workers

root = Path(sys.argv[1]).resolve()
if sys.argv[2] == "worker":  # what a PDF worker does, first
    workers.start_worker(workers.RenderSettings(
        docx=False, pdf=True, pdfa=False, layout=root / "modeles" / "lettre.typ", root=root,
        logo_path=None, logo=None,
    ))
    print(json.dumps({"docx": "docx" in sys.modules, "typst": "typst" in sys.modules}))
else:
    from lettres.outputs import parse_outputs, render_settings
    from lettres.workspace import load_workspace
    from tests.helpers import make_letter

    settings = render_settings(load_workspace(root), parse_outputs("docx,pdf"))
    jobs = [(make_letter(subject=f"Objet {n}"), n != 1) for n in range(3)]  # 1: unfinished
    running = []

    def composed_one_by_one():  # the processes running when the first letter is composed
        import multiprocessing
        running.append(len(multiprocessing.active_children()))
        yield from jobs

    pooled = workers.render_all(composed_one_by_one(), settings, 2)
    typst_here = "typst" in sys.modules
    alone = workers.render_here(jobs, workers.Renderer(settings), lambda index: None)
    print(json.dumps({
        "typst_here": typst_here, "same": pooled == alone, "running": running,
        "kinds": [sorted(files) for files in pooled],
    }))
"""


def split_child(workspace: Path, mode: str) -> dict[str, object]:
    repository = Path(__file__).resolve().parent.parent
    child = subprocess.run(
        [sys.executable, "-c", SPLIT_CHILD, str(workspace), mode],
        capture_output=True, text=True, check=True, timeout=120, cwd=repository,
        env={**os.environ, "PYTHONPATH": str(repository)},
    )  # fmt: skip
    result: dict[str, object] = json.loads(child.stdout)
    return result


def test_pdfs_in_the_workers_docx_here_each_library_in_one_process(
    batch_workspace: Path,
) -> None:
    # typst's caches (~50 MiB) only in the workers, python-docx only here: the memory of a
    # batch stays near that of one process and a half.
    assert split_child(batch_workspace, "worker") == {"docx": False, "typst": True}
    batch = split_child(batch_workspace, "batch")
    assert batch["typst_here"] is False
    assert batch["kinds"] == [["docx", "pdf"], ["docx"], ["docx", "pdf"]]
    assert batch["same"] is True  # byte for byte what one process renders
    assert batch["running"] == [1]  # the worker starts before the first letter is composed


@pytest.mark.parametrize("failing", ["interieur", "cncdh"])
def test_a_letter_failing_in_a_worker_stops_the_batch_with_its_message(
    batch_workspace: Path, failing: str
) -> None:
    # The first letter is rendered by the spawned worker, the last by this process.
    template = batch_workspace / "modeles" / "essai-lot.md"
    template.write_text(TEMPLATE.replace('"education"', f'"{failing}"'), encoding="utf-8")
    with pytest.raises(LettresError, match="U\\+1F642"):
        drafting.draft(
            load_workspace(batch_workspace), lot("Merci 🙂"), parse_outputs("docx,pdf"), workers=2
        )
    assert not (batch_workspace / "courriers").exists()
    assert not (batch_workspace / COUNTER).exists()


def test_a_worker_that_dies_is_a_clean_error_and_nothing_is_written(
    batch_workspace: Path,
) -> None:
    import multiprocessing

    @contextmanager
    def killing(count: int) -> Iterator[Progress]:
        def kill_the_workers(item: drafting.Planned) -> None:
            for child in multiprocessing.active_children():
                os.kill(child.pid or 0, signal.SIGKILL)  # memory exhausted, or a kill

        yield kill_the_workers

    with pytest.raises(LettresError, match=r"s.est arrêté .* rien n.a été écrit"):
        drafting.draft(
            load_workspace(batch_workspace), lot(), parse_outputs("docx,pdf"), progress=killing,
            workers=2,
        )  # fmt: skip
    assert not (batch_workspace / "courriers").exists()
    assert not (batch_workspace / COUNTER).exists()


def test_data_errors_cross_processes_whole() -> None:
    problems = [Problem(Path("modeles/lettre.typ"), 3, "police introuvable")]
    error = pickle.loads(pickle.dumps(DataError(problems)))
    assert type(error) is DataError and error.problems == problems
    assert str(error) == "modeles/lettre.typ:3: police introuvable"
    current = pickle.loads(pickle.dumps(NotCurrent(problems, "titulaires :")))
    assert type(current) is NotCurrent and current.problems == problems
    assert str(current) == "titulaires :\nmodeles/lettre.typ:3: police introuvable"


def test_workers_start_ignoring_ctrl_c_and_without_the_main_script() -> None:
    import multiprocessing

    from lettres.workers import quiet_start

    assert getattr(sys.modules["__main__"], "__file__", None)  # pytest's, here
    with quiet_start():
        pool = multiprocessing.get_context("spawn").Pool(1)
    with pool:
        ignored = pool.apply(signal.getsignal, (signal.SIGINT,))
        main_file = pool.apply(
            eval, ("getattr(__import__('sys').modules['__main__'], '__file__', None)",)
        )
    assert ignored == signal.SIG_IGN  # a Ctrl-C is the parent's, even while a worker imports
    assert main_file is None  # the parent's main script (the whole CLI) is not imported again
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back


def test_a_docx_is_the_same_bytes_whenever_it_is_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import time
    import zipfile

    from lettres.docx_writer import render_docx
    from tests.helpers import make_letter

    letter = make_letter()
    rendered = []
    for now in (1_000_000_000.0, 2_000_000_000.0):  # 2001 and 2033: python-docx dates entries now
        monkeypatch.setattr(time, "time", lambda now=now: now)
        rendered.append(render_docx(letter))
    assert rendered[0] == rendered[1]
    entries = zipfile.ZipFile(io.BytesIO(rendered[0])).infolist()
    assert {entry.date_time for entry in entries} == {(*letter.date.timetuple()[:3], 9, 0, 0)}
