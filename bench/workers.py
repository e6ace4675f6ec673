"""A batch on every core: the same letters rendered by one process (A) and by a pool of
as many workers as cores (B), run in turn (A B A B …), with the medians, the ratio pair by
pair, and the peak of the memory summed over every process of the run (parent and
workers, sampled from /proc).

Also the threshold under which a batch stays in one process (`LETTERS_PER_WORKER`):
the same comparison for small batches.

Run: python bench/workers.py [PAIRS]   (from the repository root, lettres installed; Linux)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from common import tree_kib
from draft import MERGE, make_workspace

# The batch through the library, as `lettres draft --format docx,pdf` does it, with
# argv[2] letters and argv[3] workers. It imports the command line first, as the
# `lettres` console script does: that is what a spawned worker would import again.
CHILD = """
import sys
from datetime import date
from pathlib import Path
import lettres.cli
from lettres import drafting
from lettres.outputs import parse_outputs
from lettres.workspace import load_workspace

if __name__ == "__main__":
    letters, workers = int(sys.argv[2]), int(sys.argv[3])
    to = ["essai"] if letters == 100 else [f"essai-{n}" for n in range(letters)]
    request = drafting.NewLetters(template="demande-rencontre", to=to, on=date(2016, 12, 14),
                                  variables={"sujet": "x", "contexte": "y"}, accept_unverified=True)
    drafting.draft(load_workspace(Path(sys.argv[1])), request, parse_outputs("docx,pdf"),
                   workers=workers)
"""

TARGET_SECONDS, TARGET_MIB = 2.0, 150  # issue 15, for 100 letters on 2 cores


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def timed_with_memory(command: Sequence[str]) -> tuple[float, int]:
    """Wall time, and the peak of the memory summed over the process tree (KiB, sampled)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_kib(process.pid)[0])
        time.sleep(0.005)
    seconds = time.perf_counter() - start
    if process.returncode:
        raise RuntimeError(process.stderr.read().decode() if process.stderr else "échec")
    return seconds, peak


def clean(root: Path) -> None:
    import shutil

    for folder in (root / "courriers").glob("2016-12-14-essai-*"):
        shutil.rmtree(folder)
    (root / ".lettres-references.json").unlink(missing_ok=True)


def pair(root: Path, script: Path, letters: int, workers: int) -> list[tuple[float, int]]:
    """A (one process) then B (`workers` workers): [(seconds, KiB), (seconds, KiB)]."""
    measured = []
    for count in (1, workers):
        clean(root)
        command = [sys.executable, str(script), str(root), str(letters), str(count)]
        measured.append(timed_with_memory(command))
    clean(root)
    return measured


def compare(root: Path, script: Path, letters: int, workers: int, pairs: int) -> None:
    print(f"Lot de {letters} lettres, DOCX + PDF : 1 processus (A), puis {workers} (B)")
    results = []
    for number in range(1, pairs + 1):
        (a, memory_a), (b, memory_b) = pair(root, script, letters, workers)
        results.append((a, b, memory_a, memory_b))
        print(f"  paire {number} : A {a * 1000:6.0f} ms, B {b * 1000:6.0f} ms, "
              f"B/A {b / a:4.2f} ; mémoire A {memory_a / 1024:4.0f} MiB, "
              f"B {memory_b / 1024:4.0f} MiB", flush=True)  # fmt: skip
    a, b = (statistics.median(r[i] for r in results) for i in (0, 1))
    ratio = statistics.median(r[1] / r[0] for r in results)
    memory = max(r[3] for r in results) / 1024
    print(f"  médianes : A {a * 1000:.0f} ms, B {b * 1000:.0f} ms ; médiane des B/A {ratio:.2f} ; "
          f"mémoire de B au plus {memory:.0f} MiB (processus additionnés)")  # fmt: skip
    if letters == MERGE:
        print(f"  cible : {MERGE} lettres ≤ {TARGET_SECONDS:.1f} s sur 2 cœurs : B {b:.2f} s, "
              f"{'tenue' if b <= TARGET_SECONDS else 'MANQUÉE'} ; mémoire ≤ {TARGET_MIB} MiB : "
              f"{memory:.0f} MiB, {'tenue' if memory <= TARGET_MIB else 'MANQUÉE'}")  # fmt: skip


def main() -> None:
    if not Path("/proc").is_dir():
        sys.exit("bench/workers.py lit la mémoire des processus dans /proc (Linux)")
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    workers = cores()
    print(f"{time.strftime('%Y-%m-%d')}, {workers} cœur(s), Python {sys.version.split()[0]}")
    if workers == 1:
        print("(un seul cœur disponible : A et B sont la même chose)")
    with tempfile.TemporaryDirectory() as folder:
        root = make_workspace(Path(folder))
        script = Path(folder) / "lot.py"
        script.write_text(CHILD, encoding="utf-8")
        for letters in (MERGE, 24, 12, 6):
            compare(root, script, letters, max(workers, 2), pairs)


if __name__ == "__main__":
    main()
