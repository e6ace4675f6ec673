"""Helpers shared by the benchmarks: whole processes timed directly (the installed console
script, no wrapper process), two sides run in turn, peak memory of a process tree."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

LETTRES = str(Path(sys.executable).with_name("lettres"))  # the console script pip installed
BARE_APP = """
import typer

app = typer.Typer()


@app.command()
def main(name: str = "monde") -> None:
    print(name)


app()
"""


# The same app, importing first what one letter needs beyond Typer: the floor of the stack
# (yaml, Jinja2, markdown-it, python-docx, typst; pydantic comes with Typer).
STACK_APP = "import yaml, jinja2, markdown_it, docx, typst\n" + BARE_APP


def seconds(command: Sequence[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, capture_output=True, check=True)
    return time.perf_counter() - start


def peak_mib(command: Sequence[str], cwd: Path | None = None) -> float:
    return peak_memory(command, cwd)[0]


def peak_memory(command: Sequence[str], cwd: Path | None = None) -> tuple[float, float]:
    """The highest resident memory (RSS) of the process and all its children together,
    and the highest proportional one (PSS: a page shared by n processes counts 1/n in
    each, so the sum counts it once), in MiB, sampled every 5 ms from /proc (Linux);
    elsewhere, the largest single process (ru_maxrss), twice."""
    if not Path("/proc/self/status").exists():
        import resource

        subprocess.run(command, cwd=cwd, capture_output=True, check=True)
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return largest, largest
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    rss = pss = 0
    while process.poll() is None:
        now = tree_kib(process.pid)
        rss, pss = max(rss, now[0]), max(pss, now[1])
        time.sleep(0.005)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return rss / 1024, pss / 1024


def tree_kib(pid: int) -> tuple[int, int]:
    """RSS and PSS (KiB) of a process and its descendants (started by any of its
    threads), summed."""
    rss = pss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = [child for task in Path(f"/proc/{current}/task").iterdir()
                        for child in (task / "children").read_text().split()]  # fmt: skip
        except OSError:
            continue
        rss += field_kib(status, "VmRSS:")
        pss += field_kib(rollup, "Pss:")
        pending += [int(child) for child in children]
    return rss, pss


def field_kib(text: str, name: str) -> int:
    return next((int(line.split()[1]) for line in text.splitlines() if line.startswith(name)), 0)


@dataclass
class Pair:
    """A comparison: lettres (A) and its reference (B), run in turn."""

    ours: list[float]
    theirs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.ours)

    @property
    def reference(self) -> float:
        return statistics.median(self.theirs)

    @property
    def ratio(self) -> float:
        """ours / theirs, pair by pair: each pair ran under the same load."""
        return statistics.median(self.ratios)

    @property
    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.ours, self.theirs, strict=True)]


def in_turn(ours: Callable[[], float], theirs: Callable[[], float], rounds: int) -> Pair:
    ours(), theirs()  # warm-up: disk cache, LibreOffice's profile
    pair = Pair([], [])
    for _ in range(rounds):
        pair.ours.append(ours())
        pair.theirs.append(theirs())
    return pair


def alone(measure: Callable[[], float], rounds: int) -> list[float]:
    measure()
    return [measure() for _ in range(rounds)]


def median_seconds(command: Sequence[str], runs: int = 15, cwd: str | None = None) -> float:
    """Median wall time of a whole process, after one warm-up run (one side alone: for a
    comparison, in_turn)."""
    subprocess.run(command, cwd=cwd, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(
    label: str, seconds: float, floor: float | None = None, target: float | None = None
) -> None:
    line = f"{label:<44} {seconds * 1000:8.1f} ms"
    if floor:
        ratio = seconds / floor
        line += f"   {ratio:4.2f}×"
        if target:
            line += f" (cible ≤ {target}×: {'ok' if ratio <= target else 'DÉPASSÉ'})"
    print(line)
